/**
 * Local Redis images. A node needs Redis 7 or later: cluster-announce-hostname and
 * cluster-preferred-endpoint-type (which let redirects name `redis-3`) arrived in 7.0.
 */
import Docker from 'dockerode';

export const MIN_CLUSTER_REDIS_MAJOR = 7;

export interface RedisImage {
  readonly tag: string;
  readonly id: string;
  /** From the image's REDIS_VERSION env (set by the official image and by our test image). */
  readonly redisVersion?: string;
  readonly clusterReady: boolean | 'unknown';
  readonly sizeBytes: number;
}

export async function listRedisImages(docker: Docker): Promise<RedisImage[]> {
  const images = await docker.listImages();
  const tags = images.flatMap((img) =>
    (img.RepoTags ?? [])
      .filter((t) => t !== '<none>:<none>' && /redis/i.test(t.split(':')[0] ?? ''))
      .map((tag) => ({ tag, img })),
  );
  return Promise.all(
    tags.map(async ({ tag, img }) => {
      const redisVersion = await imageRedisVersion(docker, img.Id);
      return {
        tag,
        id: img.Id,
        ...(redisVersion ? { redisVersion } : {}),
        clusterReady: redisVersion ? majorOf(redisVersion) >= MIN_CLUSTER_REDIS_MAJOR : 'unknown',
        sizeBytes: img.Size,
      } satisfies RedisImage;
    }),
  );
}

/**
 * The images to offer, those known to run Redis 7 or later first, and the one to preselect:
 * `wanted` when it is known to be ready, else the first ready one, else none (an image whose
 * Redis version is unknown is offered, never chosen for the user).
 */
export function imageChoices(images: readonly RedisImage[], wanted: string): { list: RedisImage[]; preselect?: string } {
  const rank = (i: RedisImage): number => (i.clusterReady === true ? 0 : i.clusterReady === 'unknown' ? 1 : 2);
  const list = [...images].sort((x, y) => rank(x) - rank(y));
  const ready = list.filter((i) => i.clusterReady === true);
  const preselect = ready.find((i) => i.tag === wanted)?.tag ?? ready[0]?.tag;
  return { list, ...(preselect !== undefined ? { preselect } : {}) };
}

/** Whether an image reference is present locally (no registry is asked). */
export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

async function imageRedisVersion(docker: Docker, id: string): Promise<string | undefined> {
  const info = await docker.getImage(id).inspect();
  const env = info.Config?.Env ?? [];
  const entry = env.find((e) => e.startsWith('REDIS_VERSION='));
  return entry?.slice('REDIS_VERSION='.length);
}

function majorOf(version: string): number {
  return Number(version.split('.')[0]) || 0;
}
