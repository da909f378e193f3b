/**
 * package.json's contributions agree with the code: every command a menu, a welcome view or the
 * walkthrough names exists and is registered; every context key a `when`, an `enablement` or a
 * walkthrough completion event reads is set by src/extension (a key nobody sets hides a menu or
 * a welcome view for good); every %key% has its English text in package.nls.json; and every
 * vscode.l10n.t message in src/extension is in the shipped English bundle.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as ts from 'typescript';
import { firstRunContext, type FirstRunState } from '../../src/extension/firstRun/firstRunState';

// out/test/unit -> the repository root.
const ROOT = path.resolve(__dirname, '..', '..', '..');
const read = (f: string): string => readFileSync(path.join(ROOT, f), 'utf8');

interface Command {
  readonly command: string;
  readonly title: string;
  readonly enablement?: string;
}
interface MenuItem {
  readonly command: string;
  readonly when?: string;
}
interface Step {
  readonly id: string;
  readonly description: string;
  readonly media: { readonly markdown?: string; readonly image?: string };
  readonly completionEvents?: readonly string[];
}
interface Manifest {
  readonly l10n?: string;
  readonly scripts: Record<string, string>;
  readonly contributes: {
    readonly commands: readonly Command[];
    readonly menus: Record<string, readonly MenuItem[]>;
    readonly viewsWelcome: readonly { readonly view: string; readonly contents: string; readonly when?: string }[];
    readonly walkthroughs: readonly { readonly id: string; readonly steps: readonly Step[] }[];
    readonly views: Record<string, readonly { readonly id: string }[]>;
    readonly configuration: { readonly properties: Record<string, unknown> };
  };
}

const manifestText = read('package.json');
const manifest = JSON.parse(manifestText) as Manifest;
const nls = JSON.parse(read('package.nls.json')) as Record<string, string>;
const c = manifest.contributes;

/** Text as the workbench shows it: %key% replaced by package.nls.json's English. */
const english = (s: string): string => s.replace(/^%([^%]+)%$/, (_, k: string) => nls[k] ?? s);

/** Commands of `command:` links in welcome views and walkthrough steps. */
function linkedCommands(markdown: string): string[] {
  return [...markdown.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1] ?? '');
}

/** VS Code's own commands the walkthrough links to. */
const BUILT_IN = new Set(['workbench.action.openSettings']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}
const extensionSources = sources(path.join(ROOT, 'src', 'extension')).map((f) => ({ file: path.relative(ROOT, f), text: readFileSync(f, 'utf8') }));

/** Ids of the CommandDefs in src/extension/commands (the table in registry.ts registers them). */
const registered = new Set(extensionSources.flatMap((s) => [...s.text.matchAll(/\bid: '(redisSwarm\.[\w]+)'/g)].map((m) => m[1] ?? '')));

/** The context keys a `when`-style expression reads (the operand left of ==, !=, =~, or alone). */
function keysRead(expression: string): string[] {
  return expression
    // A regular expression's parentheses and bars are not the expression's.
    .replace(/=~\s*\/(?:\\.|[^/\\])*\/[a-z]*/g, '=~ RE')
    .split(/&&|\|\||[()]/)
    .map((atom) => atom.trim().replace(/^!+/, '').trim())
    .filter((atom) => atom.length > 0)
    .map((atom) => atom.split(/\s*(?:==|!=|=~|<=|>=|<|>|\bin\b|\bnot in\b)\s*/)[0]?.trim() ?? '')
    .filter((key) => key.length > 0 && key !== 'true' && key !== 'false');
}

/** Every expression with where it comes from. */
function expressions(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  for (const cmd of c.commands) if (cmd.enablement) out.push({ where: `enablement of ${cmd.command}`, expr: cmd.enablement });
  for (const [menu, items] of Object.entries(c.menus)) for (const m of items) if (m.when) out.push({ where: `menu ${menu} (${m.command})`, expr: m.when });
  for (const w of c.viewsWelcome) if (w.when) out.push({ where: `viewsWelcome ${w.view}`, expr: w.when });
  for (const wt of c.walkthroughs) {
    for (const s of wt.steps) for (const e of s.completionEvents ?? []) if (e.startsWith('onContext:')) out.push({ where: `walkthrough step ${s.id}`, expr: e.slice('onContext:'.length) });
  }
  return out;
}

