/**
 * Dedicated connections for the mover's bulk work, bare pipelined links (wireLink.ts): MIGRATE
 * may take longer than an admin command may, and the copy engine moves keys in wire form. Each
 * goes the way the admin pool reaches the node (its route and credentials).
 */
import { NotFoundError } from '../../errors';
import { type AdminPool, type NodeAccess } from '../../redis/adminConnection';
import { type ClusterNode } from '../../cluster/topology';
import { WireLink } from '../../redis/wireLink';

export class BulkConnections {
  private readonly links = new Map<string, Promise<WireLink>>();
  private readonly closedLinks = new Set<string>();

  constructor(
    private readonly pool: AdminPool,
    private readonly nodes: ReadonlyMap<string, ClusterNode>,
    /** No reply byte for this long fails a link (ms). */
    private readonly timeoutMs: number,
  ) {}

  /** The shared link to a node, or with `lane` one of its dedicated ones. */
  get(id: string, lane?: string): Promise<WireLink> {
    const key = lane === undefined ? id : `${id}#${lane}`;
    let c = this.links.get(key);
    // A link closed by a budget overrun or a broken socket is replaced on the next use.
    if (c && this.closedLinks.has(key)) c = undefined;
    if (!c) {
      this.closedLinks.delete(key);
      c = this.open(id);
      c.then((l) => l.onClose(() => this.closedLinks.add(key)), () => this.closedLinks.add(key));
      this.links.set(key, c);
    }
    return c;
  }

  /** How the admin pool reaches and logs in to a node. */
  async access(id: string): Promise<NodeAccess> {
    return this.pool.access(this.node(id).endpoint);
  }

  async close(): Promise<void> {
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all(links.map((c) => c.then((l) => l.close(), () => undefined)));
  }

  private async open(id: string): Promise<WireLink> {
    const node = this.node(id);
    const access = await this.pool.access(node.endpoint);
    return WireLink.open({
      announced: node.endpoint,
      target: access.route.target,
      tls: access.route.tls,
      username: access.username,
      password: access.password,
      timeoutMs: this.timeoutMs,
    });
  }

  private node(id: string): ClusterNode {
    const node = this.nodes.get(id);
    if (!node) throw new NotFoundError(`Node ${id.slice(0, 8)} is not in the cluster.`);
    return node;
  }
}
