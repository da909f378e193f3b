/**
 * RESP2 and RESP3: the reply model, an encoder and an incremental streaming parser.
 *
 * Replies keep their exact wire type, because redis-cli prints each type differently
 * (cliFormatReplyTTY in redis-cli.c). Status and error texts are decoded as latin1 so that
 * every byte round-trips (`Buffer.from(value, 'latin1')` gives the wire bytes back); bulk
 * strings stay Buffers.
 */
import { RedisError } from '../errors';

export type RespReply =
  | { readonly type: 'status'; readonly value: string }
  | { readonly type: 'error'; readonly value: string }
  | { readonly type: 'integer'; readonly value: bigint }
  | { readonly type: 'bulk'; readonly value: Buffer }
  | { readonly type: 'nil' }
  | { readonly type: 'array'; readonly items: readonly RespReply[] }
  /** Flat key, value, key, value... as on the wire (and as hiredis keeps it). */
  | { readonly type: 'map'; readonly items: readonly RespReply[] }
  | { readonly type: 'set'; readonly items: readonly RespReply[] }
  | { readonly type: 'push'; readonly items: readonly RespReply[] }
  /** The text as sent (`1.5`, `inf`, `-nan`): redis-cli prints it unchanged. */
  | { readonly type: 'double'; readonly text: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'bignum'; readonly text: string }
  | { readonly type: 'verbatim'; readonly format: string; readonly value: Buffer }
  /** RESP3 attributes (`|`): the flat attribute pairs and the reply they annotate. */
  | { readonly type: 'attribute'; readonly items: readonly RespReply[]; readonly reply: RespReply };

export type RespType = RespReply['type'];

/** The server sent bytes that are not RESP: the connection cannot be trusted any more. */
export class RespProtocolError extends RedisError {
  constructor(message: string) {
    super(`Protocol error: ${message}`);
    this.name = 'RespProtocolError';
  }
}
export const isRespProtocolError = (x: unknown): x is RespProtocolError => x instanceof RespProtocolError;

const CR = 13;
const LF = 10;

// ---------------------------------------------------------------------------------------------
// Encoder

/** Encodes a command as a RESP array of bulk strings (what every client sends). */
export function encodeCommand(args: readonly (Buffer | string)[]): Buffer {
  const bufs = args.map((a) => (typeof a === 'string' ? Buffer.from(a) : a));
  let size = 1 + decLen(bufs.length) + 2;
  for (const b of bufs) size += 1 + decLen(b.length) + 2 + b.length + 2;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  out[o++] = 0x2a; // '*'
  o += out.write(String(bufs.length), o, 'latin1');
  out[o++] = CR;
  out[o++] = LF;
  for (const b of bufs) {
    out[o++] = 0x24; // '$'
    o += out.write(String(b.length), o, 'latin1');
    out[o++] = CR;
    out[o++] = LF;
    o += b.copy(out, o);
    out[o++] = CR;
    out[o++] = LF;
  }
  return out;
}

function decLen(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length;
}

/**
 * Encodes a reply. `protocol: 2` downgrades RESP3-only types the way a Redis server does for a
 * RESP2 client (maps and sets become arrays, booleans integers, doubles bulk strings).
 */
export function encodeReply(r: RespReply, protocol: 2 | 3 = 3): Buffer {
  const parts: Buffer[] = [];
  encodeInto(r, protocol, parts);
  return Buffer.concat(parts);
}

function line(prefix: string, text: string): Buffer {
  return Buffer.from(`${prefix}${text}\r\n`, 'latin1');
}

