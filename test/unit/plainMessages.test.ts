/**
 * Messages reach people as plain text (notifications, the slot map page, the core's errors
 * shown by VS Code): a Markdown backtick there shows as a literal "`fix`". Only the tree's tooltips are
 * Markdown (describeNodes.ts). This reads the sources and names every other line that writes
 * an escaped backtick into a string.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** Files whose strings are Markdown on purpose. */
const MARKDOWN = new Set(['src/core/model/describeNodes.ts']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : name.endsWith('.ts') ? [full] : [];
  });
}

test('no literal backticks in messages: only Markdown tooltips use them', () => {
  const offenders: string[] = [];
  // The core's sentences reach VS Code's notifications; the CLI's own lines are terminal text.
  for (const file of ['src/core', 'src/extension', 'media'].flatMap((d) => files(path.join(ROOT, d)))) {
    const rel = path.relative(ROOT, file).split(path.sep).join('/');
    if (MARKDOWN.has(rel)) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.trim();
        if (code.startsWith('*') || code.startsWith('//') || code.startsWith('/*')) return;
        if (code.includes('\\`')) offenders.push(`${rel}:${i + 1}: ${code.slice(0, 120)}`);
      });
  }
  assert.deepEqual(offenders, [], `messages with literal backticks:\n${offenders.join('\n')}`);
});
