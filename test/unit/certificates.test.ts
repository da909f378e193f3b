/**
 * Certificates made with node:crypto alone: a CA, node certificates signed by it with the
 * names nodes announce as subject alternative names, expiry read back, and the TLS options the
 * routes use (the name checked is the node's announced one, not the 127.0.0.1 of a tunnel).
 * Parsed back with Node's X509Certificate (OpenSSL), never with our own writer's logic.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateExpiry, checkCertifiedKey, createCa, issueCertificate } from '../../src/core/tls/certificates';
import { tlv } from '../../src/core/tls/der';
import { tlsConnectOptions } from '../../src/core/tls/clientTls';
import { loadTlsFlags } from '../../src/core/tls/tlsFiles';
import { isBadInputError } from '../../src/core/errors';

const DAY_MS = 24 * 60 * 60_000;
const ca = createCa('unit');

describe('certificates', () => {
  it('a CA is a self-signed CA certificate whose key matches it', () => {
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, true, 'basicConstraints should say CA');
    assert.ok(cert.verify(cert.publicKey), 'a CA signs itself');
    assert.ok(cert.checkPrivateKey(createPrivateKey(ca.keyPem)));
    assert.match(cert.subject, /CN=redis-swarm CA for unit/);
  });

  it('a node certificate is signed by the CA and names every announced name, hosts as DNS and addresses as IP', () => {
    const node = issueCertificate(ca, 'cache-3', ['cache-3', '192.0.2.7', '2001:db8::1', 'localhost']);
    const cert = new X509Certificate(node.certPem);
    assert.equal(cert.ca, false);
    assert.ok(cert.verify(new X509Certificate(ca.certPem).publicKey), 'the CA should have signed it');
    assert.equal(cert.issuer, new X509Certificate(ca.certPem).subject, 'the issuer is the CA subject');
    assert.equal(cert.checkHost('cache-3'), 'cache-3');
    assert.equal(cert.checkHost('cache-4'), undefined, 'a name not given is not covered');
    assert.equal(cert.checkIP('192.0.2.7'), '192.0.2.7');
    assert.ok(cert.checkIP('2001:db8::1') !== undefined, 'the IPv6 address is covered');
    assert.match(cert.subjectAltName ?? '', /IP Address:2001:DB8:0:0:0:0:0:1/i);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'servers and clients (bus, replication) alike');
    checkCertifiedKey(node, ca.certPem, 'node cache-3');
  });

  it('expiry is read back as a date; a node certificate never outlives its CA', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const shortCa = createCa('short', now, 10);
    const node = issueCertificate(shortCa, 'n', ['n'], now, 365);
    assert.equal(certificateExpiry(shortCa.certPem).getTime(), now.getTime() + 10 * DAY_MS);
    assert.equal(certificateExpiry(node.certPem).getTime(), now.getTime() + 10 * DAY_MS, 'clamped to the CA');
    const lateNow = new Date('2049-12-31T00:00:00Z');
    const late = issueCertificate(createCa('late', lateNow), 'n', ['n'], lateNow, 2);
    assert.equal(certificateExpiry(late.certPem).toISOString(), '2050-01-02T00:00:00.000Z', 'GeneralizedTime from 2050 on');
  });

  it('refuses a key that is not the certificate\'s, a certificate another CA signed, and names a certificate cannot hold', () => {
    const a = issueCertificate(ca, 'a', ['a']);
    const b = issueCertificate(ca, 'b', ['b']);
    assert.throws(() => checkCertifiedKey({ certPem: a.certPem, keyPem: b.keyPem }, ca.certPem, 'node a'), (e: unknown) => isBadInputError(e) && /key does not belong/.test((e as Error).message));
    assert.throws(() => checkCertifiedKey(a, createCa('other').certPem, 'node a'), (e: unknown) => isBadInputError(e) && /not signed by the CA/.test((e as Error).message));
    assert.throws(() => issueCertificate(ca, 'x', ['bad name']), (e: unknown) => isBadInputError(e));
    assert.throws(() => issueCertificate(ca, 'x', []), (e: unknown) => isBadInputError(e));
  });

  it('DER lengths use the long form past 127 bytes', () => {
    assert.deepEqual([...tlv(4, Buffer.alloc(127)).subarray(0, 2)], [4, 127]);
    assert.deepEqual([...tlv(4, Buffer.alloc(128)).subarray(0, 3)], [4, 0x81, 128]);
    assert.deepEqual([...tlv(4, Buffer.alloc(300)).subarray(0, 4)], [4, 0x82, 1, 44]);
  });
});

describe('client TLS options', () => {
  const node = issueCertificate(ca, 'cache-2', ['cache-2']);
  const peer = new X509Certificate(node.certPem).toLegacyObject();

  it('checks the node\'s announced name, not the loopback address the socket goes to, and sends it as SNI', () => {
    const o = tlsConnectOptions({ client: { ca: [ca.certPem] }, serverName: 'cache-2' });
    assert.equal(o.servername, 'cache-2');
    assert.equal(o.rejectUnauthorized, true);
    assert.equal(o.checkServerIdentity?.('127.0.0.1', peer), undefined, 'cache-2 is what the certificate names');
    const other = tlsConnectOptions({ client: { ca: [ca.certPem] }, serverName: 'cache-9' });
    assert.ok(other.checkServerIdentity?.('127.0.0.1', peer) instanceof Error, 'another node\'s name must not pass');
  });

  it('--sni replaces the name; an address is checked but never sent as SNI; --insecure checks nothing', () => {
    assert.equal(tlsConnectOptions({ client: { sni: 'cache-2' }, serverName: '192.0.2.9' }).servername, 'cache-2');
    assert.equal(tlsConnectOptions({ client: {}, serverName: '192.0.2.9' }).servername, undefined);
    assert.equal(tlsConnectOptions({ client: { insecure: true }, serverName: 'x' }).rejectUnauthorized, false);
  });

  it('reads redis-cli\'s flags with hiredis\'s reasons for files it cannot use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-swarm-unit-tls-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), ca.certPem);
      writeFileSync(join(dir, 'n.crt'), node.certPem);
      writeFileSync(join(dir, 'n.key'), node.keyPem);
      const ok = loadTlsFlags({ cacert: join(dir, 'ca.crt'), cert: join(dir, 'n.crt'), key: join(dir, 'n.key') });
      assert.equal(ok.setupError, undefined);
      assert.deepEqual(ok.ca, [ca.certPem]);
      assert.equal(ok.key, node.keyPem);
      assert.equal(loadTlsFlags({ cacert: join(dir, 'none') }).setupError, 'Invalid CA Certificate File/Directory');
      assert.equal(loadTlsFlags({ cert: join(dir, 'none'), key: join(dir, 'n.key') }).setupError, 'Invalid client certificate');
      assert.equal(loadTlsFlags({ cert: join(dir, 'n.crt'), key: join(dir, 'ca.crt') }).setupError, 'Invalid private key');
      assert.equal(loadTlsFlags({ cert: join(dir, 'n.crt') }).cert, undefined, 'a certificate without its key is not used, as in hiredis');
      assert.deepEqual(loadTlsFlags({ cacertdir: dir }).ca, [], 'a CA directory is read through hashed names only');
      assert.equal(loadTlsFlags({}).ca, undefined, 'no CA flag: the default roots');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
