/**
 * A node's load, from one `INFO` reply (sections clients, memory, stats, replication,
 * keyspace) and, now and then, `SLOWLOG GET`: the figures an operator watches on a busy
 * cluster. Pure parsing and formatting; the poller (loadPoller.ts) reads, the views draw.
 */
import { formatBytes } from './units';

export interface SlowlogEntry {
  readonly id: number;
  /** Seconds since the epoch. */
  readonly at: number;
  readonly micros: number;
  readonly command: string;
}

export interface NodeLoad {
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly opsPerSec: number;
  readonly usedMemory: number;
  /** 0: no limit. */
  readonly maxMemory: number;
  readonly clients: number;
  readonly keys: number;
  readonly evictedKeys: number;
  readonly role: 'master' | 'replica';
  /** master_repl_offset on a master, slave_repl_offset on a replica. */
  readonly replOffset?: number;
  /** The newest slowlog entries, when read this time. */
  readonly slowlog?: readonly SlowlogEntry[];
}

/** `INFO` text into field → value (section headers and blank lines skipped). */
export function parseInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) out.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return out;
}

const num = (v: string | undefined): number => {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
};

/** Keys of every database (`db0:keys=12,expires=0,avg_ttl=0`). */
function keysOf(info: Map<string, string>): number {
  let keys = 0;
  for (const [k, v] of info) if (/^db\d+$/.test(k)) keys += num(/(?:^|,)keys=(\d+)/.exec(v)?.[1]);
  return keys;
}

export function loadFromInfo(text: string, at: number, slowlog?: readonly SlowlogEntry[]): NodeLoad {
  const info = parseInfo(text);
  const role = info.get('role') === 'slave' ? 'replica' : 'master';
  const offset = info.get(role === 'master' ? 'master_repl_offset' : 'slave_repl_offset');
  return {
    at,
    opsPerSec: num(info.get('instantaneous_ops_per_sec')),
    usedMemory: num(info.get('used_memory')),
    maxMemory: num(info.get('maxmemory')),
    clients: num(info.get('connected_clients')),
    keys: keysOf(info),
    evictedKeys: num(info.get('evicted_keys')),
    role,
    ...(offset !== undefined ? { replOffset: num(offset) } : {}),
    ...(slowlog ? { slowlog } : {}),
  };
}

/** `SLOWLOG GET` as ioredis returns it: [id, time, micros, [args…], …] per entry. */
export function parseSlowlog(reply: unknown): SlowlogEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((e: unknown) => {
    if (!Array.isArray(e) || e.length < 4) return [];
    const args = Array.isArray(e[3]) ? (e[3] as unknown[]).map((a) => String(a)) : [];
    return [{ id: Number(e[0]), at: Number(e[1]), micros: Number(e[2]), command: args.join(' ').slice(0, 120) }];
  });
}

/** 1234 -> "1.2k", for ops/s in a tree description. */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** Memory used, against maxmemory when one is set: `3.1 MiB of 64 MiB`. */
export function formatMemory(l: NodeLoad): string {
  return l.maxMemory > 0 ? `${formatBytes(l.usedMemory)} of ${formatBytes(l.maxMemory)}` : formatBytes(l.usedMemory);
}

/** The live figures after a tree row's memory: `1.2k ops/s · 12 clients`. */
export function formatLoadShort(l: NodeLoad): string {
  return `${formatCount(l.opsPerSec)} ops/s · ${l.clients} client${l.clients === 1 ? '' : 's'}`;
}

/** Markdown lines for a tooltip: every figure, the lag behind the master, the newest slow commands. */
export function formatLoadLines(l: NodeLoad, masterOffset?: number): string[] {
  const lines = [
    `Load (${new Date(l.at).toLocaleTimeString()}): ${formatCount(l.opsPerSec)} ops/s, ${l.clients} client(s), ${l.keys} key(s)`,
    `Memory: ${formatBytes(l.usedMemory)}${l.maxMemory > 0 ? ` of ${formatBytes(l.maxMemory)} (${Math.round((l.usedMemory / l.maxMemory) * 100)}%)` : ' (no maxmemory)'}; evicted keys: ${l.evictedKeys}`,
  ];
  if (l.role === 'replica' && masterOffset !== undefined && l.replOffset !== undefined) lines.push(`Replication offset lag: ${formatBytes(Math.max(0, masterOffset - l.replOffset))}`);
  for (const s of (l.slowlog ?? []).slice(0, 3)) lines.push(`Slow: ${s.micros} µs, ${s.command.replace(/[\\\x60*_]/g, ' ')}`);
  return lines;
}

/** The last `limit` samples of one node, oldest first: the dashboard's charts. */
export class LoadHistory {
  private readonly samples: NodeLoad[] = [];

  constructor(private readonly limit: number) {}

  add(sample: NodeLoad): void {
    this.samples.push(sample);
    if (this.samples.length > this.limit) this.samples.splice(0, this.samples.length - this.limit);
  }

  get all(): readonly NodeLoad[] {
    return this.samples;
  }

  get latest(): NodeLoad | undefined {
    return this.samples[this.samples.length - 1];
  }
}
