/**
 * A TLS engine (`tcp://…:2376` with DOCKER_TLS_VERIFY, or a context with certificates) fails in
 * a handful of ways that Node reports as OpenSSL codes; each gets the rest of one sentence that
 * says which side refused what. The client certificate's dates are checked before connecting,
 * so an expired one is named with its file and date instead of the engine's bare alert.
 */
import { X509Certificate } from 'node:crypto';

const SERVER_NOT_TRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/** The engine's answer to our client certificate, as the alert OpenSSL reports on our side. */
const CLIENT_REFUSED = /^ERR_SSL_(SSLV3_ALERT_BAD_CERTIFICATE|TLSV1_ALERT_UNKNOWN_CA|TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_CERTIFICATE_EXPIRED|SSLV3_ALERT_CERTIFICATE_UNKNOWN|TLSV1_ALERT_DECRYPT_ERROR|TLSV1_ALERT_ACCESS_DENIED)$/;

/** "refused …" / "presented …": the predicate of a sentence whose subject is the engine; undefined when err is no TLS failure. */
export function tlsFailure(err: unknown, offeredClientCert = true): string | undefined {
  const e = err as { code?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : '';
  if (SERVER_NOT_TRUSTED.has(code)) {
    return 'presented a certificate that your ca.pem does not vouch for (another CA, or the wrong DOCKER_CERT_PATH): use the CA that signed the engine\'s certificate.';
  }
  if (code === 'CERT_HAS_EXPIRED') return 'presented an expired server certificate: renew the engine\'s certificate.';
  if (code === 'CERT_NOT_YET_VALID') return 'presented a server certificate that is not valid yet: check the clocks of both machines.';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return 'presented a certificate issued for other names than the address you used: connect by a name or IP address the certificate lists.';
  }
  if (CLIENT_REFUSED.test(code)) {
    return code.includes('EXPIRED')
      ? 'refused the client certificate as expired: issue a new cert.pem.'
      : code.includes('REQUIRED') || !offeredClientCert
        ? 'requires a client certificate and none was offered: put cert.pem and key.pem in DOCKER_CERT_PATH (or the context).'
        : 'refused the client certificate (not signed by the CA it trusts): use a cert.pem issued by the engine\'s CA.';
  }
  if (code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(message)) {
    return 'does not speak TLS on that port (a plain tcp:// engine?): unset DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, or use the engine\'s TLS port.';
  }
  return undefined;
}

/** A client certificate outside its validity dates, said with its file; undefined when fine or absent. */
export function clientCertificateProblem(cert: Buffer | undefined, file: string | undefined, now: Date = new Date()): string | undefined {
  if (!cert) return undefined;
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return `The client certificate ${file ?? ''} is not a PEM certificate: replace it with the cert.pem issued for you.`.replace('  ', ' ');
  }
  const name = file ?? 'cert.pem';
  const until = new Date(x509.validTo);
  const from = new Date(x509.validFrom);
  if (until.getTime() < now.getTime()) {
    return `The client certificate ${name} expired on ${until.toISOString().slice(0, 10)}: ask for a new one from the engine's CA.`;
  }
  if (from.getTime() > now.getTime()) {
    return `The client certificate ${name} is valid only from ${from.toISOString()}: check this machine's clock.`;
  }
  return undefined;
}
