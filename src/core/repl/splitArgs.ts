/**
 * Splits a REPL line into arguments with exactly the rules of sdssplitargs() (redis sds.c),
 * which redis-cli uses for every interactive or piped line:
 *  - blanks (C isspace: space, \t, \n, \v, \f, \r) separate arguments; inside an unquoted
 *    argument only space, \n, \r and \t end it;
 *  - "double quotes" understand \xHH, \n, \r, \t, \b, \a, and a backslash before any other
 *    character stands for that character;
 *  - 'single quotes' understand only \';
 *  - a closing quote must be followed by a blank or the end of the line;
 *  - an unterminated quote, or a closing quote followed by something else, makes the whole
 *    line invalid: the result is `null` (redis-cli then prints "Invalid argument(s)").
 * The line is bytes; like C, it ends at the first NUL byte.
 */

export function splitArgs(input: Buffer): Buffer[] | null {
  const nul = input.indexOf(0);
  const line = nul >= 0 ? input.subarray(0, nul) : input;
  const n = line.length;
  const args: Buffer[] = [];
  let p = 0;
  for (;;) {
    while (p < n && isCSpace(line[p] as number)) p++;
    if (p >= n) return args;

    const cur: number[] = [];
    let inq = false;
    let insq = false;
    let done = false;
    // Fast path: an unquoted argument is one slice of the line.
    const start = p;
    let plain = true;
    while (!done) {
      const c = p < n ? (line[p] as number) : 0;
      if (inq) {
        if (c === 0x5c && at(line, p + 1) === 0x78 && isHex(at(line, p + 2)) && isHex(at(line, p + 3))) {
          cur.push(hexVal(at(line, p + 2)) * 16 + hexVal(at(line, p + 3)));
          p += 3;
        } else if (c === 0x5c && at(line, p + 1) !== 0) {
          p++;
          cur.push(unescape(line[p] as number));
        } else if (c === 0x22) {
          const next = at(line, p + 1);
          if (next !== 0 && !isCSpace(next)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur.push(c);
        }
      } else if (insq) {
        if (c === 0x5c && at(line, p + 1) === 0x27) {
          p++;
          cur.push(0x27);
        } else if (c === 0x27) {
          const next = at(line, p + 1);
          if (next !== 0 && !isCSpace(next)) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur.push(c);
        }
      } else {
        switch (c) {
          case 0x20:
          case 0x0a:
          case 0x0d:
          case 0x09:
          case 0:
            done = true;
            break;
          case 0x22:
            inq = true;
            plain = false;
            break;
          case 0x27:
            insq = true;
            plain = false;
            break;
          default:
            cur.push(c);
            break;
        }
      }
      if (p < n) p++;
    }
    if (plain) {
      // The token ended one byte before p (at the separator) or at the end of the line.
      args.push(Buffer.from(line.subarray(start, start + cur.length)));
    } else {
      args.push(Buffer.from(cur));
    }
  }
}

/** Convenience for tests and callers holding text: the line's UTF-8 bytes. */
export function splitArgsText(line: string): Buffer[] | null {
  return splitArgs(Buffer.from(line, 'utf8'));
}

function at(line: Buffer, i: number): number {
  return i < line.length ? (line[i] as number) : 0;
}

/** C isspace() in the C locale. */
export function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function hexVal(c: number): number {
  if (c <= 0x39) return c - 0x30;
  if (c >= 0x61) return c - 0x61 + 10;
  return c - 0x41 + 10;
}

function unescape(c: number): number {
  switch (c) {
    case 0x6e:
      return 0x0a; // \n
    case 0x72:
      return 0x0d; // \r
    case 0x74:
      return 0x09; // \t
    case 0x62:
      return 0x08; // \b
    case 0x61:
      return 0x07; // \a
    default:
      return c;
  }
}
