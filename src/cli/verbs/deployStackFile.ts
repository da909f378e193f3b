import { type Engine } from '../../core/docker/engine';
import { type DeployOptions } from '../../core/swarm/deployOptions';
import { stackNeedsSwarmObjects } from '../../core/swarm/stackFile';
import { writeStackFiles } from '../../core/swarm/stackFileWrite';
import { stderrProgress } from '../progress';
import { userLines } from './userLines';

/**
 * `deploy --stack-file FILE`: writes the stack file and its redis.conf. A password alone creates
 * nothing on the swarm; with TLS or ACL users the secrets and certificate configs the file names
 * are created first on the engine `openEngine` gives.
 */
export async function writeStackFile(
  file: string,
  options: DeployOptions,
  io: { readonly stdout: NodeJS.WritableStream; readonly stderr: NodeJS.WritableStream },
  json: boolean,
  openEngine: () => Engine,
): Promise<number> {
  const swarm = stackNeedsSwarmObjects(options) ? { engine: openEngine(), progress: stderrProgress(io.stderr) } : undefined;
  const { rendered, confFile: confPath, deployCommand, created } = await writeStackFiles(file, options, swarm);
  const users = options.acl ? { operatorUser: options.acl.operator, userSecrets: rendered.plan.userSecrets.map((u) => ({ user: u.user, secret: u.name })) } : undefined;
  if (json) {
    io.stdout.write(
      JSON.stringify(
        {
          stackFile: file,
          confFile: confPath,
          services: rendered.plan.services.map((s) => s.name),
          ...(rendered.secret ? { secret: rendered.secret.name, secretCreateCommand: rendered.secret.createCommand } : {}),
          ...(created ? { created } : {}),
          ...(users ?? {}),
          deployCommand,
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  io.stdout.write(
    [
      `Wrote ${file} and ${confPath}: cluster "${options.name}", ${options.nodes} node services (${rendered.plan.services.map((s) => s.name).join(', ')}). ` +
        (created
          ? `Its secrets${created.configs.length > 0 ? ' and certificates' : ''} were created on the swarm (below); nothing else was.`
          : 'Nothing was created on the swarm.'),
      ...(rendered.secret
        ? [`The file names the password secret ${rendered.secret.name} as external; create it first, with the password in $REDIS_PASSWORD:`, `  ${rendered.secret.createCommand}`]
        : []),
      ...(created
        ? [
            `Created (labelled as cluster ${options.name}'s, so destroy removes them; the file names them as external):`,
            `  secrets ${created.secrets.join(', ')}`,
            ...(created.configs.length > 0 ? [`  configs ${created.configs.join(', ')}`] : []),
            ...(created.reusedCa ? [`  the CA kept by destroy --keep-ca (${created.reusedCa}) signed the node certificates`] : []),
          ]
        : []),
      ...userLines({ name: options.name, ...(rendered.plan.secretName ? { secret: rendered.plan.secretName } : {}), ...(users ?? {}) }),
      `Deploy it with: ${deployCommand}   (services STACK_${rendered.plan.services[0]?.name ?? ''} …; add --resolve-image never for a local image)`,
      `Then form the cluster with: redis-swarm create --cluster ${options.name}`,
    ].join('\n') + '\n',
  );
  return 0;
}
