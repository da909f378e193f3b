// The strings the extension passes to vscode.l10n.t, found with the TypeScript parser (not a
// regular expression: a message may hold quotes, braces or span lines). Shared by
// scripts/l10n-bundle.mjs, which writes l10n/bundle.l10n.json, and the unit test that checks it.
// CommonJS, so both the ES module script and the compiled (CommonJS) unit test can load it.
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** `vscode.l10n.t(...)`, whatever the namespace import is called. */
function isL10nT(node) {
  const callee = node.expression;
  return (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === 't' &&
    ts.isPropertyAccessExpression(callee.expression) &&
    callee.expression.name.text === 'l10n'
  );
}

/**
 * Every call under `dir`: { file, line, message (undefined when the first argument is not a
 * plain string literal), args (the number of arguments after it) }.
 */
function l10nCalls(dir) {
  const calls = [];
  for (const file of sourceFiles(dir)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isCallExpression(node) && isL10nT(node)) {
        const first = node.arguments[0];
        const literal = first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) ? first.text : undefined;
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        calls.push({ file: path.relative(process.cwd(), file), line, message: literal, args: node.arguments.length - 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}

/** The English bundle: each message is its own key and value (vscode.l10n looks messages up by their English text). */
function englishBundle(calls) {
  const bundle = {};
  for (const m of [...new Set(calls.map((c) => c.message).filter((m) => m !== undefined))].sort()) bundle[m] = m;
  return bundle;
}

module.exports = { l10nCalls, englishBundle };
