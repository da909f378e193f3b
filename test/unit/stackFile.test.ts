import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { toYaml, yamlScalar } from '../../src/core/util/yaml';
import { renderStackFile } from '../../src/core/swarm/stackFile';
import { DEPLOY_DEFAULTS, type DeployOptions } from '../../src/core/swarm/deployOptions';
import { planDeploy } from '../../src/core/swarm/deploy';
import { modeEnvEntry } from '../../src/core/swarm/modeEnv';
import { parseUserSpec } from '../../src/core/swarm/aclUsers';
import { createCa, issueCertificate } from '../../src/core/tls/certificates';

// js-yaml (a dev tool's dependency) is the reader here; the product has no YAML dependency.
 
const jsYaml = require('js-yaml') as { load(text: string): unknown };

const opts = (extra: Partial<DeployOptions> = {}): DeployOptions => ({ ...DEPLOY_DEFAULTS, network: 'redis-net', ...extra });

describe('YAML emitter', () => {
  it('quotes every string YAML 1.1 (Docker\'s Compose loader) would read as something else', () => {
    for (const s of ['yes', 'No', 'ON', 'off', 'y', 'N', 'true', 'False', 'null', '~', '', '0444', '1e3', '12:30', '1_000', '.5', '-1', '0x1f', '.inf', '.NaN']) {
      assert.equal(yamlScalar(s), JSON.stringify(s), `${JSON.stringify(s)} must be quoted`);
    }
  });

  it('quotes strings with YAML syntax in them, and escapes quotes, backslashes and control characters', () => {
    const tricky = ['a: b', 'a #b', '#x', '- x', '-c', '{x}', '[x]', '&a', '*a', '!tag', '|', '>', '%x', '@x', '`x', "it's", 'say "hi"', 'back\\slash', 'two\nlines', 'tab\there', ' lead', 'trail ', 'é', '{{index .Service.Labels "org.redis-swarm.mode"}}', 'node.role==manager', 'a,b', '?x'];
    for (const s of tricky) {
      const out = yamlScalar(s);
      assert.ok(out.startsWith('"'), `${JSON.stringify(s)} written plain as ${out}`);
      assert.deepEqual(jsYaml.load(`k: ${out}\n`), { k: s }, `${JSON.stringify(s)} does not read back`);
    }
  });

  it('leaves names and paths plain', () => {
    for (const s of ['redis-1', '/data', 'org.redis-swarm.cluster', 'dnsrr', 'redis_net', '/usr/local/etc/redis/redis.conf']) assert.equal(yamlScalar(s), s);
    assert.equal(yamlScalar(292), '292');
    assert.equal(yamlScalar(true), 'true');
  });

  it('writes nested maps and lists (maps in lists, empty ones) that read back as the same value', () => {
    const value = {
      version: '3.8',
      list: ['a', 'yes', 3, { k: 'v', inner: { x: ['1', '2'] } }, [], {}, ['nested']],
      empty: {},
      none: [],
      map: { 'a key': 'with: colon', n: 0, b: false },
    };
    assert.deepEqual(jsYaml.load(toYaml(value)), value);
  });

  it('omits keys whose value is undefined', () => {
    assert.equal(toYaml({ a: 'x', b: undefined }), 'a: x\n');
  });
});

