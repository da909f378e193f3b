/**
 * redis-cli's TLS flags for the cluster verbs (create, check, reshard, …), with its meanings:
 * `--tls` turns TLS on; the others only count with it.
 */
import { BadInputError } from '../../core/errors';
import { type TlsClientConfig } from '../../core/tls/clientTls';
import { loadTlsFlags } from '../../core/tls/tlsFiles';
import { type FlagSpecs, flagBoolean, flagString, type ParsedArgs } from '../args';

export const tlsFlags: FlagSpecs = {
  tls: { kind: 'boolean', description: 'Speak TLS to the nodes (a cluster deployed with --tls is spoken to in TLS without it).' },
  cacert: { kind: 'string', valueName: 'file', description: 'With --tls: CA certificate file to verify the nodes with.' },
  cacertdir: { kind: 'string', valueName: 'dir', description: 'With --tls: directory of hashed CA certificates (openssl rehash).' },
  cert: { kind: 'string', valueName: 'file', description: 'With --tls: client certificate to authenticate with (with --key).' },
  key: { kind: 'string', valueName: 'file', description: 'With --tls: private key of the client certificate.' },
  sni: { kind: 'string', valueName: 'host', description: 'With --tls: server name to send and to check the certificates against.' },
  insecure: { kind: 'boolean', description: 'With --tls: do not verify the nodes\' certificates.' },
};

/** The TLS settings the flags give, or undefined without --tls; unusable files are one BadInputError. */
export function tlsFromArgs(args: ParsedArgs): TlsClientConfig | undefined {
  if (!flagBoolean(args, 'tls')) return undefined;
  const opt = (name: string): Record<string, string> => {
    const v = flagString(args, name);
    return v !== undefined ? { [name]: v } : {};
  };
  const config = loadTlsFlags({
    ...opt('cacert'),
    ...opt('cacertdir'),
    ...opt('cert'),
    ...opt('key'),
    ...opt('sni'),
    ...(flagBoolean(args, 'insecure') ? { insecure: true } : {}),
  });
  if (config.setupError !== undefined) throw new BadInputError(`Cannot use the TLS files given: ${config.setupError}.`);
  return config;
}
