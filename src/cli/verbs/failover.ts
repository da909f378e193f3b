import { findClusterNode } from '../../core/cluster/nodeNames';
import { BadInputError } from '../../core/errors';
import { tokenFromSignal } from '../../core/lifecycle';
import { failover, type FailoverMode } from '../../core/ops/failover';
import { formatEndpoint } from '../../core/routes/endpoint';
import { flagBoolean, parseArgs } from '../args';
import { opsProgress } from '../progress';
import { type Verb } from '../verb';
import { clusterTargetFlags, readTargetTopology } from './clusterTargets';
import { opsTargetsFromArgs, withTargets } from './opsTargets';

export const failoverVerb: Verb = {
  name: 'failover',
  summary: 'Promote a replica to master with CLUSTER FAILOVER and wait until the roles have swapped.',
  usage: 'failover <replica host:port> | --cluster NAME <replica ID|service|host:port> [--force | --takeover] [--json]',
  flags: {
    force: { kind: 'boolean', description: 'CLUSTER FAILOVER FORCE: do not wait for the master (it may be down).' },
    takeover: { kind: 'boolean', description: 'CLUSTER FAILOVER TAKEOVER: no election either (a minority partition).' },
    json: { kind: 'boolean', description: 'Print the result as JSON.' },
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    if (flagBoolean(args, 'force') && flagBoolean(args, 'takeover')) throw new BadInputError('Give --force or --takeover, not both.');
    const mode: FailoverMode = flagBoolean(args, 'takeover') ? 'takeover' : flagBoolean(args, 'force') ? 'force' : 'default';
    const t = await opsTargetsFromArgs(args, io.env);
    const json = flagBoolean(args, 'json');
    return withTargets(t, 'failover', async () => {
      let replica = t.seeds[0];
      if (t.access) {
        const [name, ...extra] = t.rest;
        if (name === undefined || extra.length > 0) throw new BadInputError('Name one replica: failover --cluster NAME <replica>.');
        replica = findClusterNode(await readTargetTopology(t), name).endpoint;
      } else if (t.rest.length > 0) {
        throw new BadInputError(`Unexpected argument "${t.rest[0]}": name the replica as host:port.`);
      }
      if (!replica) throw new BadInputError('Name the replica to promote.');
      const progress = opsProgress(json ? io.stderr : io.stdout);
      const r = await failover(t.pool, replica, { mode, progress, token: tokenFromSignal(io.signal) });
      if (json) io.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else {
        io.stdout.write(
          `[OK] ${formatEndpoint(replica)} (${r.newMasterId.slice(0, 8)}) is master after ${r.elapsedMs} ms; ` +
            (r.oldMasterConfirmed ? `${formatEndpoint(r.oldMasterEndpoint)} is its replica.\n` : `the old master ${formatEndpoint(r.oldMasterEndpoint)} did not answer.\n`),
        );
      }
      return 0;
    });
  },
};
