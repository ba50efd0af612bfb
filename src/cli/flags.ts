/**
 * flags: a small pflag-like parser for capstan's commands, so flags read as in helm:
 * `--name value`, `--name=value`, `-n value`, `-nvalue`, booleans `--x`/`--x=false`, string
 * arrays (each use one value) and string slices (comma-separated, CSV quoting), `--` ends flags.
 */

/** FlagKind says how a flag takes values. */
export type FlagKind = 'bool' | 'string' | 'stringArray' | 'stringSlice';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  usage: string;
}

/** FlagError is a bad command line; message reads like cobra's (`unknown flag: --x`). */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export interface ParsedFlags {
  values: Map<string, string[]>;
  bools: Map<string, boolean>;
  args: string[];
}

/** splitCsv is pflag's StringSlice reading of one value: a CSV record. */
export function splitCsv(v: string): string[] {
  if (v === '') return [];
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (inQ) {
      if (c === '"') {
        if (v[i + 1] === '"') {
          cur += '"';
          i++;
        } else inQ = false;
      } else cur += c;
    } else if (c === '"' && cur === '') inQ = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** parseFlags parses argv against specs; unknown flags are errors. */
export function parseFlags(argv: string[], specs: FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values = new Map<string, string[]>();
  const bools = new Map<string, boolean>();
  const args: string[] = [];
  const put = (spec: FlagSpec, v: string) => {
    if (spec.kind === 'bool') {
      if (v !== 'true' && v !== 'false' && v !== '1' && v !== '0') {
        throw new FlagError(`invalid argument "${v}" for "--${spec.name}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
      }
      bools.set(spec.name, v === 'true' || v === '1');
      return;
    }
    const list = values.get(spec.name) ?? [];
    if (spec.kind === 'stringSlice') list.push(...splitCsv(v));
    else if (spec.kind === 'string') list.splice(0, list.length, v);
    else list.push(v);
    values.set(spec.name, list);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = byName.get(name);
      if (!spec) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) put(spec, a.slice(eq + 1));
      else if (spec.kind === 'bool') bools.set(name, true);
      else {
        if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: --${name}`);
        put(spec, argv[++i]);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      const sh = a[1];
      const spec = byShort.get(sh);
      if (!spec) throw new FlagError(`unknown shorthand flag: '${sh}' in ${a}`);
      let rest = a.slice(2);
      if (spec.kind === 'bool') {
        bools.set(spec.name, true);
        continue;
      }
      if (rest.startsWith('=')) rest = rest.slice(1);
      if (rest !== '') put(spec, rest);
      else {
        if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: '${sh}' in -${sh}`);
        put(spec, argv[++i]);
      }
      continue;
    }
    args.push(a);
  }
  return { values, bools, args };
}

/** usageLines formats flag help. */
export function usageLines(specs: FlagSpec[]): string {
  return specs
    .map((s) => {
      const left = `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.kind === 'bool' ? '' : ' ' + (s.kind === 'string' ? 'string' : 'stringArray')}`;
      return `  ${left.padEnd(36)} ${s.usage}`;
    })
    .join('\n');
}
