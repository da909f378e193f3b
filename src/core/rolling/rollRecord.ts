/**
 * The durable record of a roll in progress: one service label on every node service of the
 * cluster (service labels change without restarting tasks). Written before the first node
 * changes and removed when the last one is done, so a run stopped in any way (Ctrl+C, SIGTERM,
 * SIGKILL, a crash) leaves the plan where the next run, from any machine, finds it:
 * `--resume` finishes it, `--rollback` returns every node to what it ran before.
 */
import { BadInputError } from '../errors';
import { type NodeTarget } from './nodeTarget';

export const LABEL_ROLL = 'org.redis-swarm.roll';
/** The last finished roll, kept so that --rollback works after the fact too. */
export const LABEL_ROLL_LAST = 'org.redis-swarm.roll-last';

export type RollKind = 'upgrade' | 'config' | 'restart' | 'rollback';

export interface RollRecord {
  readonly kind: RollKind;
  /** What each service in scope rolls onto, by service name. */
  readonly targets: Readonly<Record<string, NodeTarget>>;
  /** What each service in scope ran before the roll (a rollback's targets). */
  readonly previous: Readonly<Record<string, NodeTarget>>;
  /** The services that were masters when the roll began (for --fail-back). */
  readonly originalMasters: readonly string[];
  readonly failBack: boolean;
  /** When the roll was first started (ISO time). */
  readonly startedAt: string;
  /** For a config change: the settings, as given (shown by status and resume). */
  readonly settings?: Readonly<Record<string, string>>;
}

export function encodeRoll(r: RollRecord): string {
  return JSON.stringify(r);
}

/** The record from a label value; undefined when there is none, an error when it is unreadable. */
export function decodeRoll(text: string | undefined): RollRecord | undefined {
  if (text === undefined || text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadInputError(`The roll record (label ${LABEL_ROLL}) is not JSON; remove the label with "docker service update --label-rm ${LABEL_ROLL}" on each node service.`);
  }
  const r = parsed as Partial<RollRecord> | null;
  const kinds: readonly string[] = ['upgrade', 'config', 'restart', 'rollback'];
  if (!r || typeof r !== 'object' || !kinds.includes(String(r.kind)) || typeof r.targets !== 'object' || r.targets === null) {
    throw new BadInputError(`The roll record (label ${LABEL_ROLL}) is not one redis-swarm wrote; remove the label on each node service.`);
  }
  return {
    kind: r.kind as RollKind,
    targets: r.targets,
    previous: r.previous ?? {},
    originalMasters: Array.isArray(r.originalMasters) ? r.originalMasters.filter((x): x is string => typeof x === 'string') : [],
    failBack: r.failBack === true,
    startedAt: typeof r.startedAt === 'string' ? r.startedAt : '',
    ...(r.settings && typeof r.settings === 'object' ? { settings: r.settings } : {}),
  };
}

/** Whether two targets are the same change (a re-run of the same command continues the recorded roll). */
export function sameTargets(a: RollRecord['targets'], b: RollRecord['targets']): boolean {
  const key = (t: NodeTarget): string => JSON.stringify([t.image ?? null, t.config?.name ?? null, t.force ?? null]);
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const n of names) {
    const x = a[n];
    const y = b[n];
    if (!x || !y || key(x) !== key(y)) return false;
  }
  return true;
}

/** The roll that undoes `r`: every service back onto what it ran before (a restart has nothing to undo). */
export function rollbackOf(r: RollRecord, startedAt: string): RollRecord {
  if (r.kind === 'restart') throw new BadInputError('A restart changes nothing to roll back; resume it with --resume, or let it be.');
  const targets: Record<string, NodeTarget> = {};
  for (const [service, prev] of Object.entries(r.previous)) {
    const t = r.targets[service];
    // Only what the roll changed goes back (a restart counter never does).
    targets[service] = {
      ...(t?.image !== undefined && prev.image !== undefined ? { image: prev.image } : {}),
      ...(t?.config !== undefined && prev.config !== undefined ? { config: prev.config } : {}),
    };
  }
  return { kind: 'rollback', targets, previous: r.targets, originalMasters: r.originalMasters, failBack: r.failBack, startedAt };
}
