/**
 * The bulk link's pure parts: the reply framer over chunks of every size, reply accessors, and
 * the command writer (checked against resp.ts's encoder and the RESP parser). The link itself
 * runs against real nodes in the operations' integration tests.
 */
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { encodeCommand, encodeReply, RespParser, type RespReply } from '../../src/core/redis/resp';
import { bulkPayload, commandHead, frameEnd, ReplyBlock, ReplyFramer, WireWriter } from '../../src/core/redis/wireLink';
import { TargetCopies } from '../../src/core/ops/mover/copySlot';
import { mulberry32 } from '../../src/core/util/prng';

const bulk = (s: string | Buffer): RespReply => ({ type: 'bulk', value: Buffer.isBuffer(s) ? s : Buffer.from(s) });
const int = (n: number): RespReply => ({ type: 'integer', value: BigInt(n) });

/** RESP2 replies as the copy engine meets them: DUMP payloads with CR LF inside, nils, errors, nested arrays. */
const REPLIES: RespReply[] = [
  { type: 'status', value: 'OK' },
  bulk(Buffer.from([0, 13, 10, 0xff, 0x24, 0x2a, 0x2d, 13, 10])),
  int(-2),
  int(123456789),
  { type: 'nil' },
  { type: 'error', value: 'BUSYKEY Target key name already exists.' },
  bulk(''),
  { type: 'array', items: [] },
  { type: 'array', items: [bulk('a'), { type: 'array', items: [int(1), { type: 'nil' }, bulk('x\r\ny')] }, { type: 'error', value: 'ERR inner' }] },
  { type: 'status', value: 'QUEUED' },
  bulk('x'.repeat(70_000)),
];
const WIRE = Buffer.concat(REPLIES.map((r) => encodeReply(r, 2)));
/** A nil array is RESP2's aborted EXEC; encodeReply has no RESP2 form for it. */
const NIL_ARRAY = Buffer.from('*-1\r\n');

function expectedEnds(): number[] {
  const ends: number[] = [];
  let at = 0;
  for (const r of REPLIES) ends.push((at += encodeReply(r, 2).length));
  return ends;
}

function frame(chunks: readonly Buffer[]): number[] {
  const ends: number[] = [];
  const f = new ReplyFramer((end) => ends.push(end));
  for (const c of chunks) f.feed(c);
  return ends;
}

describe('ReplyFramer', () => {
  it('finds the end of every reply in one chunk', () => {
    assert.deepEqual(frame([WIRE]), expectedEnds());
  });

  it('finds the same ends when the bytes arrive one at a time', () => {
    const bytes = [...WIRE].map((b) => Buffer.from([b]));
    assert.deepEqual(frame(bytes), expectedEnds());
  });

  it('finds the same ends at 300 random chunkings', () => {
    const rand = mulberry32(7);
    for (let run = 0; run < 300; run++) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < WIRE.length; ) {
        const n = 1 + Math.floor(rand() * (rand() < 0.5 ? 8 : 4000));
        chunks.push(WIRE.subarray(at, at + n));
        at += n;
      }
      assert.deepEqual(frame(chunks), expectedEnds(), `chunking ${run}`);
    }
  });

  it('counts a nil array as one reply, and refuses bytes that are not RESP', () => {
    assert.deepEqual(frame([NIL_ARRAY, Buffer.from(':1\r\n')]), [5, 9]);
    assert.throws(() => frame([Buffer.from('hello\r\n')]), /Protocol error/);
  });
});

