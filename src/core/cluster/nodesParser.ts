/**
 * Parses the reply of `CLUSTER NODES` (https://redis.io/commands/cluster-nodes/):
 *
 *   <id> <ip:port@cport[,hostname[,aux=value...]]> <flags> <master> <ping-sent> <pong-recv>
 *   <config-epoch> <link-state> <slot> <slot> ...
 *
 * Slots are `N`, `A-B`, `[N->-<target id>]` (migrating) or `[N-<-<source id>]` (importing).
 */
import { RedisError } from '../errors';
import { type ClusterNode, CLUSTER_SLOTS, type NodeFlags, type NodesView, type OpenSlot, type SlotRange } from './topology';

function parseError(line: string, why: string): RedisError {
  return new RedisError(`Unexpected CLUSTER NODES line (${why}): "${line}".`);
}

function parseSlotNumber(text: string, line: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n >= CLUSTER_SLOTS) throw parseError(line, `bad slot "${text}"`);
  return n;
}

/** Splits `ip:port@cport,hostname,aux=...`; the port is after the last colon so IPv6 works. */
function parseAddress(text: string, line: string): { host: string; port: number; busPort: number; hostname?: string } {
  const [addr = '', hostname = ''] = text.split(',');
  const at = addr.indexOf('@');
  const hostPort = at >= 0 ? addr.slice(0, at) : addr;
  const busText = at >= 0 ? addr.slice(at + 1) : '';
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) throw parseError(line, `bad address "${text}"`);
  const host = hostPort.slice(0, colon);
  const port = Number(hostPort.slice(colon + 1));
  // Before Redis 4 there was no @cport; the bus port was always port + 10000.
  const busPort = busText === '' ? port + 10000 : Number(busText);
  if (!Number.isInteger(port) || !Number.isInteger(busPort)) throw parseError(line, `bad address "${text}"`);
  // A 7.2+ aux field may follow directly when there is no hostname; it is `key=value`.
  const name = hostname.includes('=') ? '' : hostname;
  return { host, port, busPort, ...(name !== '' ? { hostname: name } : {}) };
}

export function parseFlags(text: string): NodeFlags {
  const raw = text === 'noflags' ? [] : text.split(',').filter((f) => f.length > 0);
  const has = (f: string): boolean => raw.includes(f);
  return {
    myself: has('myself'),
    master: has('master'),
    replica: has('slave') || has('replica'),
    pfail: has('fail?'),
    fail: has('fail'),
    handshake: has('handshake'),
    noaddr: has('noaddr'),
    nofailover: has('nofailover'),
    raw,
  };
}

/** Parses one `CLUSTER NODES` line. */
export function parseNodeLine(line: string): ClusterNode {
  const fields = line.trim().split(/ +/);
  if (fields.length < 8) throw parseError(line, `${fields.length} fields, expected at least 8`);
  const [id, address, flagsText, master, pingSent, pongRecv, epoch, link, ...slotFields] = fields as [
    string, string, string, string, string, string, string, string, ...string[],
  ];
  if (!/^[0-9a-f]{40}$/i.test(id)) throw parseError(line, `bad node ID "${id}"`);
  const addr = parseAddress(address, line);
  const flags = parseFlags(flagsText);
  const slots: SlotRange[] = [];
  const migrating: OpenSlot[] = [];
  const importing: OpenSlot[] = [];
  for (const s of slotFields) {
    if (s.startsWith('[')) {
      const body = s.slice(1, -1);
      const mig = body.indexOf('->-');
      const imp = body.indexOf('-<-');
      if (mig > 0) migrating.push({ slot: parseSlotNumber(body.slice(0, mig), line), peerId: body.slice(mig + 3) });
      else if (imp > 0) importing.push({ slot: parseSlotNumber(body.slice(0, imp), line), peerId: body.slice(imp + 3) });
      else throw parseError(line, `bad open slot "${s}"`);
      continue;
    }
    const dash = s.indexOf('-');
    const start = parseSlotNumber(dash >= 0 ? s.slice(0, dash) : s, line);
    const end = dash >= 0 ? parseSlotNumber(s.slice(dash + 1), line) : start;
    if (end < start) throw parseError(line, `bad slot range "${s}"`);
    slots.push({ start, end });
  }
  const isReplica = flags.replica;
  return {
    id,
    endpoint: { host: addr.host, port: addr.port },
    busPort: addr.busPort,
    ...(addr.hostname !== undefined ? { hostname: addr.hostname } : {}),
    role: isReplica ? 'replica' : 'master',
    ...(master !== '-' ? { masterId: master } : {}),
    flags,
    pingSent: Number(pingSent),
    pongReceived: Number(pongRecv),
    configEpoch: Number(epoch),
    linkState: link === 'connected' ? 'connected' : 'disconnected',
    slots,
    migrating,
    importing,
  };
}

/** Parses a whole `CLUSTER NODES` reply; exactly one line must carry the `myself` flag. */
export function parseClusterNodes(reply: string): NodesView {
  const nodes = reply
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map(parseNodeLine);
  const self = nodes.find((n) => n.flags.myself);
  if (!self) throw new RedisError('CLUSTER NODES reply has no "myself" line.');
  return { self, nodes };
}

/**
 * The slot map a view holds, as redis-cli's clusterManagerGetConfigSignature builds it: each
 * node that owns slots as `id:ranges`, sorted. Two nodes agree about the configuration when
 * their signatures are equal.
 */
export function configSignature(view: NodesView): string {
  return view.nodes
    .filter((n) => n.slots.length > 0)
    .map((n) => {
      const ranges = [...n.slots].sort((a, b) => a.start - b.start);
      return `${n.id}:${ranges.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(',')}`;
    })
    .sort()
    .join('|');
}

/** Reads one `field:value` line of an INFO / CLUSTER INFO reply. */
export function infoField(info: string, field: string): string | undefined {
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return m?.[1]?.trim();
}
