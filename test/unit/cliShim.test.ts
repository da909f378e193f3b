/**
 * The launcher Add redis-swarm to Terminal PATH writes (src/extension/cliShim.ts): run as a
 * real script, it starts the CLI with the Node it names and ELECTRON_RUN_AS_NODE set, passes
 * every argument through unchanged, and survives paths with spaces and quotes.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { shQuote, shimFiles, writeShims } from '../../src/extension/cliShim';

describe('the redis-swarm launcher for the integrated terminal', () => {
  const dir = mkdtempSync(path.join(tmpdir(), "redis swarm's shim "));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('quotes any path for sh', () => {
    for (const s of ['/plain', "/it's here", '/a "b" $HOME `x`', "''"]) {
      assert.equal(execFileSync('sh', ['-c', `printf %s ${shQuote(s)}`], { encoding: 'utf8' }), s);
    }
  });

  it('runs the CLI script with the given Node, ELECTRON_RUN_AS_NODE=1 and the arguments as given', async () => {
    // A stand-in for dist/cli.js that reports what it was given.
    const cli = path.join(dir, 'cli "bundle".js');
    writeFileSync(cli, 'process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), electron: process.env.ELECTRON_RUN_AS_NODE }));\n');
    const bin = path.join(dir, 'bin');
    const [file] = await writeShims(bin, process.execPath, cli, 'linux');
    assert.ok(file);
    assert.equal(statSync(file).mode & 0o111, 0o111, 'the launcher is executable');
    const out = execFileSync('redis-swarm', ['check', '--cluster', 'a b', '$HOME', ''], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}` } });
    assert.deepEqual(JSON.parse(out), { argv: ['check', '--cluster', 'a b', '$HOME', ''], electron: '1' });
  });

  it('on Windows: a .cmd that keeps ELECTRON_RUN_AS_NODE to itself', () => {
    const [cmd] = shimFiles('C:\\Program Files\\Code\\Code.exe', 'C:\\ext\\dist\\cli.js', 'win32');
    assert.equal(cmd?.name, 'redis-swarm.cmd');
    assert.match(cmd?.text ?? '', /setlocal\r\nset ELECTRON_RUN_AS_NODE=1\r\n"C:\\Program Files\\Code\\Code\.exe" "C:\\ext\\dist\\cli\.js" %\*\r\n$/);
  });
});
