import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { type DeployOptions } from './deployOptions';
import { renderStackFile, type StackFile } from './stackFile';

export interface WrittenStackFile {
  readonly stackFile: string;
  /** redis.conf, written next to the stack file (the file's config names it by relative path). */
  readonly confFile: string;
  readonly rendered: StackFile;
  /** `docker stack deploy -c FILE STACK`, STACK left for the user to name. */
  readonly deployCommand: string;
}

/** Writes the stack file and its redis.conf for `deploy --stack-file` and VS Code's Write Stack File; creates nothing on the swarm. */
export async function writeStackFiles(file: string, options: DeployOptions): Promise<WrittenStackFile> {
  const rendered = renderStackFile(options, { fileName: path.basename(file) });
  const confFile = path.join(path.dirname(file), rendered.confFileName);
  await writeFile(file, rendered.yaml);
  await writeFile(confFile, rendered.confText);
  return { stackFile: file, confFile, rendered, deployCommand: `docker stack deploy -c ${file} STACK` };
}
