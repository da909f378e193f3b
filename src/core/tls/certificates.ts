/**
 * A cluster's certificate authority and its node certificates, made with node:crypto alone
 * (EC P-256 keys, ECDSA with SHA-256), so deploy, add-node and rotate-certs work the same from
 * a laptop, VS Code on any OS or a CI runner, with nothing to install. Certificates are parsed
 * back with Node's own X509Certificate (tests and expiry checks), never by hand.
 */
import { X509Certificate, createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { BadInputError } from '../errors';
import { bitString, boolean, explicit, implicit, integer, octetString, oid, sequence, set, time, unsignedInteger, utf8String } from './der';

/** A certificate and its private key, both PEM. */
export interface CertifiedKey {
  readonly certPem: string;
  readonly keyPem: string;
}

/** How long a generated CA is valid: long, since replacing it means re-deploying every node. */
export const CA_VALIDITY_DAYS = 3650;
/** How long a node certificate is valid; `rotate-certs` issues fresh ones. */
export const NODE_CERT_VALIDITY_DAYS = 365;
/** Certificates start this long before now, so a node whose clock is a little behind accepts them. */
const BACKDATE_MS = 5 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** A new self-signed CA for one cluster. */
export function createCa(clusterName: string, now = new Date(), days = CA_VALIDITY_DAYS): CertifiedKey {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = distinguishedName(`redis-swarm CA for ${clusterName}`);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const certDer = signCertificate(
    {
      issuer: name,
      subject: name,
      spki,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + days * DAY_MS),
      extensions: [
        extension(OID.basicConstraints, true, sequence(boolean(true))),
        // keyCertSign (bit 5) and cRLSign (bit 6): 0000 0110, the last bit unused.
        extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)),
        extension(OID.subjectKeyId, false, octetString(keyId(spki))),
      ],
    },
    privateKey,
  );
  return { certPem: toPem('CERTIFICATE', certDer), keyPem: keyPem(privateKey) };
}

/**
 * A node certificate signed by `ca`, for TLS servers and clients alike (a node is a client of
 * the others on the cluster bus and of its master for replication). `names` become its subject
 * alternative names: host names as DNS names, addresses as IP addresses.
 */
export function issueCertificate(ca: CertifiedKey, commonName: string, names: readonly string[], now = new Date(), days = NODE_CERT_VALIDITY_DAYS): CertifiedKey {
  if (names.length === 0) throw new BadInputError(`A certificate for ${commonName} needs at least one name.`);
  const caCert = parseCertificate(ca.certPem);
  const caKey = createPrivateKey(ca.keyPem);
  const caSpki = caCert.publicKey.export({ type: 'spki', format: 'der' });
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const certDer = signCertificate(
    {
      // The CA's subject, byte for byte as it is in the CA certificate, is the issuer.
      issuer: subjectDer(caCert),
      subject: distinguishedName(commonName),
      spki,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(Math.min(now.getTime() + days * DAY_MS, new Date(caCert.validTo).getTime())),
      extensions: [
        extension(OID.basicConstraints, true, sequence()),
        // digitalSignature (bit 0): what ECDHE key exchange with an EC key needs.
        extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
        extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth))),
        extension(OID.subjectAltName, false, sequence(...unique(names).map(generalName))),
        extension(OID.subjectKeyId, false, octetString(keyId(spki))),
        extension(OID.authorityKeyId, false, sequence(implicit(0, keyId(caSpki)))),
      ],
    },
    caKey,
  );
  return { certPem: toPem('CERTIFICATE', certDer), keyPem: keyPem(privateKey) };
}

/** Parses a PEM certificate, or says in one sentence that it is not one. */
export function parseCertificate(pem: string, what = 'The certificate'): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new BadInputError(`${what} is not a PEM certificate (${err instanceof Error ? err.message : String(err)}).`);
  }
}

/** When a PEM certificate stops being valid. */
export function certificateExpiry(pem: string): Date {
  // validTo reads "Nov 30 23:05:11 2027 GMT", which Date parses (validToDate is Node 22 only).
  return new Date(parseCertificate(pem).validTo);
}

