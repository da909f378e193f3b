/**
 * The entry point VS Code loads for `extensionTestsPath` (code-server's payload URL, or
 * @vscode/test-electron's runTests): it must export `run()`; a rejection exits the run with 1.
 */
import { extensionTests } from './extensionSuite';
import { runTests } from './harness';
import { sidebarTests } from './sidebarSuite';
import { opsTests } from './opsSuite';

export function run(): Promise<void> {
  return runTests([...extensionTests, ...sidebarTests, ...opsTests]);
}
