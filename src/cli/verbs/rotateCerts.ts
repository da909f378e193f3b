import { BadInputError } from '../../core/errors';
import { tokenFromSignal } from '../../core/lifecycle';
import { rotateCertificates } from '../../core/ops/rotateCerts';
import { type ScaleContext } from '../../core/ops/scaleSupport';
import { flagBoolean, flagString, parseArgs } from '../args';
import { stderrProgress } from '../progress';
import { type Verb } from '../verb';
import { clusterTargetFlags } from './clusterTargets';
import { opsTargetsFromArgs, withTargets } from './opsTargets';
import { confirm } from '../prompt';

export const rotateCertsVerb: Verb = {
  name: 'rotate-certs',
  summary: 'New TLS certificates for every node of a cluster deployed with --tls, one node at a time, masters failed over first (no refused command).',
  usage: 'rotate-certs --cluster NAME [--yes] [--json]',
  flags: {
    yes: { kind: 'boolean', short: 'y', description: 'Rotate without asking.' },
    json: { kind: 'boolean', description: 'Print the nodes rotated as JSON.' },
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const name = flagString(args, 'cluster');
    if (name === undefined) throw new BadInputError('rotate-certs changes the node services: name the cluster with --cluster NAME.');
    const t = await opsTargetsFromArgs(args, io.env);
    return withTargets(t, 'rotate-certs', async () => {
      if (t.rest.length > 0) throw new BadInputError(`Unexpected argument "${t.rest[0]}".`);
      if (!t.access) throw new BadInputError('rotate-certs needs --cluster NAME.');
      const nodes = t.access.cluster.nodes.map((n) => n.service);
      io.stderr.write(`Each of ${nodes.join(', ')} gets a new certificate from the cluster's CA; each master first hands its slots to a replica, then each task restarts with its new certificate, one at a time.\n`);
      if (!(await confirm(io, flagBoolean(args, 'yes'), 'Rotate the certificates?'))) return 1;
      const ctx: ScaleContext = { engine: t.access.engine, router: t.router, pool: t.pool, progress: stderrProgress(io.stderr), token: tokenFromSignal(io.signal), discover: t.access.discover };
      const rotated = await rotateCertificates(ctx, t.access.cluster.name);
      if (flagBoolean(args, 'json')) io.stdout.write(JSON.stringify({ rotated }, null, 2) + '\n');
      else {
        for (const r of rotated) io.stdout.write(`${r.service}: new certificate ${r.certConfig}${r.failedOver ? ' (its slots went to its replica first)' : ''}\n`);
        io.stdout.write(`[OK] Rotated the certificates of ${rotated.length} of ${nodes.length} node(s).\n`);
      }
      return rotated.length === nodes.length ? 0 : 1;
    });
  },
};
