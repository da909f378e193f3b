/**
 * redis-cli's prompt helpers, from its command table (the same one `help` prints):
 * - hints: after `hset ` the rest of the command's arguments, dim (hintsCallback() in
 *   redis-cli.c and refreshShowHints() in linenoise.c): the longest table entry whose words
 *   start the line, one parameter dropped per argument typed, stopping at the first optional
 *   `[`, a space in front unless the line ends with one, cut to the columns left;
 * - completion: Tab offers every entry whose name starts with the line, in table order, then
 *   the line as typed (completionCallback() in redis-cli.c); after `help ` also `@group`s.
 * Checked byte for byte against redis-cli 7.0.15 on a terminal (test/integration/replHints.test.ts).
 */
import { type HelpEntry } from './commandHelp';
import { asciiUpper } from './cstring';
import { splitArgs } from './splitArgs';

/** redis-cli's hint style: not bold, color 90 (bright black), default background. */
export const HINT_STYLE = '\x1b[0;90;49m';
const RESET = '\x1b[0m';

/** C isspace() on the last character: the line ends with a blank. */
const endsWithSpace = (line: string): boolean => /[ \t\n\v\f\r]$/.test(line);

/** The hint text for `line` (possibly empty), or undefined when no command matches. */
export function hintFor(entries: readonly HelpEntry[], line: string): string | undefined {
  const argv = splitArgs(Buffer.from(line, 'utf8'));
  if (!argv || argv.length === 0) return undefined;
  const words = argv.map((a) => asciiUpper(a.toString('latin1')));
  let best: HelpEntry | undefined;
  for (const e of entries) {
    if (e.words.length > words.length || e.words.length <= (best?.words.length ?? 0)) continue;
    if (e.words.every((w, j) => w === words[j])) best = e;
  }
  if (!best) return undefined;
  let hint = best.params;
  let toRemove = words.length - best.words.length;
  while (toRemove > 0 && hint.length > 0) {
    if (hint[0] === '[') break;
    if (hint[0] === ' ') toRemove--;
    hint = hint.slice(1);
  }
  return endsWithSpace(line) ? hint : ` ${hint}`;
}

/**
 * The hint as drawn after the line: only when the prompt and line leave room, cut to the
 * columns left, in redis-cli's style.
 */
export function renderHint(hint: string | undefined, promptLength: number, lineLength: number, columns: number): string {
  if (hint === undefined || promptLength + lineLength >= columns) return '';
  return `${HINT_STYLE}${hint.slice(0, columns - (promptLength + lineLength))}${RESET}`;
}

/** The group names `help @<tab>` completes, as redis-cli lists them (`@` first, table order). */
function groupNames(entries: readonly HelpEntry[]): string[] {
  return [...new Set(entries.map((e) => e.group).filter((g) => g !== ''))].map((g) => `@${g}`);
}

/** What Tab cycles through for `line`, in table order (empty: nothing completes it). */
export function completionsFor(entries: readonly HelpEntry[], line: string): string[] {
  let start = 0;
  let names = entries.map((e) => e.full);
  if (asciiUpper(line.slice(0, 5)) === 'HELP ') {
    start = 5;
    while (start < line.length && /[ \t\n\v\f\r]/.test(line[start] as string)) start++;
    // Commands and groups sorted together, as redis-cli's one table holds both.
    names = [...names, ...groupNames(entries)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const typed = asciiUpper(line.slice(start));
  return names.filter((n) => asciiUpper(n).startsWith(typed)).map((n) => line.slice(0, start) + n);
}
