/**
 * Local Redis images. A node needs Redis 7 or later: cluster-announce-hostname and
 * cluster-preferred-endpoint-type (which let redirects name `redis-3`) arrived in 7.0.
 */
import type Docker from 'dockerode';
import { recogniseArgv } from '../swarm/recognise';

export const MIN_CLUSTER_REDIS_MAJOR = 7;

export interface RedisImage {
  readonly tag: string;
  readonly id: string;
  /** From the image's REDIS_VERSION env (the official image, our test image) or VALKEY_VERSION (valkey/valkey). */
  readonly redisVersion?: string;
  readonly clusterReady: boolean | 'unknown';
  readonly sizeBytes: number;
}

export async function listRedisImages(docker: Docker): Promise<RedisImage[]> {
  const images = await docker.listImages();
  const found = await Promise.all(
    images.map(async (img) => {
      const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
      if (tags.length === 0) return [];
      // Recognised by what the image runs and says it is, not by its name alone: valkey/valkey,
      // registry.example.com/team/cache:7 and home-built images are Redis images too.
      const config = await docker.getImage(img.Id).inspect().then((i) => i.Config ?? {}, () => undefined);
      const facts: ImageFacts = { env: config?.Env ?? [], entrypoint: toArgv(config?.Entrypoint), cmd: toArgv(config?.Cmd) };
      const redisVersion = redisVersionOf(facts.env);
      return tags
        .filter((tag) => isRedisImage(tag, facts))
        .map((tag): RedisImage => ({
          tag,
          id: img.Id,
          ...(redisVersion ? { redisVersion } : {}),
          clusterReady: redisVersion ? majorOf(redisVersion) >= MIN_CLUSTER_REDIS_MAJOR : 'unknown',
          sizeBytes: img.Size,
        }));
    }),
  );
  return found.flat();
}

export interface ImageFacts {
  readonly env: readonly string[];
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
}

/** A Redis (or Valkey) server image: by the version its build records, the command it runs, or its name. */
export function isRedisImage(tag: string, facts: ImageFacts): boolean {
  if (redisVersionOf(facts.env) !== undefined) return true;
  if (recogniseArgv([...facts.entrypoint, ...facts.cmd]) === 'redis') return true;
  const repo = tag.slice(0, tag.lastIndexOf(':') > tag.lastIndexOf('/') ? tag.lastIndexOf(':') : tag.length);
  return /(^|\/)(redis|valkey)[^/]*$/i.test(repo);
}

/** REDIS_VERSION (the official image, ours) or VALKEY_VERSION (valkey/valkey): Valkey 7.2+ speaks Redis 7's cluster protocol. */
export function redisVersionOf(env: readonly string[]): string | undefined {
  for (const key of ['REDIS_VERSION=', 'VALKEY_VERSION=']) {
    const entry = env.find((e) => e.startsWith(key));
    if (entry) return entry.slice(key.length);
  }
  return undefined;
}

function toArgv(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
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

function majorOf(version: string): number {
  return Number(version.split('.')[0]) || 0;
}
