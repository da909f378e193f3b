import { type TargetOptions } from '../../core/docker/target';
import { type FlagSpecs, type ParsedArgs, flagString } from '../args';

/** Flags every verb that talks to Docker takes, named as the docker CLI names them. */
export const dockerFlags: FlagSpecs = {
  host: { kind: 'string', short: 'H', valueName: 'url', description: 'Docker engine (unix://, tcp://, ssh://); default: DOCKER_HOST, then the current context.' },
  context: { kind: 'string', valueName: 'name', description: 'Docker context to use.' },
};

export function engineOptions(args: ParsedArgs, env: NodeJS.ProcessEnv): TargetOptions {
  const host = flagString(args, 'host');
  const context = flagString(args, 'context');
  return { env, ...(host ? { dockerHost: host } : {}), ...(context ? { context } : {}) };
}
