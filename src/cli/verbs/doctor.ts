import { describeTarget } from '../../core/docker/target';
import { tokenFromSignal } from '../../core/lifecycle';
import { getEngineStatus, openEngine } from '../../core/docker/engine';
import { listRedisImages } from '../../core/docker/images';
import { type NodeImageVerdict, probeImageOnNodes } from '../../core/swarm/imageProbe';
import { flagBoolean, flagString, parseArgs } from '../args';
import { type Verb } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';

export const doctorVerb: Verb = {
  name: 'doctor',
  summary: 'Report the Docker engine reached (and how), the swarm state, the local Redis images and, on a multi-node swarm, which nodes have them.',
  usage: 'doctor [--host URL] [--context NAME] [--image REF] [--json]',
  flags: {
    ...dockerFlags,
    image: { kind: 'string', valueName: 'ref', description: 'Also check this image on every swarm node (it need not be on this engine).' },
    json: { kind: 'boolean', description: 'Print machine-readable JSON.' },
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const engine = openEngine(engineOptions(args, io.env));
    const status = await getEngineStatus(engine);
    const images = await listRedisImages(engine.docker);
    // On a multi-node swarm each node needs the image itself (there may be no registry): ask each, through this manager.
    const onNodes = new Map<string, NodeImageVerdict[]>();
    if (status.swarm === 'active' && status.isManager && (status.nodes ?? 1) > 1) {
      const asked = flagString(args, 'image');
      for (const tag of [...new Set([...images.filter((i) => i.clusterReady !== false).map((i) => i.tag), ...(asked ? [asked] : [])])]) {
        onNodes.set(tag, await probeImageOnNodes(engine.docker, tag, { token: tokenFromSignal(io.signal) }));
      }
    }
    if (flagBoolean(args, 'json')) {
      const nodes = Object.fromEntries(onNodes);
      io.stdout.write(JSON.stringify({ engine: { ...status, target: { host: status.target.host, source: status.target.source, context: status.target.contextName } }, images, nodes }, null, 2) + '\n');
    } else {
      const lines = [
        `engine: Docker ${status.version} (API ${status.apiVersion}, ${status.os})`,
        `reached: ${describeTarget(status.target)}`,
        `swarm: ${status.swarm}${status.swarm === 'active' ? (status.isManager ? ' (this node is a manager)' : ' (this node is a worker: services need a manager)') : ''}`,
      ];
      if (status.swarm === 'active' && status.nodeAddr) lines.push(`swarm node: ${status.nodeId ?? '?'} at ${status.nodeAddr} (${status.nodes ?? '?'} node(s))`);
      if (images.length === 0) {
        lines.push('redis images: none found locally (deploy needs one: `docker pull redis:7.2`, or build one)');
      } else {
        lines.push('redis images:');
        for (const img of images) {
          const ready = img.clusterReady === true ? 'cluster-ready' : img.clusterReady === false ? 'too old for redis-swarm (needs Redis 7+)' : 'Redis version unknown';
          lines.push(`  ${img.tag}  ${img.redisVersion ? `Redis ${img.redisVersion}, ` : ''}${ready}`);
          const where = onNodes.get(img.tag);
          if (where && where.length > 0) lines.push(`    ${onEveryNode(where)}`);
        }
      }
      const asked = flagString(args, 'image');
      if (asked && !images.some((i) => i.tag === asked)) {
        const where = onNodes.get(asked);
        lines.push(`image ${asked}: ${where && where.length > 0 ? onEveryNode(where) : 'not checked on other nodes (a one-node swarm, or not a manager)'}`);
      }
      io.stdout.write(lines.join('\n') + '\n');
    }
    return status.swarm === 'active' ? 0 : 1;
  },
};

/** One line: on every node, or which nodes lack it (or did not answer). */
function onEveryNode(verdicts: readonly NodeImageVerdict[]): string {
  const missing = verdicts.filter((v) => v.verdict === 'missing').map((v) => v.hostname).sort();
  const unknown = verdicts.filter((v) => v.verdict === 'unknown').map((v) => v.hostname).sort();
  if (missing.length === 0 && unknown.length === 0) return `on every swarm node (${verdicts.length})`;
  return [
    missing.length > 0 ? `MISSING on swarm node(s) ${missing.join(', ')}: load it there before deploying` : '',
    unknown.length > 0 ? `no answer from ${unknown.join(', ')}` : '',
  ].filter(Boolean).join('; ');
}
