/**
 * The Docker secrets and configs of a cluster that hold what its plan generated: the password
 * or ACL users, each application user's password, and with TLS the CA and node certificates
 * (configs) and their keys (secrets). `deploy` creates them before its services; `deploy
 * --stack-file` creates them too (a file must never hold a key or a password) and names them
 * as external in the stack file. One place checks their names are free and creates them.
 */
import type Docker from 'dockerode';
import { type ProgressReporter } from '../lifecycle';
import { type DeployPlan } from './deploy';
import { type TlsPlan, caKeySecretName } from './deployTls';
import { type KeptCa } from './clusterCa';
import { clusterLabels } from './labels';

/** IDs of the TLS configs and secrets, by name. */
export type TlsObjectIds = ReadonlyMap<string, string>;

export interface SecretRef {
  readonly name: string;
  readonly id: string;
}

/** What was created so far, by name: a failure part-way removes exactly these. */
export interface CreatedSecrets {
  secret: string;
  userSecrets: string[];
  tlsConfigs: string[];
  tlsSecrets: string[];
}

export function noSecretsCreated(): CreatedSecrets {
  return { secret: '', userSecrets: [], tlsConfigs: [], tlsSecrets: [] };
}

/** The names in `created`, as configs and secrets (for removal, and for saying what was made). */
export function createdObjectNames(created: CreatedSecrets): { configs: string[]; secrets: string[] } {
  return { configs: [...created.tlsConfigs], secrets: [...(created.secret ? [created.secret] : []), ...created.userSecrets, ...created.tlsSecrets] };
}

/** Of `wanted`, the names `existing` already holds, compared as swarm compares them (ignoring case). */
export function clashes(wanted: readonly string[], existing: readonly (string | undefined)[]): string[] {
  const taken = new Map(existing.flatMap((n) => (n ? [[n.toLowerCase(), n] as const] : [])));
  return wanted.flatMap((w) => {
    const have = taken.get(w.toLowerCase());
    return have === undefined ? [] : [have === w ? w : `${w} (as ${have})`];
  });
}

/**
 * What stands in the way of the plan's redis.conf config, secrets and TLS configs: names already
 * taken on the swarm. A kept CA's key secret and certificate config are there on purpose
 * (`keptCa`: the plan signs with them).
 */
export async function objectNameProblems(docker: Docker, plan: DeployPlan, keptCa: boolean): Promise<string[]> {
  const specName = (x: unknown): string | undefined => (x as { Spec?: { Name?: string } }).Spec?.Name;
  const [configs, secrets] = await Promise.all([docker.listConfigs(), docker.listSecrets()]);
  const configNames = configs.map(specName);
  const problems: string[] = [];
  const configClash = clashes([plan.configName], configNames);
  if (configClash.length > 0) problems.push(`config ${configClash.join(', ')} already exists`);
  const secretNames = [...(plan.secretName ? [plan.secretName] : []), ...plan.userSecrets.map((u) => u.name), ...tlsSecretNames(plan.tls)].filter(
    (n) => !(keptCa && n === caKeySecretName(plan.options.name)),
  );
  const secretClash = clashes(secretNames, secrets.map(specName));
  if (secretClash.length > 0) problems.push(`secret(s) ${secretClash.join(', ')} already exist`);
  const tlsConfigClash = clashes(tlsConfigNames(plan.tls), configNames);
  if (tlsConfigClash.length > 0) problems.push(`config(s) ${tlsConfigClash.join(', ')} already exist`);
  return problems;
}

function tlsSecretNames(tls: TlsPlan | undefined): string[] {
  if (!tls) return [];
  return [...(tls.caKeySecret && !tls.reusedCa ? [tls.caKeySecret] : []), ...[...tls.nodes.values()].map((n) => n.keySecret)];
}

function tlsConfigNames(tls: TlsPlan | undefined): string[] {
  if (!tls) return [];
  return [...(tls.reusedCa ? [] : [tls.caConfig]), ...[...tls.nodes.values()].map((n) => n.certConfig)];
}

/**
 * Creates the plan's auth secret, user secrets and TLS objects, labelled as the cluster's (so
 * destroy removes them), recording each in `created` as soon as it exists.
 */
export async function createClusterSecrets(
  docker: Docker,
  plan: DeployPlan,
  created: CreatedSecrets,
  kept: KeptCa | undefined,
  progress: ProgressReporter,
): Promise<{ secrets: SecretRef[]; tlsIds?: TlsObjectIds }> {
  const o = plan.options;
  const secrets: SecretRef[] = [];
  if (plan.secretName && plan.secretText !== undefined) {
    progress.report({ message: `storing the ${o.acl ? 'ACL users' : 'password'} in secret ${plan.secretName}` });
    secrets.push({ name: plan.secretName, id: await createSecret(docker, plan.secretName, o.name, plan.secretText) });
    created.secret = plan.secretName;
  }
  for (const u of plan.userSecrets) {
    progress.report({ message: `storing the password of user ${u.user} in secret ${u.name}` });
    secrets.push({ name: u.name, id: await createSecret(docker, u.name, o.name, u.password) });
    created.userSecrets.push(u.name);
  }
  if (!plan.tls) return { secrets };
  const which = plan.tls.source === 'files' ? 'the given certificate' : kept ? `the kept CA ${kept.configName}` : 'a new CA';
  progress.report({ message: `storing the TLS certificates in configs and their keys in secrets (${which})` });
  return { secrets, tlsIds: await createTlsObjects(docker, o.name, plan.tls, created, kept) };
}

async function createTlsObjects(docker: Docker, cluster: string, tls: TlsPlan, created: CreatedSecrets, kept?: KeptCa): Promise<TlsObjectIds> {
  const ids = new Map<string, string>();
  // A kept CA is mounted, never created here, so a failed deploy (which removes what it created) leaves it.
  if (kept && tls.reusedCa) ids.set(kept.configName, kept.configId);
  const put = async (kind: 'config' | 'secret', name: string, text: string): Promise<void> => {
    if (ids.has(name)) return; // the user's one certificate serves every node
    const spec = { Name: name, Labels: clusterLabels(cluster), Data: Buffer.from(text).toString('base64') };
    const made = (kind === 'config' ? await docker.createConfig(spec) : await docker.createSecret(spec)) as { id?: string; ID?: string };
    (kind === 'config' ? created.tlsConfigs : created.tlsSecrets).push(name);
    ids.set(name, made.id ?? made.ID ?? (kind === 'config' ? (await docker.getConfig(name).inspect()).ID : (await docker.getSecret(name).inspect()).ID));
  };
  await put('config', tls.caConfig, tls.caPem);
  // The CA key is mounted by no node: add-node and rotate-certs read it in a task of their own.
  if (tls.caKeySecret && tls.caKeyPem && !tls.reusedCa) await put('secret', tls.caKeySecret, tls.caKeyPem);
  for (const n of tls.nodes.values()) {
    await put('config', n.certConfig, n.pair.certPem);
    await put('secret', n.keySecret, n.pair.keyPem);
  }
  return ids;
}

async function createSecret(docker: Docker, name: string, cluster: string, text: string): Promise<string> {
  const secret = (await docker.createSecret({ Name: name, Labels: clusterLabels(cluster), Data: Buffer.from(text).toString('base64') })) as { id?: string; ID?: string };
  return secret.id ?? secret.ID ?? ((await docker.getSecret(name).inspect()) as { ID: string }).ID;
}
