/**
 * Bulk commands encoded to RESP in one pass. ioredis turns every Buffer argument into three
 * pieces (two strings, one buffer) and writes each into a new buffer: measured, for the slot
 * mover's commands with hundreds of thousands of key arguments (WATCH, MIGRATE … KEYS, the
 * copy engine's scripts) that was most of this process's time. Here the size is computed
 * first and every byte written once; the command still goes through ioredis's queue, so its
 * reply is matched, parsed and timed out as any other.
 */
import Redis, { Command } from 'ioredis';

export type WireArg = Buffer | string | number;

/** A command whose wire form is already known. Replies come back as Buffers (like callBuffer). */
class EncodedCommand extends Command {
  constructor(
    name: string,
    private readonly wire: Buffer,
  ) {
    super(name, [], { replyEncoding: null });
  }

  override toWritable(): Buffer {
    return this.wire;
  }
}

const CRLF = 0x0d0a;

function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** `*<n>\r\n` then `$<len>\r\n<bytes>\r\n` per argument. */
export function encodeCommand(args: readonly WireArg[]): Buffer {
  const bufs: Buffer[] = args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8')));
  let size = 1 + digits(bufs.length) + 2;
  for (const b of bufs) size += 1 + digits(b.length) + 2 + b.length + 2;
  const out = Buffer.allocUnsafe(size);
  let o = out.write(`*${bufs.length}\r\n`, 0, 'latin1');
  for (const b of bufs) {
    out[o++] = 0x24; // '$'
    o += out.write(String(b.length), o, 'latin1');
    o = out.writeUInt16BE(CRLF, o);
    o += b.copy(out, o);
    o = out.writeUInt16BE(CRLF, o);
  }
  return out;
}

const corked = new WeakSet<Redis>();

/**
 * Holds this tick's writes on `conn` back and sends them in one system call at the end of the
 * tick. ioredis writes every command on its own; on loopback each write costs as much as the
 * node's work for a small command (measured: ~7 µs), and the mover sends thousands of small ones
 * (ASKING, MULTI, EXEC, SETSLOT, GETKEYSINSLOT) in bursts.
 */
export function corkTick(conn: Redis): void {
  if (corked.has(conn)) return;
  const stream = conn.stream;
  if (typeof stream.cork !== 'function') return;
  corked.add(conn);
  stream.cork();
  process.nextTick(() => {
    corked.delete(conn);
    stream.uncork();
  });
}

/** Sends `args` (command name first) on `conn`; bulk replies arrive as Buffers. */
export function sendEncoded(conn: Redis, args: readonly WireArg[]): Promise<unknown> {
  const name = String(args[0]).toLowerCase();
  corkTick(conn);
  return conn.sendCommand(new EncodedCommand(name, encodeCommand(args))) as Promise<unknown>;
}

/**
 * Arguments already in wire form: `count` bulk strings (`$<len>\r\n<bytes>\r\n` each) in one
 * Buffer. The copy engine's scripts return key lists and RESTORE arguments this way, built by
 * the node in one table.concat, so this process forwards them without touching each key.
 */
export interface EncodedArgs {
  readonly count: number;
  readonly wire: Buffer;
}

/** A command of `head` arguments, then the pre-encoded `segments`, then `tail`, in one Buffer. */
export function encodeWithSegments(head: readonly WireArg[], segments: readonly EncodedArgs[], tail: readonly WireArg[] = []): Buffer {
  const count = head.length + tail.length + segments.reduce((n, s) => n + s.count, 0);
  const h = encodeCommand(head);
  const t = encodeCommand(tail);
  // encodeCommand starts with `*<n>\r\n`: replace the head's count, drop the tail's.
  const headArgs = h.subarray(h.indexOf(0x0a) + 1);
  const tailArgs = t.subarray(t.indexOf(0x0a) + 1);
  return Buffer.concat([Buffer.from(`*${count}\r\n`, 'latin1'), headArgs, ...segments.map((s) => s.wire), tailArgs]);
}

/** Sends a command already encoded (see encodeWithSegments); bulk replies arrive as Buffers. */
export function sendWire(conn: Redis, name: string, wire: Buffer): Promise<unknown> {
  corkTick(conn);
  return conn.sendCommand(new EncodedCommand(name.toLowerCase(), wire)) as Promise<unknown>;
}

/** The bulk strings of an EncodedArgs, as Buffers (views into its wire form). */
export function decodeArgs(args: EncodedArgs): Buffer[] {
  const out: Buffer[] = [];
  const w = args.wire;
  let o = 0;
  while (o < w.length && out.length < args.count) {
    if (w[o] !== 0x24) throw new Error(`malformed encoded argument at byte ${o}`);
    const eol = w.indexOf(0x0d, o);
    const len = Number(w.toString('latin1', o + 1, eol));
    if (!Number.isInteger(len) || len < 0 || eol + 2 + len + 2 > w.length) throw new Error(`malformed encoded argument at byte ${o}`);
    out.push(w.subarray(eol + 2, eol + 2 + len));
    o = eol + 2 + len + 2;
  }
  if (out.length !== args.count) throw new Error(`expected ${args.count} encoded arguments, found ${out.length}`);
  return out;
}
