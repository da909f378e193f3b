/**
 * `npm run bench -- <name> [<name> ...]`: runs the named benchmarks (all when none is named).
 * Each benchmark measures redis-swarm and the reference (redis-cli) side by side in one run and
 * prints the ratio; absolute times on a shared machine are noise, ratios are the result.
 */
import { benches } from './registry';

async function run(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((n) => !benches[n]);
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}\n`);
    process.exit(2);
  }
  for (const name of names.length > 0 ? names : Object.keys(benches)) {
    const bench = benches[name];
    if (!bench) continue;
    process.stdout.write(`\n== bench ${name} ==\n`);
    await bench();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
