/**
 * `--services a,b,c`: the user names a cluster's node services when discovery (labels, or
 * `NAME-<n>` services running a Redis server) finds the wrong ones or none.
 */
import { BadInputError } from '../../core/errors';
import { type FlagSpec, flagString, type ParsedArgs } from '../args';

export const servicesFlag: FlagSpec = {
  kind: 'string',
  valueName: 'a,b,c',
  description: 'With --cluster: the node services, comma-separated, when they are not found by label or as NAME-1 … NAME-N running a Redis server.',
};

export function flagServices(args: ParsedArgs): string[] {
  const text = flagString(args, 'services');
  if (text === undefined) return [];
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new BadInputError('--services needs service names, comma-separated (for example --services cache-a,cache-b,cache-c).');
  if (flagString(args, 'cluster') === undefined) throw new BadInputError('--services names the nodes of a cluster: give the cluster a name with --cluster NAME.');
  return names;
}
