/**
 * A bare pipelined connection for bulk traffic (the copy engine's DUMP, RESTORE-ASKING, WATCH):
 * a block of commands goes out as one pre-encoded Buffer, and its replies come back as one
 * Buffer with the end offset of each reply. Nothing is decoded unless asked for, so a DUMP
 * reply can be passed on to the target as the RESTORE argument it already is, byte for byte.
 *
 * Why not ioredis: it makes a Command, a promise and a parsed object per reply (measured: the
 * mover's own process became the slowest of the three at ~2 µs per key). Here a reply costs the
 * scan of its header line.
 *
 * RESP2 only (the node speaks RESP2 unless HELLO 3 is sent, which this never does).
 */
import type * as net from 'node:net';
import { RedisError, TimeoutError } from '../errors';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { connectSocket } from './rawConnection';
import { type RouteTls } from '../tls/clientTls';

const CR = 13;
const LF = 10;

/** The replies to one block of commands. */
export class ReplyBlock {
  constructor(
    readonly buf: Buffer,
    /** ends[i]: the offset just after reply i (reply i starts at ends[i - 1], or 0). */
    private readonly ends: readonly number[],
  ) {}

  get length(): number {
    return this.ends.length;
  }

  /** Reply i as it came on the wire: a bulk reply is a ready-made command argument. */
  raw(i: number): Buffer {
    return this.buf.subarray(this.start(i), this.ends[i]);
  }

  isError(i: number): boolean {
    return this.buf[this.start(i)] === 0x2d; // '-'
  }

  /** A nil bulk or nil array (`$-1`, `*-1`). */
  isNil(i: number): boolean {
    const s = this.start(i);
    return (this.buf[s] === 0x24 || this.buf[s] === 0x2a) && this.buf[s + 1] === 0x2d;
  }

  /** The text of a status or error reply (`OK`, `BUSYKEY …`), or of an integer. */
  text(i: number): string {
    const s = this.start(i);
    return this.buf.toString('latin1', s + 1, this.buf.indexOf(CR, s));
  }

  /** An integer reply's value (NaN for another type). */
  int(i: number): number {
    const b = this.buf;
    let at = this.start(i);
    if (b[at] !== 0x3a) return NaN; // ':'
    at++;
    const neg = b[at] === 0x2d;
    if (neg) at++;
    let n = 0;
    for (let c = b[at] as number; c >= 0x30 && c <= 0x39; c = b[++at] as number) n = n * 10 + (c - 0x30);
    return neg ? -n : n;
  }

  /** A bulk reply's bytes; null for a nil reply or another type. */
  bulk(i: number): Buffer | null {
    const s = this.start(i);
    if (this.buf[s] !== 0x24) return null; // '$'
    const eol = this.buf.indexOf(CR, s);
    const len = Number(this.buf.toString('latin1', s + 1, eol));
    return len < 0 ? null : this.buf.subarray(eol + 2, eol + 2 + len);
  }

  /**
   * Reply i as a plain value: a number, a Buffer (bulk), null (nil), the text of a status, or
   * an array of such values (arrays nest). An error reply is not a value: check isError first.
   */
  value(i: number): unknown {
    return decodeAt(this.buf, this.start(i));
  }

  /** The elements of a flat array reply, each as on the wire; null for a nil array or another type. */
  items(i: number): Buffer[] | null {
    const s = this.start(i);
    if (this.buf[s] !== 0x2a) return null; // '*'
    const eol = this.buf.indexOf(CR, s);
    const count = Number(this.buf.toString('latin1', s + 1, eol));
    if (count < 0) return null;
    const out: Buffer[] = [];
    let at = eol + 2;
    for (let k = 0; k < count; k++) {
      const end = frameEnd(this.buf, at);
      out.push(this.buf.subarray(at, end));
      at = end;
    }
    return out;
  }

  /** Where reply i starts in `buf`. */
  start(i: number): number {
    if (i < 0 || i >= this.ends.length) throw new RangeError(`reply ${i} of ${this.ends.length}`);
    return i === 0 ? 0 : (this.ends[i - 1] as number);
  }

