/** Where things are, for the e2e launchers (compiled to out/test/e2e, three levels below the root). */
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const VSIX_PATH = path.join(REPO_ROOT, 'dist', 'redis-swarm.vsix');
/** Screenshots and logs; git-ignored. */
export const OUTPUT_DIR = path.join(REPO_ROOT, 'test-output', 'e2e');
/** The compiled extension-host suite (test/extensionHost/index.ts). */
export const EXTENSION_TESTS_ENTRY = path.join(REPO_ROOT, 'out', 'test', 'extensionHost', 'index.js');

export const CODE_SERVER_VERSION = '4.99.4';
/** Installed by scripts/install-code-server.sh; REDIS_SWARM_CODE_SERVER points elsewhere. */
export function codeServerBinary(): string {
  const fromEnv = process.env['REDIS_SWARM_CODE_SERVER'];
  if (fromEnv) return fromEnv;
  const tools = process.env['REDIS_SWARM_TOOLS'] || '/var/cache/redis-swarm';
  return path.join(tools, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
}