/** Keys VS Code itself sets. */
const VSCODE_KEYS = new Set(['view', 'viewItem']);

/** The keys src/extension sets: firstRunContext's, and string literals passed to setContext (or named by a const beside such a call). */
function keysSet(): Set<string> {
  const keys = new Set<string>(Object.keys(firstRunContext(undefined, 'unreachable')));
  for (const s of extensionSources) {
    if (!s.text.includes("'setContext'")) continue;
    for (const m of s.text.matchAll(/'(redisSwarm\.[\w.]+)'/g)) keys.add(m[1] ?? '');
  }
  return keys;
}

describe('package.json contributions match the extension', () => {
  const contributed = new Set(c.commands.map((x) => x.command));

  it('every command a menu names is contributed', () => {
    const missing = Object.entries(c.menus).flatMap(([menu, items]) => items.filter((m) => !contributed.has(m.command)).map((m) => `${menu}: ${m.command}`));
    assert.deepEqual(missing, [], 'menus name commands package.json does not contribute');
  });

  it('every command:link in the welcome views and the walkthrough is contributed (or is VS Code\'s)', () => {
    const texts = [...c.viewsWelcome.map((w) => english(w.contents)), ...c.walkthroughs.flatMap((w) => w.steps.map((s) => english(s.description)))];
    const links = texts.flatMap(linkedCommands);
    assert.ok(links.length > 0, 'no command links found at all');
    const missing = links.filter((l) => !contributed.has(l) && !BUILT_IN.has(l));
    assert.deepEqual(missing, [], 'links to commands that do not exist');
  });

  it('every walkthrough step completes on a contributed command, a context key or a setting, and its media exists', () => {
    for (const wt of c.walkthroughs) {
      for (const s of wt.steps) {
        assert.ok((s.completionEvents ?? []).length > 0, `step ${s.id} has no completionEvents: it would complete when merely opened`);
        for (const e of s.completionEvents ?? []) {
          if (e.startsWith('onCommand:')) assert.ok(contributed.has(e.slice('onCommand:'.length)), `step ${s.id}: ${e} names no contributed command`);
          else assert.match(e, /^(onContext|onSettingChanged):/, `step ${s.id}: unexpected completion event ${e}`);
        }
        const media = s.media.markdown ?? s.media.image ?? '';
        assert.ok(existsSync(path.join(ROOT, media)), `step ${s.id}: ${media} is missing`);
      }
    }
  });

  it('every contributed command is registered in src/extension, and every registered one is contributed', () => {
    assert.deepEqual([...contributed].filter((x) => !registered.has(x)), [], 'contributed but never registered');
    assert.deepEqual([...registered].filter((x) => !contributed.has(x)), [], 'registered but not contributed');
  });

  it('every context key a when clause, enablement or completion event reads is set by src/extension', () => {
    const set = keysSet();
    const unset = expressions().flatMap(({ where, expr }) =>
      keysRead(expr)
        .filter((k) => !VSCODE_KEYS.has(k) && !k.startsWith('config.') && !set.has(k))
        .map((k) => `${k} (${where})`),
    );
    assert.deepEqual(unset, [], 'context keys nobody sets');
  });

  it('redisSwarm.state is compared only with states firstRunState can return', () => {
    const states: readonly FirstRunState[] = ['noEngine', 'swarmInactive', 'notManager', 'noCluster', 'clusters'];
    const compared = expressions().flatMap(({ expr }) => [...expr.matchAll(/redisSwarm\.state\s*[!=]=\s*(\w+)/g)].map((m) => m[1] ?? ''));
    assert.ok(compared.length > 0);
    assert.deepEqual(compared.filter((s) => !states.includes(s as FirstRunState)), []);
  });

  it('every %key% has its English text in package.nls.json, and package.nls.json has no unused key', () => {
    const used = new Set([...manifestText.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1] ?? ''));
    assert.deepEqual([...used].filter((k) => !(k in nls)), [], 'keys without English text');
    assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), [], 'English text no contribution uses');
  });
});

