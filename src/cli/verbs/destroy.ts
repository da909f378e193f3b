import { BadInputError } from '../../core/errors';
import { openEngine } from '../../core/docker/engine';
import { destroyCluster } from '../../core/swarm/destroy';
import { flagBoolean, flagString, parseArgs } from '../args';
import { type Verb } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';
import { stderrProgress } from '../progress';

const flags = {
  ...dockerFlags,
  cluster: { kind: 'string', valueName: 'name', description: 'The cluster to remove.' },
  volumes: { kind: 'boolean', description: 'Also remove the nodes\' data volumes (their data is lost).' },
  json: { kind: 'boolean', description: 'Print machine-readable JSON.' },
} as const;

export const destroyVerb: Verb = {
  name: 'destroy',
  summary: 'Remove what deploy made: services, config, secret, the network it created; volumes with --volumes.',
  usage: 'destroy --cluster NAME [--volumes]',
  flags,
  async run(argv, io) {
    const args = parseArgs(argv, flags);
    const name = flagString(args, 'cluster') ?? args.positionals[0];
    if (!name) throw new BadInputError('Name the cluster to destroy: redis-swarm destroy --cluster NAME.');
    const engine = openEngine(engineOptions(args, io.env));
    const removed = await destroyCluster(engine, name, { volumes: flagBoolean(args, 'volumes'), progress: stderrProgress(io.stderr) });
    if (flagBoolean(args, 'json')) {
      io.stdout.write(JSON.stringify(removed, null, 2) + '\n');
    } else {
      io.stdout.write(
        `Removed cluster "${name}": ${removed.services.length} services, ${removed.configs.length} config(s), ` +
          `${removed.secrets.length} secret(s), ${removed.networks.length} network(s), ${removed.volumes.length} volume(s).` +
          (flagBoolean(args, 'volumes') ? '' : ' Volumes were kept (use --volumes to remove them).') +
          '\n',
      );
    }
    return 0;
  },
};
