import { BadInputError } from '../../core/errors';
import { parseClusterMode, setClusterMode } from '../../core/heal/clusterMode';
import { openClusterAccess } from '../../core/swarm/clusterAccess';
import { adminPoolFor } from '../../core/swarm/formCluster';
import { LABEL_MODE } from '../../core/swarm/labels';
import { flagBoolean, flagString, parseArgs } from '../args';
import { type Verb } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';
import { flagServices, servicesFlag } from './servicesFlag';
import { givenLogin, userFlag } from './loginFlags';

/** How many services' tasks take the mode when they restart. */
function keptText(change: { readonly services: readonly string[]; readonly notPersisted: readonly string[] }): string {
  return change.notPersisted.length === 0 ? 'restarted tasks keep it' : `${change.notPersisted.length} service(s) forget it when their task restarts`;
}

export const modeVerb: Verb = {
  name: 'mode',
  summary: 'Switch a cluster between cache mode (heal may give up lost slots) and persistent mode (never).',
  usage: 'mode --cluster NAME [--services a,b,c] cache|persistent [--json]',
  flags: {
    cluster: { kind: 'string', valueName: 'name', description: 'The cluster on the swarm.' },
    json: { kind: 'boolean', description: 'Print machine-readable JSON.' },
    services: servicesFlag,
    user: userFlag,
    tunnel: { kind: 'boolean', description: 'Use Docker API tunnels even where ports are published.' },
    ...dockerFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const name = flagString(args, 'cluster');
    if (name === undefined) throw new BadInputError('Name the cluster with --cluster NAME.');
    if (args.positionals.length !== 1) throw new BadInputError('Give the mode: cache or persistent.');
    const mode = parseClusterMode(args.positionals[0]);
    const access = await openClusterAccess(name, { ...engineOptions(args, io.env), forceTunnel: flagBoolean(args, 'tunnel'), services: flagServices(args), login: givenLogin(args, io.env) });
    const pool = adminPoolFor(access);
    try {
      const change = await setClusterMode(access.engine.docker, pool, access.cluster, mode);
      if (flagBoolean(args, 'json')) {
        io.stdout.write(JSON.stringify({ cluster: name, mode, ...change }, null, 2) + '\n');
      } else {
        io.stdout.write(`Cluster ${name} is now in ${mode} mode (${change.services.length} service label(s) updated; cluster-require-full-coverage ${mode === 'cache' ? 'no' : 'yes'} on ${change.nodesSet.length} node(s); ${keptText(change)}).\n`);
        for (const f of change.failed) io.stdout.write(`[WARN] ${f}\n`);
        if (change.stack !== undefined) {
          io.stdout.write(
            `[WARN] Cluster ${name} belongs to stack "${change.stack}": its stack file still sets ${LABEL_MODE} to the old mode, and the next docker stack deploy of it sets the mode back; change the label in the file too (or write it again with deploy --stack-file … --mode ${mode}).\n`,
          );
        }
        if (change.notPersisted.length > 0) {
          io.stdout.write(
            `[WARN] ${change.notPersisted.join(', ')} do not read the mode when their task starts (deployed by an older redis-swarm, or made by hand): a restarted node comes back with the setting of its redis.conf; \`check\` reports it and \`heal\` (or \`heal --watch\`) sets it again.\n`,
          );
        }
      }
      return change.failed.length === 0 ? 0 : 1;
    } finally {
      await pool.close();
      await access.dispose();
    }
  },
};
