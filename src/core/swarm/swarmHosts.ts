/**
 * The swarm's nodes (the machines tasks run on) as the views and placement messages name them:
 * hostname, whether swarm sees them (Ready/Down) and whether they take tasks (active, pause,
 * drain). Only a manager can list them; on a worker's engine the list is empty and every view
 * falls back to node IDs.
 */
import type Docker from 'dockerode';

export type SwarmHostState = 'ready' | 'down' | 'disconnected' | 'unknown';
export type SwarmHostAvailability = 'active' | 'pause' | 'drain';

export interface SwarmHost {
  readonly id: string;
  readonly hostname: string;
  readonly state: SwarmHostState;
  readonly availability: SwarmHostAvailability;
  readonly role: 'manager' | 'worker';
  /** Docker's own words when the node is not ready (e.g. "heartbeat failure"). */
  readonly message?: string;
}

interface NodeView {
  ID?: string;
  Description?: { Hostname?: string };
  Spec?: { Role?: string; Availability?: string };
  Status?: { State?: string; Message?: string };
}

export function toSwarmHost(n: NodeView): SwarmHost | undefined {
  if (!n.ID) return undefined;
  const state = n.Status?.State;
  const availability = n.Spec?.Availability;
  const message = n.Status?.Message;
  return {
    id: n.ID,
    hostname: n.Description?.Hostname || n.ID.slice(0, 12),
    state: state === 'ready' || state === 'down' || state === 'disconnected' ? state : 'unknown',
    availability: availability === 'pause' || availability === 'drain' ? availability : 'active',
    role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
    ...(state !== 'ready' && message ? { message } : {}),
  };
}

/** The swarm's nodes, by hostname; empty when the engine cannot list them (not a manager). */
export async function listSwarmHosts(docker: Docker): Promise<SwarmHost[]> {
  try {
    const nodes = (await docker.listNodes()) as NodeView[];
    return nodes.flatMap((n) => toSwarmHost(n) ?? []).sort((a, b) => a.hostname.localeCompare(b.hostname));
  } catch {
    // A worker's engine: "This node is not a swarm manager".
    return [];
  }
}

/** Why a swarm node takes no new tasks, in a few words; undefined when it does. */
export function hostTrouble(h: SwarmHost): string | undefined {
  if (h.state !== 'ready') return h.state === 'down' ? 'Down' : h.state === 'disconnected' ? 'Disconnected' : 'state unknown';
  if (h.availability === 'drain') return 'drained';
  if (h.availability === 'pause') return 'paused';
  return undefined;
}

/** Where a cluster's node services run, by swarm node, and what that means for its replicas. */
export interface HostSpread {
  /** Hostname (or node ID when unknown) to the services running there, fullest first. */
  readonly byHost: readonly { readonly host: string; readonly services: readonly string[] }[];
  readonly warnings: readonly string[];
}

/**
 * What deploy says once the tasks run: on how many swarm nodes they landed, and, when replicas
 * are wanted, whether the hosts are too few for a replica to live apart from its master (one
 * host) or from its siblings (fewer hosts than copies of each shard).
 */
export function hostSpread(placed: readonly { readonly service: string; readonly host: string }[], replicas: number, ready: readonly SwarmHost[]): HostSpread {
  const groups = new Map<string, string[]>();
  for (const p of placed) groups.set(p.host, [...(groups.get(p.host) ?? []), p.service]);
  const byHost = [...groups].map(([host, services]) => ({ host, services })).sort((a, b) => b.services.length - a.services.length || a.host.localeCompare(b.host));
  const usable = ready.filter((h) => hostTrouble(h) === undefined).length;
  const warnings: string[] = [];
  const idle = usable > byHost.length ? ` (${usable} swarm nodes take tasks; --constraint may have kept the others out)` : '';
  if (replicas > 0 && byHost.length === 1) {
    warnings.push(
      `Every node runs on one swarm node (${byHost[0]?.host ?? '?'})${idle}: each replica will share its master's host, so losing that host stops the cluster. ` +
        'Join more swarm nodes (or loosen --constraint) for replicas that survive a host failure.',
    );
  } else if (replicas > 0 && byHost.length < replicas + 1) {
    warnings.push(
      `The nodes run on ${byHost.length} swarm nodes${idle}, fewer than the ${replicas + 1} copies of each shard: some replicas of one master will share a host, and losing it takes them together.`,
    );
  }
  return { byHost, warnings };
}
