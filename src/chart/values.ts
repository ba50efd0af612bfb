/**
 * values: chart values as Helm 4 computes them — multi-document values files (loader.LoadValues),
 * MergeMaps, and the coalescing of chart defaults, parent values and user values with globals
 * (pkg/chart/common/util coalesce.go), including its `null` deletion rules and warnings.
 */
import { GoInt64, isMap, type GoMap, type Value } from '../gotemplate/value.js';
import { formatV } from '../gotemplate/value.js';
import type { Chart } from './types.js';
import { parseYaml, YamlError } from './yaml.js';

/** GLOBAL_KEY is the values key whose content every subchart sees. */
export const GLOBAL_KEY = 'global';

/** ValuesError is a values file or coalescing failure. */
export class ValuesError extends Error {
  constructor(
    message: string,
    readonly source?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ValuesError';
  }
}

/** Warn receives Helm's warnings as the log lines helm prints (`level=INFO msg="warning: …"`). */
export type Warn = (message: string) => void;

/** slogLine formats a message as Go's slog text handler prints it. */
export function slogLine(level: 'INFO' | 'WARN', msg: string): string {
  return `level=${level} msg=${JSON.stringify(msg)}`;
}

/** splitYamlDocuments splits a YAML stream like k8s.io/apimachinery's YAMLReader (lines `---`). */
export function splitYamlDocuments(text: string): string[] {
  const docs: string[] = [];
  let cur: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const sep = line.startsWith('---') && line.slice(3).replace(/\r$/, '').trim() === '';
    if (sep) {
      if (cur.length > 0) docs.push(cur.join('\n'));
      cur = [];
      continue;
    }
    cur.push(line);
  }
  if (cur.length > 0 && !(cur.length === 1 && cur[0] === '')) docs.push(cur.join('\n'));
  return docs;
}

/**
 * loadValues is loader.LoadValues: every YAML document of text is parsed as a map and the maps are
 * merged in order (later documents win).
 */
export function loadValues(text: string): GoMap {
  let values: GoMap = {};
  for (const doc of splitYamlDocuments(text)) {
    let v: Value;
    try {
      v = parseYaml(doc, 'map');
    } catch (e) {
      throw new ValuesError(`cannot unmarshal yaml document: ${(e as Error).message}`, undefined, { cause: e });
    }
    if (!isMap(v)) continue;
    values = mergeMaps(values, v);
  }
  return values;
}
export { YamlError };

/** mergeMaps is loader.MergeMaps: b's keys override a's, nested maps merge recursively. */
export function mergeMaps(a: GoMap, b: GoMap): GoMap {
  const out: GoMap = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (isMap(v) && k in out && isMap(out[k])) {
      out[k] = mergeMaps(out[k] as GoMap, v);
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** deepCopy copies maps and slices (copystructure.Copy for JSON-shaped values). */
export function deepCopy<T extends Value>(v: T): T {
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  if (isMap(v)) {
    const out: GoMap = {};
    for (const k of Object.keys(v)) out[k] = deepCopy(v[k]);
    return out as T;
  }
  return v;
}

const concatPrefix = (a: string, b: string) => (a === '' ? b : `${a}.${b}`);

/**
 * coalesceValues is util.CoalesceValues: the chart's defaults (and its subcharts', under their
 * names, with globals pushed down) under a copy of vals. `null` in vals deletes a default.
 */
export function coalesceValues(chart: Chart, vals: GoMap, warn: Warn = () => {}): GoMap {
  const copy = deepCopy(vals ?? {});
  return coalesce(warn, chart, copy, '', false);
}

/**
 * mergeValues is util.MergeValues: like coalesceValues but keeping `null`s (used when the
 * result is coalesced again later, as import-values does).
 */
export function mergeValues(chart: Chart, vals: GoMap, warn: Warn = () => {}): GoMap {
  const copy = deepCopy(vals ?? {});
  return coalesce(warn, chart, copy, '', true);
}

function coalesce(warn: Warn, ch: Chart, dest: GoMap, prefix: string, merge: boolean): GoMap {
  coalesceChartValues(warn, ch, dest, prefix, merge);
  return coalesceDeps(warn, ch, dest, prefix, merge);
}

function coalesceDeps(warn: Warn, ch: Chart, dest: GoMap, prefix: string, merge: boolean): GoMap {
  for (const sub of ch.dependencies) {
    const name = sub.metadata.name;
    if (!(name in dest)) dest[name] = {};
    else if (!isMap(dest[name])) {
      throw new ValuesError(`type mismatch on ${name}: %!t(${goTypeForT(dest[name])}=${formatV(dest[name])})`);
    }
    const dvmap = dest[name] as GoMap;
    const subPrefix = concatPrefix(prefix, ch.metadata.name);
    coalesceGlobals(warn, dvmap, dest, subPrefix);
    dest[name] = coalesce(warn, sub, dvmap, subPrefix, merge);
  }
  return dest;
}

function goTypeForT(v: Value): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'bigint' || v instanceof GoInt64) return 'int64'; // values hold no Go int
  if (typeof v === 'number') return 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return typeof v;
}

