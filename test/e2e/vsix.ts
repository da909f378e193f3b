/** Packages the extension the way it ships (`npm run package`) and lists what the .vsix holds. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPO_ROOT, VSIX_PATH } from './paths';

const execFileAsync = promisify(execFile);
const PACKAGE_TIMEOUT_MS = 120_000;

export async function packageExtension(): Promise<string> {
  try {
    await execFileAsync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, timeout: PACKAGE_TIMEOUT_MS });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message?: string };
    throw new Error(`npm run package failed: ${e.message ?? ''}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  return VSIX_PATH;
}

export async function vsixEntries(vsix: string): Promise<string[]> {
  const { stdout } = await execFileAsync('unzip', ['-Z1', vsix]);
  return stdout.split('\n').filter((l) => l.length > 0);
}

/** Entries that should not ship: sources, tests, source maps, dependencies (all are bundled). */
export function unwantedEntries(entries: readonly string[]): string[] {
  return entries.filter(
    (e) =>
      /\.(ts|tsx|map)$/.test(e) ||
      /^extension\/(src|test|out|node_modules|scripts|test-output)\//.test(e) ||
      /(^|\/)tsconfig[^/]*\.json$/.test(e),
  );
}
