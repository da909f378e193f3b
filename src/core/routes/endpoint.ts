import { BadInputError } from '../errors';

/** A host and port as Redis names them (`CLUSTER NODES`, MOVED replies, user input). */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export function formatEndpoint(ep: Endpoint): string {
  // IPv6 literals are bracketed only when they would be ambiguous; redis-cli prints `ip:port`
  // with the raw address, and so do we.
  return `${ep.host}:${ep.port}`;
}

/** Parses `host:port` (the last colon separates the port, so `::1:7000` works as redis-cli's). */
export function parseEndpoint(text: string): Endpoint {
  const at = text.lastIndexOf(':');
  if (at <= 0 || at === text.length - 1) {
    throw new BadInputError(`"${text}" is not host:port (for example 127.0.0.1:7000).`);
  }
  const host = text.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const port = Number(text.slice(at + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new BadInputError(`"${text}" has no valid port (1-65535).`);
  }
  return { host, port };
}

export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return a.host === b.host && a.port === b.port;
}
