/**
 * The swarm objects a TLS or ACL-users stack file names as external, created by `deploy
 * --stack-file` before the file is written: the auth secret (ACL users and masterauth), each
 * application user's password secret, and the CA, node certificates (configs) and keys
 * (secrets). They are what deploy would create (clusterSecrets.ts), labelled as its, so
 * `destroy` removes them. A CA kept by `destroy --keep-ca` signs the node certificates, as with
 * deploy; any other name already taken is refused before anything is created, and a failure
 * part-way removes what was created.
 */
import { type Engine, getEngineStatus, requireSwarmManager } from '../docker/engine';
import { BadInputError, describeError } from '../errors';
import { type Logger, type ProgressReporter, nullLogger, silentProgress } from '../lifecycle';
import { type DeployOptions } from './deployOptions';
import { type DeployPlan, planDeploy } from './deploy';
import { createClusterSecrets, createdObjectNames, noSecretsCreated, objectNameProblems } from './clusterSecrets';
import { findKeptCa, readKeptCa } from './clusterCa';
import { removeClusterObjects } from './destroy';
import { clusterFilter } from './labels';

export interface StackObjects {
  /** The plan the objects were made from; the stack file must be rendered from it. */
  readonly plan: DeployPlan;
  readonly configs: readonly string[];
  readonly secrets: readonly string[];
  /** The CA config kept by `destroy --keep-ca` that signed the node certificates. */
  readonly reusedCa?: string;
}

export interface StackObjectsContext {
  readonly progress?: ProgressReporter;
  readonly logger?: Logger;
}

export async function createStackObjects(engine: Engine, o: DeployOptions, ctx: StackObjectsContext = {}): Promise<StackObjects> {
  const progress = ctx.progress ?? silentProgress;
  const { docker } = engine;
  requireSwarmManager(await getEngineStatus(engine));
  let plan = planDeploy(o);
  progress.report({ message: 'checking that the names of the secrets and configs are free' });
  // A running cluster of this name holds the same secrets (and its CA would look kept).
  const running = await docker.listServices({ filters: clusterFilter(o.name) });
  if (running.length > 0) {
    throw new BadInputError(`Cannot write the stack file of cluster "${o.name}": a cluster of that name runs on this swarm (destroy it first, or choose another --name). Nothing was created.`);
  }
  const kept = o.tls?.source === 'generate' ? await findKeptCa(docker, o.name) : undefined;
  const problems = await objectNameProblems(docker, plan, kept !== undefined);
  if (problems.length > 0) {
    throw new BadInputError(`Cannot write the stack file of cluster "${o.name}": ${problems.join('; ')} (left by an earlier cluster? redis-swarm destroy --cluster ${o.name} removes them). Nothing was created.`);
  }
  if (kept) {
    progress.report({ message: `reading the CA kept in ${kept.configName} to sign the node certificates` });
    plan = planDeploy(o, await readKeptCa(engine, o.name, o.image, kept));
  }
  const created = noSecretsCreated();
  try {
    await createClusterSecrets(docker, plan, created, kept, progress);
  } catch (err) {
    await removeStackObjects(engine, createdObjectNames(created), ctx.logger ?? nullLogger, err);
    throw err;
  }
  return { plan, ...createdObjectNames(created), ...(kept ? { reusedCa: kept.configName } : {}) };
}

/** Removes what createStackObjects made, after `cause` stopped the stack file being written. */
export async function removeStackObjects(engine: Engine, made: { readonly configs: readonly string[]; readonly secrets: readonly string[] }, logger: Logger, cause: unknown): Promise<void> {
  logger.warn(`writing the stack file failed (${describeError(cause)}); removing the secrets and configs made for it`);
  await removeClusterObjects(engine.docker, { services: [], volumes: [], networks: [], configs: [...made.configs], secrets: [...made.secrets] }).catch((cleanupErr: unknown) =>
    logger.error(`cleanup after a failed stack file: ${describeError(cleanupErr)}`),
  );
}
