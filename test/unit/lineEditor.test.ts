import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { addToHistory, applyKey, type EditResult, type Key, type LineState, newLineState, parseKeys, renderLine, startLine, withColumns } from '../../src/core/repl/lineEditor';
import { TerminalOutput } from '../../src/core/repl/terminalOutput';

const PROMPT = '127.0.0.1:7001> ';

/** Feeds raw terminal input through parseKeys and applyKey; returns the last result and all writes. */
function type(state: LineState, data: string): { state: LineState; writes: string; actions: EditResult['action'][] } {
  let s = state;
  let writes = '';
  const actions: EditResult['action'][] = [];
  for (const k of parseKeys(data)) {
    const r = applyKey(s, k);
    s = r.state;
    writes += r.write;
    actions.push(r.action);
  }
  return { state: s, writes, actions };
}

function line(text: string, cursor = text.length, history: string[] = []): LineState {
  return { ...newLineState(PROMPT, history), text, cursor };
}

describe('line editor keys', () => {
  it('parses printable runs, controls, CSI and SS3 sequences, and CRLF as one Enter', () => {
    const keys: Key[] = parseKeys('ab\x1b[D\x1bOH\x1b[3~\x1b[1;5C\x7f\x01\r\n\x1b[99X\x1bx');
    assert.deepEqual(keys.map((k) => k.kind), ['text', 'left', 'home', 'delete', 'right', 'backspace', 'ctrlA', 'enter', 'ignored', 'ignored']);
    assert.deepEqual(parseKeys('\t\x1b').map((k) => k.kind), ['tab', 'escape'], 'Tab completes, a lone Esc leaves a completion');
    assert.deepEqual(parseKeys('\n').map((k) => k.kind), ['enter']);
  });

  it('inserts printable input at the cursor and redraws the line with the cursor in place', () => {
    const r = type(line('st', 1), 'e');
    assert.equal(r.state.text, 'set');
    assert.equal(r.state.cursor, 2);
    assert.equal(r.writes, `\r\x1b[0K${PROMPT}set\r\x1b[${PROMPT.length + 2}C`);
  });

  it('moves left and right (arrows, Ctrl+B/F) within the line only', () => {
    let s = type(line('abc'), '\x1b[D\x1b[D').state;
    assert.equal(s.cursor, 1);
    s = type(s, '\x02\x02\x02').state;
    assert.equal(s.cursor, 0, 'left stops at the start');
    s = type(s, '\x1b[C\x06\x1b[C\x1b[C').state;
    assert.equal(s.cursor, 3, 'right stops at the end');
    assert.equal(type(s, '\x1b[C').writes, '', 'a key that changes nothing writes nothing');
  });

  it('goes to the start and end with Home/End (every encoding) and Ctrl+A/Ctrl+E', () => {
    for (const home of ['\x1b[H', '\x1bOH', '\x1b[1~', '\x1b[7~', '\x01']) assert.equal(type(line('abc'), home).state.cursor, 0, JSON.stringify(home));
    for (const end of ['\x1b[F', '\x1bOF', '\x1b[4~', '\x1b[8~', '\x05']) assert.equal(type(line('abc', 0), end).state.cursor, 3, JSON.stringify(end));
  });

  it('deletes before the cursor with Backspace (DEL and ^H) and under it with Delete', () => {
    assert.deepEqual(pick(type(line('abc', 2), '\x7f').state), ['ac', 1]);
    assert.deepEqual(pick(type(line('abc', 2), '\b').state), ['ac', 1]);
    assert.deepEqual(pick(type(line('abc', 0), '\x7f').state), ['abc', 0]);
    assert.deepEqual(pick(type(line('abc', 1), '\x1b[3~').state), ['ac', 1]);
    assert.deepEqual(pick(type(line('abc', 3), '\x1b[3~').state), ['abc', 3]);
  });

  it('Ctrl+U deletes the whole line (linenoise), Ctrl+K to its end, Ctrl+W the word before the cursor', () => {
    assert.deepEqual(pick(type(line('set foo bar', 5), '\x15').state), ['', 0]);
    assert.deepEqual(pick(type(line('set foo bar', 5), '\x0b').state), ['set f', 5]);
    assert.deepEqual(pick(type(line('set foo bar  '), '\x17').state), ['set foo ', 8]);
    assert.deepEqual(pick(type(line('set foo bar', 7), '\x17').state), ['set  bar', 4]);
  });

  it('walks history with Up/Down (and Ctrl+P/N), keeping the line being typed', () => {
    const h = ['get a', 'get b'];
    let s = type(line('draft', 5, h), '\x1b[A').state;
    assert.deepEqual(pick(s), ['get b', 5]);
    s = type(s, '\x1b[A').state;
    assert.equal(s.text, 'get a');
    assert.equal(type(s, '\x1b[A').writes, '', 'Up at the oldest line does nothing');
    s = type(s, '\x1b[B').state;
    assert.equal(s.text, 'get b');
    s = type(s, '\x0e').state;
    assert.equal(s.text, 'draft', 'back down to the line being typed');
    assert.equal(type(s, '\x1b[B').writes, '');
    assert.equal(type(line('', 0, h), '\x10').state.text, 'get b');
    assert.equal(type(line('', 0, []), '\x1b[A').writes, '', 'no history: nothing happens');
  });

  it('submits on Enter: writes the full line and a newline, resets the line', () => {
    const r = applyKey(line('get foo', 2), { kind: 'enter' });
    assert.deepEqual(r.action, { kind: 'submit', line: 'get foo' });
    assert.equal(r.write, `\r${PROMPT}get foo\x1b[0K\r\n`);
    assert.deepEqual(pick(r.state), ['', 0]);
  });

  it('Ctrl+C drops the line with ^C and asks the host to interrupt', () => {
    const r = applyKey(line('get fo'), { kind: 'ctrlC' });
    assert.deepEqual(r.action, { kind: 'interrupt' });
    assert.equal(r.write, `\r${PROMPT}get fo^C\x1b[0K\r\n`);
    assert.equal(r.state.text, '');
  });

  it('Ctrl+D closes on an empty line and deletes under the cursor otherwise', () => {
    assert.deepEqual(applyKey(line(''), { kind: 'ctrlD' }).action, { kind: 'close' });
    const r = applyKey(line('abc', 0), { kind: 'ctrlD' });
    assert.deepEqual(r.action, { kind: 'none' });
    assert.equal(r.state.text, 'bc');
  });

  it('Ctrl+L clears the screen and redraws the line', () => {
    const r = applyKey(line('get x'), { kind: 'ctrlL' });
    assert.equal(r.write, `\x1b[H\x1b[2J${renderLine(line('get x'))}`);
    assert.equal(r.state.text, 'get x');
  });

  it('scrolls a line wider than the terminal so the cursor stays visible, and redraws on resize', () => {
    const long = 'set key ' + 'x'.repeat(100);
    const narrow = withColumns(line(long), 40);
    // Room: 40 columns - 16 prompt - 1 kept free = 23 characters, ending at the cursor.
    assert.equal(narrow.write, `\r\x1b[0K${PROMPT}${long.slice(-23)}\r\x1b[39C`);
    const wide = withColumns(narrow.state, 200);
    assert.equal(wide.write, `\r\x1b[0K${PROMPT}${long}\r\x1b[${PROMPT.length + long.length}C`);
  });

  it('starts a new line with the engine prompt after a command', () => {
    const r = startLine(line('junk', 2), '127.0.0.1:7002> ');
    assert.equal(r.write, '\r\x1b[0K127.0.0.1:7002> \r\x1b[16C');
  });

  it('keeps history bounded, without empty lines or repeats of the last line', () => {
    assert.deepEqual(addToHistory(['a'], 'a'), ['a']);
    assert.deepEqual(addToHistory(['a'], '   '), ['a']);
    assert.deepEqual(addToHistory(['a', 'b', 'c'], 'd', 3), ['b', 'c', 'd']);
  });

  it('ignores unknown keys and escape sequences', () => {
    const r = type(line('ab'), '\x1b[15~\x1b');
    assert.deepEqual(pick(r.state), ['ab', 2]);
    assert.equal(r.writes, '');
    // Without a command table nothing completes: Tab beeps, as linenoise does.
    assert.equal(type(line('ab'), '\t').writes, '\x07');
  });
});

