/**
 * The package step as it ships (`npm run package`: production build, then vsce): vsce prints no
 * WARNING with none of its warnings bypassed, the .vsix holds the icon, LICENSE and CHANGELOG the
 * Marketplace and Open VSX show, and its size is reported.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { writeShims } from '../../src/extension/cliShim';

const execFileAsync = promisify(execFile);
/** Bound on the build and packaging (a bound, not an assertion: the machine is shared). */
const PACKAGE_BOUND_MS = 300_000;
const ROOT = path.resolve(__dirname, '..', '..', '..');
const VSIX = path.join(ROOT, 'dist', 'redis-swarm.vsix');

describe('npm run package', { timeout: PACKAGE_BOUND_MS + 30_000 }, () => {
  it('packages with no vsce warning, no bypass flag, and the icon, LICENSE and CHANGELOG inside', async (t) => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      icon?: string;
      version: string;
      contributes: { walkthroughs: { steps: { media: { markdown?: string } }[] }[] };
    };
    const script = manifest.scripts['package'] ?? '';
    // These flags silence the warnings this test is about.
    for (const bypass of ['--allow-missing-repository', '--skip-license', '--allow-star-activation', '--allow-unused-files-pattern']) {
      assert.ok(!script.includes(bypass), `the package script bypasses a vsce check with ${bypass}`);
    }

    let output: string;
    try {
      const r = await execFileAsync('npm', ['run', '--silent', 'package'], { cwd: ROOT, timeout: PACKAGE_BOUND_MS, maxBuffer: 16 * 1024 * 1024 });
      output = `${r.stdout}${r.stderr}`;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message?: string };
      assert.fail(`npm run package failed: ${e.message ?? ''}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
    const warnings = output.split('\n').filter((l) => /WARNING/i.test(l));
    assert.deepEqual(warnings, [], `vsce warned:\n${output}`);

    const { stdout } = await execFileAsync('unzip', ['-Z1', VSIX]);
    const entries = stdout.split('\n').filter(Boolean);
    assert.ok(manifest.icon, 'package.json names an icon');
    for (const wanted of [`extension/${manifest.icon}`, 'extension/LICENSE.txt', 'extension/changelog.md']) {
      assert.ok(entries.some((e) => e.toLowerCase() === wanted.toLowerCase()), `${wanted} is not in the .vsix (it holds ${entries.join(', ')})`);
    }
    // A PNG's IHDR holds width and height at bytes 16-23: the Marketplace wants 128×128 (at least).
    const png = readFileSync(path.join(ROOT, manifest.icon));
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], `${manifest.icon} is not 128×128`);
    assert.ok(!entries.some((e) => e.endsWith('.svg') && e.includes('icon')), 'the icon\'s SVG source stays out of the package');
    // What the first run needs at run time: the CLI the terminal's PATH points at, the English
    // strings of contributions and code, the walkthrough's pages.
    const walkthroughPages = manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.markdown ?? ''));
    for (const wanted of ['extension/dist/cli.js', 'extension/package.nls.json', 'extension/l10n/bundle.l10n.json', ...walkthroughPages.map((p) => `extension/${p}`)]) {
      assert.ok(entries.includes(wanted), `${wanted} is not in the .vsix (it holds ${entries.join(', ')})`);
    }

    // The packaged CLI runs from the launcher Add to PATH writes, with the running Node as VS Code's own.
    const unpacked = mkdtempSync(path.join(tmpdir(), 'redis-swarm-vsix-'));
    try {
      await execFileAsync('unzip', ['-q', VSIX, 'extension/dist/cli.js', '-d', unpacked]);
      const bin = path.join(unpacked, 'bin');
      const [launcher] = await writeShims(bin, process.execPath, path.join(unpacked, 'extension', 'dist', 'cli.js'));
      assert.ok(launcher);
      const { stdout: version } = await execFileAsync(launcher, ['--version'], { env: { PATH: '/usr/bin:/bin' } });
      assert.equal(version.trim(), `redis-swarm ${manifest.version}`, 'the packaged CLI, run by the launcher, prints the package version');
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }

    const size = statSync(VSIX).size;
    t.diagnostic(`redis-swarm.vsix: ${(size / 1024).toFixed(1)} KiB, ${entries.length} entries`);
  });
});
