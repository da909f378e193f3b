/**
 * How the extension-host suite reports each result to the launcher (test/e2e/foundation.test.ts) through
 * the browser console: one line per test, a marker then JSON. Kept free of `vscode` so the
 * launcher, which runs under plain Node, can import it.
 */
export const RESULT_MARKER = '@@redis-swarm-test@@';
/** Starts every line the suite prints for people, so the launcher can pick them out of the
 * workbench's own console noise. */
export const LOG_PREFIX = '[redis-swarm tests]';
/** A file in the workspace folder naming the live cluster the launcher deployed: `{"cluster": "<name>"}`. */
export const LIVE_CLUSTER_FILE = '.redis-swarm-live-cluster.json';

export interface TestResult {
  readonly name: string;
  readonly ok: boolean;
  readonly durationMs: number;
  /** The failure, in words (assertion message and stack), when `ok` is false. */
  readonly error?: string;
}

export function formatResult(result: TestResult): string {
  return RESULT_MARKER + JSON.stringify(result);
}

/** Reads a result back from a console line, or undefined when the line is not one. */
export function parseResult(line: string): TestResult | undefined {
  const at = line.indexOf(RESULT_MARKER);
  if (at < 0) return undefined;
  try {
    const value: unknown = JSON.parse(line.slice(at + RESULT_MARKER.length));
    if (typeof value !== 'object' || value === null) return undefined;
    const r = value as Partial<TestResult>;
    if (typeof r.name !== 'string' || typeof r.ok !== 'boolean' || typeof r.durationMs !== 'number') return undefined;
    return { name: r.name, ok: r.ok, durationMs: r.durationMs, ...(typeof r.error === 'string' ? { error: r.error } : {}) };
  } catch {
    return undefined;
  }
}
