/**
 * dicts: Sprig's dict functions. Dicts are shared, mutable Go maps: set, unset, merge and
 * mergeOverwrite change their first argument in place and return it.
 *
 * merge and mergeOverwrite follow dario.cat/mergo v1.0.1 on map[string]interface{}:
 * - merge: a key is copied from src when dst lacks it or holds an empty value ("", 0, false, nil,
 *   empty list or map); two maps merge recursively; nil in src is skipped.
 * - mergeOverwrite: every src key wins, nil included, except that two maps merge recursively.
 * Go iterates maps in random order; keys and values here come in sorted key order.
 */
import {
  GoStruct,
  GoTime,
  type FuncMap,
  type GoMap,
  type Value,
  goFunc,
  goTypeName,
  isMap,
  sortedKeys,
} from '../../value.js';
import { fail, isEmpty, strval, typeName, withGoType } from './util.js';

const has = (m: GoMap, k: string) => Object.prototype.hasOwnProperty.call(m, k);

/** setKey stores a value under any key, "__proto__" included, as Go's map would. */
function setKey(m: GoMap, k: string, v: Value): void {
  if (k === '__proto__')
    Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
  else m[k] = v;
}

/** mergeMaps merges src into dst the way mergo does (see the module header). */
export function mergeMaps(dst: GoMap, src: GoMap, overwrite: boolean): void {
  for (const key of Object.keys(src)) {
    const s = src[key];
    if (s === null || s === undefined) {
      if (overwrite) setKey(dst, key, null);
      continue;
    }
    const present = has(dst, key);
    const d = present ? dst[key] : undefined;
    if (isMap(s) && isMap(d)) mergeMaps(d, s, overwrite);
    if (present && !isEmpty(d)) {
      if (Array.isArray(s) || s instanceof Uint8Array) {
        if (overwrite) setKey(dst, key, s);
        continue;
      }
      if (isMap(s) && isMap(d)) continue;
    }
    if (overwrite || !present || isEmpty(d)) setKey(dst, key, s);
  }
}

function merge(func: string, overwrite: boolean, dst: GoMap | null, ...srcs: (GoMap | null)[]): GoMap {
  const out: GoMap = dst ?? {};
  for (const src of srcs) if (src) mergeMaps(out, src, overwrite);
  return out;
}

/** deepCopyValue is copystructure.Copy over the value model (structs and times are values). */
export function deepCopyValue(v: Value): Value {
  if (Array.isArray(v)) {
    const out = v.map(deepCopyValue);
    return typeName(v) === '[]interface {}' ? out : withGoType(out, typeName(v));
  }
  if (v instanceof Uint8Array) return v.slice();
  if (isMap(v)) {
    const out: GoMap = {};
    for (const k of Object.keys(v)) setKey(out, k, deepCopyValue(v[k]));
    return typeName(v) === 'map[string]interface {}' ? out : withGoType(out, typeName(v));
  }
  if (v instanceof GoStruct || v instanceof GoTime) return v;
  return v;
}

/** assertType is Go's x.(T) type assertion panic for a map or string. */
function assertMap(func: string, v: Value): GoMap {
  if (!isMap(v) || typeName(v) !== 'map[string]interface {}')
    fail(
      func,
      `interface conversion: interface {} is ${v === null || v === undefined ? 'nil' : typeName(v)}, not map[string]interface {}`,
      v,
    );
  return v;
}

/** nonNil fails like copystructure does on a nil interface. */
function nonNil(func: string, v: Value): Value {
  if (v === null || v === undefined) fail(func, 'reflect: call of reflect.Value.Type on zero Value');
  return v;
}

