/**
 * Shards (a master and its replicas) formed by host, for create when redis-cli's own layout
 * leaves replicas sharing a host that a different choice would keep apart. redis-cli fixes the
 * masters first (one per host in turn) and only swaps replicas between them; with uneven hosts
 * (5 nodes on one swarm node, 3 on another, 1 on a third) the masters it fixed can force a
 * replica beside its master. Here the nodes are dealt out to the shards host by host, largest
 * host first, so a host's nodes land in different shards as long as there are shards enough;
 * each shard's master is a node alone on its host within the shard; then pairs of nodes are
 * swapped between shards while that lowers the score (a bounded hill climb).
 *
 * The score is redis-cli's (clusterManagerGetAntiAffinityScore): per shard and host, 10000 per
 * replica beside the master, or the number of replicas when only replicas share it.
 */

/** One shard: input indexes of its master and its replicas. */
export interface HostGroup {
  readonly master: number;
  readonly replicas: readonly number[];
}

/** Bound on improving passes of the hill climb (each pass tries every pair once). */
const MAX_PASSES = 50;

/**
 * `keys[i]` is node i's host; `sizes[k]` how many nodes shard k has (1 + its replicas). The
 * sizes must add up to keys.length. Returns the shards in the order of `sizes`.
 */
export function groupByHost(keys: readonly string[], sizes: readonly number[]): HostGroup[] {
  const members = deal(keys, sizes);
  climb(keys, members);
  // Masters spread over hosts: each shard's master on the host with the fewest masters so far.
  const masters = new Map<string, number>();
  return members.map((m) => {
    const master = bestMaster(keys, m, masters);
    masters.set(keys[master] as string, (masters.get(keys[master] as string) ?? 0) + 1);
    return { master, replicas: m.filter((i) => i !== master) };
  });
}

/** Host by host (the most nodes first), one node per shard in turn, skipping full shards. */
function deal(keys: readonly string[], sizes: readonly number[]): number[][] {
  const byHost = new Map<string, number[]>();
  keys.forEach((k, i) => byHost.set(k, [...(byHost.get(k) ?? []), i]));
  const order = [...byHost.values()].sort((a, b) => b.length - a.length).flat();
  const members: number[][] = sizes.map(() => []);
  let k = 0;
  for (const i of order) {
    while ((members[k] as number[]).length >= (sizes[k] as number)) k = (k + 1) % sizes.length;
    (members[k] as number[]).push(i);
    k = (k + 1) % sizes.length;
  }
  return members;
}

/** The shard's score with its best master (redis-cli's formula). */
export function shardScore(keys: readonly string[], members: readonly number[]): number {
  const counts = hostCounts(keys, members);
  const alone = [...counts.values()].some((c) => c === 1);
  let score = 0;
  let masterPlaced = alone;
  // With no host alone in the shard, the master goes where it costs least: the smallest group.
  const smallest = Math.min(...counts.values());
  for (const c of counts.values()) {
    if (c < 2) continue;
    if (!masterPlaced && c === smallest) {
      score += 10000 * (c - 1);
      masterPlaced = true;
    } else score += c;
  }
  return score;
}

function hostCounts(keys: readonly string[], members: readonly number[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of members) counts.set(keys[i] as string, (counts.get(keys[i] as string) ?? 0) + 1);
  return counts;
}

/** Swaps two nodes of different shards (and hosts) while the total score drops. */
function climb(keys: readonly string[], members: number[][]): void {
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let improved = false;
    for (let a = 0; a < members.length; a++) {
      for (let b = a + 1; b < members.length; b++) {
        const A = members[a] as number[];
        const B = members[b] as number[];
        for (let x = 0; x < A.length; x++) {
          for (let y = 0; y < B.length; y++) {
            const i = A[x] as number;
            const j = B[y] as number;
            if (keys[i] === keys[j]) continue;
            const before = shardScore(keys, A) + shardScore(keys, B);
            A[x] = j;
            B[y] = i;
            if (shardScore(keys, A) + shardScore(keys, B) < before) improved = true;
            else {
              A[x] = i;
              B[y] = j;
            }
          }
        }
      }
    }
    if (!improved) return;
  }
}

/** A node alone on its host in the shard, on the host with the fewest masters; lowest index on a tie. */
function bestMaster(keys: readonly string[], members: readonly number[], masters: ReadonlyMap<string, number>): number {
  const counts = hostCounts(keys, members);
  const cost = (i: number): [number, number, number] => [counts.get(keys[i] as string) as number, masters.get(keys[i] as string) ?? 0, i];
  return [...members].sort((p, q) => {
    const [a, b] = [cost(p), cost(q)];
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  })[0] as number;
}
