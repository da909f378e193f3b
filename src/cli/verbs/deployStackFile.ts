import { type DeployOptions } from '../../core/swarm/deployOptions';
import { writeStackFiles } from '../../core/swarm/stackFileWrite';

/** `deploy --stack-file FILE`: writes the stack file and its redis.conf; creates nothing on the swarm. */
export async function writeStackFile(file: string, options: DeployOptions, out: NodeJS.WritableStream, json: boolean): Promise<number> {
  const { rendered, confFile: confPath, deployCommand } = await writeStackFiles(file, options);
  if (json) {
    out.write(
      JSON.stringify(
        {
          stackFile: file,
          confFile: confPath,
          services: rendered.plan.services.map((s) => s.name),
          ...(rendered.secret ? { secret: rendered.secret.name, secretCreateCommand: rendered.secret.createCommand } : {}),
          deployCommand,
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  out.write(
    [
      `Wrote ${file} and ${confPath}: cluster "${options.name}", ${options.nodes} node services (${rendered.plan.services.map((s) => s.name).join(', ')}). Nothing was created on the swarm.`,
      ...(rendered.secret
        ? [`The file names the password secret ${rendered.secret.name} as external; create it first, with the password in $REDIS_PASSWORD:`, `  ${rendered.secret.createCommand}`]
        : []),
      `Deploy it with: ${deployCommand}   (services STACK_${rendered.plan.services[0]?.name ?? ''} …; add --resolve-image never for a local image)`,
      `Then form the cluster with: redis-swarm create --cluster ${options.name}`,
    ].join('\n') + '\n',
  );
  return 0;
}
