/**
 * Who a cluster terminal logs in as, decided before anything is asked: a login remembered from
 * an earlier terminal is used as it is (the terminal asks once); on a cluster with ACL users the
 * user picks one (operator first); a login given at deploy is used; otherwise the cluster's own
 * credentials are read from its secret. The VS Code layer asks and remembers.
 */
import { type Credentials, type GivenLogin } from './auth';
import { type SwarmCluster } from './discover';

export type TerminalLoginPlan =
  | { readonly kind: 'use'; readonly credentials: Credentials }
  | { readonly kind: 'pick-user'; readonly users: readonly { readonly name: string; readonly role: 'operator' | 'application' }[] }
  | { readonly kind: 'cluster' };

export function planTerminalLogin(swarm: SwarmCluster, remembered: Credentials | undefined, given: GivenLogin | undefined): TerminalLoginPlan {
  if (remembered) return { kind: 'use', credentials: remembered };
  if (swarm.operatorUser !== undefined) {
    return {
      kind: 'pick-user',
      users: [
        { name: swarm.operatorUser, role: 'operator' },
        ...(swarm.appUsers ?? []).map((name) => ({ name, role: 'application' as const })),
      ],
    };
  }
  if (given?.password !== undefined) {
    return { kind: 'use', credentials: { ...(given.username !== undefined ? { username: given.username } : {}), password: given.password } };
  }
  return { kind: 'cluster' };
}
