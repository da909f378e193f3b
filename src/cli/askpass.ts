/**
 * `--askpass`, as redis-cli's askPassword(): on a terminal the prompt "Please input password: "
 * and a `*` per character typed (linenoise's mask mode); without a terminal no prompt, and the
 * first line of stdin is the password (linenoiseNoTTY), the rest stays for the commands.
 */
import { type CliIO } from './verb';

export const ASKPASS_PROMPT = 'Please input password: ';

type Stdin = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown; unshift?: (chunk: Buffer) => void };

export function askPassword(io: CliIO): Promise<string> {
  const stdin = io.stdin as Stdin;
  return stdin.isTTY === true && typeof stdin.setRawMode === 'function' ? maskedLine(io, stdin) : firstLine(stdin);
}

/** The first line of a pipe; what follows it is put back for the REPL to read. */
function firstLine(stdin: Stdin): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const done = (rest: Buffer | undefined): void => {
      stdin.off('readable', onReadable);
      stdin.off('end', onEnd);
      stdin.off('error', reject);
      if (rest && rest.length > 0) stdin.unshift?.(rest);
      resolve(Buffer.concat(parts).toString('utf8').replace(/\r$/, ''));
    };
    const onReadable = (): void => {
      for (;;) {
        const chunk = stdin.read() as Buffer | string | null;
        if (chunk === null) return;
        const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        const nl = data.indexOf(10);
        if (nl >= 0) {
          parts.push(data.subarray(0, nl));
          done(data.subarray(nl + 1));
          return;
        }
        parts.push(data);
      }
    };
    const onEnd = (): void => done(undefined);
    stdin.on('readable', onReadable);
    stdin.once('end', onEnd);
    stdin.once('error', reject);
  });
}

/** A terminal line with every character shown as `*`; Backspace edits, Enter ends, Ctrl+C or Ctrl+D gives up. */
function maskedLine(io: CliIO, stdin: Stdin): Promise<string> {
  io.stdout.write(ASKPASS_PROMPT);
  stdin.setRawMode?.(true);
  return new Promise((resolve) => {
    let text = '';
    const finish = (value: string): void => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stdout.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(text);
        if (ch === '\u0003' || ch === '\u0004') return finish('');
        if (ch === '\u007f' || ch === '\b') {
          if (text.length > 0) {
            text = [...text].slice(0, -1).join('');
            io.stdout.write('\b \b');
          }
        } else if (ch >= ' ') {
          text += ch;
          io.stdout.write('*');
        }
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}
