/**
 * Line editing for a terminal that has no readline of its own (the VS Code Pseudoterminal):
 * the keys redis-cli's linenoise understands, as a pure function from (state, key) to
 * (new state, bytes to write, what the host should do). Single-line mode like linenoise's
 * refreshSingleLine(): a line wider than the terminal scrolls sideways, so a resize only needs
 * one redraw.
 *
 * Widths are counted in UTF-16 code units; wide (CJK, emoji) characters are not measured.
 *
 * With a command table (`helpers`), the line shows redis-cli's hint after the text and Tab
 * completes command names like linenoise's completeLine(): each Tab shows the next candidate,
 * then the line as typed (with a beep), Esc goes back to it, any other key keeps the shown one.
 */
import { completionsFor, hintFor, renderHint } from './hints';
import { type HelpEntry } from './commandHelp';

export interface LineState {
  readonly prompt: string;
  readonly text: string;
  /** Cursor position in `text` (0..text.length). */
  readonly cursor: number;
  /** Oldest first. */
  readonly history: readonly string[];
  /** How far back in history the line comes from: -1 for the line being typed. */
  readonly historyIndex: number;
  /** The line being typed, kept while browsing history. */
  readonly draft: string;
  readonly columns: number;
  /** The command table hints and Tab completion come from (none: neither). */
  readonly helpers?: LineHelpers;
  /** While Tab cycles: the candidates, which one shows (== length: the line as typed), and that line. */
  readonly completing?: { readonly list: readonly string[]; readonly index: number; readonly text: string; readonly cursor: number };
}

export interface LineHelpers {
  readonly table: readonly HelpEntry[];
  /** `:set nohints` turns the hints off; completion stays. */
  readonly hints: boolean;
}

export type EditorAction =
  | { readonly kind: 'none' }
  /** Enter: run this line (the editor has already moved to a new line). */
  | { readonly kind: 'submit'; readonly line: string }
  /** Ctrl+C: the line was dropped (the host cancels a running command itself). */
  | { readonly kind: 'interrupt' }
  /** Ctrl+D on an empty line: close the terminal. */
  | { readonly kind: 'close' };

export interface EditResult {
  readonly state: LineState;
  /** Escape sequences and text to write to the terminal. */
  readonly write: string;
  readonly action: EditorAction;
}

export type NamedKey =
  | 'enter' | 'backspace' | 'delete' | 'left' | 'right' | 'home' | 'end' | 'up' | 'down'
  | 'ctrlA' | 'ctrlB' | 'ctrlC' | 'ctrlD' | 'ctrlE' | 'ctrlF' | 'ctrlK' | 'ctrlL' | 'ctrlN'
  | 'ctrlP' | 'ctrlU' | 'ctrlW' | 'tab' | 'escape' | 'ignored';

/** Named keys; printable text is `{ kind: 'text' }`. */
export type Key = { readonly kind: 'text'; readonly text: string } | { readonly kind: NamedKey };

const ESC = '\x1b';
const CLEAR_TO_END = `${ESC}[0K`;
const CLEAR_SCREEN = `${ESC}[H${ESC}[2J`;
/** Default terminal width until the first setDimensions. */
export const DEFAULT_COLUMNS = 80;
/** Lines kept per cluster in the history (redis-cli keeps linenoise's default of 100; we keep more). */
export const HISTORY_LIMIT = 500;

export function newLineState(prompt: string, history: readonly string[] = [], columns = DEFAULT_COLUMNS): LineState {
  return { prompt, text: '', cursor: 0, history, historyIndex: -1, draft: '', columns: Math.max(1, columns) };
}

/** CSI final bytes and SS3 letters we know, and what they mean. */
const CSI_KEYS: Record<string, NamedKey> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end',
  '1~': 'home', '7~': 'home', '4~': 'end', '8~': 'end', '3~': 'delete',
};
const CONTROL_KEYS: Record<number, NamedKey> = {
  0x01: 'ctrlA', 0x02: 'ctrlB', 0x03: 'ctrlC', 0x04: 'ctrlD', 0x05: 'ctrlE', 0x06: 'ctrlF',
  0x08: 'backspace', 0x09: 'tab', 0x0b: 'ctrlK', 0x0c: 'ctrlL', 0x0d: 'enter', 0x0e: 'ctrlN', 0x10: 'ctrlP',
  0x15: 'ctrlU', 0x17: 'ctrlW', 0x7f: 'backspace',
};

/**
 * Splits terminal input (one keystroke, or a paste) into keys. Escape sequences are CSI
 * (`ESC [ params final`) or SS3 (`ESC O x`); unknown ones are swallowed whole, so they never
 * end up as text. Printable runs stay together (a paste is one insert).
 */
