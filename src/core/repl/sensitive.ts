/**
 * Lines that must not reach the history file because they carry a password
 * (isSensitiveCommand in redis-cli.c): AUTH, ACL SETUSER, CONFIG SET of masterauth /
 * masteruser / requirepass, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2.
 */
import { asciiLower } from './cstring';

export function isSensitiveCommand(argv: readonly string[]): boolean {
  const a = argv.map(asciiLower);
  const argc = a.length;
  if (argc === 0) return false;
  if (a[0] === 'auth') return true;
  if (argc > 1 && a[0] === 'acl' && a[1] === 'setuser') return true;
  if (argc > 2 && a[0] === 'config' && a[1] === 'set') {
    return a[2] === 'masterauth' || a[2] === 'masteruser' || a[2] === 'requirepass';
  }
  if (argc > 4 && a[0] === 'hello') {
    // HELLO [protover [AUTH username password] [SETNAME clientname]]
    for (let j = 2; j < argc; j++) {
      const more = argc - 1 - j;
      if (a[j] === 'auth' && more >= 2) return true;
      if (a[j] === 'setname' && more > 0) j++;
      else return false;
    }
    return false;
  }
  if (argc > 7 && a[0] === 'migrate') {
    // MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS ...]
    for (let j = 6; j < argc; j++) {
      const more = argc - 1 - j;
      if (a[j] === 'auth' && more > 0) return true;
      if (a[j] === 'auth2' && more >= 2) return true;
      if (a[j] === 'keys' && more > 0) return false;
    }
  }
  return false;
}
