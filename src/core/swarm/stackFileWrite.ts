import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { type Engine } from '../docker/engine';
import { BadInputError } from '../errors';
import { nullLogger } from '../lifecycle';
import { type DeployOptions } from './deployOptions';
import { renderStackFile, stackNeedsSwarmObjects, type StackFile } from './stackFile';
import { type StackObjectsContext, createStackObjects, removeStackObjects } from './stackObjects';

export interface WrittenStackFile {
  readonly stackFile: string;
  /** redis.conf, written next to the stack file (the file's config names it by relative path). */
  readonly confFile: string;
  readonly rendered: StackFile;
  /** `docker stack deploy -c FILE STACK`, STACK left for the user to name. */
  readonly deployCommand: string;
  /** With TLS or ACL users: the secrets and configs created on the swarm, which the file names as external. */
  readonly created?: { readonly configs: readonly string[]; readonly secrets: readonly string[]; readonly reusedCa?: string };
}

/**
 * Writes the stack file and its redis.conf for `deploy --stack-file` and VS Code's Write Stack
 * File. A password alone creates nothing on the swarm (the user makes its secret); TLS or ACL
 * users need `swarm`: their secrets and certificate configs are created there first, and removed
 * again if the files cannot be written.
 */
export async function writeStackFiles(file: string, options: DeployOptions, swarm?: StackObjectsContext & { readonly engine: Engine }): Promise<WrittenStackFile> {
  const deployCommand = `docker stack deploy -c ${file} STACK`;
  if (!stackNeedsSwarmObjects(options)) {
    const rendered = renderStackFile(options, { fileName: path.basename(file) });
    return { stackFile: file, confFile: await writeBoth(file, rendered), rendered, deployCommand };
  }
  if (!swarm) throw new BadInputError('A stack file with TLS or ACL users needs a swarm to create its secrets on.');
  const made = await createStackObjects(swarm.engine, options, swarm);
  try {
    const rendered = renderStackFile(options, { fileName: path.basename(file), plan: made.plan });
    const created = { configs: made.configs, secrets: made.secrets, ...(made.reusedCa ? { reusedCa: made.reusedCa } : {}) };
    return { stackFile: file, confFile: await writeBoth(file, rendered), rendered, deployCommand, created };
  } catch (err) {
    await removeStackObjects(swarm.engine, made, swarm.logger ?? nullLogger, err);
    throw err;
  }
}

async function writeBoth(file: string, rendered: StackFile): Promise<string> {
  const confFile = path.join(path.dirname(file), rendered.confFileName);
  await writeFile(file, rendered.yaml);
  await writeFile(confFile, rendered.confText);
  return confFile;
}
