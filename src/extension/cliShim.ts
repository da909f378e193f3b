/**
 * The `redis-swarm` command the extension puts on its terminals' PATH: a small script that runs
 * the CLI bundled in the .vsix (dist/cli.js) with the Node that runs VS Code itself
 * (`process.execPath`; ELECTRON_RUN_AS_NODE makes VS Code's Electron binary behave as plain
 * Node, as other extensions' shims do), so no Node needs to be installed. Pure: no `vscode`.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

export interface ShimFile {
  readonly name: string;
  readonly text: string;
  /** POSIX file mode. */
  readonly mode: number;
}

const EXECUTABLE = 0o755;
const HEADER = 'Written by the Redis Swarm VS Code extension: runs its bundled CLI with the Node VS Code ships.';

/** A word for sh, in single quotes (a quote inside ends the quoting, adds \', and reopens it). */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The launcher scripts for `platform`: `redis-swarm` (sh) elsewhere, `redis-swarm.cmd` on Windows. */
export function shimFiles(execPath: string, cliJs: string, platform: NodeJS.Platform = process.platform): ShimFile[] {
  if (platform === 'win32') {
    // setlocal: the variable stays in this script, not in the user's cmd session.
    return [{ name: 'redis-swarm.cmd', mode: EXECUTABLE, text: `@echo off\r\nrem ${HEADER}\r\nsetlocal\r\nset ELECTRON_RUN_AS_NODE=1\r\n"${execPath}" "${cliJs}" %*\r\n` }];
  }
  return [{ name: 'redis-swarm', mode: EXECUTABLE, text: `#!/bin/sh\n# ${HEADER}\nELECTRON_RUN_AS_NODE=1 exec ${shQuote(execPath)} ${shQuote(cliJs)} "$@"\n` }];
}

/** Writes the launcher into `binDir` (made if missing); returns the files written. */
export async function writeShims(binDir: string, execPath: string, cliJs: string, platform: NodeJS.Platform = process.platform): Promise<string[]> {
  await mkdir(binDir, { recursive: true });
  const written: string[] = [];
  for (const f of shimFiles(execPath, cliJs, platform)) {
    const file = path.join(binDir, f.name);
    await writeFile(file, f.text);
    await chmod(file, f.mode);
    written.push(file);
  }
  return written;
}