export function parseKeys(data: string): Key[] {
  const keys: Key[] = [];
  let text = '';
  const flush = (): void => {
    if (text) keys.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < data.length) {
    const ch = data[i] as string;
    const code = ch.charCodeAt(0);
    if (ch === ESC) {
      flush();
      const next = data[i + 1];
      if (next === '[') {
        let j = i + 2;
        while (j < data.length && !/[\x40-\x7e]/.test(data[j] as string)) j++;
        const body = data.slice(i + 2, j + 1);
        // Modifiers (`1;5C`, Ctrl+Right) are read as the plain key.
        const plain = body.replace(/^1;\d+/, '');
        keys.push({ kind: CSI_KEYS[plain] ?? CSI_KEYS[body] ?? 'ignored' });
        i = j + 1;
      } else if (next === 'O' && i + 2 < data.length) {
        keys.push({ kind: CSI_KEYS[data[i + 2] as string] ?? 'ignored' });
        i += 3;
      } else {
        // A lone ESC leaves a Tab completion; Alt+key is nothing we edit with.
        keys.push({ kind: next === undefined ? 'escape' : 'ignored' });
        i += next === undefined ? 1 : 2;
      }
      continue;
    }
    if (code < 0x20 || code === 0x7f) {
      flush();
      // \n after \r is the second half of one Enter; a lone \n is Enter too.
      if (ch === '\n') {
        if (data[i - 1] !== '\r') keys.push({ kind: 'enter' });
      } else {
        keys.push({ kind: CONTROL_KEYS[code] ?? 'ignored' });
      }
      i++;
      continue;
    }
    text += ch;
    i++;
  }
  flush();
  return keys;
}

/** The visible part of the line and the cursor column, scrolled so the cursor fits. */
function visible(state: LineState): { shown: string; cursorColumn: number } {
  // One column is kept free so the cursor after the last character never wraps.
  const room = Math.max(1, state.columns - state.prompt.length - 1);
  let start = 0;
  if (state.cursor > room) start = state.cursor - room;
  const shown = state.text.slice(start, start + room);
  return { shown, cursorColumn: state.prompt.length + (state.cursor - start) };
}

/**
 * Redraws the whole line as linenoise does: to column 0, clear it, prompt, text, the hint, and
 * the cursor back in place (byte for byte what redis-cli 7.0.15 writes).
 */
export function renderLine(state: LineState): string {
  const { shown, cursorColumn } = visible(state);
  const h = state.helpers;
  const hint = h?.hints ? renderHint(hintFor(h.table, state.text), state.prompt.length, state.text.length, state.columns) : '';
  return `\r${CLEAR_TO_END}${state.prompt}${shown}${hint}\r${cursorColumn > 0 ? `${ESC}[${cursorColumn}C` : ''}`;
}

/** Gives the line a command table (hints and Tab), redrawn. */
export function withHelpers(state: LineState, helpers: LineHelpers): EditResult {
  const next: LineState = { ...state, helpers };
  return { state: next, write: renderLine(next), action: NONE };
}

const BEEP = '\x07';

/** Tab: the first candidate, the next one, or (after the last) the line as typed, with a beep. */
function tab(state: LineState): EditResult {
  const c = state.completing;
  if (!c) {
    const list = state.helpers ? completionsFor(state.helpers.table, state.text) : [];
    if (list.length === 0) return { state, write: BEEP, action: NONE };
    const first = list[0] as string;
    const next: LineState = { ...state, completing: { list, index: 0, text: state.text, cursor: state.cursor }, text: first, cursor: first.length };
    return { state: next, write: renderLine(next), action: NONE };
  }
  const index = (c.index + 1) % (c.list.length + 1);
  const text = index < c.list.length ? (c.list[index] as string) : c.text;
  const next: LineState = { ...state, completing: { ...c, index }, text, cursor: index < c.list.length ? text.length : c.cursor };
  return { state: next, write: (index === c.list.length ? BEEP : '') + renderLine(next), action: NONE };
}

/** Leaves a completion: Esc goes back to the line as typed, any other key keeps what shows. */
function endCompletion(state: LineState, key: Key): EditResult | { state: LineState; write: string } {
  const c = state.completing as NonNullable<LineState['completing']>;
  const rest: LineState = { ...state };
  delete (rest as { completing?: unknown }).completing;
  if (key.kind === 'escape') {
    const back: LineState = { ...rest, text: c.text, cursor: c.cursor };
    return { state: back, write: renderLine(back), action: NONE };
  }
  // The kept line is already drawn: the key acts on it (completeLine() returns the key).
  return { state: rest, write: '' };
}

export function withColumns(state: LineState, columns: number): EditResult {
  const next = { ...state, columns: Math.max(1, columns) };
  return { state: next, write: renderLine(next), action: NONE };
}

/** A fresh line with a (possibly new) prompt, drawn. */
export function startLine(state: LineState, prompt: string): EditResult {
  const { completing: _dropped, ...rest } = state;
  const next: LineState = { ...rest, prompt, text: '', cursor: 0, historyIndex: -1, draft: '' };
  return { state: next, write: renderLine(next), action: NONE };
}

/** Appends a line to the history: not empty lines, not a repeat of the last, at most `limit`. */
export function addToHistory(history: readonly string[], line: string, limit = HISTORY_LIMIT): string[] {
  if (line.trim().length === 0 || history[history.length - 1] === line) return [...history];
  return [...history, line].slice(-limit);
}

const NONE: EditorAction = { kind: 'none' };

function edit(state: LineState, text: string, cursor: number): EditResult {
  const next = { ...state, text, cursor };
  return { state: next, write: renderLine(next), action: NONE };
}

function fromHistory(state: LineState, index: number): EditResult {
  const text = index < 0 ? state.draft : (state.history[state.history.length - 1 - index] as string);
  const next: LineState = { ...state, historyIndex: index, draft: state.historyIndex < 0 ? state.text : state.draft, text, cursor: text.length };
  return { state: next, write: renderLine(next), action: NONE };
}

/** Start of the word before the cursor (Ctrl+W: spaces, then the word, like linenoise). */
function wordStart(text: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && text[i - 1] === ' ') i--;
  while (i > 0 && text[i - 1] !== ' ') i--;
  return i;
}