  /** Where reply i ends in `buf` (exclusive). */
  end(i: number): number {
    return this.ends[i] as number;
  }
}

/** The offset after the complete reply that starts at `at` in `buf` (nested arrays included). */
export function frameEnd(buf: Buffer, at: number): number {
  const type = buf[at];
  if (type === 0x24 || type === 0x2a) {
    // `$<len>` or `*<count>`, read by hand (this runs once per key of a key list).
    let i = at + 1;
    const neg = buf[i] === 0x2d;
    if (neg) i++;
    let n = 0;
    for (let c = buf[i] as number; c >= 0x30 && c <= 0x39; c = buf[++i] as number) n = n * 10 + (c - 0x30);
    if (buf[i] !== CR || buf[i + 1] !== LF) throw new RedisError(`Protocol error: no line end at byte ${at}`);
    let end = i + 2;
    if (neg) return end;
    if (type === 0x24) return end + n + 2;
    for (let k = 0; k < n; k++) end = frameEnd(buf, end);
    return end;
  }
  const eol = buf.indexOf(CR, at);
  if (eol < 0 || buf[eol + 1] !== LF) throw new RedisError(`Protocol error: no line end at byte ${at}`);
  return eol + 2;
}

/** The value of the reply at `at` (see ReplyBlock.value). */
function decodeAt(buf: Buffer, at: number): unknown {
  const eol = buf.indexOf(CR, at);
  const head = buf.toString('latin1', at + 1, eol);
  switch (buf[at]) {
    case 0x3a: // ':'
      return Number(head);
    case 0x24: {
      const len = Number(head);
      return len < 0 ? null : buf.subarray(eol + 2, eol + 2 + len);
    }
    case 0x2a: {
      const count = Number(head);
      if (count < 0) return null;
      const out: unknown[] = [];
      let next = eol + 2;
      for (let k = 0; k < count; k++) {
        out.push(buf[next] === 0x2d ? new Error(buf.toString('utf8', next + 1, buf.indexOf(CR, next))) : decodeAt(buf, next));
        next = frameEnd(buf, next);
      }
      return out;
    }
    default:
      return buf.toString('utf8', at + 1, eol);
  }
}

/** The payload of one wire-form bulk string (`$<len>\r\n<bytes>\r\n`). */
export function bulkPayload(wire: Buffer): Buffer {
  const eol = wire.indexOf(CR);
  return wire.subarray(eol + 2, wire.length - 2);
}

/**
 * Finds where each top-level reply ends in a byte stream that arrives in chunks of any size.
 * Only header lines are read byte by byte; a bulk payload is skipped by its length.
 */
export class ReplyFramer {
  private state: 'type' | 'line' | 'skip' = 'type';
  private type = 0;
  private num = 0;
  private neg = false;
  private skip = 0;
  /** Elements still expected by each open array, innermost last. */
  private readonly open: number[] = [];
  /** Bytes fed before the current chunk. */
  private offset = 0;

  /** `onReplyEnd` gets the stream offset just after each complete top-level reply. */
  constructor(private readonly onReplyEnd: (streamOffset: number) => void) {}