function encodeInto(r: RespReply, p: 2 | 3, out: Buffer[]): void {
  switch (r.type) {
    case 'status':
      out.push(line('+', r.value));
      return;
    case 'error':
      out.push(line('-', r.value));
      return;
    case 'integer':
      out.push(line(':', r.value.toString()));
      return;
    case 'bulk':
      out.push(line('$', String(r.value.length)), r.value, Buffer.from('\r\n'));
      return;
    case 'nil':
      out.push(Buffer.from(p === 3 ? '_\r\n' : '$-1\r\n'));
      return;
    case 'array':
    case 'set':
    case 'push':
    case 'map': {
      const prefix = p === 2 ? '*' : r.type === 'array' ? '*' : r.type === 'set' ? '~' : r.type === 'push' ? '>' : '%';
      const count = r.type === 'map' && p === 3 ? r.items.length / 2 : r.items.length;
      out.push(line(prefix, String(count)));
      for (const item of r.items) encodeInto(item, p, out);
      return;
    }
    case 'double':
      if (p === 2) encodeInto({ type: 'bulk', value: Buffer.from(r.text, 'latin1') }, p, out);
      else out.push(line(',', r.text));
      return;
    case 'boolean':
      out.push(Buffer.from(p === 2 ? (r.value ? ':1\r\n' : ':0\r\n') : r.value ? '#t\r\n' : '#f\r\n'));
      return;
    case 'bignum':
      if (p === 2) encodeInto({ type: 'bulk', value: Buffer.from(r.text, 'latin1') }, p, out);
      else out.push(line('(', r.text));
      return;
    case 'verbatim':
      if (p === 2) encodeInto({ type: 'bulk', value: r.value }, p, out);
      else {
        out.push(line('=', String(r.value.length + 4)), Buffer.from(`${r.format.slice(0, 3).padEnd(3)}:`, 'latin1'), r.value, Buffer.from('\r\n'));
      }
      return;
    case 'attribute':
      if (p === 3) {
        out.push(line('|', String(r.items.length / 2)));
        for (const item of r.items) encodeInto(item, p, out);
      }
      encodeInto(r.reply, p, out);
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Parser

type AggregateType = 'array' | 'map' | 'set' | 'push' | 'attribute';

interface Frame {
  readonly type: AggregateType;
  /** Elements still expected. */
  remaining: number;
  readonly items: RespReply[];
  /** An attribute read at this level, waiting for the value it annotates. */
  attr?: RespReply[] | undefined;
}

/** Longest header line (type byte, length or simple string) accepted before giving up. */
const MAX_INLINE_BYTES = 64 * 1024 * 1024;
/** Deepest nesting accepted (hiredis allows 7 levels; the server never nests deeper than a few). */
const MAX_DEPTH = 1000;

const NEED_MORE = -1;

/**
 * An incremental RESP2/RESP3 parser. Feed it chunks as they arrive (split anywhere, even
 * inside a CRLF) and it calls `onReply` once per complete top-level reply, in order.
 *
 * Complete elements are taken off the buffer at once and kept on a stack, so a large array
 * arriving slowly is parsed once; a large bulk string is gathered in a list of chunks and
 * joined once when its last byte has arrived.
 */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private readonly stack: Frame[] = [];
  private topAttr: RespReply[] | undefined;
  /** Chunks waiting until `need` bytes (counted from `pos`) are available. */
  private waiting: Buffer[] = [];
  private waitingLen = 0;
  private need = 0;

  constructor(private readonly onReply: (reply: RespReply) => void) {}

  /** Drops partial state (after a reconnect). */
  reset(): void {
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.stack.length = 0;
    this.topAttr = undefined;
    this.waiting = [];
    this.waitingLen = 0;
    this.need = 0;
  }

  /** Throws RespProtocolError on bytes that are not RESP. */
  feed(chunk: Buffer): void {
    const have = this.buf.length - this.pos;
    if (this.need > 0) {
      this.waiting.push(chunk);
      this.waitingLen += chunk.length;
      if (have + this.waitingLen < this.need) return;
      this.buf = Buffer.concat([this.buf.subarray(this.pos), ...this.waiting]);
      this.waiting = [];
      this.waitingLen = 0;
      this.need = 0;
    } else if (have > 0) {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    } else {
      this.buf = chunk;
    }
    this.pos = 0;
    this.drain();
  }

  private drain(): void {
    const buf = this.buf;
    for (;;) {
      if (this.pos >= buf.length) {
        this.buf = Buffer.alloc(0);
        this.pos = 0;
        return;
      }
      const next = this.parseOne(buf, this.pos);
      if (next === NEED_MORE) return;
      this.pos = next;
    }
  }

  /** Parses one element at `at`; returns the offset after it, or NEED_MORE (setting `need`). */
  private parseOne(buf: Buffer, at: number): number {
    const eol = findCrlf(buf, at + 1);
    if (eol < 0) {
      if (buf.length - at > MAX_INLINE_BYTES) throw new RespProtocolError('header line too long');
      this.need = buf.length - at + 1;
      return NEED_MORE;
    }
    const kind = buf[at] as number;
    const after = eol + 2;
    switch (kind) {
      case 0x2b: // '+'
        this.complete({ type: 'status', value: buf.toString('latin1', at + 1, eol) });
        return after;
      case 0x2d: // '-'
        this.complete({ type: 'error', value: buf.toString('latin1', at + 1, eol) });
        return after;
      case 0x3a: // ':'
        this.complete({ type: 'integer', value: parseBigInt(buf, at + 1, eol) });
        return after;
      case 0x24: // '$'
      case 0x3d: // '=' verbatim
        return this.parseBulk(buf, at, eol, kind);
      case 0x2a: // '*'
      case 0x25: // '%'
      case 0x7e: // '~'
      case 0x3e: // '>'
      case 0x7c: // '|'
        return this.openAggregate(buf, at, eol, kind);
      case 0x5f: // '_'
        if (eol !== at + 1) throw new RespProtocolError('null with a payload');
        this.complete({ type: 'nil' });
        return after;
      case 0x2c: // ','
        this.complete({ type: 'double', text: buf.toString('latin1', at + 1, eol) });
        return after;
      case 0x23: // '#'
        return this.parseBoolean(buf, at, eol);
      case 0x28: // '('
        return this.parseBignum(buf, at, eol);
      default:
        throw new RespProtocolError(`unknown reply type byte 0x${kind.toString(16).padStart(2, '0')}`);
    }
  }

  /** A bulk (`$`) or verbatim (`=`) string whose header line ends at `eol`. */
  private parseBulk(buf: Buffer, at: number, eol: number, kind: number): number {
    const after = eol + 2;
    const len = parseLength(buf, at + 1, eol);
    if (len < 0) {
      this.complete({ type: 'nil' });
      return after;
    }
    const end = after + len;
    if (end + 2 > buf.length) {
      this.need = end + 2 - at;
      return NEED_MORE;
    }
    if (buf[end] !== CR || buf[end + 1] !== LF) throw new RespProtocolError('bulk string not followed by CRLF');
    // Copy: the chunk the value came in is reused by nobody, but slicing would pin it.
    const value = Buffer.from(buf.subarray(after, end));
    if (kind === 0x24) this.complete({ type: 'bulk', value });
    else {
      if (len < 4 || value[3] !== 0x3a) throw new RespProtocolError('verbatim string without a format prefix');
      this.complete({ type: 'verbatim', format: value.toString('latin1', 0, 3), value: value.subarray(4) });
    }
    return end + 2;
  }

  /** An aggregate's header: its elements follow as elements of their own, collected on the stack. */
  private openAggregate(buf: Buffer, at: number, eol: number, kind: number): number {
    const after = eol + 2;
    const n = parseLength(buf, at + 1, eol);
    if (n < 0) {
      this.complete({ type: 'nil' });
      return after;
    }
    const type: AggregateType =
      kind === 0x2a ? 'array' : kind === 0x25 ? 'map' : kind === 0x7e ? 'set' : kind === 0x3e ? 'push' : 'attribute';
    const count = type === 'map' || type === 'attribute' ? n * 2 : n;
    if (this.stack.length >= MAX_DEPTH) throw new RespProtocolError('replies nested too deep');
    if (count === 0) this.completeAggregate(type, []);
    else this.stack.push({ type, remaining: count, items: [] });
    return after;
  }

  private parseBoolean(buf: Buffer, at: number, eol: number): number {
    const c = eol === at + 2 ? buf[at + 1] : 0;
    if (c !== 0x74 && c !== 0x66) throw new RespProtocolError('boolean is not #t or #f');
    this.complete({ type: 'boolean', value: c === 0x74 });
    return eol + 2;
  }

  private parseBignum(buf: Buffer, at: number, eol: number): number {
    const text = buf.toString('latin1', at + 1, eol);
    if (!/^[+-]?\d+$/.test(text)) throw new RespProtocolError(`big number "${text}" is not a number`);
    this.complete({ type: 'bignum', text });
    return eol + 2;
  }

  private completeAggregate(type: AggregateType, items: RespReply[]): void {
    if (type === 'attribute') {
      const top = this.stack[this.stack.length - 1];
      if (top) top.attr = items;
      else this.topAttr = items;
      return;
    }
    this.complete({ type, items });
  }

  /** Attaches a finished element to its parent, closing every parent it fills. */
  private complete(value: RespReply): void {
    let v = value;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        if (this.topAttr) {
          v = { type: 'attribute', items: this.topAttr, reply: v };
          this.topAttr = undefined;
        }
        this.onReply(v);
        return;
      }
      if (top.attr) {
        v = { type: 'attribute', items: top.attr, reply: v };
        top.attr = undefined;
      }
      top.items.push(v);
      if (--top.remaining > 0) return;
      this.stack.pop();
      if (top.type === 'attribute') {
        const parent = this.stack[this.stack.length - 1];
        if (parent) parent.attr = top.items;
        else this.topAttr = top.items;
        return;
      }
      v = { type: top.type, items: top.items };
    }
  }
}

