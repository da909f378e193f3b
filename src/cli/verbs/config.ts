import { BadInputError } from '../../core/errors';
import { applyConfigSet, configGet, planConfigSet } from '../../core/rolling/configChange';
import { checkSettingName } from '../../core/rolling/confText';
import { formatConfigPlan, formatSettings } from '../../core/rolling/formatRoll';
import { flagBoolean, parseArgs } from '../args';
import { confirm } from '../prompt';
import { type Verb } from '../verb';
import { printRoll, resumeOrRollback, rollFlags, withRollTargets } from './rollSupport';

/** `set NAME VALUE …` as pairs, refused before anything is contacted when a name would break the cluster. */
function settingPairs(words: readonly string[]): [string, string][] {
  if (words.length === 0 || words.length % 2 !== 0) throw new BadInputError('config set takes SETTING VALUE pairs.');
  const pairs: [string, string][] = [];
  for (let i = 0; i < words.length; i += 2) pairs.push([checkSettingName(words[i] as string), words[i + 1] as string]);
  return pairs;
}

export const configVerb: Verb = {
  name: 'config',
  summary: "Show or change the cluster's redis.conf: live with CONFIG SET where Redis allows, kept in a new Docker config version that the nodes roll onto.",
  usage: 'config --cluster NAME get [SETTING] | set SETTING VALUE [SETTING VALUE …] [--yes] [--dry-run] | --resume | --rollback [--json]',
  flags: {
    yes: { kind: 'boolean', short: 'y', description: 'Do not ask before changing the cluster.' },
    'dry-run': { kind: 'boolean', description: 'Show the diff and change nothing.' },
    ...rollFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const [sub, ...rest] = args.positionals;
    const again = flagBoolean(args, 'resume') || flagBoolean(args, 'rollback');
    if (!again && sub !== 'get' && sub !== 'set') throw new BadInputError('Say get or set: config --cluster NAME get [SETTING], or set SETTING VALUE ….');
    if (sub === 'get' && rest.length > 1) throw new BadInputError('config get takes at most one setting name.');
    const pairs = sub === 'set' ? settingPairs(rest) : [];
    return withRollTargets(args, io, async (t) => {
      const resumed = await resumeOrRollback(args, t);
      if (resumed) return printRoll(io, t, resumed);
      if (sub === 'get') {
        const r = await configGet(t.access, t.pool, rest[0]);
        io.stdout.write(t.json ? JSON.stringify(r, null, 2) + '\n' : formatSettings(r.config, r.settings));
        return 0;
      }
      const plan = await planConfigSet(t.access, t.pool, pairs);
      (t.json ? io.stderr : io.stdout).write(formatConfigPlan(plan));
      if (flagBoolean(args, 'dry-run')) return 0;
      if (!(await confirm(io, flagBoolean(args, 'yes'), 'Apply, then roll every node onto the new config?'))) return 1;
      const applied = await applyConfigSet(t.access, t.pool, plan, t.options);
      if (!t.json) {
        if (applied.live.length > 0) io.stdout.write(`set live on every node: ${applied.live.join(', ')}\n`);
        if (applied.atRestart.length > 0) io.stdout.write(`took effect as each node restarted: ${applied.atRestart.join(', ')}\n`);
        for (const w of applied.warnings) io.stdout.write(`[WARN] ${w}\n`);
      }
      return printRoll(io, t, applied.roll, { live: applied.live, atRestart: applied.atRestart, warnings: applied.warnings });
    });
  },
};
