import { BadInputError } from '../../core/errors';
import { openClusterAccess } from '../../core/swarm/clusterAccess';
import { runningNodes } from '../../core/swarm/discover';
import { type Tunnel } from '../../core/swarm/tunnel';
import { flagBoolean, flagNumber, flagString, parseArgs } from '../args';
import { type Verb } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';
import { flagServices, servicesFlag } from './servicesFlag';

/** Ports below 1024 are privileged, and port 0 would mean "any port" to the system. */
const MIN_FORWARD_PORT = 1024;

const flags = {
  ...dockerFlags,
  cluster: { kind: 'string', valueName: 'name', description: 'The cluster whose nodes to forward.' },
  services: servicesFlag,
  base: { kind: 'number', valueName: 'port', description: 'Forward node i to 127.0.0.1:base+i-1 (default: free ports).', range: { min: MIN_FORWARD_PORT, max: 65535 } },
  json: { kind: 'boolean', description: 'Print the mapping as one JSON object once every port is open.' },
} as const;

export const portForwardVerb: Verb = {
  name: 'port-forward',
  summary: 'Open a local port per node, tunnelled through the Docker API, until Ctrl+C.',
  usage: 'port-forward --cluster NAME [--services a,b,c] [--base PORT]',
  flags,
  async run(argv, io) {
    const args = parseArgs(argv, flags);
    const name = flagString(args, 'cluster');
    if (!name) throw new BadInputError('Name the cluster: redis-swarm port-forward --cluster NAME.');
    const base = flagNumber(args, 'base');
    const access = await openClusterAccess(name, { ...engineOptions(args, io.env), services: flagServices(args) });
    const last = base !== undefined ? base + Math.max(0, ...access.cluster.nodes.map((n) => n.index)) - 1 : undefined;
    if (base !== undefined && last !== undefined && last > 65535) {
      await access.dispose();
      throw new BadInputError(`--base ${base} with ${last - base + 1} nodes runs past port 65535; use a base of at most ${65535 - (last - base)}.`);
    }
    const json = flagBoolean(args, 'json');
    const mapping: { node: string; local: string }[] = [];
    const tunnels: Tunnel[] = [];
    let keepAlive: NodeJS.Timeout | undefined;
    try {
      for (const node of runningNodes(access.cluster)) {
        // The router's hop: the node's own container, or a relay on the connected node for a node on another host.
        const t = await access.router.tunnelTo(node, base !== undefined ? base + node.index - 1 : undefined);
        tunnels.push(t);
        mapping.push({ node: `${node.service}:${node.port}`, local: `127.0.0.1:${t.local.port}` });
        if (!json) io.stdout.write(`${node.service}:${node.port} -> 127.0.0.1:${t.local.port}\n`);
      }
      if (json) io.stdout.write(JSON.stringify({ cluster: name, forwards: mapping }) + '\n');
      io.stderr.write('Forwarding; press Ctrl+C to stop.\n');
      // The tunnels' listeners are unref'd (they must not keep other verbs alive); this one
      // verb exists to keep them open, so it holds the process until Ctrl+C.
      keepAlive = setInterval(() => undefined, 60_000);
      await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
      return 0;
    } finally {
      if (keepAlive) clearInterval(keepAlive);
      await Promise.all(tunnels.map((t) => t.close()));
      await access.dispose();
    }
  },
};
