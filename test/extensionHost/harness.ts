/**
 * A tiny test runner for the extension host (no mocha): runs async test functions one after
 * another, in order (later tests may rely on what earlier ones did, e.g. activation), prints
 * TAP-like `ok`/`not ok` lines for people and one marker line per test for the launcher, and
 * rejects when any test failed so VS Code exits the run with code 1.
 */
import { formatResult, LOG_PREFIX, type TestResult } from './protocol';

export interface ExtensionTest {
  readonly name: string;
  run(): Promise<void>;
}

/** Bounds each test: a hung `await` inside VS Code must fail the run, not stall it. */
export const TEST_TIMEOUT_MS = 30_000;

export async function runTests(tests: readonly ExtensionTest[]): Promise<void> {
  const results: TestResult[] = [];
  say(`1..${tests.length}`);
  for (const [i, t] of tests.entries()) {
    const started = Date.now();
    let result: TestResult;
    try {
      await withTimeout(t.run(), TEST_TIMEOUT_MS, `"${t.name}" did not finish within ${TEST_TIMEOUT_MS} ms`);
      result = { name: t.name, ok: true, durationMs: Date.now() - started };
      say(`ok ${i + 1} - ${t.name}`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      result = { name: t.name, ok: false, durationMs: Date.now() - started, error };
      say(`not ok ${i + 1} - ${t.name}`, 'error');
      for (const line of error.split('\n')) say(`  # ${line}`, 'error');
    }
    results.push(result);
    console.log(formatResult(result));
  }
  const failed = results.filter((r) => !r.ok);
  say(`# tests ${results.length} pass ${results.length - failed.length} fail ${failed.length}`);
  if (failed.length > 0) {
    throw new Error(`${failed.length} of ${results.length} extension-host tests failed: ${failed.map((r) => r.name).join('; ')}`);
  }
}

/** One line per call: the launcher reads the browser console line by line. */
function say(line: string, level: 'log' | 'error' = 'log'): void {
  console[level](`${LOG_PREFIX} ${line}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
