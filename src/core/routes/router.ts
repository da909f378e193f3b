import { NoRouteError } from '../errors';
import { type RouteTls, type TlsClientConfig } from '../tls/clientTls';
import { type Endpoint, formatEndpoint } from './endpoint';

/**
 * How the host reaches one announced endpoint. The addresses a cluster announces (an overlay
 * IP, a swarm hostname) are usually not reachable from the machine running redis-swarm, so
 * every connection the core opens goes through a Router, and the Router never tries an
 * address that is not in its table.
 */
export type RouteKind = 'direct' | 'published' | 'tunnel';

export interface Route {
  readonly kind: RouteKind;
  /** Where to connect: always an address the host can reach (loopback for published/tunnel). */
  readonly target: Endpoint;
  /** Present when the node speaks TLS: every connection over this route does a TLS handshake. */
  readonly tls?: RouteTls;
}

export interface Router {
  /** The route to an announced endpoint; throws NoRouteError naming it when there is none. */
  resolve(announced: Endpoint): Promise<Route>;
  /** Closes tunnels and listeners the router opened. */
  dispose(): Promise<void>;
}

/** Loopback addresses are always reachable directly. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Parses an IPv4 CIDR list (`10.20.0.0/16, 192.168.5.0/24`) the user declared reachable.
 * Returns a predicate on hosts.
 */
export function cidrMatcher(cidrs: readonly string[]): (host: string) => boolean {
  const nets = cidrs
    .map((c) => c.trim())
    .filter((c) => c.length > 0)
    .map((c) => {
      const [ip, bitsText] = c.split('/');
      const bits = bitsText === undefined ? 32 : Number(bitsText);
      const base = ipv4ToInt(ip ?? '');
      if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
        throw new NoRouteError(`"${c}" is not an IPv4 network like 10.20.0.0/16.`);
      }
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      return { base: (base & mask) >>> 0, mask };
    });
  return (host) => {
    const n = ipv4ToInt(host);
    return n !== undefined && nets.some((net) => ((n & net.mask) >>> 0) === net.base);
  };
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/**
 * A router over a fixed table: explicit mappings (published ports, tunnels opened in advance)
 * plus direct access to loopback and to declared networks. Used for plain `host:port` lists,
 * where the user names addresses they can reach.
 */
export class StaticRouter implements Router {
  private readonly table = new Map<string, Route>();
  private readonly direct: (host: string) => boolean;
  private readonly tls: TlsClientConfig | undefined;

  constructor(options: { reachableNetworks?: readonly string[]; reachableHosts?: readonly string[]; tls?: TlsClientConfig } = {}) {
    this.tls = options.tls;
    const nets = cidrMatcher(options.reachableNetworks ?? []);
    const hosts = new Set(options.reachableHosts ?? []);
    this.direct = (host) => isLoopbackHost(host) || hosts.has(host) || nets(host);
  }

  add(announced: Endpoint, route: Route): void {
    this.table.set(formatEndpoint(announced), route);
  }

  async resolve(announced: Endpoint): Promise<Route> {
    const route = this.table.get(formatEndpoint(announced)) ?? (this.direct(announced.host) ? { kind: 'direct' as const, target: announced } : undefined);
    if (!route) throw new NoRouteError(noRouteMessage(announced));
    // The user's TLS flags apply to every node they reach, each checked under its announced name.
    return this.tls && !route.tls ? { ...route, tls: { client: this.tls, serverName: announced.host } } : route;
  }

  async dispose(): Promise<void> {
    this.table.clear();
  }
}

export function noRouteMessage(ep: Endpoint): string {
  return (
    `No route to ${formatEndpoint(ep)}: it is not loopback, not a published port and not a ` +
    `node of a cluster on the connected swarm. Publish its port, use --cluster NAME so ` +
    `redis-swarm can tunnel through the Docker API, or declare its network reachable ` +
    `(--reachable CIDR, setting redisSwarm.reachableNetworks).`
  );
}
