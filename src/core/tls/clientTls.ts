/**
 * How redis-swarm speaks TLS to a node. The Router decides this with the route (a TLS cluster's
 * every route is TLS), so each path that opens a socket (admin pool, REPL, the mover's bulk
 * links, the lock) gets it from one place. Tunnels and published ports carry the TLS bytes end
 * to end: the handshake is between this process and redis-server, and the name checked is the
 * node's announced name, not the 127.0.0.1 the socket really goes to.
 */
import { type ConnectionOptions, checkServerIdentity } from 'node:tls';
import { isIP } from 'node:net';

/** The client side of TLS, as the user (redis-cli's flags) or the cluster's deploy gives it. */
export interface TlsClientConfig {
  /** Trusted CA certificates (PEM); absent: Node's built-in roots, as redis-cli uses the system's. */
  readonly ca?: readonly string[];
  /** The client certificate and key (PEM), for nodes with `tls-auth-clients yes` (Redis's default). */
  readonly cert?: string;
  readonly key?: string;
  /** `--sni`: the server name to send (and check) instead of the node's. */
  readonly sni?: string;
  /** `--insecure`: no check of the node's certificate at all. */
  readonly insecure?: boolean;
  /**
   * Why the user's TLS files cannot be used ("Invalid CA Certificate File/Directory"). redis-cli
   * builds its TLS context at each connection attempt and says so each time, so this is carried
   * to the connection rather than refused up front.
   */
  readonly setupError?: string;
}

/** TLS on one route: the client config and the name the node's certificate must carry. */
export interface RouteTls {
  readonly client: TlsClientConfig;
  /**
   * The node's name: the announced host name, or for a swarm node announced by its overlay IP
   * the service name (its certificate cannot list an IP that changes with every task).
   */
  readonly serverName: string;
}

/** Options for tls.connect to a node over `route` (host and port are the caller's). */
export function tlsConnectOptions(tls: RouteTls): ConnectionOptions {
  const { client } = tls;
  const name = client.sni ?? tls.serverName;
  return {
    ...(client.ca ? { ca: [...client.ca] } : {}),
    ...(client.cert !== undefined ? { cert: client.cert } : {}),
    ...(client.key !== undefined ? { key: client.key } : {}),
    // SNI takes host names only (RFC 6066 3); an address is checked but not sent.
    ...(isIP(name) === 0 ? { servername: name } : {}),
    rejectUnauthorized: client.insecure !== true,
    // The socket goes to 127.0.0.1 (a tunnel or a published port): check the node's own name.
    checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
  };
}

/**
 * The short text redis-cli (hiredis) shows for a TLS failure while connecting, or undefined when
 * the error is not one of TLS's. hiredis says "SSL_connect failed: " and OpenSSL's reason.
 */
export function tlsErrorText(err: NodeJS.ErrnoException): string | undefined {
  const code = err.code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `SSL_connect failed: certificate verify failed (${err.message})`;
  if (/CERT|SELF_SIGNED|UNABLE_TO|VERIFY/.test(code)) return 'SSL_connect failed: certificate verify failed';
  if (code.startsWith('ERR_SSL_')) return `SSL_connect failed: ${err.message.replace(/^.*?:SSL routines:[^:]*:/, '').replace(/:.*$/, '')}`;
  return undefined;
}

/** When a node's certificate expires, as Node reports a peer certificate's `valid_to`. */
export function peerCertificateExpiry(validTo: string | undefined): Date | undefined {
  if (!validTo) return undefined;
  const d = new Date(validTo);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
