import { BadInputError } from '../core/errors';

/**
 * A small, strict flag parser: every flag a verb takes is declared, an unknown flag is an
 * error naming it, and values are typed. Flags take `--name value` or `--name=value`.
 */
export type FlagKind = 'string' | 'number' | 'boolean' | 'list';

export interface FlagSpec {
  readonly kind: FlagKind;
  readonly short?: string;
  readonly description: string;
  readonly valueName?: string;
  /** For a number: the values it may take (inclusive; whole numbers unless `fraction`), said in --help and enforced. */
  readonly range?: { readonly min: number; readonly max: number; readonly fraction?: boolean };
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string | number | boolean | string[]>;
  readonly positionals: readonly string[];
}

export function parseArgs(argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const flags = new Map<string, string | number | boolean | string[]>();
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = byShort.get(arg.slice(1));
      if (!name) throw new BadInputError(`Unknown option ${arg}. Run with --help to see the options.`);
    } else {
      positionals.push(arg);
      continue;
    }
    const spec = specs[name];
    if (!spec) throw new BadInputError(`Unknown option --${name}. Run with --help to see the options.`);
    if (spec.kind === 'boolean') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false') {
        throw new BadInputError(`--${name} takes no value (or true/false), not "${inline}".`);
      }
      flags.set(name, inline !== 'false');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new BadInputError(`--${name} needs a value (${spec.valueName ?? spec.kind}).`);
    if (spec.kind === 'number') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) {
        throw new BadInputError(`--${name} needs a number, not "${value}".`);
      }
      const r = spec.range;
      if (r && ((!r.fraction && !Number.isInteger(n)) || n < r.min || n > r.max)) {
        throw new BadInputError(`--${name} must be ${r.fraction ? 'a number' : 'a whole number'} from ${r.min} to ${r.max}, not ${value}.`);
      }
      flags.set(name, n);
    } else if (spec.kind === 'list') {
      const prev = flags.get(name);
      flags.set(name, [...(Array.isArray(prev) ? prev : []), value]);
    } else {
      flags.set(name, value);
    }
  }
  return { flags, positionals };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}
export function flagNumber(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags.get(name);
  return typeof v === 'number' ? v : undefined;
}
export function flagBoolean(args: ParsedArgs, name: string): boolean {
  return args.flags.get(name) === true;
}
export function flagList(args: ParsedArgs, name: string): string[] {
  const v = args.flags.get(name);
  return Array.isArray(v) ? v : [];
}

export function formatFlagHelp(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const left = `${s.short ? `-${s.short}, ` : '    '}--${name}${s.kind === 'boolean' ? '' : ` <${s.valueName ?? s.kind}>`}`;
    const range = s.range ? ` [${s.range.min}-${s.range.max}]` : '';
    return `  ${left.padEnd(32)} ${s.description}${range}`;
  });
  return rows.join('\n');
}
