/**
 * Out-of-range counts, ports and percentages are refused by the command line with one sentence
 * (status 2), before any engine or node is contacted; --help states the bounds. The verbs run
 * through `main` with in-memory streams, and DOCKER_HOST points nowhere: a refusal that came
 * too late would fail with a connection error instead.
 */
import { strict as assert } from 'node:assert';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { type CliIO } from '../../src/cli/verb';
import { MOVE_LIMITS, clampMoveSetting } from '../../src/core/ops/moveLimits';

async function run(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const io: CliIO = {
    stdout,
    stderr,
    stdin,
    // Port 9 on loopback: nothing answers there; reaching it means the refusal came too late.
    env: { DOCKER_HOST: 'tcp://127.0.0.1:9', HOME: '/nonexistent' },
    signal: new AbortController().signal,
  };
  const code = await main(argv, io);
  return { code, stdout: out, stderr: err };
}

describe('the command line refuses out-of-range values with one sentence', () => {
  const cases: [string, string[], RegExp][] = [
    ['a node count past the bound', ['deploy', '--nodes', '1000'], /--nodes must be a whole number from 3 to 200, not 1000\./],
    ['too many replicas', ['deploy', '--replicas', '40'], /--replicas must be a whole number from 0 to 5, not 40\./],
    ['a fractional node count', ['deploy', '--nodes', '6.5'], /--nodes must be a whole number/],
    ['a node timeout of an hour', ['deploy', '--node-timeout', '3600000'], /--node-timeout must be a whole number from 100 to 600000/],
    ['create with too many replicas', ['create', '--cluster', 'x', '--replicas', '99'], /--replicas must be a whole number from 0 to 5/],
    ['a negative rebalance weight', ['rebalance', '127.0.0.1:1', '--weight', 'abc=-2'], /--weight "abc=-2": a weight is from 0 \(empty the master\) to 1000\./],
    ['a negative rebalance threshold', ['rebalance', '127.0.0.1:1', '--threshold', '-1'], /--threshold must be a number from 0 to 100, not -1\./],
    ['a huge slots-in-flight', ['reshard', '127.0.0.1:1', '--to', 'x', '--slots', '10', '--slots-in-flight', '100000'], /--slots-in-flight must be a whole number from 1 to 512/],
    ['more slots than exist', ['reshard', '127.0.0.1:1', '--to', 'x', '--slots', '20000'], /--slots must be a whole number from 1 to 16384, not 20000\./],
    ['a port-forward base of 0', ['port-forward', '--cluster', 'x', '--base', '0'], /--base must be a whole number from 1024 to 65535, not 0\./],
    ['a privileged port-forward base', ['port-forward', '--cluster', 'x', '--base', '80'], /--base must be a whole number from 1024/],
    ['a negative heal grace', ['heal', '--cluster', 'x', '--grace', '-5'], /--grace must be a number from 0 to 86400/],
    ['a cli port past 65535', ['cli', '-p', '99999', 'ping'], /-p must be a port from 1 to 65535, not 99999\./],
    ['a cli port of 0', ['cli', '-p', '0', 'ping'], /-p must be a port from 1 to 65535, not 0\./],
    ['an upgrade without an image', ['upgrade', '--cluster', 'x'], /Name the image with --image IMAGE/],
    ['an upgrade with an image and --resume', ['upgrade', '--cluster', 'x', '--image', 'r:8', '--resume'], /--resume and --rollback take no image/],
    ['a node timeout of a second', ['restart', '--cluster', 'x', '--node-timeout', '1'], /--node-timeout must be a whole number from 10 to 3600/],
    ['config set of the port', ['config', '--cluster', 'x', 'set', 'port', '7000'], /Not changing port: /],
    ['config set of cluster-enabled', ['config', '--cluster', 'x', 'set', 'maxmemory', '1gb', 'cluster-enabled', 'no'], /Not changing cluster-enabled: /],
    ['config set without a value', ['config', '--cluster', 'x', 'set', 'maxmemory'], /SETTING VALUE pairs/],
    ['published ports without a password', ['deploy', '--publish', '25260'], /without a password would let anyone .* every interface .*--insecure-no-password/],
    ['a cluster name that is no DNS name', ['deploy', '--name', 'adv..x'], /"adv\.\.x" is not a valid DNS name.*two dots in a row/],
    ['a cluster name part ending in "-"', ['deploy', '--name', 'adv-.x'], /"adv-" is not/],
  ];
  for (const [what, argv, message] of cases) {
    it(`refuses ${what}`, async () => {
      const r = await run(argv);
      assert.equal(r.code, 2, `status 2 (bad input); stderr: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /ERR_|Received|HTTP|ECONNREFUSED/, 'no raw Node or Docker text');
    });
  }

  it('states the bounds in --help', async () => {
    const r = await run(['deploy', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--nodes <n>.*\[3-200\]/);
    assert.match(r.stdout, /--replicas <n>.*\[0-5\]/);
    const m = await run(['reshard', '--help']);
    assert.match(m.stdout, /--slots-in-flight <n>.*\[1-512\]/);
  });

  it('cli --help prints the usage and exits 0, as redis-cli does', async () => {
    const r = await run(['cli', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: redis-swarm cli /);
    assert.equal(r.stderr, '');
  });
});

describe('the slot mover\'s VS Code settings stay within the bounds the CLI states', () => {
  it('clamps a value VS Code only warned about', () => {
    assert.equal(clampMoveSetting('slotsInFlight', 100_000, 128), MOVE_LIMITS.slotsInFlight.max);
    assert.equal(clampMoveSetting('slotsInFlight', 0, 128), 1);
    assert.equal(clampMoveSetting('keysPerMigrate', 2.6, 1000), 3);
    assert.equal(clampMoveSetting('migrateTimeoutMs', undefined, 60_000), 60_000);
    assert.equal(clampMoveSetting('migrateTimeoutMs', Number.NaN, 60_000), 60_000);
  });
});
