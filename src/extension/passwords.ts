import type * as vscode from 'vscode';

/**
 * Passwords of clusters, kept in VS Code's SecretStorage (the OS keychain where there is one)
 * under a key per cluster name; never in settings. The model reader asks here first and falls
 * back to the cluster's Docker secret.
 */
export class ClusterPasswords {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(cluster: string): Promise<string | undefined> {
    return Promise.resolve(this.secrets.get(key(cluster)));
  }

  async store(cluster: string, password: string): Promise<void> {
    await this.secrets.store(key(cluster), password);
  }

  async delete(cluster: string): Promise<void> {
    await this.secrets.delete(key(cluster));
  }
}

function key(cluster: string): string {
  return `redisSwarm.password.${cluster}`;
}