function findCrlf(buf: Buffer, from: number): number {
  let i = buf.indexOf(CR, from);
  while (i >= 0 && i + 1 < buf.length) {
    if (buf[i + 1] === LF) return i;
    i = buf.indexOf(CR, i + 1);
  }
  return -1;
}

/** A length or count: `-1` (null) or a non-negative decimal. */
function parseLength(buf: Buffer, from: number, to: number): number {
  if (to - from === 2 && buf[from] === 0x2d && buf[from + 1] === 0x31) return -1;
  if (to === from || to - from > 15) throw new RespProtocolError('bad length');
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = (buf[i] as number) - 48;
    if (d < 0 || d > 9) throw new RespProtocolError('bad length');
    n = n * 10 + d;
  }
  return n;
}

function parseBigInt(buf: Buffer, from: number, to: number): bigint {
  const len = to - from;
  if (len > 0 && len < 16) {
    // The common case: small integers parse without building a string.
    let i = from;
    let neg = false;
    if (buf[i] === 0x2d) {
      neg = true;
      i++;
    } else if (buf[i] === 0x2b) i++;
    if (i < to) {
      let n = 0;
      for (; i < to; i++) {
        const d = (buf[i] as number) - 48;
        if (d < 0 || d > 9) throw new RespProtocolError('bad integer');
        n = n * 10 + d;
      }
      return BigInt(neg ? -n : n);
    }
  }
  const text = buf.toString('latin1', from, to);
  if (!/^[+-]?\d+$/.test(text)) throw new RespProtocolError(`bad integer "${text}"`);
  return BigInt(text);
}