describe('stack file', () => {
  const read = (o: DeployOptions): Record<string, Record<string, Record<string, unknown>>> =>
    jsYaml.load(renderStackFile(o).yaml) as Record<string, Record<string, Record<string, unknown>>>;

  it('has one dnsrr service per node with the labels, command and environment deploy gives it', () => {
    const o = opts({ name: 'cache', mode: 'cache', image: 'redis:7.2' });
    const doc = read(o);
    const plan = planDeploy(o);
    assert.equal(doc['version'] as unknown, '3.8');
    assert.deepEqual(Object.keys(doc['services'] ?? {}), plan.services.map((s) => s.name));
    const s3 = doc['services']?.['cache-3'] as Record<string, unknown> & { deploy: Record<string, unknown> };
    assert.equal(s3.deploy['endpoint_mode'], 'dnsrr');
    assert.deepEqual(s3.deploy['labels'], {
      'org.redis-swarm.managed': 'true',
      'org.redis-swarm.cluster': 'cache',
      'org.redis-swarm.node-index': '3',
      'org.redis-swarm.mode': 'cache',
      'org.redis-swarm.port': '6379',
      'org.redis-swarm.replicas': '1',
    });
    assert.deepEqual(s3.deploy['restart_policy'], { condition: 'any', delay: '1s' });
    // `docker stack deploy` turns `$$` into `$`: the script reads its variables at run time.
    const entrypoint = s3['entrypoint'] as string[];
    assert.equal(entrypoint[0], 'sh');
    assert.match(entrypoint[2] ?? '', /"\$\$REDIS_SWARM_MODE"/);
    assert.ok(!/[^$]\$[^$]/.test(entrypoint[2] ?? ''), 'a lone $ would be interpolated by docker stack deploy');
    assert.deepEqual(entrypoint.slice(3), ['redis-server', '/usr/local/etc/redis/redis.conf', '--cluster-announce-hostname', 'cache-3']);
    assert.deepEqual(s3['environment'], [modeEnvEntry()]);
    assert.deepEqual(s3['networks'], { net: { aliases: ['cache-3'] } });
    assert.deepEqual(s3['volumes'], [{ type: 'volume', source: 'data-3', target: '/data' }]);
    assert.equal(s3['ports'], undefined);
    assert.equal(s3['secrets'], undefined);
    assert.equal((s3['labels'] as Record<string, string>)['org.redis-swarm.mode'], undefined, 'container labels leave out the mode');
  });

  it('names the network, config and volumes as deploy does, so the stack name does not prefix them', () => {
    const o = opts({ name: 'cache', network: 'cachenet' });
    const doc = read(o);
    const plan = planDeploy(o);
    assert.deepEqual(doc['networks']?.['net'], {
      name: 'cachenet',
      driver: 'overlay',
      attachable: true,
      labels: { 'org.redis-swarm.managed': 'true', 'org.redis-swarm.cluster': 'cache', 'org.redis-swarm.created-network': 'true' },
    });
    assert.equal((doc['configs']?.['redis-conf'] as { name: string }).name, plan.configName);
    assert.equal((doc['configs']?.['redis-conf'] as { file: string }).file, './cache-redis.conf');
    assert.deepEqual(Object.values(doc['volumes'] ?? {}).map((v) => (v as { name: string }).name), plan.services.map((s) => s.volume));
    assert.equal(doc['secrets'], undefined);
  });

  it('with a password: an external secret, mounted where redis.conf includes it, and never the password itself', () => {
    const o = opts({ name: 'cache', password: 'hunter2 "x"', publishBase: 7001, constraints: ['node.labels.redis==true'] });
    const rendered = renderStackFile(o);
    assert.ok(!rendered.yaml.includes('hunter2'));
    assert.ok(!rendered.confText.includes('hunter2'));
    const doc = jsYaml.load(rendered.yaml) as Record<string, Record<string, Record<string, unknown>>>;
    assert.deepEqual(doc['secrets'], { auth: { name: 'cache-auth', external: true } });
    const s2 = doc['services']?.['cache-2'] as Record<string, unknown> & { deploy: Record<string, unknown> };
    assert.deepEqual(s2['secrets'], [{ source: 'auth', target: 'cache-auth', uid: '0', gid: '0', mode: 0o444 }]);
    assert.match(rendered.confText, /^include \/run\/secrets\/cache-auth$/m);
    assert.deepEqual(s2['ports'], [{ target: 6379, published: 7002, protocol: 'tcp', mode: 'host' }]);
    assert.deepEqual(s2.deploy['placement'], { constraints: ['node.labels.redis==true'] });
    assert.match(rendered.secret?.createCommand ?? '', /docker secret create --label org\.redis-swarm\.managed=true --label org\.redis-swarm\.cluster=cache cache-auth -$/);
    assert.match(rendered.yaml, /^# .*docker secret create/m);
  });

  it('with TLS and ACL users: every secret and certificate config external, mounted where redis.conf reads them, no key or password in the files', () => {
    const o = opts({ name: 'sec', nodes: 3, replicas: 0, tls: { source: 'generate' }, acl: { operator: 'redis-swarm', users: [parseUserSpec('app:app:*:+@read,+@write')] } });
    const plan = planDeploy(o);
    const rendered = renderStackFile(o, { plan });
    const doc = jsYaml.load(rendered.yaml) as Record<string, Record<string, Record<string, unknown>>>;
    const tls = plan.tls;
    assert.ok(tls);
    const nodes = [...tls.nodes.values()];
    // Nothing for the user to create: redis-swarm made them all (and says which).
    assert.equal(rendered.secret, undefined);
    assert.deepEqual([...(rendered.external?.secrets ?? [])].sort(), ['sec-auth', 'sec-user-app', ...nodes.map((n) => n.keySecret)].sort());
    assert.deepEqual([...(rendered.external?.configs ?? [])].sort(), [tls.caConfig, ...nodes.map((n) => n.certConfig)].sort());
    assert.deepEqual(doc['secrets']?.['auth'], { name: 'sec-auth', external: true });
    assert.deepEqual(doc['secrets']?.['sec-user-app'], { name: 'sec-user-app', external: true });
    for (const n of nodes) assert.deepEqual(doc['secrets']?.[n.keySecret], { name: n.keySecret, external: true });
    assert.deepEqual(doc['configs']?.[tls.caConfig], { name: tls.caConfig, external: true });
    for (const n of nodes) assert.deepEqual(doc['configs']?.[n.certConfig], { name: n.certConfig, external: true });
    assert.equal((doc['configs']?.['redis-conf'] as { file: string }).file, './sec-redis.conf', 'redis.conf stays a file of the stack');

    const s2 = doc['services']?.['sec-2'] as Record<string, unknown> & { deploy: { labels: Record<string, string> } };
    const n2 = tls.nodes.get('sec-2');
    assert.ok(n2);
    const mode = 0o444;
    assert.deepEqual(s2['configs'], [
      { source: 'redis-conf', target: '/usr/local/etc/redis/redis.conf', uid: '0', gid: '0', mode },
      { source: tls.caConfig, target: '/usr/local/etc/redis/tls/ca.crt', uid: '0', gid: '0', mode },
      { source: n2.certConfig, target: '/usr/local/etc/redis/tls/node.crt', uid: '0', gid: '0', mode },
    ]);
    assert.deepEqual(s2['secrets'], [
      { source: 'auth', target: 'sec-auth', uid: '0', gid: '0', mode },
      { source: 'sec-user-app', target: 'sec-user-app', uid: '0', gid: '0', mode },
      { source: n2.keySecret, target: 'redis-tls.key', uid: '0', gid: '0', mode },
    ]);
    assert.equal(s2.deploy.labels['org.redis-swarm.tls'], 'generated');
    assert.equal(s2.deploy.labels['org.redis-swarm.operator-user'], 'redis-swarm');
    assert.equal(s2.deploy.labels['org.redis-swarm.acl-users'], 'app');
    // The CA key is mounted by no node.
    assert.ok(!rendered.yaml.includes('tls-ca-key'));

    for (const line of ['port 0', 'tls-port 6379', 'tls-cluster yes', 'tls-replication yes', 'tls-cert-file /usr/local/etc/redis/tls/node.crt', 'tls-key-file /run/secrets/redis-tls.key', 'tls-ca-cert-file /usr/local/etc/redis/tls/ca.crt', 'include /run/secrets/sec-auth']) {
      assert.ok(rendered.confText.split('\n').includes(line), `redis.conf lacks "${line}":\n${rendered.confText}`);
    }
    const secrets = [...plan.userSecrets.map((u) => u.password), ...nodes.map((n) => n.pair.keyPem.trim()), tls.caKeyPem?.trim() ?? 'no CA key'];
    for (const text of [rendered.yaml, rendered.confText]) {
      assert.doesNotMatch(text, /PRIVATE KEY/);
      for (const x of secrets) assert.ok(!text.includes(x), 'a password or key is in the files');
    }
    assert.match(rendered.yaml, /^# TLS and ACL users: redis-swarm deploy --stack-file created the 5 secret\(s\) and 4 certificate config\(s\)/m);
  });

  it('with your own certificate and a password: its certificate and key per node, and the password secret, all external', () => {
    const ca = createCa('own');
    const pair = issueCertificate(ca, 'own', ['own-1', 'own-2', 'own-3']);
    const o = opts({ name: 'own', nodes: 3, replicas: 0, password: 'pw-own-9', tls: { source: 'files', certPem: pair.certPem, keyPem: pair.keyPem, caPem: ca.certPem } });
    const plan = planDeploy(o);
    const rendered = renderStackFile(o, { plan });
    const doc = jsYaml.load(rendered.yaml) as Record<string, Record<string, Record<string, unknown>>>;
    const nodes = [...(plan.tls?.nodes.values() ?? [])];
    assert.deepEqual(Object.keys(doc['secrets'] ?? {}).sort(), ['auth', ...nodes.map((n) => n.keySecret)].sort());
    assert.deepEqual(Object.keys(doc['configs'] ?? {}).sort(), ['redis-conf', plan.tls?.caConfig ?? '', ...nodes.map((n) => n.certConfig)].sort());
    assert.equal(doc['secrets']?.['auth']?.['external'], true);
    assert.equal((doc['services']?.['own-1'] as { deploy: { labels: Record<string, string> } }).deploy.labels['org.redis-swarm.tls'], 'files');
    // With TLS redis-swarm creates the password secret too: nothing is left for the user to make.
    assert.equal(rendered.secret, undefined);
    assert.ok(rendered.external?.secrets.includes('own-auth'));
    assert.ok(!rendered.yaml.includes('docker secret create'));
    assert.ok(!rendered.yaml.includes('pw-own-9') && !rendered.confText.includes('pw-own-9'));
  });

  it('refuses what deploy refuses (publishing without a password)', () => {
    assert.throws(() => renderStackFile(opts({ publishBase: 7001 })), /password/);
  });
});
