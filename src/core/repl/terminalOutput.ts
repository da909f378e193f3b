/**
 * The REPL engine's output made ready for a terminal emulator (the VS Code Pseudoterminal):
 * newlines become CRLF (a Pseudoterminal has no line discipline to do it), `(error)` replies and
 * stderr lines turn red, and cluster redirect lines turn yellow, as a colored redis-cli would.
 * Stateful only in one bit: whether the next chunk starts a line, since a reply may arrive in
 * more than one chunk.
 */

const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

export class TerminalOutput {
  private atLineStart = true;
  /** The color of the line being written, when it started in an earlier chunk. */
  private lineColor = '';

  /** Text for the terminal from one chunk of engine output. */
  format(text: string, channel: 'stdout' | 'stderr'): string {
    let out = '';
    const parts = text.split(/\r?\n/);
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (this.atLineStart && part.length > 0) this.lineColor = channel === 'stderr' ? RED : colorOf(part);
      if (part.length > 0) out += this.lineColor ? `${this.lineColor}${part}${RESET}` : part;
      if (!last) {
        out += '\r\n';
        this.atLineStart = true;
        this.lineColor = '';
      } else if (part.length > 0) {
        this.atLineStart = false;
      }
    });
    return out;
  }

  /** After the prompt is drawn the next output starts a new line of its own. */
  reset(): void {
    this.atLineStart = true;
    this.lineColor = '';
  }
}

function colorOf(line: string): string {
  // TTY replies: `(error) ERR ...`, and inside arrays `1) (error) ...`.
  if (/^(\s*\d+\)\s)*\(error\)/.test(line)) return RED;
  if (line.startsWith('-> Redirected to slot')) return YELLOW;
  return '';
}