function dig(...ps: Value[]): Value {
  if (ps.length < 3) fail('dig', 'dig needs at least three arguments');
  let dict = assertMap('dig', ps[ps.length - 1]);
  const def = ps[ps.length - 2];
  const ks = ps.slice(0, -2).map((k) => {
    if (typeof k !== 'string')
      fail(
        'dig',
        `interface conversion: interface {} is ${k === null || k === undefined ? 'nil' : goTypeName(k)}, not string`,
        k,
      );
    return k;
  });
  for (let i = 0; ; i++) {
    if (!has(dict, ks[i])) return def;
    const step = dict[ks[i]];
    if (i === ks.length - 1) return step;
    dict = assertMap('dig', step);
  }
}

function dict(...v: Value[]): GoMap {
  const m: GoMap = {};
  for (let i = 0; i < v.length; i += 2) setKey(m, strval(v[i]), i + 1 < v.length ? v[i + 1] : '');
  return m;
}

/** dictFuncs are Sprig's dict functions. */
export const dictFuncs: FuncMap = {
  dict: goFunc(dict, [], { variadic: 'any' }),
  get: goFunc((d: GoMap | null, key: string) => (d && has(d, key) ? d[key] : ''), ['map', 'string']),
  set: goFunc(
    (d: GoMap | null, key: string, value: Value) => {
      if (!d) fail('set', 'assignment to entry in nil map');
      setKey(d, key, value);
      return d;
    },
    ['map', 'string', 'any'],
  ),
  unset: goFunc(
    (d: GoMap | null, key: string) => {
      if (d && has(d, key)) delete d[key];
      return d ?? {};
    },
    ['map', 'string'],
  ),
  hasKey: goFunc((d: GoMap | null, key: string) => !!d && has(d, key), ['map', 'string']),
  pluck: goFunc(
    (key: string, ...ds: (GoMap | null)[]) => ds.filter((d) => d && has(d, key)).map((d) => d![key]),
    ['string'],
    { variadic: 'map' },
  ),
  keys: goFunc(
    (...ds: (GoMap | null)[]) =>
      withGoType(
        ds.flatMap((d) => (d ? sortedKeys(d) : [])),
        '[]string',
      ),
    [],
    {
      variadic: 'map',
    },
  ),
  pick: goFunc(
    (d: GoMap | null, ...keys: string[]) => {
      const out: GoMap = {};
      for (const k of keys) if (d && has(d, k)) setKey(out, k, d[k]);
      return out;
    },
    ['map'],
    { variadic: 'string' },
  ),
  omit: goFunc(
    (d: GoMap | null, ...keys: string[]) => {
      const out: GoMap = {};
      const drop = new Set(keys);
      for (const k of d ? Object.keys(d) : []) if (!drop.has(k)) setKey(out, k, d![k]);
      return out;
    },
    ['map'],
    { variadic: 'string' },
  ),
  merge: goFunc((d: GoMap | null, ...s: (GoMap | null)[]) => merge('merge', false, d, ...s), ['map'], {
    variadic: 'map',
  }),
  mustMerge: goFunc((d: GoMap | null, ...s: (GoMap | null)[]) => merge('mustMerge', false, d, ...s), ['map'], {
    variadic: 'map',
    returnsError: true,
  }),
  mergeOverwrite: goFunc((d: GoMap | null, ...s: (GoMap | null)[]) => merge('mergeOverwrite', true, d, ...s), ['map'], {
    variadic: 'map',
  }),
  mustMergeOverwrite: goFunc(
    (d: GoMap | null, ...s: (GoMap | null)[]) => merge('mustMergeOverwrite', true, d, ...s),
    ['map'],
    { variadic: 'map', returnsError: true },
  ),
  values: goFunc((d: GoMap | null) => (d ? sortedKeys(d).map((k) => d[k]) : []), ['map']),
  deepCopy: goFunc((v: Value) => deepCopyValue(nonNil('deepCopy', v)), ['any']),
  mustDeepCopy: goFunc((v: Value) => deepCopyValue(nonNil('mustDeepCopy', v)), ['any'], { returnsError: true }),
  dig: goFunc(dig, [], { variadic: 'any', returnsError: true }),
};
