/**
 * C string semantics redis-cli's checks rely on: an argument is compared as a C string (it
 * ends at its first NUL byte), case-insensitively in ASCII only (strcasecmp), and numbers are
 * read with strtol()/atoi(). Strings here are latin1: one char per byte.
 */
import { isCSpace } from './splitArgs';

/** The argument as a C string would see it: bytes up to the first NUL, as latin1. */
export function cstr(arg: Buffer): string {
  const nul = arg.indexOf(0);
  return arg.toString('latin1', 0, nul >= 0 ? nul : arg.length);
}

/** ASCII-only lower case, like tolower() in the C locale (strcasecmp). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** ASCII-only upper case (sdstoupper). */
export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

export interface StrtolResult {
  readonly value: number;
  /** Index of the first character not used (0 when no digits were found, like endptr). */
  readonly end: number;
  /** The number did not fit in a 64-bit long (errno ERANGE). */
  readonly overflow: boolean;
}

const LONG_MAX = 2n ** 63n - 1n;

/** strtol(s, &end, 10). */
export function strtol(s: string): StrtolResult {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const digitsStart = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  if (i === digitsStart) return { value: 0, end: 0, overflow: false };
  const big = BigInt(s.slice(digitsStart, i));
  const overflow = neg ? big > LONG_MAX + 1n : big > LONG_MAX;
  const value = overflow ? (neg ? -Number(LONG_MAX) : Number(LONG_MAX)) : Number(neg ? -big : big);
  return { value, end: i, overflow };
}

/** atoi(): strtol without error reporting, truncated to a 32-bit int as C would. */
export function atoi(s: string): number {
  const { value } = strtol(s);
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(value))));
}
