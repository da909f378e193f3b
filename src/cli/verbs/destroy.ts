import { BadInputError } from '../../core/errors';
import { openEngine } from '../../core/docker/engine';
import { destroyCluster } from '../../core/swarm/destroy';
import { parseNodeEngines } from '../../core/swarm/nodeVolumes';
import { flagBoolean, flagList, flagString, parseArgs } from '../args';
import { type Verb } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';
import { stderrProgress } from '../progress';

const flags = {
  ...dockerFlags,
  cluster: { kind: 'string', valueName: 'name', description: 'The cluster to remove.' },
  volumes: { kind: 'boolean', description: 'Also remove the nodes\' data volumes (their data is lost).' },
  'node-engine': {
    kind: 'list',
    valueName: 'node=url',
    description: 'With --volumes: the Docker engine of another swarm node (hostname or ID = unix://, tcp://, ssh://), repeatable; REDIS_SWARM_NODE_ENGINES takes a comma-separated list. Volumes on nodes without one are named, not removed.',
  },
  'keep-ca': { kind: 'boolean', description: 'Keep the TLS CA (its certificate config and key secret): a later `deploy --tls` of the same name signs its nodes with it, so clients that trust it keep working. A plain destroy removes it.' },
  json: { kind: 'boolean', description: 'Print machine-readable JSON.' },
} as const;

export const destroyVerb: Verb = {
  name: 'destroy',
  summary: 'Remove what deploy made: services, config, secret, the network it created; volumes with --volumes.',
  usage: 'destroy --cluster NAME [--volumes] [--keep-ca]',
  flags,
  async run(argv, io) {
    const args = parseArgs(argv, flags);
    const name = flagString(args, 'cluster') ?? args.positionals[0];
    if (!name) throw new BadInputError('Name the cluster to destroy: redis-swarm destroy --cluster NAME.');
    const engine = openEngine(engineOptions(args, io.env));
    const nodeEngines = parseNodeEngines([...(io.env['REDIS_SWARM_NODE_ENGINES'] ? [io.env['REDIS_SWARM_NODE_ENGINES']] : []), ...flagList(args, 'node-engine')]);
    const removed = await destroyCluster(engine, name, { volumes: flagBoolean(args, 'volumes'), keepCa: flagBoolean(args, 'keep-ca'), progress: stderrProgress(io.stderr), nodeEngines, env: io.env });
    const left = (removed.volumesByNode ?? []).filter((n) => n.left);
    if (flagBoolean(args, 'json')) {
      io.stdout.write(JSON.stringify(removed, null, 2) + '\n');
    } else {
      io.stdout.write(
        `Removed cluster "${name}": ${removed.services.length} services, ${removed.configs.length} config(s), ` +
          `${removed.secrets.length} secret(s), ${removed.networks.length} network(s), ${removed.volumes.length} volume(s).` +
          (flagBoolean(args, 'volumes') ? '' : ' Volumes were kept (use --volumes to remove them).') +
          (removed.keptCa === undefined ? '' : removed.keptCa.length > 0 ? ` Kept the TLS CA (${removed.keptCa.join(', ')}) for the next \`deploy --tls\` of "${name}".` : ' There was no generated TLS CA to keep.') +
          '\n',
      );
      for (const n of removed.volumesByNode ?? []) {
        if (n.removed.length > 0) io.stdout.write(`  on ${n.node}: removed ${n.removed.join(', ')}\n`);
        if (n.left) io.stdout.write(`  on ${n.node}: NOT removed ${n.left.volumes.join(', ')} (${n.left.reason}); remove them there with \`docker volume rm\`\n`);
      }
    }
    // Asked to remove the volumes and some are left: not a success.
    return left.length > 0 ? 1 : 0;
  },
};
