/**
 * `help <command>` and `help @<group>` from the server's COMMAND DOCS, printed as redis-cli 7
 * prints them (cliInitHelp, cliAddArgument and cliOutputHelp in redis-cli.c).
 */
import { type RespReply } from '../redis/resp';
import { asciiUpper } from './cstring';

export interface HelpEntry {
  /** Upper-case words: `["CONFIG", "GET"]`. */
  readonly words: readonly string[];
  /** `CONFIG GET`: the sort key and the printed name. */
  readonly full: string;
  readonly params: string;
  readonly summary: string;
  readonly since: string | undefined;
  readonly group: string;
}

/** The version redis-cli prints in its generic help; we are compatible with it. */
export const CLI_COMPAT_VERSION = '7.0.15';

function text(r: RespReply | undefined): string {
  if (!r) return '';
  switch (r.type) {
    case 'bulk':
    case 'verbatim':
      return r.value.toString('latin1');
    case 'status':
    case 'error':
      return r.value;
    case 'double':
    case 'bignum':
      return r.text;
    case 'integer':
      return String(r.value);
    default:
      return '';
  }
}

/** Key/value pairs of a RESP3 map or its RESP2 flat-array form. */
function pairs(r: RespReply | undefined): Array<[string, RespReply]> {
  if (!r || (r.type !== 'map' && r.type !== 'array')) return [];
  const out: Array<[string, RespReply]> = [];
  for (let i = 0; i + 1 < r.items.length; i += 2) out.push([text(r.items[i]), r.items[i + 1] as RespReply]);
  return out;
}

function orEmpty(s: string): string {
  return s === '' ? '""' : s;
}

/** cliConcatArguments(). */
function concatArguments(args: RespReply | undefined, separator: string): string {
  if (!args || (args.type !== 'array' && args.type !== 'set')) return '';
  return args.items.map(addArgument).join(separator);
}

/** cliAddArgument(): one argument's text, `[TOKEN name [name ...]]` style. */
function addArgument(arg: RespReply): string {
  if (arg.type !== 'map' && arg.type !== 'array') return '';
  let name = '';
  let type = '';
  let token = '';
  let optional = false;
  let multiple = false;
  let multipleToken = false;
  let nested: RespReply | undefined;
  for (const [key, value] of pairs(arg)) {
    if (key === 'name') name = text(value);
    else if (key === 'token') token += orEmpty(text(value));
    else if (key === 'type') type = text(value);
    else if (key === 'arguments') nested = value;
    else if (key === 'flags' && (value.type === 'set' || value.type === 'array')) {
      for (const f of value.items) {
        const flag = text(f);
        if (flag === 'optional') optional = true;
        else if (flag === 'multiple') multiple = true;
        else if (flag === 'multiple_token') multipleToken = true;
      }
    }
  }
  let repeat = '';
  if (['key', 'string', 'integer', 'double', 'pattern', 'unix-time', 'token'].includes(type)) repeat = orEmpty(name);
  else if (type === 'oneof') repeat = concatArguments(nested, '|');
  else if (type === 'block') repeat = concatArguments(nested, ' ');
  if (token !== '' && type !== 'pure-token') token += ' ';
  let out = optional ? '[' : '';
  out += token + repeat;
  if (multiple) out += ' [' + (multipleToken ? token : '') + repeat + ' ...]';
  if (optional) out += ']';
  return out;
}

function entry(cmd: string, sub: string | undefined, specs: RespReply, out: HelpEntry[]): void {
  const words = [asciiUpper(cmd)];
  if (sub !== undefined) words.push(asciiUpper(sub.slice(sub.indexOf("|") + 1)));
  let params = '';
  let summary = '';
  let since: string | undefined;
  let group = '';
  const subs: Array<[string, RespReply]> = [];
  for (const [key, value] of pairs(specs)) {
    if (key === 'summary') summary = text(value);
    else if (key === 'since') since = text(value);
    else if (key === 'group') group = text(value);
    else if (key === 'arguments') params += concatArguments(value, ' ');
    else if (key === 'subcommands') subs.push(...pairs(value));
  }
  out.push({ words, full: words.join(' '), params, summary, since, group });
  for (const [name, spec] of subs) entry(cmd, name, spec, out);
}

/** Builds the help table from a COMMAND DOCS reply, sorted like redis-cli (strcmp on names). */
export function helpFromCommandDocs(docs: RespReply): HelpEntry[] {
  const out: HelpEntry[] = [];
  for (const [name, specs] of pairs(docs)) entry(name, undefined, specs, out);
  return out.sort((a, b) => (a.full < b.full ? -1 : a.full > b.full ? 1 : 0));
}

/** cliOutputCommandHelp(). */
function commandHelp(e: HelpEntry, withGroup: boolean): string {
  let out = `\r\n  \x1b[1m${e.full}\x1b[0m \x1b[90m${e.params}\x1b[0m\r\n`;
  out += `  \x1b[33msummary:\x1b[0m ${e.summary}\r\n`;
  if (e.since !== undefined) out += `  \x1b[33msince:\x1b[0m ${e.since}\r\n`;
  if (withGroup) out += `  \x1b[33mgroup:\x1b[0m ${e.group}\r\n`;
  return out;
}

/** cliOutputGenericHelp(). */
export function genericHelp(version: string): string {
  return (
    `redis-cli ${version}\n` +
    'To get help about Redis commands type:\n' +
    '      "help @<group>" to get a list of commands in <group>\n' +
    '      "help <command>" for help on <command>\n' +
    '      "help <tab>" to get a list of possible help topics\n' +
    '      "quit" to exit\n' +
    '\n' +
    'To set redis-cli preferences:\n' +
    '      ":set hints" enable online hints\n' +
    '      ":set nohints" disable online hints\n' +
    'Set your preferences in ~/.redisclirc\n'
  );
}

/** cliOutputHelp(): `args` are the words after `help` (already C strings). */
export function formatHelp(entries: readonly HelpEntry[], args: readonly string[]): string {
  if (args.length === 0) return genericHelp(CLI_COMPAT_VERSION);
  const first = args[0] as string;
  const group = first.startsWith('@') ? asciiUpper(first.slice(1)) : undefined;
  let out = '';
  for (const e of entries) {
    if (group === undefined) {
      if (args.length <= e.words.length && args.every((a, j) => asciiUpper(a) === e.words[j])) out += commandHelp(e, true);
    } else if (asciiUpper(e.group) === group) {
      out += commandHelp(e, false);
    }
  }
  return out + '\r\n';
}
