// Bundles the three entry points: the extension host code, the CLI and the webview scripts.
// Sources are type-checked by `tsc` (npm run typecheck); esbuild only bundles.
import * as esbuild from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// The version `redis-swarm --version` prints: package.json's, fixed at build time.
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // cpu-features is an optional native speed-up of ssh2 (used by dockerode for ssh://);
  // it and ssh2's optional sshcrypto.node are loaded in a try/catch, so leaving them out is safe.
  external: ['vscode', 'cpu-features', '*.node'],
  define: { __VERSION__: JSON.stringify(version) },
};

const webviewEntries = readdirSync('media')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => `media/${f}`);

const builds = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/cli/run.ts'], outfile: 'dist/cli.js' },
];
if (webviewEntries.length > 0) {
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    entryPoints: webviewEntries,
    outdir: 'dist/media',
  });
}

if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
