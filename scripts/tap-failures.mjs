#!/usr/bin/env node
/**
 * Prints each failed test of the given TAP files (node --test's tap reporter) with its error,
 * without the stack and the suites that only failed because a test in them did. test.sh prints
 * this last, so a CI log cut to its tail still says what failed and why; the side layers'
 * output, printed earlier, is often cut off.
 *
 * usage: node scripts/tap-failures.mjs test-output/<layer>.tap ...
 */
import { existsSync, readFileSync } from 'node:fs';

/** Lines of one failure's error kept (the rest is cut, with a note). */
const MAX_LINES = 40;

function failures(tap) {
  const lines = readFileSync(tap, 'utf8').split('\n');
  const found = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
    if (!head) continue;
    const indent = head[1].length;
    const block = [];
    let j = i + 1;
    if (lines[j]?.trim() === '---') {
      for (j++; j < lines.length && lines[j].trim() !== '...'; j++) block.push(lines[j].slice(indent + 2));
    }
    if (block.some((l) => l === "failureType: 'subtestsFailed'")) continue;
    // The YAML keys worth reading: the error and the values an assertion compared; not the stack.
    const kept = [];
    let keep = false;
    for (const l of block) {
      if (/^\S/.test(l)) keep = /^(location|failureType|error|code|expected|actual):/.test(l);
      if (keep) kept.push(l);
    }
    found.push({ name: head[2], kept });
  }
  return found;
}

let total = 0;
for (const tap of process.argv.slice(2)) {
  if (!existsSync(tap)) continue;
  for (const f of failures(tap)) {
    total++;
    console.log(`✖ ${tap}: ${f.name}`);
    for (const l of f.kept.slice(0, MAX_LINES)) console.log(`    ${l}`);
    if (f.kept.length > MAX_LINES) console.log(`    … ${f.kept.length - MAX_LINES} more line(s) in ${tap}`);
  }
}
if (total > 0) console.log(`${total} failed test(s) above; whole output in the layers' logs and test-output/*.tap`);
