import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HelpEntry } from '../../src/core/repl/commandHelp';
import { completionsFor, hintFor } from '../../src/core/repl/hints';
import { applyKey, type Key, type LineState, newLineState, parseKeys } from '../../src/core/repl/lineEditor';

const entry = (full: string, params: string, group = 'hash'): HelpEntry => ({ words: full.split(' '), full, params, summary: '', since: undefined, group });
/** Sorted by name, as helpFromCommandDocs sorts the table. */
const TABLE: HelpEntry[] = [
  entry('CLUSTER', '', 'cluster'),
  entry('CLUSTER INFO', '', 'cluster'),
  entry('HSCAN', 'key cursor [MATCH pattern] [COUNT count]'),
  entry('HSET', 'key field value [field value ...]'),
  entry('HSETNX', 'key field value'),
  entry('SET', 'key value [NX|XX] [GET]', 'string'),
];
const PROMPT = '127.0.0.1:7001> ';
const HINT = (h: string): string => `\x1b[0;90;49m${h}\x1b[0m`;

function typed(keys: string, columns = 80): { state: LineState; writes: string[] } {
  let state: LineState = { ...newLineState(PROMPT, [], columns), helpers: { table: TABLE, hints: true } };
  const writes: string[] = [];
  // One key per character, as a person types (a paste would be one insert).
  const each: Key[] = parseKeys(keys).flatMap((key): Key[] => (key.kind === 'text' ? [...key.text].map((c): Key => ({ kind: 'text', text: c })) : [key]));
  for (const k of each) {
    const r = applyKey(state, k);
    state = r.state;
    writes.push(r.write);
  }
  return { state, writes };
}

test('hints: the arguments still to type, one dropped per argument typed, up to the first optional one', () => {
  assert.equal(hintFor(TABLE, 'hset'), ' key field value [field value ...]');
  assert.equal(hintFor(TABLE, 'HSET '), 'key field value [field value ...]');
  assert.equal(hintFor(TABLE, 'hset k f'), ' value [field value ...]');
  assert.equal(hintFor(TABLE, 'hset k f v '), '[field value ...]');
  assert.equal(hintFor(TABLE, 'hset k f v f2 v2 '), '[field value ...]', 'an optional part is never consumed');
  assert.equal(hintFor(TABLE, 'hset "a b" '), 'field value [field value ...]', 'arguments are split as redis-cli splits them');
  assert.equal(hintFor(TABLE, 'cluster info'), ' ', 'the longest entry that starts the line wins');
  assert.equal(hintFor(TABLE, 'cluster '), '');
  assert.equal(hintFor(TABLE, 'foo '), undefined);
  assert.equal(hintFor(TABLE, 'hset "a'), undefined, 'an unbalanced quote: no hint');
  assert.equal(hintFor(TABLE, '   '), undefined);
});

test('hints are drawn dim after the line, cut to the columns left, cursor kept in place', () => {
  const { writes } = typed('hset ');
  assert.equal(writes.at(-1), `\r\x1b[0K${PROMPT}hset ${HINT('key field value [field value ...]')}\r\x1b[21C`);
  const narrow = typed('hset ', 30).writes.at(-1);
  assert.equal(narrow, `\r\x1b[0K${PROMPT}hset ${HINT('key field')}\r\x1b[21C`, '30 columns - 21 used = 9 of the hint');
  assert.equal(typed('hs').writes.at(-1), `\r\x1b[0K${PROMPT}hs\r\x1b[18C`, 'no command yet: no hint');
  const off: LineState = { ...newLineState(PROMPT), helpers: { table: TABLE, hints: false } };
  assert.equal(applyKey(off, { kind: 'text', text: 'hset ' }).write, `\r\x1b[0K${PROMPT}hset \r\x1b[21C`, ':set nohints');
});

test('Tab completes command names in table order, then the line as typed with a beep; Esc goes back; another key keeps it', () => {
  assert.deepEqual(completionsFor(TABLE, 'hse'), ['HSET', 'HSETNX']);
  assert.deepEqual(completionsFor(TABLE, 'cluster i'), ['CLUSTER INFO']);
  assert.deepEqual(completionsFor(TABLE, 'help @c'), ['help @cluster']);
  const { writes, state } = typed('hse\t\t\t\t');
  assert.deepEqual(writes.slice(3), [
    `\r\x1b[0K${PROMPT}HSET${HINT(' key field value [field value ...]')}\r\x1b[20C`,
    `\r\x1b[0K${PROMPT}HSETNX${HINT(' key field value')}\r\x1b[22C`,
    `\x07\r\x1b[0K${PROMPT}hse\r\x1b[19C`,
    `\r\x1b[0K${PROMPT}HSET${HINT(' key field value [field value ...]')}\r\x1b[20C`,
  ]);
  assert.equal(state.text, 'HSET');
  const kept = typed('hse\t ');
  assert.equal(kept.state.text, 'HSET ');
  assert.equal(kept.writes.at(-1), `\r\x1b[0K${PROMPT}HSET ${HINT('key field value [field value ...]')}\r\x1b[21C`);
  assert.equal(typed('hse\t\x1b').state.text, 'hse', 'Esc: the line as typed');
  assert.deepEqual(typed('zzz\t').writes.at(-1), '\x07', 'nothing to complete: a beep');
});
