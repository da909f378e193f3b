/**
 * The Docker contexts in ~/.docker/contexts (what `docker context ls` lists), for a picker.
 * Context metadata lives in contexts/meta/<sha256 of the name>/meta.json.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface DockerContextInfo {
  readonly name: string;
  readonly host?: string;
  readonly description?: string;
}

export function listDockerContexts(options: { env?: NodeJS.ProcessEnv; homeDir?: string } = {}): DockerContextInfo[] {
  const env = options.env ?? process.env;
  const configDir = env['DOCKER_CONFIG'] || join(options.homeDir ?? homedir(), '.docker');
  const metaDir = join(configDir, 'contexts', 'meta');
  if (!existsSync(metaDir)) return [];
  const out: DockerContextInfo[] = [];
  for (const id of readdirSync(metaDir)) {
    const file = join(metaDir, id, 'meta.json');
    if (!existsSync(file)) continue;
    try {
      const meta = JSON.parse(readFileSync(file, 'utf8')) as {
        Name?: unknown;
        Metadata?: { Description?: unknown };
        Endpoints?: { docker?: { Host?: unknown } };
      };
      if (typeof meta.Name !== 'string') continue;
      const host = meta.Endpoints?.docker?.Host;
      const description = meta.Metadata?.Description;
      out.push({
        name: meta.Name,
        ...(typeof host === 'string' ? { host } : {}),
        ...(typeof description === 'string' && description ? { description } : {}),
      });
    } catch {
      // A damaged context is skipped here; selecting it by name reports the problem.
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
