import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { splitArgs, splitArgsText } from '../../src/core/repl/splitArgs';

function split(line: string): string[] | null {
  const r = splitArgs(Buffer.from(line, 'latin1'));
  return r === null ? null : r.map((b) => b.toString('latin1'));
}

describe('splitArgs follows sdssplitargs', () => {
  it('splits on blanks and skips leading and trailing ones', () => {
    assert.deepEqual(split('  set  foo   bar  '), ['set', 'foo', 'bar']);
    assert.deepEqual(split('a\tb\r\nc'), ['a', 'b', 'c']);
    assert.deepEqual(split(''), []);
    assert.deepEqual(split('   '), []);
  });

  it('keeps \\v and \\f inside an unquoted word but skips them between words', () => {
    assert.deepEqual(split('a\vb'), ['a\vb']);
    assert.deepEqual(split('\va b'), ['a', 'b']);
  });

  it('understands double-quote escapes: \\xHH, \\n \\r \\t \\b \\a, and any other escaped char', () => {
    assert.deepEqual(split('"\\x41\\xff\\x00" "\\n\\r\\t\\b\\a" "\\q\\"\\\\"'), ['A\xff\x00', '\n\r\t\b\x07', 'q"\\']);
    assert.deepEqual(split('"\\xZZ\\x4"'), ['xZZx4']);
  });

  it("understands only \\' inside single quotes", () => {
    assert.deepEqual(split("'it\\'s' '\\n'"), ["it's", '\\n']);
  });

  it('joins quoted parts glued to an unquoted prefix', () => {
    assert.deepEqual(split('ab"cd"'), ['abcd']);
    assert.deepEqual(split("x'y z'"), ['xy z']);
    assert.deepEqual(split('"" \'\''), ['', '']);
  });

  it('rejects a closing quote followed by a non-blank and unbalanced quotes (null = Invalid argument(s))', () => {
    for (const bad of ['"foo"bar', "'foo'bar", '"unterminated', "'unterminated", '"trailing\\', 'a "b', '"a""b"']) {
      assert.equal(split(bad), null, `${JSON.stringify(bad)} should be invalid`);
    }
  });

  it('ends the line at the first NUL byte, as a C string', () => {
    assert.deepEqual(split('get a\x00b c'), ['get', 'a']);
    assert.deepEqual(split('"unterminated\x00"'), null);
  });

  it('keeps UTF-8 bytes untouched', () => {
    assert.deepEqual(splitArgsText('set k "héllo ✓"')?.map((b) => b.toString('utf8')), ['set', 'k', 'héllo ✓']);
  });
});