  feed(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.state === 'skip') {
        const take = Math.min(this.skip, n - i);
        i += take;
        this.skip -= take;
        if (this.skip === 0) {
          this.state = 'type';
          this.elementDone(this.offset + i);
        }
        continue;
      }
      const c = chunk[i++] as number;
      if (this.state === 'type') {
        this.type = c;
        this.num = 0;
        this.neg = false;
        this.state = 'line';
        if (c !== 0x2b && c !== 0x2d && c !== 0x3a && c !== 0x24 && c !== 0x2a) {
          throw new RedisError(`Protocol error: unexpected reply type byte ${c}`);
        }
        continue;
      }
      // The header line: digits for $ * :, any text for + -.
      if (c === LF) {
        this.lineDone(this.offset + i);
      } else if (c >= 0x30 && c <= 0x39) {
        this.num = this.num * 10 + (c - 0x30);
      } else if (c === 0x2d) {
        this.neg = true;
      }
    }
    this.offset += n;
  }

  private lineDone(at: number): void {
    const value = this.neg ? -this.num : this.num;
    this.state = 'type';
    if (this.type === 0x24 && value >= 0) {
      this.skip = value + 2;
      this.state = 'skip';
      return;
    }
    if (this.type === 0x2a && value > 0) {
      this.open.push(value);
      return;
    }
    this.elementDone(at);
  }

  private elementDone(at: number): void {
    for (;;) {
      const depth = this.open.length;
      if (depth === 0) {
        this.onReplyEnd(at);
        return;
      }
      const left = (this.open[depth - 1] as number) - 1;
      if (left > 0) {
        this.open[depth - 1] = left;
        return;
      }
      this.open.pop();
    }
  }
}

/** Arguments in wire form (bulk strings, no array header), for WireWriter.raw. */
export function encodeArgs(...args: readonly string[]): Buffer {
  return Buffer.from(args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''), 'utf8');
}

/**
 * The wire form of a command's first arguments, for WireWriter.begin: `*<total>\r\n` and the
 * given arguments; the other `total - args.length` arguments follow.
 */
export function commandHead(total: number, ...args: readonly string[]): Buffer {
  return Buffer.concat([Buffer.from(`*${total}\r\n`, 'latin1'), encodeArgs(...args)]);
}

/** Characters of a decimal integer (with its sign). */
function digitCount(n: number): number {
  let d = n < 0 ? 2 : 1;
  for (let x = Math.abs(n); x >= 10; x = Math.floor(x / 10)) d++;
  return d;
}

/** Builds a block of commands in one growing Buffer. */
export class WireWriter {
  private buf: Buffer;
  private len = 0;
  /** Commands written so far (each one expects one reply). */
  commands = 0;

  /** `sizeHint`: the bytes expected, so that the buffer is allocated once. */
  constructor(private readonly sizeHint = 1024) {
    this.buf = Buffer.allocUnsafe(sizeHint);
  }

  /** A command of plain arguments. */
  command(...args: readonly (Buffer | string | number)[]): this {
    this.array(args.length);
    for (const a of args) this.bulk(a);
    return this;
  }

  /** `*<n>\r\n`: the start of a command of n arguments, which follow as bulk() or raw(). */
  array(n: number): this {
    this.commands++;
    return this.line(0x2a, n);
  }

  /** The start of a command whose first arguments are a ready-made `head` (see commandHead). */
  begin(head: Buffer): this {
    this.commands++;
    return this.raw(head);
  }

  bulk(a: Buffer | string | number): this {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8');
    this.line(0x24, b.length);
    this.ensure(b.length + 2);
    this.len += b.copy(this.buf, this.len);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
    return this;
  }

  /** Bytes already in wire form (a bulk string as a node sent it). */
  raw(b: Buffer): this {
    return this.copyIn(b, 0, b.length);
  }

  /** Reply i of `block` as it came, as an argument (a bulk reply is a bulk string). */
  reply(block: ReplyBlock, i: number): this {
    return this.copyIn(block.buf, block.start(i), block.end(i));
  }

  private copyIn(src: Buffer, from: number, to: number): this {
    const n = to - from;
    this.ensure(n);
    // A key is a few dozen bytes: a loop beats Buffer#copy's fixed cost there (measured).
    if (n <= 64) {
      const b = this.buf;
      let o = this.len;
      for (let k = from; k < to; k++) b[o++] = src[k] as number;
    } else {
      src.copy(this.buf, this.len, from, to);
    }
    this.len += n;
    return this;
  }

  /** An integer as a bulk string argument. */
  bulkInt(n: number): this {
    this.line(0x24, digitCount(n));
    return this.digits(n).crlf();
  }

  get size(): number {
    return this.len;
  }

