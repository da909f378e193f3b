import { describeTarget } from '../../core/docker/target';
import { getEngineStatus, openEngine } from '../../core/docker/engine';
import { listRedisImages } from '../../core/docker/images';
import { flagBoolean, parseArgs } from '../args';
import { listClusterCertificates } from '../../core/swarm/certificateInventory';
import { CERT_EXPIRY_WARNING_DAYS } from '../../core/cluster/check';
import { type Verb } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';

export const doctorVerb: Verb = {
  name: 'doctor',
  summary: 'Report the Docker engine reached (and how), the swarm state, the local Redis images and when TLS clusters\' certificates expire.',
  usage: 'doctor [--host URL] [--context NAME] [--json]',
  flags: {
    ...dockerFlags,
    json: { kind: 'boolean', description: 'Print machine-readable JSON.' },
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const engine = openEngine(engineOptions(args, io.env));
    const status = await getEngineStatus(engine);
    const images = await listRedisImages(engine.docker);
    const certificates = status.swarm === 'active' && status.isManager ? await listClusterCertificates(engine.docker) : [];
    if (flagBoolean(args, 'json')) {
      io.stdout.write(JSON.stringify({ engine: { ...status, target: { host: status.target.host, source: status.target.source, context: status.target.contextName } }, images, certificates }, null, 2) + '\n');
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
        }
      }
      if (certificates.length > 0) {
        lines.push('TLS certificates of redis-swarm clusters:');
        const now = Date.now();
        for (const c of certificates) {
          const days = Math.floor((c.expiresAt.getTime() - now) / 86_400_000);
          const when = days < 0 ? 'EXPIRED' : days < CERT_EXPIRY_WARNING_DAYS ? `expires in ${days} days: run rotate-certs` : `valid for ${days} days`;
          lines.push(`  ${c.cluster}  ${c.kind === 'ca' ? 'CA  ' : 'node'}  ${c.config}  until ${c.expiresAt.toISOString().slice(0, 10)} (${when})`);
        }
      }
      io.stdout.write(lines.join('\n') + '\n');
    }
    return status.swarm === 'active' ? 0 : 1;
  },
};
