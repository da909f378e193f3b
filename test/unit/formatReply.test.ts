import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { formatReply, repr } from '../../src/core/repl/formatReply';
import { type RespReply } from '../../src/core/redis/resp';
import { formatHelp, helpFromCommandDocs } from '../../src/core/repl/commandHelp';

const bulk = (s: string): RespReply => ({ type: 'bulk', value: Buffer.from(s, 'latin1') });
const int = (n: number): RespReply => ({ type: 'integer', value: BigInt(n) });
const arr = (...items: RespReply[]): RespReply => ({ type: 'array', items });
const tty = (r: RespReply): string => formatReply(r, 'tty');
const raw = (r: RespReply): string => formatReply(r, 'raw');

describe('formatReply, TTY form (cliFormatReplyTTY)', () => {
  it('prints scalars with their type tags', () => {
    assert.equal(tty({ type: 'nil' }), '(nil)\n');
    assert.equal(tty(int(-1)), '(integer) -1\n');
    assert.equal(tty({ type: 'error', value: 'ERR bad' }), '(error) ERR bad\n');
    assert.equal(tty({ type: 'status', value: 'OK' }), 'OK\n');
    assert.equal(tty({ type: 'double', text: '3.5' }), '(double) 3.5\n');
    assert.equal(tty({ type: 'boolean', value: true }), '(true)\n');
    assert.equal(tty({ type: 'boolean', value: false }), '(false)\n');
    assert.equal(tty({ type: 'verbatim', format: 'txt', value: Buffer.from('plain "text"') }), 'plain "text"\n');
    assert.equal(tty({ type: 'bignum', text: '123456789012345678901234567890' }), '(big number) 123456789012345678901234567890\n');
  });

  it('quotes strings like sdscatrepr', () => {
    assert.equal(repr(Buffer.from('a"b\\c\n\r\t\x07\x08\x00\x7f\xff ~', 'latin1')), '"a\\"b\\\\c\\n\\r\\t\\a\\b\\x00\\x7f\\xff ~"');
    assert.equal(tty(bulk('')), '""\n');
  });

  it('numbers and indents nested arrays, with index width from the element count', () => {
    assert.equal(tty(arr(int(1), arr(bulk('a'), arr()), { type: 'nil' })), '1) (integer) 1\n2) 1) "a"\n   2) (empty array)\n3) (nil)\n');
    const ten = arr(...Array.from({ length: 10 }, (_, i) => int(i)));
    assert.ok(tty(ten).startsWith(' 1) (integer) 0\n 2) (integer) 1\n'), 'indexes should be right-aligned to the widest');
    assert.ok(tty(ten).endsWith('10) (integer) 9\n'));
    assert.equal(tty(arr(arr(arr(bulk('deep'))))), '1) 1) 1) "deep"\n');
  });

  it('prints RESP3 maps as `1# key => value`, sets with `~`, empty aggregates by kind', () => {
    const map: RespReply = { type: 'map', items: [bulk('k'), bulk('v'), bulk('n'), arr(int(1), int(2))] };
    assert.equal(tty(map), '1# "k" => "v"\n2# "n" => \n   1) (integer) 1\n   2) (integer) 2\n');
    assert.equal(tty({ type: 'set', items: [bulk('a'), bulk('b')] }), '1~ "a"\n2~ "b"\n');
    assert.equal(tty({ type: 'map', items: [] }), '(empty hash)\n');
    assert.equal(tty({ type: 'set', items: [] }), '(empty set)\n');
    assert.equal(tty({ type: 'push', items: [] }), '(empty push)\n');
  });
});

describe('formatReply, raw form (cliFormatReplyRaw)', () => {
  it('prints values bare, nil as an empty line, errors with their own newline', () => {
    assert.equal(raw(bulk('a\x00b')), 'a\x00b\n');
    assert.equal(raw({ type: 'nil' }), '\n');
    assert.equal(raw(int(5)), '5\n');
    assert.equal(raw({ type: 'error', value: 'ERR x' }), 'ERR x\n\n');
    assert.equal(raw({ type: 'boolean', value: true }), '(true)\n');
  });

  it('flattens nested arrays one element per line, maps as `key value`', () => {
    assert.equal(raw(arr(bulk('a'), arr(bulk('b'), { type: 'error', value: 'ERR in' }), int(3))), 'a\nb\nERR in\n\n3\n');
    assert.equal(raw({ type: 'map', items: [bulk('k'), bulk('v'), bulk('k2'), int(2)] }), 'k v\nk2 2\n');
    assert.equal(raw(arr()), '\n');
  });

  it('prints INFO-like verbatim replies without the extra newline in both modes', () => {
    assert.equal(formatReply(bulk('# Server\r\n'), 'tty', true), '# Server\r\n');
  });
});

describe('help from COMMAND DOCS', () => {
  it('prints arguments, summary, since and group like cliOutputHelp', () => {
    const docs: RespReply = {
      type: 'map',
      items: [
        bulk('get'),
        { type: 'map', items: [bulk('summary'), bulk('Get the value of a key'), bulk('since'), bulk('1.0.0'), bulk('group'), bulk('string'),
          bulk('arguments'), arr({ type: 'map', items: [bulk('name'), bulk('key'), bulk('type'), bulk('key')] },
            { type: 'map', items: [bulk('name'), bulk('ex'), bulk('type'), bulk('integer'), bulk('token'), bulk('EX'),
              bulk('flags'), { type: 'set', items: [{ type: 'status', value: 'optional' }, { type: 'status', value: 'multiple' }] }] })] },
      ],
    };
    const table = helpFromCommandDocs(docs);
    assert.equal(
      formatHelp(table, ['get']),
      '\r\n  \x1b[1mGET\x1b[0m \x1b[90mkey [EX ex [ex ...]]\x1b[0m\r\n  \x1b[33msummary:\x1b[0m Get the value of a key\r\n' +
        '  \x1b[33msince:\x1b[0m 1.0.0\r\n  \x1b[33mgroup:\x1b[0m string\r\n\r\n',
    );
    assert.equal(formatHelp(table, ['nosuch']), '\r\n', 'an unknown command prints only the closing line');
    assert.ok(formatHelp(table, ['@STRING']).includes('GET'), 'help @group matches case-insensitively');
  });
});
