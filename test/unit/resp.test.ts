import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodeCommand, encodeReply, RespParser, type RespReply, isRespProtocolError } from '../../src/core/redis/resp';

function parseAll(chunks: readonly Buffer[]): RespReply[] {
  const out: RespReply[] = [];
  const p = new RespParser((r) => out.push(r));
  for (const c of chunks) p.feed(c);
  return out;
}

/** Every reply type, nested, as a server could send them in a row. */
const SAMPLE: RespReply[] = [
  { type: 'status', value: 'OK' },
  { type: 'error', value: 'ERR something went wrong' },
  { type: 'integer', value: -42n },
  { type: 'integer', value: 9223372036854775807n },
  { type: 'bulk', value: Buffer.from([0, 13, 10, 255, 36, 42]) },
  { type: 'bulk', value: Buffer.alloc(0) },
  { type: 'nil' },
  { type: 'array', items: [] },
  { type: 'array', items: [{ type: 'integer', value: 1n }, { type: 'array', items: [{ type: 'bulk', value: Buffer.from('x\r\ny') }, { type: 'nil' }] }] },
  { type: 'map', items: [{ type: 'bulk', value: Buffer.from('k') }, { type: 'set', items: [{ type: 'boolean', value: true }] }] },
  { type: 'set', items: [{ type: 'double', text: '3.14' }, { type: 'double', text: '-inf' }] },
  { type: 'push', items: [{ type: 'bulk', value: Buffer.from('message') }, { type: 'bulk', value: Buffer.from('ch') }] },
  { type: 'boolean', value: false },
  { type: 'bignum', text: '-1234567999999999999999999999999999999' },
  { type: 'verbatim', format: 'txt', value: Buffer.from('Some verbatim\r\ntext') },
  { type: 'attribute', items: [{ type: 'bulk', value: Buffer.from('ttl') }, { type: 'integer', value: 3n }], reply: { type: 'status', value: 'annotated' } },
  { type: 'array', items: [{ type: 'attribute', items: [], reply: { type: 'integer', value: 7n } }, { type: 'map', items: [] }] },
];

describe('RESP parser', () => {
  it('round-trips every reply type through the RESP3 encoder in one chunk', () => {
    const wire = Buffer.concat(SAMPLE.map((r) => encodeReply(r)));
    assert.deepEqual(parseAll([wire]), SAMPLE, 'parsed replies should equal the encoded ones, types included');
  });

  it('gives the same replies when the stream is split at every byte boundary', () => {
    const wire = Buffer.concat(SAMPLE.map((r) => encodeReply(r)));
    for (let cut = 1; cut < wire.length; cut++) {
      const got = parseAll([wire.subarray(0, cut), wire.subarray(cut)]);
      assert.deepEqual(got, SAMPLE, `splitting the stream at byte ${cut} changed the replies`);
    }
  });

  it('gives the same replies when fed one byte at a time and in three random pieces', () => {
    const wire = Buffer.concat(SAMPLE.map((r) => encodeReply(r)));
    const bytes = Array.from(wire, (b) => Buffer.from([b]));
    assert.deepEqual(parseAll(bytes), SAMPLE, 'byte-by-byte feeding changed the replies');
    let seed = 7;
    for (let n = 0; n < 200; n++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const a = seed % wire.length;
      const b = a + ((seed >> 8) % (wire.length - a));
      assert.deepEqual(parseAll([wire.subarray(0, a), wire.subarray(a, b), wire.subarray(b)]), SAMPLE, `cuts at ${a} and ${b} changed the replies`);
    }
  });

  it('reads RESP2 null bulk and null array as nil', () => {
    assert.deepEqual(parseAll([Buffer.from('$-1\r\n*-1\r\n')]), [{ type: 'nil' }, { type: 'nil' }]);
  });

  it('parses a 5 MB bulk string arriving in 64 KB chunks into one Buffer, binary safe', () => {
    const value = Buffer.alloc(5 * 1024 * 1024, 0xab);
    value[0] = 13;
    value[value.length - 1] = 10;
    const wire = encodeReply({ type: 'bulk', value });
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 65536) chunks.push(wire.subarray(i, i + 65536));
    const [r] = parseAll(chunks);
    assert.ok(r && r.type === 'bulk' && r.value.equals(value), 'the big bulk string should come back byte for byte');
  });

  it('rejects bytes that are not RESP with a protocol error', () => {
    for (const bad of ['?x\r\n', '$abc\r\n', ':12a\r\n', '#x\r\n', '$3\r\nabcde\r\n']) {
      assert.throws(() => parseAll([Buffer.from(bad)]), isRespProtocolError, `${JSON.stringify(bad)} should be a protocol error`);
    }
  });

  it('encodes commands as arrays of bulk strings, binary safe', () => {
    assert.equal(encodeCommand(['SET', Buffer.from([0, 255]), 'é']).toString('latin1'), '*3\r\n$3\r\nSET\r\n$2\r\n\x00\xff\r\n$2\r\n\xc3\xa9\r\n');
  });

  it('downgrades RESP3 types for RESP2 the way a server does', () => {
    assert.equal(encodeReply({ type: 'map', items: [{ type: 'bulk', value: Buffer.from('a') }, { type: 'boolean', value: true }] }, 2).toString(), '*2\r\n$1\r\na\r\n:1\r\n');
    assert.equal(encodeReply({ type: 'double', text: '1.5' }, 2).toString(), '$3\r\n1.5\r\n');
  });
});