  /** The block; the writer starts empty again. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(this.sizeHint);
    this.len = 0;
    this.commands = 0;
    return out;
  }

  private line(prefix: number, n: number): this {
    this.ensure(1);
    this.buf[this.len++] = prefix;
    return this.digits(n).crlf();
  }

  /** A decimal integer, by hand: Buffer.write of a short string costs more than the rest of a key. */
  private digits(n: number): this {
    this.ensure(24);
    const b = this.buf;
    if (n < 0) {
      b[this.len++] = 0x2d;
      n = -n;
    }
    const count = digitCount(n);
    for (let k = this.len + count - 1; k >= this.len; k--) {
      b[k] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.len += count;
    return this;
  }

  private crlf(): this {
    this.ensure(2);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
    return this;
  }

  private ensure(more: number): void {
    if (this.len + more <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + more) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

/** A block's replies ran over the byte budget it was sent with: the link was closed. */
export class ReplyTooLargeError extends RedisError {
  constructor(
    readonly label: string,
    readonly maxBytes: number,
  ) {
    super(`${label}: the replies exceeded ${maxBytes} bytes; the connection was closed`);
    this.name = 'ReplyTooLargeError';
  }
}

interface PendingBlock {
  readonly replies: number;
  readonly maxBytes: number;
  readonly ends: number[];
  readonly resolve: (b: ReplyBlock) => void;
  readonly reject: (e: Error) => void;
}

export interface WireLinkOptions {
  /** The node as the cluster announced it (named in errors)… */
  readonly announced: Endpoint;
  /** …and where its route goes (what the socket connects to). */
  readonly target: Endpoint;
  /** The route's TLS, when the node speaks it. */
  readonly tls?: RouteTls | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** No reply byte for this long while replies are due fails the link (ms). */
  readonly timeoutMs: number;
  readonly connectTimeoutMs?: number;
}

export class WireLink {
  private readonly pending: PendingBlock[] = [];
  /** Chunks not yet handed out in a block, and the stream offset of the first one. */
  private chunks: Buffer[] = [];
  private chunksStart = 0;
  /** Stream offset where the head block's replies start. */
  private blockStart = 0;
  /** Bytes received in all. */
  private received = 0;
  private readonly framer: ReplyFramer;
  private failed: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastActivity = 0;
  private readonly closeListeners: (() => void)[] = [];
  /** The node's announced address, as errors name it. */
  readonly label: string;

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: WireLinkOptions,
  ) {
    this.label = formatEndpoint(options.announced);
    this.framer = new ReplyFramer((end) => this.onReplyEnd(end));
    socket.on('data', (chunk: Buffer) => {
      if (this.failed) return;
      this.chunks.push(chunk);
      this.received += chunk.length;
      this.armTimer();
      try {
        this.framer.feed(chunk);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      // Closing the socket is the only way to stop a node in the middle of a large reply.
      const head = this.pending[0];
      if (head && this.received - this.blockStart > head.maxBytes) this.fail(new ReplyTooLargeError(this.label, head.maxBytes));
    });
    socket.on('error', (err) => this.fail(new RedisError(`${this.label}: ${err.message}`, { cause: err })));
    socket.on('close', () => this.fail(new RedisError(`${this.label} closed the connection`)));
  }

  /** Connects (and authenticates when there is a password). */
  static async open(options: WireLinkOptions): Promise<WireLink> {
    const socket = await connectSocket(options.announced, options.target, {
      ...(options.connectTimeoutMs !== undefined ? { timeoutMs: options.connectTimeoutMs } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
    });
    const link = new WireLink(socket, options);
    if (options.password !== undefined && options.password !== null && options.password !== '') {
      const w = new WireWriter();
      if (options.username) w.command('AUTH', options.username, options.password);
      else w.command('AUTH', options.password);
      const r = await link.send(w);
      if (r.isError(0)) {
        link.close();
        throw new RedisError(`${link.label} refused the password: ${r.text(0)}`);
      }
    }
    return link;
  }

  /**
   * Sends the writer's commands in one write; resolves with their replies, in order. Replies
   * over `maxBytes` in all fail the link with ReplyTooLargeError (this process's memory bound).
   */
  send(w: WireWriter, maxBytes = Infinity): Promise<ReplyBlock> {
    return this.sendAll([[w, maxBytes]])[0] as Promise<ReplyBlock>;
  }

  /**
   * Several blocks in one write (a hand-over and the next snapshot): on loopback a write costs
   * the whole TCP path, the receiver's side included. Each block resolves with its own replies.
   */
  sendAll(blocks: readonly (readonly [WireWriter, number?])[]): Promise<ReplyBlock>[] {
    const out: Promise<ReplyBlock>[] = [];
    const bytes: Buffer[] = [];
    for (const [w, maxBytes = Infinity] of blocks) {
      const replies = w.commands;
      const b = w.take();
      if (this.failed) out.push(Promise.reject(this.failed));
      else if (replies === 0) out.push(Promise.resolve(new ReplyBlock(Buffer.alloc(0), [])));
      else {
        out.push(new Promise((resolve, reject) => this.pending.push({ replies, maxBytes, ends: [], resolve, reject })));
        bytes.push(b);
      }
    }
    if (bytes.length > 0) {
      this.armTimer();
      this.socket.write(bytes.length === 1 ? (bytes[0] as Buffer) : Buffer.concat(bytes));
    }
    return out;
  }

  /** `listener` runs once when the link fails or is closed (at once if it has). */
  onClose(listener: () => void): void {
    if (this.failed) listener();
    else this.closeListeners.push(listener);
  }

  close(): void {
    this.fail(new RedisError(`the connection to ${this.label} was closed`));
  }

  private onReplyEnd(end: number): void {
    const head = this.pending[0];
    if (!head) throw new RedisError(`${this.label} sent a reply nobody asked for`);
    head.ends.push(end - this.blockStart);
    if (head.ends.length < head.replies) return;
    this.pending.shift();
    const buf = this.take(this.blockStart, end);
    this.blockStart = end;
    this.armTimer();
    head.resolve(new ReplyBlock(buf, head.ends));
  }

  /** Bytes [from, to) of the stream, out of the kept chunks; earlier chunks are dropped. */
  private take(from: number, to: number): Buffer {
    const parts: Buffer[] = [];
    let at = this.chunksStart;
    let keepFrom = 0;
    for (let k = 0; k < this.chunks.length; k++) {
      const c = this.chunks[k] as Buffer;
      const cEnd = at + c.length;
      if (cEnd > from && at < to) parts.push(c.subarray(Math.max(0, from - at), Math.min(c.length, to - at)));
      if (cEnd <= to) {
        keepFrom = k + 1;
        at = cEnd;
        continue;
      }
      break;
    }
    // Drop the chunks wholly consumed; a chunk that runs past `to` stays for the next block.
    this.chunks = this.chunks.slice(keepFrom);
    this.chunksStart = at;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /**
   * One timer per link, not one per event: it is armed while replies are due and, when it
   * fires, re-armed for the rest of the period if bytes arrived meanwhile (setTimeout and
   * clearTimeout on every reply cost more than the reply's own handling).
   */
  private armTimer(): void {
    this.lastActivity = Date.now();
    if (this.timer || this.pending.length === 0 || this.failed) return;
    const check = (): void => {
      this.timer = undefined;
      if (this.pending.length === 0 || this.failed) return;
      const idle = Date.now() - this.lastActivity;
      if (idle >= this.options.timeoutMs) {
        this.fail(new TimeoutError(`${this.label} sent no reply for ${this.options.timeoutMs} ms.`));
        return;
      }
      this.timer = setTimeout(check, this.options.timeoutMs - idle);
      this.timer.unref();
    };
    this.timer = setTimeout(check, this.options.timeoutMs);
    this.timer.unref();
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    if (this.timer) clearTimeout(this.timer);
    this.socket.destroy();
    for (const p of this.pending.splice(0)) p.reject(err);
    for (const l of this.closeListeners.splice(0)) l();
  }
}
