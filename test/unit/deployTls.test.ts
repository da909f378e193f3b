/**
 * TLS in deploy's plan, pure: the redis.conf of a TLS cluster, one certificate per node naming
 * its service, the user's certificate refused when it does not name every node, the mounts a
 * rotated or added node gets, and the node files redis-swarm reads back as its client settings.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { DEPLOY_DEFAULTS } from '../../src/core/swarm/deployOptions';
import { planDeploy } from '../../src/core/swarm/deploy';
import { TLS_CERT_PATH, TLS_KEY_SECRET_FILE, planTls } from '../../src/core/swarm/deployTls';
import { keepCaObjects } from '../../src/core/swarm/destroy';
import { withNodeTls } from '../../src/core/swarm/nodeTls';
import { parseNodeTlsFiles } from '../../src/core/swarm/clusterTls';
import { createCa, issueCertificate } from '../../src/core/tls/certificates';
import { isBadInputError } from '../../src/core/errors';

describe('deploy --tls, planned', () => {
  it('nodes listen for TLS only, on the bus and for replication too, with client certificates required', () => {
    const plan = planDeploy({ ...DEPLOY_DEFAULTS, network: 'sec-net', name: 'sec', tls: { source: 'generate' } });
    const conf = plan.configText.split('\n');
    for (const line of ['port 0', 'tls-port 6379', 'tls-cluster yes', 'tls-replication yes', 'tls-auth-clients yes', `tls-key-file /run/secrets/${TLS_KEY_SECRET_FILE}`]) {
      assert.ok(conf.includes(line), `redis.conf should say "${line}"`);
    }
    assert.ok(!conf.includes('port 6379'), 'no plain-text port');
    assert.ok(!plan.configText.includes('PRIVATE KEY'), 'no key in the config');
  });

  it('a generated CA signs one certificate per node, naming the service the node announces', () => {
    const tls = planTls('sec', ['sec-1', 'sec-2', 'sec-3'], { source: 'generate' });
    assert.equal(tls.nodes.size, 3);
    assert.ok(tls.caKeyPem?.includes('PRIVATE KEY'));
    assert.equal(tls.caKeySecret, 'sec-tls-ca-key');
    const ca = new X509Certificate(tls.caPem);
    for (const [service, n] of tls.nodes) {
      const cert = new X509Certificate(n.pair.certPem);
      assert.equal(cert.checkHost(service), service);
      assert.ok(cert.verify(ca.publicKey));
      assert.match(n.certConfig, new RegExp(`^${service}-tls-cert-[0-9a-f]{10}$`));
      assert.match(n.keySecret, new RegExp(`^${service}-tls-key-[0-9a-f]{10}$`));
    }
  });

  it('the user\'s certificate must name every node (or match them with a wildcard), and be the key\'s and the CA\'s', () => {
    const ca = createCa('user');
    const some = issueCertificate(ca, 'x', ['sec-1', 'sec-2']);
    assert.throws(
      () => planTls('sec', ['sec-1', 'sec-2', 'sec-3'], { source: 'files', certPem: some.certPem, keyPem: some.keyPem, caPem: ca.certPem }),
      (e: unknown) => isBadInputError(e) && /does not name sec-3/.test((e as Error).message),
    );
    const all = issueCertificate(ca, 'x', ['sec-1', 'sec-2', 'sec-3']);
    const plan = planTls('sec', ['sec-1', 'sec-2', 'sec-3'], { source: 'files', certPem: all.certPem, keyPem: all.keyPem, caPem: ca.certPem });
    assert.equal(plan.caKeyPem, undefined, 'no CA key is known for the user\'s certificate');
    assert.throws(() => planTls('sec', ['sec-1'], { source: 'files', certPem: all.certPem, keyPem: some.keyPem, caPem: ca.certPem }), (e: unknown) => isBadInputError(e));
  });

  it('a new certificate replaces exactly the node\'s certificate and key mounts', () => {
    const mounts = {
      Configs: [
        { File: { Name: '/usr/local/etc/redis/redis.conf' }, ConfigID: 'c0', ConfigName: 'conf' },
        { File: { Name: TLS_CERT_PATH }, ConfigID: 'c1', ConfigName: 'old-cert' },
      ],
      Secrets: [
        { File: { Name: 'sec-auth' }, SecretID: 's0', SecretName: 'sec-auth' },
        { File: { Name: TLS_KEY_SECRET_FILE }, SecretID: 's1', SecretName: 'old-key' },
      ],
    };
    const next = withNodeTls(mounts, { config: { name: 'new-cert', id: 'c2' }, secret: { name: 'new-key', id: 's2' } });
    assert.deepEqual(next.Configs?.map((c) => c.ConfigName), ['conf', 'new-cert']);
    assert.deepEqual(next.Secrets?.map((s) => s.SecretName), ['sec-auth', 'new-key']);
  });

  it('reads a node\'s CA (a chain too), certificate and key back as the client settings', () => {
    const ca = createCa('read');
    const other = createCa('other');
    const node = issueCertificate(ca, 'n', ['n']);
    const mark = '#redis-swarm-tls-file#\n';
    const tls = parseNodeTlsFiles(`${ca.certPem}${other.certPem}${mark}${node.certPem}${mark}${node.keyPem}`, 'read');
    assert.deepEqual(tls.ca, [ca.certPem, other.certPem]);
    assert.equal(tls.cert, node.certPem);
    assert.equal(tls.key, node.keyPem);
    assert.throws(() => parseNodeTlsFiles(`${ca.certPem}${mark}${mark}`, 'read'), /incomplete/);
  });

  it('a kept CA signs the new node certificates, and its config and key secret are neither created again nor named as new', () => {
    const first = planTls('sec', ['sec-1', 'sec-2', 'sec-3'], { source: 'generate' });
    const again = planDeploy({ ...DEPLOY_DEFAULTS, network: 'sec-net', name: 'sec', nodes: 3, replicas: 0, tls: { source: 'generate' } }, { certPem: first.caPem, keyPem: first.caKeyPem ?? '' }).tls;
    assert.ok(again?.reusedCa, 'the plan says the CA is reused');
    assert.equal(again.caPem, first.caPem);
    assert.equal(again.caConfig, first.caConfig, 'same CA, same config name');
    const ca = new X509Certificate(first.caPem);
    for (const n of again.nodes.values()) assert.ok(new X509Certificate(n.pair.certPem).verify(ca.publicKey), 'signed by the kept CA');
  });

  it('destroy --keep-ca keeps exactly the CA certificate config and the CA key secret', () => {
    const kept = keepCaObjects('sec', {
      services: ['sec-1'],
      volumes: [],
      networks: ['net'],
      configs: ['sec-conf-0123456789', 'sec-tls-ca-0123456789', 'sec-1-tls-cert-0123456789', 'sec-tls-ca-extra-0123456789', 'sec2-tls-ca-0123456789'],
      secrets: ['sec-auth', 'sec-tls-ca-key', 'sec-1-tls-key-0123456789', 'sec2-tls-ca-key'],
    });
    assert.deepEqual(kept.keptCa, ['sec-tls-ca-0123456789', 'sec-tls-ca-key']);
    assert.deepEqual(kept.configs, ['sec-conf-0123456789', 'sec-1-tls-cert-0123456789', 'sec-tls-ca-extra-0123456789', 'sec2-tls-ca-0123456789']);
    assert.deepEqual(kept.secrets, ['sec-auth', 'sec-1-tls-key-0123456789', 'sec2-tls-ca-key']);
    assert.deepEqual(kept.services, ['sec-1']);
  });
});
