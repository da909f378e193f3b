/**
 * redis.conf as text: read a setting, set one, and the settings `config set` refuses. Pure.
 * A setting is a line whose first word is its name; later lines win, as in Redis's loader.
 */
import { BadInputError } from '../errors';
import { quoteConf } from '../swarm/redisConf';

/**
 * Settings that would break the cluster or redis-swarm, each with why. Node identity and
 * addressing are per node (the command line) or fixed by deploy; the password lives in a
 * secret; the mode has its own verb.
 */
export const REFUSED_SETTINGS: Readonly<Record<string, string>> = {
  'cluster-enabled': 'a node without it is not a cluster node',
  port: 'services, published ports and announced endpoints are built on the port deploy chose',
  'cluster-port': 'the bus port is the port plus 10000 on every node',
  'cluster-config-file': 'each node keeps its identity in nodes.conf on its volume',
  'cluster-announce-hostname': 'each node announces its own service name (set on its command line)',
  'cluster-announce-ip': 'nodes announce their service names; a fixed address breaks when a task moves',
  'cluster-announce-port': 'announced ports are the container port',
  'cluster-announce-bus-port': 'announced ports are the container port',
  'cluster-announce-tls-port': 'announced ports are the container port',
  'cluster-preferred-endpoint-type': 'redirects must name the service hostnames redis-swarm routes by',
  'cluster-require-full-coverage': 'the cluster mode owns it: use `redis-swarm mode`',
  bind: 'replicas, other containers and published ports reach the node from outside its container',
  'protected-mode': 'it would refuse every client but the container itself',
  dir: 'the data directory is the node volume at /data',
  include: 'the password secret is included by deploy',
  requirepass: 'the password lives in the cluster\'s Docker secret',
  masterauth: 'the password lives in the cluster\'s Docker secret',
  daemonize: 'a daemonized redis-server ends its container',
  replicaof: 'cluster nodes are made replicas with CLUSTER REPLICATE',
  slaveof: 'cluster nodes are made replicas with CLUSTER REPLICATE',
  'rename-command': 'redis-swarm needs the CLUSTER, CONFIG and INFO commands',
};

const NAME = /^[a-z][a-z0-9-]*$/;

/** A setting name as Redis compares them (case-insensitively); refuses names that break the cluster. */
export function checkSettingName(name: string): string {
  const n = name.toLowerCase();
  if (!NAME.test(n)) throw new BadInputError(`"${name}" is not a redis.conf setting name.`);
  const why = REFUSED_SETTINGS[n];
  if (why !== undefined) throw new BadInputError(`Not changing ${n}: ${why}.`);
  return n;
}

/** The words of a redis.conf line (sdssplitargs-like: double and single quotes), or [] for a comment/blank. */
export function confWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length || (words.length === 0 && line[i] === '#')) break;
    let w = '';
    const q = line[i];
    if (q === '"' || q === "'") {
      i++;
      while (i < line.length && line[i] !== q) {
        if (q === '"' && line[i] === '\\' && i + 1 < line.length) {
          const next = line[i + 1] as string;
          if (next === 'x' && /^[0-9a-f]{2}$/i.test(line.slice(i + 2, i + 4))) {
            w += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
            continue;
          }
          w += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        w += line[i];
        i++;
      }
      i++;
    } else {
      while (i < line.length && !/\s/.test(line[i] as string)) w += line[i++];
    }
    words.push(w);
  }
  return words;
}

/** Every setting of the file, name → value (words joined by a space), the last line winning. */
export function confSettings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [name, ...rest] = confWords(line);
    if (name !== undefined) out.set(name.toLowerCase(), rest.join(' '));
  }
  return out;
}

/** A value as a redis.conf line writes it: plain words as they are, anything else quoted. */
export function confValue(value: string): string {
  return /^[^\s"'\\#]+( [^\s"'\\#]+)*$/.test(value) ? value : quoteConf(value);
}

/** The file with `name value` set: the setting's lines replaced by one (at the first), or added before any `include`. */
export function confSet(text: string, name: string, value: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  const line = `${name} ${confValue(value)}`;
  const isIt = (l: string): boolean => confWords(l)[0]?.toLowerCase() === name;
  const first = lines.findIndex(isIt);
  let out: string[];
  if (first >= 0) {
    out = lines.filter((l, i) => i === first || !isIt(l)).map((l, i) => (i === first ? line : l));
  } else {
    const include = lines.findIndex((l) => confWords(l)[0]?.toLowerCase() === 'include');
    out = include >= 0 ? [...lines.slice(0, include), line, ...lines.slice(include)] : [...lines, line];
  }
  return out.join('\n') + '\n';
}