describe('ReplyBlock', () => {
  const block = new ReplyBlock(WIRE, expectedEnds());

  it('reads each reply as a value, text, integer or bulk', () => {
    assert.equal(block.length, REPLIES.length);
    assert.equal(block.text(0), 'OK');
    assert.deepEqual(block.bulk(1), Buffer.from([0, 13, 10, 0xff, 0x24, 0x2a, 0x2d, 13, 10]));
    assert.equal(block.int(2), -2);
    assert.equal(block.int(3), 123456789);
    assert.ok(Number.isNaN(block.int(0)), 'a status is not an integer');
    assert.ok(block.isNil(4) && !block.isNil(6), 'nil, and an empty string that is not nil');
    assert.equal(block.bulk(4), null);
    assert.ok(block.isError(5) && !block.isError(0));
    assert.equal(block.text(5), 'BUSYKEY Target key name already exists.');
    assert.deepEqual(block.bulk(6), Buffer.alloc(0));
    assert.deepEqual(block.value(7), []);
    const nested = block.value(8) as unknown[];
    assert.deepEqual(nested.slice(0, 2), [Buffer.from('a'), [1, null, Buffer.from('x\r\ny')]]);
    assert.ok(nested[2] instanceof Error && nested[2].message === 'ERR inner', 'an error inside an array stays an error');
    assert.equal(block.value(9), 'QUEUED');
    assert.equal((block.bulk(10) as Buffer).length, 70_000);
  });

  it('gives each reply raw, and a flat array as its elements on the wire', () => {
    assert.deepEqual(block.raw(2), Buffer.from(':-2\r\n'));
    const items = block.items(8) as Buffer[];
    assert.equal(items.length, 3);
    assert.deepEqual(items[0], Buffer.from('$1\r\na\r\n'));
    assert.deepEqual(bulkPayload(items[0] as Buffer), Buffer.from('a'));
    assert.equal(frameEnd(items[1] as Buffer, 0), (items[1] as Buffer).length, 'the nested array is one element');
    assert.equal(block.items(0), null);
    assert.equal(new ReplyBlock(NIL_ARRAY, [5]).items(0), null, 'an aborted EXEC has no items');
    assert.throws(() => block.raw(REPLIES.length), RangeError);
  });
});

describe('WireWriter', () => {
  it('encodes commands as resp.ts does, whatever the pieces', () => {
    const key = Buffer.from('{user:1}\r\nname');
    const w = new WireWriter();
    w.command('SET', key, 12);
    w.begin(commandHead(4, 'RESTORE-ASKING')).raw(Buffer.from(`$${key.length}\r\n`)).raw(key).raw(Buffer.from('\r\n')).bulkInt(-1).bulkInt(0);
    w.array(2).bulk('PTTL').bulkInt(1234567890);
    assert.equal(w.commands, 3);
    const bytes = w.take();
    const expected = Buffer.concat([
      encodeCommand(['SET', key, '12']),
      encodeCommand(['RESTORE-ASKING', key, '-1', '0']),
      encodeCommand(['PTTL', '1234567890']),
    ]);
    assert.deepEqual(bytes, expected);
    assert.equal(w.size, 0, 'take() empties the writer');
    assert.equal(w.commands, 0);
  });

  it('passes a reply on byte for byte (a DUMP payload becomes a RESTORE argument)', () => {
    const block = new ReplyBlock(WIRE, expectedEnds());
    const w = new WireWriter();
    w.array(2).bulk('ECHO').reply(block, 1);
    const parsed: RespReply[] = [];
    new RespParser((r) => parsed.push(r)).feed(w.take());
    assert.deepEqual(parsed, [{ type: 'array', items: [bulk('ECHO'), REPLIES[1]] }]);
  });

  it('grows past its first buffer without losing bytes', () => {
    const w = new WireWriter();
    const big = Buffer.alloc(100_000, 0x61);
    for (let i = 0; i < 5; i++) w.command('SET', `k${i}`, big);
    const bytes = w.take();
    assert.deepEqual(bytes, Buffer.concat(Array.from({ length: 5 }, (_, i) => encodeCommand(['SET', `k${i}`, big]))));
  });
});

describe('TargetCopies', () => {
  const wire = (name: string): Buffer => Buffer.from(`$${Buffer.byteLength(name)}\r\n${name}\r\n`);

  it('appends on a first attempt and answers lookups once a later attempt needs them', () => {
    const c = new TargetCopies();
    assert.equal(c.has(wire('a')), false);
    c.add(wire('a'));
    c.add(wire('b'));
    assert.equal(c.size, 2);
    assert.ok(c.has(Buffer.from(wire('a'))), 'found by content, not by identity');
    c.delete(wire('a'));
    c.add(wire('b'));
    assert.equal(c.size, 1, 'after the index exists the same key is kept once');
    assert.deepEqual(c.values(), [wire('b')]);
  });
});
