/**
 * The redis.conf every node of a deployed cluster shares. It goes into a Docker config object;
 * the per-node bits (announced hostname) are on the command line, and the password lives in a
 * Docker secret that the config only `include`s, so `docker service inspect` never shows it.
 */
import { type AppUser, operatorAclRules, passwordHashRule } from './aclUsers';
import { type DeployOptions } from './deployOptions';
import { tlsConfLines } from './deployTls';

export const CONF_PATH = '/usr/local/etc/redis/redis.conf';
export const SECRET_DIR = '/run/secrets';

export function renderRedisConf(o: DeployOptions, authSecretName?: string): string {
  const lines = [
    '# Written by redis-swarm. One file for every node of the cluster.',
    ...(o.tls ? tlsConfLines(o.port) : [`port ${o.port}`]),
    'bind * -::*',
    // Protected mode would refuse every client but loopback, and replicas, other containers and
    // published ports all come from outside the container. What guards a node is its password
    // (requirepass, from the secret): deploy refuses to publish ports without one unless told
    // --insecure-no-password, and without published ports only containers on the overlay reach it.
    'protected-mode no',
    'cluster-enabled yes',
    // In /data, the node's own volume: the node ID survives a restart of its task.
    'cluster-config-file nodes.conf',
    `cluster-node-timeout ${o.nodeTimeoutMs}`,
    `cluster-preferred-endpoint-type ${o.preferredEndpoint}`,
    // Cache mode serves the covered slots while heal re-covers lost ones; persistent mode
    // refuses, as Redis does by default, until the owner comes back with its data. The mode at
    // deploy time: each task's command line sets the cluster's current mode over it (modeEnv.ts).
    `cluster-require-full-coverage ${o.mode === 'cache' ? 'no' : 'yes'}`,
    `appendonly ${o.appendonly ? 'yes' : 'no'}`,
    'dir /data',
  ];
  if (o.maxmemory) lines.push(`maxmemory ${o.maxmemory}`);
  if (o.maxmemoryPolicy) lines.push(`maxmemory-policy ${o.maxmemoryPolicy}`);
  if (authSecretName) lines.push(`include ${SECRET_DIR}/${authSecretName}`);
  return lines.join('\n') + '\n';
}

/** The secret's content: the same password for clients and for replicas talking to masters. */
export function renderAuthSecret(password: string): string {
  return `requirepass ${quoteConf(password)}\nmasterauth ${quoteConf(password)}\n`;
}

/**
 * The secret's content for a cluster with ACL users: the default user off (no password logs in
 * as anyone), the operator with only the commands redis-swarm sends, each application user with
 * its key patterns and command rules, and replicas logging in to their master as the operator.
 * Passwords in `user` lines are SHA-256 hashes; only the operator's is in clear (masterauth
 * needs it, and redis-swarm reads it back from here).
 */
export function renderAclSecret(operator: { name: string; password: string }, users: readonly { user: AppUser; password: string }[]): string {
  const lines = [
    'user default off resetpass resetkeys resetchannels -@all',
    `user ${operator.name} reset on ${passwordHashRule(operator.password)} ${operatorAclRules().join(' ')}`,
    ...users.map(
      ({ user, password }) =>
        `user ${user.name} reset on ${passwordHashRule(password)} resetchannels ${[...user.keyPatterns, ...user.commandRules].join(' ')}`,
    ),
    `masteruser ${operator.name}`,
    `masterauth ${quoteConf(operator.password)}`,
  ];
  return lines.join('\n') + '\n';
}

/** redis.conf values use sdssplitargs quoting: double quotes with backslash escapes. */
export function quoteConf(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + '"';
}
