/** Commands on a bulk link (wireLink.ts) for the mover's steps: many pipelined in one write, or one. */
import { type WireLink, WireWriter } from '../../redis/wireLink';

export type WireArg = string | Buffer | number;
export type WireResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

/** Runs one command per item on the node, all pipelined in one write; each result is a reply or an error. */
export async function pipelined<T>(link: WireLink, items: readonly T[], args: (t: T) => readonly WireArg[]): Promise<WireResult[]> {
  const w = new WireWriter();
  for (const t of items) {
    const a = args(t);
    w.array(a.length);
    for (const x of a) w.bulk(x);
  }
  try {
    const r = await link.send(w);
    return items.map((_, i) => (r.isError(i) ? { ok: false, error: new Error(r.text(i)) } : { ok: true, value: r.value(i) }));
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return items.map(() => ({ ok: false, error }));
  }
}

/** Runs one command; a Redis error is thrown. */
export async function one(link: WireLink, args: readonly WireArg[]): Promise<unknown> {
  const [r] = await pipelined(link, [args], (a) => a);
  if (!r) throw new Error('no reply');
  if (!r.ok) throw r.error;
  return r.value;
}

/** Which of `keys` exist on the node (EXISTS per key, pipelined); a key whose EXISTS failed counts as absent. */
export async function existing(link: WireLink, keys: readonly Buffer[]): Promise<Buffer[]> {
  const exists = await pipelined(link, keys, (k) => ['EXISTS', k]);
  return keys.filter((_, i) => {
    const r = exists[i];
    return r?.ok === true && Number(r.value) === 1;
  });
}

/** A slot's keys on the node, at most `count` (GETKEYSINSLOT). */
export async function keysInSlot(link: WireLink, slot: number, count: number): Promise<Buffer[]> {
  return ((await one(link, ['CLUSTER', 'GETKEYSINSLOT', slot, count])) as Buffer[] | null) ?? [];
}

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  }
  return m;
}

export const keyText = (k: Buffer): string => k.toString('utf8');
