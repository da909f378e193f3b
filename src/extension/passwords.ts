import type * as vscode from 'vscode';
import { type Credentials, type GivenLogin } from '../core/swarm/auth';

/**
 * Logins of clusters, kept in VS Code's SecretStorage (the OS keychain where there is one) under
 * a key per cluster name; never in settings. Two per cluster: the one redis-swarm's views and
 * commands use (given at deploy; the model reader asks here first and falls back to the
 * cluster's Docker secrets), and the one the cluster terminal logs in as (asked once).
 */
export class ClusterPasswords {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The login for views and commands: a user and password, or (from older versions) a password alone. */
  async get(cluster: string): Promise<GivenLogin | undefined> {
    const stored = parseLogin(await this.secrets.get(loginKey(cluster)));
    if (stored) return stored;
    const legacy = await this.secrets.get(passwordKey(cluster));
    return legacy !== undefined ? { password: legacy } : undefined;
  }

  async store(cluster: string, login: Credentials): Promise<void> {
    await this.secrets.store(loginKey(cluster), JSON.stringify(login));
  }

  /** The cluster terminal's login, remembered after it was asked for once. */
  async getTerminal(cluster: string): Promise<Credentials | undefined> {
    const stored = parseLogin(await this.secrets.get(terminalKey(cluster)));
    return stored?.password !== undefined ? { ...(stored.username !== undefined ? { username: stored.username } : {}), password: stored.password } : undefined;
  }

  async storeTerminal(cluster: string, login: Credentials): Promise<void> {
    await this.secrets.store(terminalKey(cluster), JSON.stringify(login));
  }

  async delete(cluster: string): Promise<void> {
    await Promise.all([this.secrets.delete(passwordKey(cluster)), this.secrets.delete(loginKey(cluster)), this.secrets.delete(terminalKey(cluster))]);
  }
}

function parseLogin(text: string | undefined): GivenLogin | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as { username?: unknown; password?: unknown };
    return {
      ...(typeof v.username === 'string' ? { username: v.username } : {}),
      ...(typeof v.password === 'string' ? { password: v.password } : {}),
    };
  } catch {
    return undefined;
  }
}

function passwordKey(cluster: string): string {
  return `redisSwarm.password.${cluster}`;
}

function loginKey(cluster: string): string {
  return `redisSwarm.login.${cluster}`;
}

function terminalKey(cluster: string): string {
  return `redisSwarm.terminalLogin.${cluster}`;
}