function coalesceGlobals(warn: Warn, dest: GoMap, src: GoMap, prefix: string): void {
  let dg: GoMap;
  let sg: GoMap;
  if (!(GLOBAL_KEY in dest)) dg = {};
  else if (isMap(dest[GLOBAL_KEY])) dg = dest[GLOBAL_KEY] as GoMap;
  else {
    warn(slogLine('INFO', `warning: skipping globals because destination ${GLOBAL_KEY} is not a table.`));
    return;
  }
  if (!(GLOBAL_KEY in src)) sg = {};
  else if (isMap(src[GLOBAL_KEY])) sg = src[GLOBAL_KEY] as GoMap;
  else {
    warn(slogLine('INFO', `warning: skipping globals because source ${GLOBAL_KEY} is not a table.`));
    return;
  }
  for (const [key, val] of Object.entries(sg)) {
    if (isMap(val)) {
      const vv: GoMap = deepCopy(val);
      if (!(key in dg)) {
        dg[key] = vv;
      } else {
        const destv = dg[key];
        if (!isMap(destv)) {
          warn(slogLine('INFO', `Conflict: cannot merge map onto non-map for "${key}". Skipping.`));
        } else {
          coalesceTablesFullKey(warn, vv, destv, concatPrefix(prefix, key), true);
          dg[key] = vv;
        }
      }
    } else if (key in dg && isMap(dg[key])) {
      warn(slogLine('INFO', `key ${key} is table. Skipping`));
    } else {
      dg[key] = val;
    }
  }
  dest[GLOBAL_KEY] = dg;
}

function coalesceChartValues(warn: Warn, c: Chart, v: GoMap, prefix: string, merge: boolean): void {
  const subPrefix = concatPrefix(prefix, c.metadata.name);
  const vc = deepCopy(c.values ?? {});
  for (const [key, val] of Object.entries(vc)) {
    if (key in v) {
      const value = v[key];
      if ((value === null || value === undefined) && !merge) {
        delete v[key];
      } else if (isMap(value)) {
        if (!isMap(val)) {
          if (val !== null && val !== undefined) warn(slogLine('INFO', `warning: skipped value for ${subPrefix}.${key}: Not a table.`));
        } else {
          const childMerge = c.dependencies.some((d) => d.metadata.name === key) ? true : merge;
          coalesceTablesFullKey(warn, value, val, concatPrefix(subPrefix, key), childMerge);
        }
      }
    } else {
      v[key] = val;
    }
  }
}

/**
 * coalesceTablesFullKey merges src into dst where dst wins; `null` in dst deletes the key unless
 * merging. Mirrors Helm's warnings for table/non-table conflicts.
 */
function coalesceTablesFullKey(warn: Warn, dst: GoMap, src: GoMap, prefix: string, merge: boolean): GoMap {
  if (src === null || src === undefined) return dst;
  if (dst === null || dst === undefined) return src;
  // A null in dst removes a key only where src (the chart default) had a value: a null the
  // default also has, or one for a key without a default, is kept (Helm 4.1).
  const srcOriginalNonNil = new Set<string>();
  for (const [key, val] of Object.entries(src)) if (val !== null && val !== undefined) srcOriginalNonNil.add(key);
  for (const [key, val] of Object.entries(dst)) {
    if (val === null || val === undefined) src[key] = null;
  }
  for (const [key, val] of Object.entries(src)) {
    const fullkey = concatPrefix(prefix, key);
    const has = key in dst;
    const dv = dst[key];
    if (has && !merge && (dv === null || dv === undefined) && srcOriginalNonNil.has(key)) {
      delete dst[key];
    } else if (!has) {
      dst[key] = val;
    } else if (isMap(val)) {
      if (isMap(dv)) coalesceTablesFullKey(warn, dv, val, fullkey, merge);
      else warn(slogLine('INFO', `warning: cannot overwrite table with non table for ${fullkey} (${formatV(val)})`));
    } else if (isMap(dv) && val !== null && val !== undefined) {
      warn(slogLine('INFO', `warning: destination for ${fullkey} is a table. Ignoring non-table value (${formatV(val)})`));
    }
  }
  return dst;
}

/** coalesceTables is util.CoalesceTables: dst wins over src, nulls in dst delete. */
export function coalesceTables(dst: GoMap, src: GoMap, warn: Warn = () => {}): GoMap {
  return coalesceTablesFullKey(warn, dst, src, '', false);
}

/** mergeTables is util.MergeTables: like coalesceTables but keeps nulls. */
export function mergeTables(dst: GoMap, src: GoMap, warn: Warn = () => {}): GoMap {
  return coalesceTablesFullKey(warn, dst, src, '', true);
}

/** ErrNoTable / ErrNoValue as in common.Values. */
export class NoTableError extends Error {
  constructor(readonly key: string) {
    super(`"${key}" is not a table`);
    this.name = 'NoTableError';
  }
}
export class NoValueError extends Error {
  constructor(readonly key: string) {
    super(`"${key}" is not a value`);
    this.name = 'NoValueError';
  }
}

/** table is Values.Table: the map at a dotted path, or NoTableError. */
export function table(v: GoMap, name: string): GoMap {
  let t: GoMap = v;
  for (const n of name.split('.')) {
    const next = t[n];
    if (!(n in t) || !isMap(next)) throw new NoTableError(n);
    t = next;
  }
  return t;
}

/** pathValue is Values.PathValue: the non-table value at a dotted path, or NoValueError. */
export function pathValue(v: GoMap, path: string): Value {
  if (path === '') throw new NoValueError(path);
  const parts = path.split('.');
  const key = parts[parts.length - 1];
  let t: GoMap = v;
  if (parts.length > 1) {
    try {
      t = table(v, parts.slice(0, -1).join('.'));
    } catch {
      throw new NoValueError(path);
    }
  }
  if (key in t && !isMap(t[key])) return t[key];
  throw new NoValueError(path);
}