export function applyKey(state: LineState, key: Key): EditResult {
  if (state.completing) {
    if (key.kind === 'tab') return tab(state);
    const ended = endCompletion(state, key);
    if ('action' in ended) return ended;
    const r = applyPlainKey(ended.state, key);
    return { ...r, write: ended.write + r.write };
  }
  return applyPlainKey(state, key);
}

function applyPlainKey(state: LineState, key: Key): EditResult {
  const { text, cursor } = state;
  switch (key.kind) {
    case 'text': {
      // Tabs and other controls were split off by parseKeys; this is printable.
      return edit(state, text.slice(0, cursor) + key.text + text.slice(cursor), cursor + key.text.length);
    }
    case 'enter': {
      const next: LineState = { ...state, text: '', cursor: 0, historyIndex: -1, draft: '' };
      // Draw the whole line once more (it may be scrolled), then leave it.
      const full = `\r${state.prompt}${text}${CLEAR_TO_END}\r\n`;
      return { state: next, write: full, action: { kind: 'submit', line: text } };
    }
    case 'backspace':
      return cursor === 0 ? noop(state) : edit(state, text.slice(0, cursor - 1) + text.slice(cursor), cursor - 1);
    case 'delete':
      return cursor >= text.length ? noop(state) : edit(state, text.slice(0, cursor) + text.slice(cursor + 1), cursor);
    case 'ctrlD':
      if (text.length === 0) return { state, write: '', action: { kind: 'close' } };
      return cursor >= text.length ? noop(state) : edit(state, text.slice(0, cursor) + text.slice(cursor + 1), cursor);
    case 'left':
    case 'ctrlB':
      return cursor === 0 ? noop(state) : edit(state, text, cursor - 1);
    case 'right':
    case 'ctrlF':
      return cursor >= text.length ? noop(state) : edit(state, text, cursor + 1);
    case 'home':
    case 'ctrlA':
      return edit(state, text, 0);
    case 'end':
    case 'ctrlE':
      return edit(state, text, text.length);
    case 'up':
    case 'ctrlP':
      return state.historyIndex + 1 >= state.history.length ? noop(state) : fromHistory(state, state.historyIndex + 1);
    case 'down':
    case 'ctrlN':
      return state.historyIndex < 0 ? noop(state) : fromHistory(state, state.historyIndex - 1);
    case 'ctrlU':
      // linenoise (redis-cli): Ctrl+U deletes the whole line.
      return edit(state, '', 0);
    case 'ctrlK':
      return edit(state, text.slice(0, cursor), cursor);
    case 'ctrlW': {
      const from = wordStart(text, cursor);
      return edit(state, text.slice(0, from) + text.slice(cursor), from);
    }
    case 'ctrlC': {
      const next: LineState = { ...state, text: '', cursor: 0, historyIndex: -1, draft: '' };
      return { state: next, write: `\r${state.prompt}${text}^C${CLEAR_TO_END}\r\n`, action: { kind: 'interrupt' } };
    }
    case 'ctrlL':
      return { state, write: CLEAR_SCREEN + renderLine(state), action: NONE };
    case 'tab':
      return tab(state);
    case 'escape':
    case 'ignored':
      return noop(state);
  }
}

function noop(state: LineState): EditResult {
  return { state, write: '', action: NONE };
}