/** Checks that `pair`'s key belongs to its certificate and that `ca` signed it; throws BadInputError. */
export function checkCertifiedKey(pair: CertifiedKey, ca: string, what: string): void {
  const cert = parseCertificate(pair.certPem, `${what}'s certificate`);
  let key: KeyObject;
  try {
    key = createPrivateKey(pair.keyPem);
  } catch (err) {
    throw new BadInputError(`${what}'s key is not a PEM private key.`);
  }
  if (!cert.checkPrivateKey(key)) throw new BadInputError(`${what}'s key does not belong to its certificate.`);
  if (!cert.verify(parseCertificate(ca, 'The CA certificate').publicKey)) throw new BadInputError(`${what}'s certificate is not signed by the CA certificate.`);
}

interface TbsFields {
  readonly issuer: Buffer;
  readonly subject: Buffer;
  readonly spki: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly Buffer[];
}

function signCertificate(f: TbsFields, signer: KeyObject): Buffer {
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  // A random positive serial of 127 bits (RFC 5280 allows up to 20 octets, CAs use >= 64 random bits).
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = sequence(
    explicit(0, integer(2)), // version 3
    unsignedInteger(serial),
    algorithm,
    f.issuer,
    sequence(time(f.notBefore), time(f.notAfter)),
    f.subject,
    f.spki,
    explicit(3, sequence(...f.extensions)),
  );
  // ECDSA signatures from node:crypto are DER (r, s) by default: what X.509 carries.
  const signature = sign('sha256', tbs, signer);
  return sequence(tbs, algorithm, bitString(signature));
}

function distinguishedName(commonName: string): Buffer {
  return sequence(
    set(sequence(oid(OID.organization), utf8String('redis-swarm'))),
    set(sequence(oid(OID.commonName), utf8String(commonName))),
  );
}

/** The subject Name of a parsed certificate as DER, cut out of its raw bytes. */
function subjectDer(cert: X509Certificate): Buffer {
  // Certificate ::= SEQ { tbs SEQ { [0] version, serial, sigAlg, issuer, validity, subject, ... } }
  const tbs = children(children(cert.raw)[0] as Buffer);
  const subject = tbs[5];
  if (!subject) throw new BadInputError('The CA certificate has no subject.');
  return subject;
}

/** The elements inside a constructed DER element (each returned whole, tag and length included). */
function children(der: Buffer): Buffer[] {
  const { headerLength, length } = header(der, 0);
  const out: Buffer[] = [];
  let at = headerLength;
  while (at < headerLength + length) {
    const h = header(der, at);
    out.push(der.subarray(at, at + h.headerLength + h.length));
    at += h.headerLength + h.length;
  }
  return out;
}

function header(der: Buffer, at: number): { headerLength: number; length: number } {
  const first = der[at + 1] ?? 0;
  if (first < 0x80) return { headerLength: 2, length: first };
  const n = first & 0x7f;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + (der[at + 2 + i] ?? 0);
  return { headerLength: 2 + n, length };
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function generalName(name: string): Buffer {
  const family = isIP(name);
  if (family === 4) return implicit(7, Buffer.from(name.split('.').map(Number)));
  if (family === 6) return implicit(7, ipv6Bytes(name));
  // dNSName is an IA5String: ASCII only, as are the names Redis accepts for announcing.
  if (!/^[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name)) throw new BadInputError(`"${name}" is not a host name or IP address a certificate can name.`);
  return implicit(2, Buffer.from(name, 'ascii'));
}

function ipv6Bytes(addr: string): Buffer {
  const [head = '', tail = ''] = addr.split('::');
  const words = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = words(head);
  const t = addr.includes('::') ? words(tail) : [];
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(parseInt(w, 16), i * 2));
  return out;
}

/** A key identifier: the SHA-1 of the subject public key info (RFC 7093 allows any such hash). */
function keyId(spki: Buffer): Buffer {
  return createHash('sha1').update(spki).digest();
}

function keyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