describe('terminal output', () => {
  it('turns newlines into CRLF, (error) lines red and redirect lines yellow, across chunks', () => {
    const out = new TerminalOutput();
    assert.equal(out.format('OK\n', 'stdout'), 'OK\r\n');
    assert.equal(out.format('-> Redirected to slot [12182] located at redis-3:6379\n', 'stdout'), '\x1b[33m-> Redirected to slot [12182] located at redis-3:6379\x1b[0m\r\n');
    assert.equal(out.format('(error) ERR', 'stdout'), '\x1b[31m(error) ERR\x1b[0m');
    assert.equal(out.format(' unknown command\n', 'stdout'), '\x1b[31m unknown command\x1b[0m\r\n', 'the rest of a red line stays red');
    assert.equal(out.format('1) (error) boom\n2) "x"\n', 'stdout'), '\x1b[31m1) (error) boom\x1b[0m\r\n2) "x"\r\n');
    assert.equal(out.format('Could not connect\n', 'stderr'), '\x1b[31mCould not connect\x1b[0m\r\n');
    assert.equal(out.format('a\r\nb\r\n', 'stdout'), 'a\r\nb\r\n', 'CRLF from verbatim replies stays one line break');
  });
});

function pick(s: LineState): [string, number] {
  return [s.text, s.cursor];
}
