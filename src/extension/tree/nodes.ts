/** The plain nodes of the sidebar tree; the provider turns them into TreeItems. */
import { EngineStatus } from '../../core/docker/engine';

export type TreeNode = EngineNode | EngineErrorNode;

export interface EngineNode {
  readonly kind: 'engine';
  readonly status: EngineStatus;
}

export interface EngineErrorNode {
  readonly kind: 'engineError';
  readonly message: string;
}
