/**
 * A tiny YAML emitter for the subset a Compose file needs: nested maps, lists, strings, numbers
 * and booleans, in block style. No YAML dependency for this. Docker's Compose loader is YAML 1.1
 * (go-yaml v2), where `yes`, `on`, `n`, `0444`, `1_000` or `12:30` are not strings: every string
 * that is not plainly a word, a path or a name is written double-quoted, with JSON's escapes
 * (a JSON string is a valid YAML double-quoted scalar).
 */
export type YamlValue = string | number | boolean | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

/** Plain (unquoted) only for characters that can never start or form anything but a string. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
/** Words YAML 1.1 reads as booleans or null, whatever their case. */
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null']);

export function yamlScalar(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`Cannot write ${v} as a YAML number.`);
    return String(v);
  }
  return PLAIN.test(v) && !RESERVED.has(v.toLowerCase()) ? v : JSON.stringify(v);
}

/** The document for `value` (a map or a list), ending in a newline. */
export function toYaml(value: YamlValue): string {
  return emit(value, 0).join('\n') + '\n';
}

function isMap(v: YamlValue): v is { readonly [key: string]: YamlValue | undefined } {
  return typeof v === 'object' && !Array.isArray(v);
}

function emit(value: YamlValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    const list = value as readonly YamlValue[];
    if (list.length === 0) return [`${pad}[]`];
    return list.flatMap((item) => {
      if (typeof item !== 'object') return [`${pad}- ${yamlScalar(item)}`];
      const inner = emit(item, indent + 2);
      const first = inner[0] ?? '';
      // `- key: value` on the dash's line, the rest of the map below it, two spaces in.
      if (isEmpty(item)) return [`${pad}- ${first.trim()}`];
      return [`${pad}- ${first.slice(indent + 2)}`, ...inner.slice(1)];
    });
  }
  if (isMap(value)) {
    const entries = Object.entries(value).filter((e): e is [string, YamlValue] => e[1] !== undefined);
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([k, v]) => {
      const key = yamlScalar(k);
      if (typeof v !== 'object' || isEmpty(v)) return [`${pad}${key}: ${typeof v === 'object' ? (Array.isArray(v) ? '[]' : '{}') : yamlScalar(v)}`];
      return [`${pad}${key}:`, ...emit(v, indent + 2)];
    });
  }
  return [`${pad}${yamlScalar(value as string | number | boolean)}`];
}

function isEmpty(v: YamlValue): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return isMap(v) && Object.values(v).every((x) => x === undefined);
}
