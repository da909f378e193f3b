/**
 * What the deploy wizard collects, and the deploy options it stands for. No `vscode` here: the
 * mapping is pure, and unit-tested.
 */
import { DEFAULT_OPERATOR_USER, parseUserSpec } from '../../core/swarm/aclUsers';
import { type ClusterMode, DEPLOY_DEFAULTS, type DeployOptions } from '../../core/swarm/deployOptions';

/** What the wizard collects; every field is validated by the core as it is entered. */
export interface Answers {
  name: string;
  nodes: number;
  replicas: number;
  image: string;
  network: string;
  publishBase?: number;
  mode: ClusterMode;
  /** TLS only, with a CA and node certificates generated at deploy (the CLI's `deploy --tls`). */
  tls: boolean;
  /** Application users as typed (NAME:KEYPATTERNS:CATEGORIES each); any, even none with `acl`, means ACL users. */
  users?: string[];
  password?: string;
}

export function deployOptionsOf(a: Readonly<Answers>): DeployOptions {
  return {
    ...DEPLOY_DEFAULTS,
    name: a.name,
    nodes: a.nodes,
    replicas: a.replicas,
    image: a.image,
    network: a.network,
    mode: a.mode,
    ...(a.publishBase !== undefined ? { publishBase: a.publishBase } : {}),
    ...(a.password !== undefined ? { password: a.password } : {}),
    ...(a.users !== undefined ? { acl: { operator: DEFAULT_OPERATOR_USER, users: a.users.map(parseUserSpec) } } : {}),
    ...(a.tls ? { tls: { source: 'generate' as const } } : {}),
  };
}
