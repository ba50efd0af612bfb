/**
 * lists: Sprig's list functions. Like Sprig they accept any slice (the output of splitList, until,
 * regexFindAll…) and return fresh []interface{} lists; the plain variants panic where the must*
 * variants return the error, with the same message ("Cannot find first on type map"). A nil list
 * panics in Go (reflect.TypeOf(nil).Kind()), so it fails here with the runtime's message.
 */
import { type FuncMap, type Value, goFunc } from '../../value.js';
import {
  castToInt64,
  deepEqual,
  fail,
  floatToInt64,
  isEmpty,
  isListLike,
  kindOrPanic,
  listItems,
  typeName,
  withGoType,
} from './util.js';

/** asList returns the items of a slice argument, or fails with Sprig's message for other kinds. */
function asList(func: string, v: Value, msg: (kind: string) => string): Value[] {
  const kind = kindOrPanic(func, v);
  if (!isListLike(v)) fail(func, msg(kind), v);
  return listItems(v);
}

type ListOp = (func: string, ...args: any[]) => Value;

/** pair registers a list function under its plain name and its must* name. */
function pair(
  name: string,
  mustName: string | undefined,
  op: ListOp,
  params: readonly ('any' | 'int')[],
  variadic?: 'any',
): FuncMap {
  const out: FuncMap = {
    [name]: goFunc((...a: any[]) => op(name, ...a), params, variadic ? { variadic } : {}),
  };
  if (mustName) {
    out[mustName] = goFunc((...a: any[]) => op(mustName, ...a), params, {
      returnsError: true,
      ...(variadic ? { variadic } : {}),
    });
  }
  return out;
}

function chunk(func: string, size: bigint, list: Value): Value[][] {
  const items = asList(func, list, (k) => `Cannot chunk type ${k}`);
  const l = items.length;
  const sz = Number(size);
  const makeslice = (n: bigint): void => {
    if (n < 0n) fail(func, 'runtime error: makeslice: len out of range');
  };
  const cs = floatToInt64(Math.floor((l - 1) / sz) + 1);
  makeslice(cs);
  const out: Value[][] = [];
  for (let i = 0n; i < cs; i++) {
    let clen = sz;
    if (i === cs - 1n) {
      clen = Number(floatToInt64(Math.floor(l % sz)));
      if (clen === 0) clen = sz;
    }
    makeslice(BigInt(clen));
    const c: Value[] = [];
    for (let j = 0; j < clen; j++) {
      const ix = Number(i) * sz + j;
      if (ix >= l) fail(func, `runtime error: index out of range [${ix}] with length ${l}`);
      c.push(items[ix]);
    }
    out.push(c);
  }
  return withGoType(out, '[][]interface {}');
}

function slice(func: string, list: Value, ...indices: Value[]): Value {
  const kind = kindOrPanic(func, list);
  if (!isListLike(list)) fail(func, `list should be type of slice or array but ${kind}`, list);
  const l = list.length;
  if (l === 0) return null;
  const start = indices.length > 0 ? Number(castToInt64(indices[0])) : 0;
  const end = indices.length >= 2 ? Number(castToInt64(indices[1])) : l;
  if (start < 0 || end < start || end > l) fail(func, 'reflect.Value.Slice: slice index out of bounds');
  const out = list.slice(start, end);
  return Array.isArray(out) && typeName(list) !== '[]interface {}' ? withGoType(out, typeName(list)) : out;
}

function concat(...lists: Value[]): Value[] {
  const out: Value[] = [];
  for (const l of lists) {
    const kind = kindOrPanic('concat', l);
    if (!isListLike(l)) fail('concat', `Cannot concat type ${kind} as list`, l);
    out.push(...listItems(l));
  }
  return out;
}

/** listFuncs are Sprig's list functions. */
export const listFuncs: FuncMap = {
  list: goFunc((...xs: Value[]) => xs.slice(), [], { variadic: 'any' }),
  tuple: goFunc((...xs: Value[]) => xs.slice(), [], { variadic: 'any' }),
  ...pair('append', 'mustAppend', (f, l: Value, v: Value) => [...asList(f, l, (k) => `Cannot push on type ${k}`), v], [
    'any',
    'any',
  ]),
  ...pair('push', 'mustPush', (f, l: Value, v: Value) => [...asList(f, l, (k) => `Cannot push on type ${k}`), v], [
    'any',
    'any',
  ]),
  ...pair(
    'prepend',
    'mustPrepend',
    (f, l: Value, v: Value) => [v, ...asList(f, l, (k) => `Cannot prepend on type ${k}`)],
    ['any', 'any'],
  ),
  ...pair('chunk', 'mustChunk', chunk, ['int', 'any']),
  ...pair(
    'first',
    'mustFirst',
    (f, l: Value) => {
      const xs = asList(f, l, (k) => `Cannot find first on type ${k}`);
      return xs.length === 0 ? null : xs[0];
    },
    ['any'],
  ),
  ...pair(
    'last',
    'mustLast',
    (f, l: Value) => {
      const xs = asList(f, l, (k) => `Cannot find last on type ${k}`);
      return xs.length === 0 ? null : xs[xs.length - 1];
    },
    ['any'],
  ),
  ...pair('rest', 'mustRest', (f, l: Value) => asList(f, l, (k) => `Cannot find rest on type ${k}`).slice(1), ['any']),
  ...pair(
    'initial',
    'mustInitial',
    (f, l: Value) => asList(f, l, (k) => `Cannot find initial on type ${k}`).slice(0, -1),
    ['any'],
  ),
  ...pair(
    'reverse',
    'mustReverse',
    (f, l: Value) =>
      asList(f, l, (k) => `Cannot find reverse on type ${k}`)
        .slice()
        .reverse(),
    ['any'],
  ),
  ...pair(
    'compact',
    'mustCompact',
    (f, l: Value) => asList(f, l, (k) => `Cannot compact on type ${k}`).filter((x) => !isEmpty(x)),
    ['any'],
  ),
  ...pair(
    'uniq',
    'mustUniq',
    (f, l: Value) => {
      const out: Value[] = [];
      for (const x of asList(f, l, (k) => `Cannot find uniq on type ${k}`)) {
        if (!out.some((y) => deepEqual(x, y))) out.push(x);
      }
      return out;
    },
    ['any'],
  ),
  ...pair(
    'without',
    'mustWithout',
    (f, l: Value, ...omit: Value[]) =>
      asList(f, l, (k) => `Cannot find without on type ${k}`).filter((x) => !omit.some((o) => deepEqual(x, o))),
    ['any'],
    'any',
  ),
  ...pair(
    'has',
    'mustHas',
    (f, needle: Value, haystack: Value) => {
      if (haystack === null || haystack === undefined) return false;
      return asList(f, haystack, (k) => `Cannot find has on type ${k}`).some((x) => deepEqual(needle, x));
    },
    ['any', 'any'],
  ),
  ...pair('slice', 'mustSlice', slice, ['any'], 'any'),
  concat: goFunc(concat, [], { variadic: 'any' }),
};
