/**
 * How the cluster verbs log in: `--user NAME` (an ACL user) and the password from REDISCLI_AUTH,
 * as redis-cli takes it, so one shell works for both. With `--cluster` and neither, the
 * cluster's own credentials are read from its Docker secrets (the operator user, or the password).
 */
import { type GivenLogin } from '../../core/swarm/auth';
import { type FlagSpec, flagString, type ParsedArgs } from '../args';

export const userFlag: FlagSpec = {
  kind: 'string',
  valueName: 'name',
  description: 'Log in as this ACL user (password from REDISCLI_AUTH; with --cluster, read from the cluster\'s secret when unset).',
};

export function givenLogin(args: ParsedArgs, env: NodeJS.ProcessEnv): GivenLogin {
  const username = flagString(args, 'user');
  const password = env['REDISCLI_AUTH'] || undefined;
  return { ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
}
