/**
 * The pure part of the cluster lock: the holder written as a Redis client name and read back
 * from CLIENT LIST, which contender wins, and the sentence of a refusal.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import {
  busySentence,
  decodeLockName,
  encodeLockName,
  judgeContenders,
  type LockHolder,
  lockNamesInClientList,
} from '../../src/core/ops/lockName';
import { keepAliveInterval, LOCK_KEEPALIVE_MS } from '../../src/core/ops/clusterLock';

const holder = (over: Partial<LockHolder> = {}): LockHolder => ({
  operation: 'reshard',
  host: 'build-7',
  pid: 4242,
  since: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
  nonce: 'a1b2c3',
  ...over,
});

/** What Redis 7 accepts in CLIENT SETNAME: `!`..`~`, nothing else. */
const validClientName = (name: string): boolean => [...name].every((c) => c.charCodeAt(0) >= 33 && c.charCodeAt(0) <= 126);

test('a holder round-trips through its client name, spaces, colons and non-ASCII included', () => {
  for (const h of [
    holder(),
    holder({ operation: 'Move Slots', host: 'my laptop:local' }),
    holder({ operation: 'Remove C-4 (añadir) 100%', host: 'hôte', pid: 1, since: 0 }),
  ]) {
    const name = encodeLockName(h);
    assert.ok(validClientName(name), `"${name}" is a name CLIENT SETNAME accepts`);
    assert.ok(name.startsWith('redis-swarm-lock:'));
    assert.deepEqual(decodeLockName(name), h);
  }
});

test('names that are not a lock, or are malformed, decode to nothing', () => {
  for (const name of [
    '',
    'myapp-worker-3',
    'redis-swarm-lock',
    'redis-swarm-lock:reshard:h:12:34',
    'redis-swarm-lock:reshard:h:pid:34:n',
    'redis-swarm-lock:reshard:h:12:-34:n',
    'redis-swarm-lock:reshard:h:12:34:',
    'redis-swarm-lock:%E0%A4:h:12:34:n',
    'other-prefix:reshard:h:12:34:n',
  ]) {
    assert.equal(decodeLockName(name), undefined, `"${name}" is not a lock`);
  }
});

test('lock names are read from a real CLIENT LIST reply, other clients ignored', () => {
  const lock = encodeLockName(holder());
  const reply =
    'id=3 addr=127.0.0.1:50312 laddr=127.0.0.1:25100 fd=8 name= age=12 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22298 events=r cmd=client|list user=default redir=-1 resp=2\n' +
    `id=4 addr=127.0.0.1:50320 laddr=127.0.0.1:25100 fd=9 name=${lock} age=3 idle=3 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=client|setname user=default redir=-1 resp=2\n` +
    'id=5 addr=127.0.0.1:50330 laddr=127.0.0.1:25100 fd=10 name=app-redis-swarm-lock age=1 idle=1 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 events=r cmd=ping user=default redir=-1 resp=2\n';
  assert.deepEqual(lockNamesInClientList(reply), [lock]);
  assert.deepEqual(lockNamesInClientList(''), []);
});

test('alone, a contender acquires; its own name (seen on every node) does not count', () => {
  const me = holder();
  assert.deepEqual(judgeContenders(me, []), { kind: 'acquired' });
  assert.deepEqual(judgeContenders(me, [me, me]), { kind: 'acquired' });
});

test('a contender behind the earliest one loses, and names the earliest', () => {
  const me = holder({ since: 2000, nonce: 'm' });
  const first = holder({ operation: 'heal', since: 1000, nonce: 'z' });
  const second = holder({ operation: 'fix', since: 1500, nonce: 'a' });
  assert.deepEqual(judgeContenders(me, [second, first]), { kind: 'lost', holder: first });
});

test('the same start time: the smaller nonce is ahead', () => {
  const a = holder({ since: 1000, nonce: 'aaa' });
  const b = holder({ since: 1000, nonce: 'bbb' });
  assert.deepEqual(judgeContenders(b, [a]), { kind: 'lost', holder: a });
  assert.deepEqual(judgeContenders(a, [b]), { kind: 'wait', holder: b });
});

test('only contenders behind: wait for them to leave (they may hold it without having seen us)', () => {
  const me = holder({ since: 1000 });
  const later = holder({ operation: 'heal', since: 3000 });
  const latest = holder({ operation: 'fix', since: 5000 });
  assert.deepEqual(judgeContenders(me, [latest, later]), { kind: 'wait', holder: later });
});

test('two contenders never both acquire when they see each other, and exactly one goes ahead', () => {
  const a = holder({ since: 1000, nonce: 'x' });
  const b = holder({ since: 1000, nonce: 'y' });
  const va = judgeContenders(a, [b]);
  const vb = judgeContenders(b, [a]);
  assert.notEqual(va.kind, 'acquired');
  assert.notEqual(vb.kind, 'acquired');
  assert.deepEqual([va.kind, vb.kind].sort(), ['lost', 'wait']);
});

test('the refusal is one sentence naming the operation, since when, the pid and the host', () => {
  const s = busySentence('C', holder());
  assert.equal(s, 'Cluster "C" is busy: reshard has held its lock since 2025-01-02T03:04:05.678Z (pid 4242 on build-7); try again when it has finished.');
  assert.equal(s.split(/[.;] [A-Z]/).length, 1, 'one sentence');
  assert.ok(!s.includes('\n'));
});

test('the keepalive pings often enough for the shortest idle timeout the nodes report', () => {
  assert.equal(keepAliveInterval([]), LOCK_KEEPALIVE_MS, 'no answer: the default');
  assert.equal(keepAliveInterval([0, 0]), LOCK_KEEPALIVE_MS, 'timeout 0 never closes idle clients');
  assert.equal(keepAliveInterval([300, 0]), LOCK_KEEPALIVE_MS, 'a long timeout: the default is often enough');
  assert.equal(keepAliveInterval([0, 6, 300]), 2000, 'a third of the shortest');
  assert.equal(keepAliveInterval([1]), 1000 / 3);
  assert.ok(keepAliveInterval([NaN, -1]) === LOCK_KEEPALIVE_MS);
});
