/**
 * Reads every node's load: one `INFO` per node per round over the pool's one connection per
 * node, at most MAX_PARALLEL nodes at a time, a round never overlapping the previous one, and
 * `SLOWLOG GET` only every SLOWLOG_EVERY rounds. The caller decides when to poll (only while a
 * view shows the figures); nothing here runs by itself.
 */
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { LoadHistory, loadFromInfo, type NodeLoad, parseSlowlog } from './nodeLoad';

/** INFO sections the figures come from (Redis 7 takes several at once). */
export const INFO_SECTIONS = ['clients', 'memory', 'stats', 'replication', 'keyspace'] as const;
/** Nodes asked at the same time: a 600-node cluster is read in waves, not all at once. */
export const MAX_PARALLEL = 16;
/** Slowlog entries kept per node, read every SLOWLOG_EVERY rounds. */
export const SLOWLOG_ENTRIES = 5;
export const SLOWLOG_EVERY = 5;
/** Samples kept per node: 150 at 2 s is five minutes of chart. */
export const HISTORY_SAMPLES = 150;

export interface CommandPool {
  command(endpoint: Endpoint, args: readonly (string | number)[]): Promise<unknown>;
}

export class LoadPoller {
  private readonly histories = new Map<string, LoadHistory>();
  private round = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  history(endpoint: Endpoint): LoadHistory | undefined {
    return this.histories.get(formatEndpoint(endpoint));
  }

  latest(endpoint: Endpoint): NodeLoad | undefined {
    return this.history(endpoint)?.latest;
  }

  /** One round over `endpoints`; a call while a round runs joins it. Errors per node are returned, not thrown. */
  poll(pool: CommandPool, endpoints: readonly Endpoint[]): Promise<void> {
    if (!this.running) {
      this.running = this.readAll(pool, endpoints).finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  /** Forgets nodes no longer polled (removed, or their cluster is gone). */
  keepOnly(endpoints: readonly Endpoint[]): void {
    const keep = new Set(endpoints.map(formatEndpoint));
    for (const k of [...this.histories.keys()]) if (!keep.has(k)) this.histories.delete(k);
  }

  private async readAll(pool: CommandPool, endpoints: readonly Endpoint[]): Promise<void> {
    const withSlowlog = this.round++ % SLOWLOG_EVERY === 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < endpoints.length) {
        const ep = endpoints[next++] as Endpoint;
        try {
          const info = await pool.command(ep, ['INFO', ...INFO_SECTIONS]);
          const text = Buffer.isBuffer(info) ? info.toString('utf8') : String(info);
          const slowlog = withSlowlog ? parseSlowlog(await pool.command(ep, ['SLOWLOG', 'GET', SLOWLOG_ENTRIES])) : this.latest(ep)?.slowlog;
          const key = formatEndpoint(ep);
          let h = this.histories.get(key);
          if (!h) {
            h = new LoadHistory(HISTORY_SAMPLES);
            this.histories.set(key, h);
          }
          h.add(loadFromInfo(text, this.now(), slowlog));
        } catch {
          // A node that does not answer keeps its last figures; the tree shows why it is down.
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL, endpoints.length) }, worker));
  }
}
