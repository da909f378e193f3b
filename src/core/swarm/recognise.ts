/**
 * Whether a service that no label marks is a Redis node, judged by what it runs, never by its
 * image's name: people run valkey/valkey, registry.example.com/team/cache:7 and images of their
 * own. Pure: discover.ts feeds it the service's command line, the image's defaults and, when
 * both say nothing, what the node answered to a PING.
 */

/** A Redis (or Redis-compatible) server named on a command line, even inside `sh -c "…"`. */
const SERVER = /(^|[^\w.-])(redis|valkey|keydb)-server($|[^\w.-])/i;
/** A Redis config file or a cluster setting passed to the server. */
const CONF_OR_CLUSTER = /(^|[^\w.-])(redis|valkey)\.conf($|[^\w-])|(^|[^\w-])(--)?cluster-enabled($|[^\w-])/i;

export type Verdict = 'redis' | 'unknown';

/** The command line a container of the service runs, as Docker builds it from spec and image. */
export function effectiveArgv(
  spec: { readonly Command?: readonly string[]; readonly Args?: readonly string[] },
  image?: { readonly Entrypoint?: readonly string[] | null; readonly Cmd?: readonly string[] | null },
): string[] {
  const command = spec.Command && spec.Command.length > 0 ? spec.Command : undefined;
  const args = spec.Args && spec.Args.length > 0 ? spec.Args : undefined;
  // A service's Command replaces the image's ENTRYPOINT and drops its CMD (as `docker run
  // --entrypoint` does); Args replaces only CMD.
  const entry = command ?? image?.Entrypoint ?? [];
  const rest = args ?? (command ? [] : (image?.Cmd ?? []));
  return [...entry, ...rest];
}

/**
 * 'redis' when the command line names a Redis server, a redis.conf or a cluster setting;
 * 'unknown' otherwise (a wrapper script, the image's default): the caller may ask the node.
 */
export function recogniseArgv(argv: readonly string[]): Verdict {
  return argv.some((a) => SERVER.test(a) || CONF_OR_CLUSTER.test(a)) ? 'redis' : 'unknown';
}

/**
 * The port a command line gives the server (`--port 7000`), also inside a wrapper's
 * `sh -c "exec redis-server --port 7000"`; undefined when none does (a port set in a config
 * file is not seen: label the service org.redis-swarm.port=N).
 */
export function portFromArgv(argv: readonly string[]): number | undefined {
  const m = /(?:^|\s)--port(?:\s+|=)(\d{1,5})(?:\s|$|;)/.exec(argv.join(' '));
  const port = m ? Number(m[1]) : NaN;
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

/**
 * The first line a server sent back to `PING`: a Redis-compatible server answers `+PONG`, or an
 * error such as `-NOAUTH …` (a password) or `-DENIED …` (protected mode), all in RESP.
 */
export function isRedisPingReply(line: string): boolean {
  return /^\+PONG\s*$/.test(line) || /^-[A-Z]+ /.test(line);
}
