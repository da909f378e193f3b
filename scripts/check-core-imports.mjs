// Fails the build when anything under src/core imports `vscode`: the core must run under
// plain Node (the CLI and the tests load it without VS Code).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const offenders = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (/\.(ts|js|mjs|cjs)$/.test(name)) {
      const text = readFileSync(p, 'utf8');
      if (/(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)|import\(\s*['"]vscode['"]\s*\))/.test(text)) offenders.push(p);
    }
  }
}
walk('src/core');
if (offenders.length > 0) {
  console.error(`src/core must not import vscode; found in:\n  ${offenders.join('\n  ')}`);
  process.exit(1);
}
console.log('src/core: no vscode import');
