// Writes l10n/bundle.l10n.json, the English bundle, from the vscode.l10n.t calls in
// src/extension (`npm run l10n`); `--check` only compares and exits 1 when it is out of date.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import l10nStrings from './l10nStrings.cjs';

const { englishBundle, l10nCalls } = l10nStrings;

const BUNDLE = 'l10n/bundle.l10n.json';
const calls = l10nCalls('src/extension');
const notLiteral = calls.filter((c) => c.message === undefined);
if (notLiteral.length > 0) {
  for (const c of notLiteral) console.error(`${c.file}:${c.line}: vscode.l10n.t needs a string literal as its message`);
  process.exit(1);
}
const text = JSON.stringify(englishBundle(calls), null, 2) + '\n';
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(BUNDLE, 'utf8');
  } catch {
    // Missing: reported below.
  }
  if (current !== text) {
    console.error(`${BUNDLE} is out of date: run npm run l10n`);
    process.exit(1);
  }
} else {
  mkdirSync('l10n', { recursive: true });
  writeFileSync(BUNDLE, text);
  console.log(`${BUNDLE}: ${Object.keys(JSON.parse(text)).length} messages`);
}
