/**
 * The TLS certificates of redis-swarm's clusters on this swarm, read from their Docker configs
 * (a config's content is returned by the API; keys are in secrets, which it never returns).
 * What `doctor` shows: no node needs to be reached to know when a certificate expires.
 */
import type Docker from 'dockerode';
import { LABEL_CLUSTER, LABEL_MANAGED } from './labels';
import { certificateExpiry } from '../tls/certificates';

export interface CertificateEntry {
  readonly cluster: string;
  /** The config holding it. */
  readonly config: string;
  readonly kind: 'ca' | 'node';
  readonly expiresAt: Date;
}

export async function listClusterCertificates(docker: Docker): Promise<CertificateEntry[]> {
  const configs = (await docker.listConfigs({ filters: { label: [`${LABEL_MANAGED}=true`] } })) as {
    Spec?: { Name?: string; Labels?: Record<string, string>; Data?: string };
  }[];
  const out: CertificateEntry[] = [];
  for (const c of configs) {
    const name = c.Spec?.Name ?? '';
    const kind = /-tls-ca-[0-9a-f]+$/.test(name) ? 'ca' : /-tls-cert-[0-9a-f]+$/.test(name) ? 'node' : undefined;
    if (!kind || !c.Spec?.Data) continue;
    try {
      out.push({ cluster: c.Spec.Labels?.[LABEL_CLUSTER] ?? '?', config: name, kind, expiresAt: certificateExpiry(Buffer.from(c.Spec.Data, 'base64').toString('utf8')) });
    } catch {
      // Not a certificate after all (a config named like one by hand): not ours to judge.
    }
  }
  return out.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.expiresAt.getTime() - b.expiresAt.getTime());
}
