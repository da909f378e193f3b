import { BadInputError } from '../../core/errors';
import { tokenFromSignal } from '../../core/lifecycle';
import { formatHealOutcome } from '../../core/heal/formatHeal';
import { drainHost, findSwarmHost, planDrain, setHostAvailability } from '../../core/heal/drainHost';
import { checkHealCluster, openHealSession } from '../../core/heal/healCluster';
import { DEFAULT_GRACE_SECONDS } from '../../core/heal/planHeal';
import { openEngine } from '../../core/docker/engine';
import { ask } from '../prompt';
import { flagBoolean, flagString, parseArgs } from '../args';
import { opsProgress } from '../progress';
import { type Verb } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';
import { givenLogin, userFlag } from './loginFlags';

const hostFlags = {
  node: { kind: 'string', valueName: 'hostname', description: 'The swarm node, by hostname (as `docker node ls` shows it) or ID.' },
  cluster: { kind: 'string', valueName: 'name', description: 'The Redis cluster to keep serving (its masters on the node fail over first).' },
  yes: { kind: 'boolean', short: 'y', description: 'Do it without asking.' },
  user: userFlag,
  ...dockerFlags,
} as const;

export const drainHostVerb: Verb = {
  name: 'drain-host',
  summary: "Drain a swarm node without refusing a write: fail its masters over to replicas elsewhere, drain it, wait for its tasks to move, heal.",
  usage: 'drain-host --node HOSTNAME --cluster NAME [--yes]',
  flags: hostFlags,
  async run(argv, io) {
    const args = parseArgs(argv, hostFlags);
    const hostName = flagString(args, 'node');
    const name = flagString(args, 'cluster');
    if (!hostName || !name) throw new BadInputError('Name the swarm node and the cluster: drain-host --node HOSTNAME --cluster NAME.');
    const session = await openHealSession(openEngine(engineOptions(args, io.env)), name, { login: givenLogin(args, io.env) });
    try {
      const plan = await planDrain(session, hostName, { token: tokenFromSignal(io.signal) });
      for (const f of plan.failovers) io.stdout.write(`Fail master ${f.master.swarm?.service ?? f.master.id} over to ${f.replica.swarm?.service ?? f.replica.id} on ${f.replica.swarm?.swarmHost ?? '?'}.\n`);
      io.stdout.write(`Drain ${plan.host.hostname}: ${plan.moving.length > 0 ? `${plan.moving.join(', ')} move to other swarm nodes (they restart empty; heal makes them replicas again).` : 'no node of the cluster runs there.'}\n`);
      if (plan.blockers.length > 0) throw new BadInputError(`Not draining ${plan.host.hostname}: ${plan.blockers.join('; ')}.`);
      if (!flagBoolean(args, 'yes')) {
        if (!io.stdin.isTTY) throw new BadInputError('Not draining without a confirmation: stdin is not a terminal. Run again with --yes.');
        if ((await ask(io, "Can I do this? (type 'yes' to accept): ")) !== 'yes') return 1;
      }
      const r = await drainHost(session, plan, { graceMs: DEFAULT_GRACE_SECONDS * 1000, token: tokenFromSignal(io.signal), progress: opsProgress(io.stdout) });
      io.stdout.write(formatHealOutcome(r.heal));
      io.stdout.write(`${plan.host.hostname} is drained; bring it back with: redis-swarm activate-host --node ${plan.host.hostname} --cluster ${name}\n`);
      return r.heal.ok ? 0 : 1;
    } finally {
      await session.dispose();
    }
  },
};

export const activateHostVerb: Verb = {
  name: 'activate-host',
  summary: 'Let a drained (or paused) swarm node take tasks again, and say whether replicas could move back onto it (heal --spread-hosts).',
  usage: 'activate-host --node HOSTNAME [--cluster NAME]',
  flags: hostFlags,
  async run(argv, io) {
    const args = parseArgs(argv, hostFlags);
    const hostName = flagString(args, 'node');
    if (!hostName) throw new BadInputError('Name the swarm node: activate-host --node HOSTNAME.');
    const engine = openEngine(engineOptions(args, io.env));
    const host = await findSwarmHost(engine.docker, hostName);
    await setHostAvailability(engine.docker, host, 'active');
    io.stdout.write(`[OK] ${host.hostname} takes tasks again.\n`);
    const name = flagString(args, 'cluster');
    if (!name) return 0;
    const session = await openHealSession(engine, name, { login: givenLogin(args, io.env) });
    try {
      const offers = (await checkHealCluster(session)).findings.filter((f) => f.code === 'host-spread' || f.code === 'master-spread');
      io.stdout.write(offers.length > 0 ? offers.map((f) => `${f.message}\n`).join('') : `Nothing of ${name} needs to move.\n`);
      return 0;
    } finally {
      await session.dispose();
    }
  },
};
