/**
 * `npm run bench -- activate`: how long the bundled extension (the production build that goes
 * into the .vsix) takes to load and activate, in fresh Node processes. Loading the bundle is
 * the part this project controls; `vscode` is replaced by an inert stand-in so only our code is
 * timed (the real activation in code-server is exercised by the E2E tests). There is no
 * reference tool for this one: the target is an absolute 100 ms, printed next to the median.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const RUNS = 7;
const TARGET_MS = 100;
const ROOT = join(__dirname, '..', '..', '..');

const PROBE = `
const Module = require('module');
const inert = new Proxy(function () {}, {
  get: (_t, p) => (p === 'then' ? undefined : inert),
  // Assignments (statusBarItem.name = …) are accepted and forgotten: a function's own name is read-only.
  set: () => true,
  apply: () => inert,
  construct: () => inert,
});
// esbuild's interop copies the module's own keys, so the stand-in names the API's namespaces.
const vscode = {};
for (const k of ['window', 'workspace', 'commands', 'env', 'extensions', 'languages', 'Uri', 'EventEmitter', 'Disposable',
  'TreeItem', 'TreeItemCollapsibleState', 'ThemeIcon', 'ThemeColor', 'MarkdownString', 'StatusBarAlignment',
  'ProgressLocation', 'ConfigurationTarget', 'ViewColumn', 'QuickPickItemKind', 'TerminalLocation', 'CancellationTokenSource', 'l10n']) vscode[k] = inert;
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
const t0 = process.hrtime.bigint();
const ext = require(process.argv[2]);
const t1 = process.hrtime.bigint();
ext.activate({ subscriptions: [], secrets: inert, globalState: inert, workspaceState: inert, extensionUri: inert, extensionPath: process.argv[2] });
const t2 = process.hrtime.bigint();
// Activation starts timers and a Docker events stream; the probe has what it came for.
process.stdout.write(JSON.stringify({ load: Number(t1 - t0) / 1e6, activate: Number(t2 - t1) / 1e6 }), () => process.exit(0));
`;

export async function activateBench(): Promise<void> {
  execFileSync('node', ['esbuild.mjs', '--production'], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'rs-activate-'));
  try {
    const probe = join(dir, 'probe.js');
    writeFileSync(probe, PROBE);
    const runs: { load: number; activate: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(JSON.parse(execFileSync('node', [probe, join(ROOT, 'dist', 'extension.js')], { encoding: 'utf8' })) as { load: number; activate: number });
    }
    const total = runs.map((r) => r.load + r.activate).sort((a, b) => a - b);
    const median = total[Math.floor(total.length / 2)] ?? NaN;
    const loads = runs.map((r) => r.load.toFixed(1)).join(', ');
    process.stdout.write(
      `activate: bundled extension, ${RUNS} fresh processes\n` +
        `  load (require) ms: ${loads}\n` +
        `  load + activate median ${median.toFixed(1)} ms (target < ${TARGET_MS} ms) ${median < TARGET_MS ? 'OK' : 'OVER TARGET'}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    // Leave the development build in dist/ as `npm run build` makes it.
    execFileSync('node', ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
}
