/**
 * Prints replies exactly as redis-cli 7 does (cliFormatReplyTTY, cliFormatReplyRaw,
 * cliFormatInvalidateTTY and sdscatrepr in the Redis sources).
 *
 * Output is built as a latin1 string (one char per byte, so binary values survive) and turned
 * into bytes once, with `toBytes`.
 */
import { type RespReply } from '../redis/resp';

export type OutputMode = 'tty' | 'raw';

/** The bytes of a latin1 output string. */
export function toBytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/**
 * One reply as redis-cli prints it after a command (cliFormatReply): the TTY form, or the raw
 * form plus the command delimiter "\n". `verbatim` is redis-cli's output_raw flag, set for
 * INFO, CLUSTER NODES and friends: raw form without the trailing delimiter, in both modes.
 */
export function formatReply(r: RespReply, mode: OutputMode, verbatim = false): string {
  if (verbatim) return formatRaw(r);
  return mode === 'tty' ? formatTTY(r, '') : formatRaw(r) + '\n';
}

/** sdscatrepr(): a double-quoted string with C escapes; bytes outside 0x20..0x7e as \xhh. */
export function repr(value: Buffer | string): string {
  let out = '"';
  const n = value.length;
  const isBuf = typeof value !== 'string';
  // Runs of printable bytes are copied in one slice: most values need no escape at all.
  let runStart = 0;
  const bytes = isBuf ? value : Buffer.from(value, 'latin1');
  for (let i = 0; i < n; i++) {
    const c = bytes[i] as number;
    let esc: string | undefined;
    if (c === 0x5c) esc = '\\\\';
    else if (c === 0x22) esc = '\\"';
    else if (c >= 0x20 && c <= 0x7e) continue;
    else if (c === 0x0a) esc = '\\n';
    else if (c === 0x0d) esc = '\\r';
    else if (c === 0x09) esc = '\\t';
    else if (c === 0x07) esc = '\\a';
    else if (c === 0x08) esc = '\\b';
    else esc = '\\x' + (c < 16 ? '0' : '') + c.toString(16);
    if (i > runStart) out += bytes.toString('latin1', runStart, i);
    out += esc;
    runStart = i + 1;
  }
  if (n > runStart) out += bytes.toString('latin1', runStart, n);
  return out + '"';
}

/** C strings end at the first NUL: hiredis `%s` and sdscat() print status texts that way. */
function cstr(s: string): string {
  const i = s.indexOf('\0');
  return i >= 0 ? s.slice(0, i) : s;
}

function latin1(b: Buffer): string {
  return b.toString('latin1');
}

/** cliIsMultilineValueTTY(). */
function isMultiline(r: RespReply): boolean {
  switch (r.type) {
    case 'array':
    case 'set':
    case 'push':
      if (r.items.length === 0) return false;
      if (r.items.length > 1) return true;
      return isMultiline(r.items[0] as RespReply);
    case 'map':
      if (r.items.length === 0) return false;
      if (r.items.length > 2) return true;
      return isMultiline(r.items[1] as RespReply);
    case 'attribute':
      return isMultiline(r.reply);
    default:
      return false;
  }
}

/** cliFormatReplyTTY(). */
export function formatTTY(r: RespReply, prefix: string): string {
  switch (r.type) {
    case 'error':
      return `(error) ${cstr(r.value)}\n`;
    case 'status':
      return `${cstr(r.value)}\n`;
    case 'integer':
      return `(integer) ${r.value}\n`;
    case 'double':
      return `(double) ${cstr(r.text)}\n`;
    case 'bulk':
      return repr(r.value) + '\n';
    case 'verbatim':
      return latin1(r.value) + '\n';
    case 'nil':
      return '(nil)\n';
    case 'boolean':
      return r.value ? '(true)\n' : '(false)\n';
    case 'bignum':
      // redis-cli 7.0 has no case for big numbers (it exits); 7.2 prints this form.
      return `(big number) ${r.text}\n`;
    case 'attribute':
      // Attributes are out-of-band metadata; like hiredis we show only the reply.
      return formatTTY(r.reply, prefix);
    case 'array':
    case 'map':
    case 'set':
    case 'push':
      return formatAggregateTTY(r.type, r.items, prefix);
  }
}

function formatAggregateTTY(type: 'array' | 'map' | 'set' | 'push', items: readonly RespReply[], prefix: string): string {
  if (items.length === 0) {
    return type === 'array' ? '(empty array)\n' : type === 'map' ? '(empty hash)\n' : type === 'set' ? '(empty set)\n' : '(empty push)\n';
  }
  const count = type === 'map' ? Math.floor(items.length / 2) : items.length;
  const idxlen = String(count).length;
  // Nested replies are indented by the width of the index plus ") ".
  const childPrefix = prefix + ' '.repeat(idxlen + 2);
  const sep = type === 'set' ? '~' : type === 'map' ? '#' : ')';
  let out = '';
  for (let i = 0; i < items.length; i++) {
    const human = (type === 'map' ? Math.floor(i / 2) : i) + 1;
    out += (i === 0 ? '' : prefix) + String(human).padStart(idxlen) + sep + ' ';
    out += formatTTY(items[i] as RespReply, childPrefix);
    if (type === 'map') {
      i++;
      const value = items[i];
      // The key's newline is replaced by " => " (sdsrange(out,0,-2) in redis-cli).
      out = out.slice(0, -1) + ' => ';
      if (value === undefined) continue;
      if (isMultiline(value)) out += '\n' + childPrefix;
      out += formatTTY(value, childPrefix);
    }
  }
  return out;
}

/** cliFormatReplyRaw(): no quoting, no types; nested elements separated by "\n". */
export function formatRaw(r: RespReply): string {
  switch (r.type) {
    case 'nil':
      return '';
    case 'error':
      return r.value + '\n';
    case 'status':
      return r.value;
    case 'bulk':
    case 'verbatim':
      return latin1(r.value);
    case 'boolean':
      return r.value ? '(true)' : '(false)';
    case 'integer':
      return String(r.value);
    case 'double':
      return cstr(r.text);
    case 'bignum':
      return r.text;
    case 'attribute':
      return formatRaw(r.reply);
    case 'array':
    case 'set':
    case 'push':
      return r.items.map(formatRaw).join('\n');
    case 'map': {
      const parts: string[] = [];
      for (let i = 0; i < r.items.length; i += 2) {
        const v = r.items[i + 1];
        parts.push(formatRaw(r.items[i] as RespReply) + ' ' + (v ? formatRaw(v) : ''));
      }
      return parts.join('\n');
    }
  }
}

/** A RESP3 client-tracking invalidation message (isInvalidateReply in redis-cli.c). */
export function isInvalidatePush(r: RespReply): boolean {
  if (r.type !== 'push' || r.items.length !== 2) return false;
  const [kind, keys] = r.items;
  return kind?.type === 'bulk' && kind.value.toString('latin1').startsWith('invalidate') && keys?.type === 'array';
}

/** cliFormatInvalidateTTY(): `-> invalidate: 'k1', 'k2'`. */
export function formatInvalidateTTY(r: RespReply): string {
  if (r.type !== 'push') return '';
  const keys = r.items[1];
  const names = keys && keys.type === 'array' ? keys.items : [];
  return '-> invalidate: ' + names.map((k) => `'${k.type === 'bulk' ? cstr(latin1(k.value)) : ''}'`).join(', ') + '\n';
}
