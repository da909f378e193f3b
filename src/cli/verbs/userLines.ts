/** Who logs in how, said once after deploy and deploy --stack-file: user names and where their passwords are (never the passwords). */
export function userLines(r: { name: string; secret?: string; operatorUser?: string; userSecrets?: readonly { user: string; secret: string }[] }): string[] {
  if (r.operatorUser === undefined) return [];
  return [
    `ACL users (the default user is off): operator ${r.operatorUser} (password in secret ${r.secret ?? '?'}; redis-swarm reads it from there)`,
    ...(r.userSecrets ?? []).map(
      (u) => `  user ${u.user}: password in secret ${u.secret}; mount it in your services (docker service create --secret ${u.secret} …, file /run/secrets/${u.secret})`,
    ),
  ];
}