interface L10nCall {
  readonly file: string;
  readonly line: number;
  readonly message: string | undefined;
  readonly args: number;
}
const l10n = createRequire(__filename)(path.join(ROOT, 'scripts', 'l10nStrings.cjs')) as { l10nCalls(dir: string): L10nCall[] };

describe('vscode.l10n: the English bundle is complete', () => {
  const calls = l10n.l10nCalls(path.join(ROOT, 'src', 'extension'));

  it('package.json points at the bundle folder and the bundle holds every message', () => {
    assert.equal(manifest.l10n, './l10n');
    const bundle = JSON.parse(read('l10n/bundle.l10n.json')) as Record<string, string>;
    assert.ok(calls.length > 100, `only ${calls.length} vscode.l10n.t calls found: is the parser finding them?`);
    const missing = calls.filter((x) => x.message !== undefined && bundle[x.message] !== x.message).map((x) => `${x.file}:${x.line} ${JSON.stringify(x.message)}`);
    assert.deepEqual(missing, [], 'messages missing from l10n/bundle.l10n.json: run npm run l10n');
  });

  it('every message is a string literal whose {n} placeholders match its arguments', () => {
    const wrong = calls.flatMap((x) => {
      if (x.message === undefined) return [`${x.file}:${x.line}: not a string literal (the bundle cannot hold it)`];
      const indices = [...x.message.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1]));
      const needed = indices.length === 0 ? 0 : Math.max(...indices) + 1;
      return needed === x.args ? [] : [`${x.file}:${x.line}: ${JSON.stringify(x.message)} uses ${needed} argument(s), is given ${x.args}`];
    });
    assert.deepEqual(wrong, []);
  });

  it('user-visible sentences in the command files go through vscode.l10n.t', () => {
    // A message shown by VS Code's window API, written as a bare literal, escapes translation.
    const bare = extensionSources.flatMap((s) =>
      s.text
        .split('\n')
        .map((line, i) => ({ line, at: `${s.file}:${i + 1}` }))
        .filter(({ line }) => /show(Information|Warning|Error)Message\(\s*['`]/.test(line))
        .map(({ at }) => at),
    );
    assert.deepEqual(bare, []);
  });

  it('no bare English in messages, buttons, quick picks, input boxes, progress or tree text', () => {
    // The line check above misses a message on the line after the call, a button, and every
    // options object; the parser sees them all. Values such as '127.0.0.1' or a URL are not prose.
    const bare = extensionSources.flatMap((s) => bareProse(s.file, s.text));
    assert.deepEqual(bare, [], 'wrap these in vscode.l10n.t, then run npm run l10n');
  });

  it('the bare-English check catches a bare string where it looks', () => {
    const caught = bareProse(
      'x.ts',
      [
        "vscode.window.showWarningMessage(",
        "  `Restart ${what}?`, { modal: true, detail: 'Every slot keeps serving.' }, 'Restart');",
        "vscode.window.showQuickPick([{ label: 'Fail back', description: ok ? 'the masters' : vscode.l10n.t('x') }], { title: 'After the upgrade' });",
        "vscode.window.showInputBox({ prompt: 'ACL user name', placeHolder: 'ssh://admin@swarm-manager' });",
        "vscode.window.withProgress({ location: 1, title: `Upgrade to ${tag}` }, run);",
        "progress.report({ message: 'forming the cluster' });",
        "await runClusterOperation(ctx, cluster, 'Move slots', body);",
        "vscode.window.showInformationMessage(vscode.l10n.t('Done.'), vscode.l10n.t('Open'));",
      ].join('\n'),
    );
    assert.deepEqual(caught, [
      'x.ts:2 `Restart ${what}?`',
      "x.ts:2 'Every slot keeps serving.'",
      "x.ts:2 'Restart'",
      "x.ts:3 'Fail back'",
      "x.ts:3 'the masters'",
      "x.ts:3 'After the upgrade'",
      "x.ts:4 'ACL user name'",
      'x.ts:5 `Upgrade to ${tag}`',
      "x.ts:6 'forming the cluster'",
      "x.ts:7 'Move slots'",
    ]);
  });
});

/** Calls whose every literal argument the user reads (the last three take a progress title or a verb for a quick pick). */
const SHOWN_ARGS = /^(show(Information|Warning|Error)Message|setStatusBarMessage|runClusterOperation|runRoll|pickRollCluster)$/;
/** Object properties the user reads: options of quick picks, input boxes, progress and messages, quick pick items, tree text. */
const SHOWN_PROPS = new Set(['title', 'placeHolder', 'placeholder', 'prompt', 'label', 'description', 'detail', 'tooltip', 'message']);

/** A literal that reads as words (not an address, a path or a pure format such as `${a} (${b})`). */
function isProse(node: ts.Node): boolean {
  let text: string;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
  else if (ts.isTemplateExpression(node)) text = [node.head.text, ...node.templateSpans.map((sp) => sp.literal.text)].join(' ');
  else return false;
  return /\p{L}{2,}/u.test(text) && (/\p{L}{2,}\S*\s+\S*\p{L}/u.test(text) || /^\p{Lu}\p{Ll}/u.test(text));
}

/** The literals a value can evaluate to: through ?:, +, ??, || and parentheses, not into calls. */
function literalsOf(node: ts.Expression): ts.Node[] {
  if (ts.isParenthesizedExpression(node)) return literalsOf(node.expression);
  if (ts.isConditionalExpression(node)) return [...literalsOf(node.whenTrue), ...literalsOf(node.whenFalse)];
  if (ts.isBinaryExpression(node) && [ts.SyntaxKind.PlusToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(node.operatorToken.kind)) {
    return [...literalsOf(node.left), ...literalsOf(node.right)];
  }
  return [node];
}

/** `file:line literal` for each bare English string shown to the user in `text`. */
function bareProse(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    const callee = ts.isCallExpression(node) ? (ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression) : undefined;
    if (ts.isCallExpression(node) && callee && ts.isIdentifier(callee) && SHOWN_ARGS.test(callee.text)) {
      for (const a of node.arguments) found.push(...literalsOf(a));
    }
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && SHOWN_PROPS.has(node.name.text)) {
      found.push(...literalsOf(node.initializer));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found
    .filter(isProse)
    .sort((a, b) => a.getStart() - b.getStart())
    .map((n) => `${file}:${source.getLineAndCharacterOfPosition(n.getStart()).line + 1} ${n.getText()}`);
}

describe('the Marketplace page (README.vscode.md)', () => {
  const readme = read('README.vscode.md');

  it('is the README vsce packages', () => {
    assert.match(manifest.scripts['package'] ?? '', /--readme-path README\.vscode\.md\b/);
  });

  it('documents every setting', () => {
    const missing = Object.keys(c.configuration.properties).filter((k) => !readme.includes(`\`${k}\``));
    assert.deepEqual(missing, [], 'settings the Marketplace page does not mention');
  });

  it('shows screenshots that exist, and says what it sends and stores', () => {
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1] ?? '');
    for (const shot of ['tree', 'slot-map', 'terminal']) assert.ok(images.includes(`media/screenshots/${shot}.png`), `no ${shot} screenshot`);
    for (const image of images) assert.ok(existsSync(path.join(ROOT, image)), `${image} is missing`);
    assert.match(readme, /It sends nothing anywhere/);
    assert.match(readme, /SecretStorage/);
  });
});
