/** Text for the rolling verbs' results and the config diff (the CLI prints these; VS Code logs them). */
import { type RollResult } from './applyRoll';
import { type ConfigPlan, type SettingView } from './configChange';

export function formatRollResult(cluster: string, r: RollResult): string {
  const what = r.kind === 'config' ? 'config change' : r.kind;
  const lines = [
    `[OK] ${what} of ${cluster} done in ${(r.elapsedMs / 1000).toFixed(1)} s: ${r.updated.length} node(s) updated one at a time` +
      (r.failovers.length > 0 ? `, ${r.failovers.length} failover(s)` : '') +
      '.',
  ];
  for (const f of r.failovers) lines.push(`  failover ${f}`);
  return lines.join('\n') + '\n';
}

function liveText(s: SettingView): string {
  const values = new Map<string, string[]>();
  for (const l of s.live) values.set(l.value ?? '?', [...(values.get(l.value ?? '?') ?? []), l.service]);
  if (values.size === 1) return [...values.keys()][0] ?? '';
  return [...values].map(([v, nodes]) => `${v} (${nodes.join(', ')})`).join('; ');
}

export function formatConfigPlan(plan: ConfigPlan): string {
  const lines = [`redis.conf ${plan.current.name} -> ${plan.next.name}:`];
  for (const c of plan.changes) {
    lines.push(`  ${c.name}: ${c.file ?? '(not in redis.conf)'} -> ${c.next}   [live now: ${liveText(c)}]`);
  }
  return lines.join('\n') + '\n';
}

export function formatSettings(config: string, settings: readonly SettingView[]): string {
  const lines = [`# redis.conf: Docker config ${config}`];
  for (const s of settings) lines.push(`${s.name} ${s.file ?? '(not in redis.conf)'}   [live: ${liveText(s)}]`);
  return lines.join('\n') + '\n';
}
