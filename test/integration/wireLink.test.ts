/**
 * The bulk link (wireLink.ts) against a real redis-server (port 23180, not a cluster, with a
 * password): blocks in order with every reply type, a DUMP reply passed on as a RESTORE
 * argument, the byte budget that closes the link, and AUTH.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { ReplyTooLargeError, WireLink, WireWriter } from '../../src/core/redis/wireLink';
import { type LoopbackNodes, startRedisNodes } from '../support/loopbackCluster';

const PORT = 23180;
const PASSWORD = 'wl-Secret#1';

describe('the bulk link on a real redis-server', { timeout: 60_000 }, () => {
  let node: LoopbackNodes | undefined;
  const open = (password?: string): Promise<WireLink> =>
    WireLink.open({ announced: { host: '127.0.0.1', port: PORT }, target: { host: '127.0.0.1', port: PORT }, password, timeoutMs: 5000 });

  before(async () => {
    node = await startRedisNodes(PORT, 1, { cluster: false, extraArgs: ['--requirepass', PASSWORD] });
  });
  after(async () => {
    await node?.stop();
  });

  it('answers blocks in order, however the socket splits the replies', async () => {
    const link = await open(PASSWORD);
    try {
      // 300 kB arrive in many socket reads; the blocks around it must still line up.
      const big = Buffer.alloc(300_000, 0x61);
      const w1 = new WireWriter()
        .command('SET', 'wl:big', big)
        .command('SET', 'wl:n', 41)
        .command('INCR', 'wl:n')
        .command('GET', 'wl:missing')
        .command('RPUSH', 'wl:list', 'a', 'b\r\nc')
        .command('INCR', 'wl:list');
      const w2 = new WireWriter().command('GET', 'wl:big').command('DUMP', 'wl:n').command('LRANGE', 'wl:list', 0, -1);
      const [r1, r2] = await Promise.all([link.send(w1), link.send(w2)]);
      assert.equal(r1.length, 6);
      assert.equal(r1.text(0), 'OK');
      assert.equal(r1.int(2), 42);
      assert.ok(r1.isNil(3), 'GET of a missing key is nil');
      assert.equal(r1.int(4), 2);
      assert.ok(r1.isError(5) && r1.text(5).startsWith('WRONGTYPE'), `an error reply stays an error: ${r1.text(5)}`);
      assert.deepEqual(r2.bulk(0), big);
      assert.deepEqual(r2.value(2), [Buffer.from('a'), Buffer.from('b\r\nc')]);
      // The DUMP reply, byte for byte, is RESTORE's payload argument.
      const w3 = new WireWriter();
      w3.array(4).bulk('RESTORE').bulk('wl:copy').bulk(0).reply(r2, 1);
      w3.command('GET', 'wl:copy');
      const r3 = await link.send(w3);
      assert.equal(r3.text(0), 'OK');
      assert.equal(r3.bulk(1)?.toString(), '42');
    } finally {
      link.close();
    }
  });

  it('closes the link when the replies pass the byte budget, and a new link works', async () => {
    const link = await open(PASSWORD);
    await assert.rejects(link.send(new WireWriter().command('GET', 'wl:big'), 100_000), ReplyTooLargeError);
    await assert.rejects(link.send(new WireWriter().command('PING')), /exceeded/, 'the closed link refuses more');
    let closed = false;
    link.onClose(() => (closed = true));
    assert.ok(closed, 'close listeners hear of it');
    const again = await open(PASSWORD);
    try {
      assert.equal((await again.send(new WireWriter().command('PING'))).text(0), 'PONG');
    } finally {
      again.close();
    }
  });

  it('refuses a wrong password in the node\'s words; without one, commands answer NOAUTH', async () => {
    await assert.rejects(open('wrong'), /refused the password: WRONGPASS/);
    const link = await open();
    try {
      const r = await link.send(new WireWriter().command('PING'));
      assert.ok(r.isError(0) && r.text(0).startsWith('NOAUTH'), r.text(0));
    } finally {
      link.close();
    }
  });
});
