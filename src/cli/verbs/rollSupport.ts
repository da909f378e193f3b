/**
 * What the rolling verbs (upgrade, restart, config set) share: the cluster's access and admin
 * pool, the flags that resume, roll back and bound the roll, and how a result is printed.
 */
import { BadInputError } from '../../core/errors';
import { tokenFromSignal } from '../../core/lifecycle';
import { type RollResult } from '../../core/rolling/applyRoll';
import { formatRollResult } from '../../core/rolling/formatRoll';
import { type RollOptions, resumeRoll, rollbackRoll } from '../../core/rolling/rollOps';
import { type AdminPool } from '../../core/redis/adminConnection';
import { type ClusterAccess, openClusterAccess } from '../../core/swarm/clusterAccess';
import { adminPoolFor } from '../../core/swarm/formCluster';
import { type FlagSpecs, flagBoolean, flagNumber, flagString, type ParsedArgs } from '../args';
import { opsProgress } from '../progress';
import { type CliIO } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';
import { flagServices, servicesFlag } from './servicesFlag';
import { givenLogin, userFlag } from './loginFlags';

export const rollFlags: FlagSpecs = {
  cluster: { kind: 'string', valueName: 'name', description: 'The cluster on the swarm.' },
  resume: { kind: 'boolean', description: 'Finish the unfinished upgrade, restart or config change (running the same command again does too).' },
  rollback: { kind: 'boolean', description: 'Return every node to what it ran before the unfinished (or else the last) upgrade or config change, in the same rolling order.' },
  'fail-back': { kind: 'boolean', description: 'At the end, fail over to the original masters again (the layout before the roll).' },
  'accept-downtime': { kind: 'boolean', description: 'Restart in place masters that have no in-sync replica (their slots stop serving meanwhile) instead of refusing.' },
  'node-timeout': { kind: 'number', valueName: 's', range: { min: 10, max: 3600 }, description: 'How long one node may take to come back, rejoin and sync (default 180).' },
  json: { kind: 'boolean', description: 'Print the result as JSON.' },
  services: servicesFlag,
  tunnel: { kind: 'boolean', description: 'Use Docker API tunnels even where ports are published.' },
  user: userFlag,
  ...dockerFlags,
};

export interface RollTargets {
  readonly access: ClusterAccess;
  readonly pool: AdminPool;
  readonly options: RollOptions;
  readonly json: boolean;
}

/** Opens the cluster named by --cluster; `body` runs with it, which is always closed after. */
export async function withRollTargets(args: ParsedArgs, io: CliIO, body: (t: RollTargets) => Promise<number>): Promise<number> {
  const name = flagString(args, 'cluster');
  if (name === undefined) throw new BadInputError('Name the cluster with --cluster NAME.');
  // The cluster's own credentials (password or operator user) are read from its secrets unless given.
  const access = await openClusterAccess(name, { ...engineOptions(args, io.env), forceTunnel: flagBoolean(args, 'tunnel'), services: flagServices(args), login: givenLogin(args, io.env) });
  const pool = adminPoolFor(access);
  const json = flagBoolean(args, 'json');
  const timeout = flagNumber(args, 'node-timeout');
  const options: RollOptions = {
    progress: opsProgress(json ? io.stderr : io.stdout),
    token: tokenFromSignal(io.signal),
    acceptDowntime: flagBoolean(args, 'accept-downtime'),
    ...(flagBoolean(args, 'fail-back') ? { failBack: true } : {}),
    ...(timeout !== undefined ? { nodeTimeoutMs: timeout * 1000 } : {}),
  };
  try {
    return await body({ access, pool, options, json });
  } finally {
    await pool.close();
    await access.dispose();
  }
}

/** --resume or --rollback, when given: the roll they run (undefined: neither was given). */
export async function resumeOrRollback(args: ParsedArgs, t: RollTargets): Promise<RollResult | undefined> {
  const resume = flagBoolean(args, 'resume');
  const rollback = flagBoolean(args, 'rollback');
  if (resume && rollback) throw new BadInputError('Give --resume or --rollback, not both.');
  if (resume) return resumeRoll(t.access, t.pool, t.options);
  if (rollback) return rollbackRoll(t.access, t.pool, t.options);
  return undefined;
}

export function printRoll(io: CliIO, t: RollTargets, r: RollResult, extra: Record<string, unknown> = {}): number {
  if (t.json) io.stdout.write(JSON.stringify({ cluster: t.access.cluster.name, ...r, ...extra }, null, 2) + '\n');
  else io.stdout.write(formatRollResult(t.access.cluster.name, r));
  return 0;
}
