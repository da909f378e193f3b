/**
 * Cluster redirections in error replies, read the way redis-cli's cliReadReply() reads them:
 * `MOVED <slot> <host>:<port>` and `ASK <slot> <host>:<port>`, split at the first two spaces
 * and the last colon (so IPv6 hosts work), numbers read with atoi().
 */
import { atoi } from './cstring';

export const CLUSTER_SLOTS = 16384;

export interface Redirect {
  readonly kind: 'moved' | 'ask';
  readonly slot: number;
  /** The endpoint as the cluster announced it (what redis-cli prints). */
  readonly host: string;
  readonly port: number;
}

/**
 * The redirect an error reply asks for, or undefined for any other error. Where redis-cli
 * would crash on a malformed redirect (no host, no colon) or follow a slot out of range, we
 * treat the reply as a plain error and print it.
 */
export function classifyRedirect(error: string): Redirect | undefined {
  let kind: Redirect['kind'];
  if (error.startsWith('MOVED ')) kind = 'moved';
  else if (error.startsWith('ASK ')) kind = 'ask';
  else return undefined;
  const s = error.indexOf(' ');
  const p = error.indexOf(' ', s + 1);
  if (p < 0) return undefined;
  const slot = atoi(error.slice(s + 1, p));
  // hiredis strings end at a NUL; so does the address.
  const nul = error.indexOf('\0', p + 1);
  const addr = error.slice(p + 1, nul >= 0 ? nul : undefined);
  const colon = addr.lastIndexOf(':');
  if (colon < 0) return undefined;
  if (slot < 0 || slot >= CLUSTER_SLOTS) return undefined;
  return { kind, slot, host: addr.slice(0, colon), port: atoi(addr.slice(colon + 1)) };
}
