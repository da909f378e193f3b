/** Flags of the verbs that move slots: redis-cli's names without the `--cluster-` prefix. */
import { BadInputError } from '../../core/errors';
import { DEFAULT_KEYS_PER_MIGRATE, DEFAULT_MIGRATE_TIMEOUT_MS, DEFAULT_SLOTS_IN_FLIGHT, MOVE_ENGINES, type MoveSettings, type MoveEngine } from '../../core/ops/mover';
import { type FlagSpecs, flagBoolean, flagNumber, flagString, type ParsedArgs } from '../args';
import { MOVE_LIMITS } from '../../core/ops/moveLimits';

export const moveFlags: FlagSpecs = {
  pipeline: { kind: 'number', valueName: 'keys', description: `Keys per MIGRATE (default ${DEFAULT_KEYS_PER_MIGRATE}; redis-cli's default is 10).`, range: MOVE_LIMITS.keysPerMigrate },
  'slots-in-flight': { kind: 'number', valueName: 'n', description: `Slots open at the same time, at most (default ${DEFAULT_SLOTS_IN_FLIGHT}).`, range: MOVE_LIMITS.slotsInFlight },
  timeout: { kind: 'number', valueName: 'ms', description: `MIGRATE timeout (default ${DEFAULT_MIGRATE_TIMEOUT_MS}).`, range: MOVE_LIMITS.migrateTimeoutMs },
  engine: { kind: 'string', valueName: 'auto|copy|migrate', description: 'How keys move: copied through redis-swarm (DUMP/RESTORE-ASKING, checked hand-over), or MIGRATE run by the source as redis-cli does. auto (default): copy unless a node is reached through a Docker API tunnel.' },
  replace: { kind: 'boolean', description: 'Let MIGRATE overwrite keys the target already holds (MIGRATE … REPLACE). Without it a key on both sides stops its slot.' },
  yes: { kind: 'boolean', short: 'y', description: 'Apply the plan without asking.' },
  json: { kind: 'boolean', description: 'Print the plan and the result as JSON.' },
};

export function moveSettings(args: ParsedArgs): Partial<MoveSettings> {
  const out: { -readonly [K in keyof MoveSettings]?: MoveSettings[K] } = { replace: flagBoolean(args, 'replace') };
  const p = flagNumber(args, 'pipeline');
  const w = flagNumber(args, 'slots-in-flight');
  const t = flagNumber(args, 'timeout');
  for (const [name, v] of [['--pipeline', p], ['--slots-in-flight', w], ['--timeout', t]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new BadInputError(`${name} needs a whole number of at least 1, not ${v}.`);
  }
  if (p !== undefined) out.keysPerMigrate = p;
  if (w !== undefined) out.slotsInFlight = w;
  if (t !== undefined) out.migrateTimeoutMs = t;
  const engine = flagString(args, 'engine');
  if (engine !== undefined) {
    if (!(MOVE_ENGINES as readonly string[]).includes(engine)) throw new BadInputError(`--engine takes ${MOVE_ENGINES.join(' or ')}, not "${engine}".`);
    out.engine = engine as MoveEngine;
  }
  return out;
}
