/**
 * builtins: text/template's predefined functions (and, or, not, len, index, slice, eq, lt...,
 * print, printf, println, html, js, urlquery, call) with Go's semantics and error texts.
 *
 * Builtins take Go's reflect.Value parameters (`value` here): they see the difference between a
 * nil interface{} element (`null`) and an invalid value (`undefined`), as `len` and `index` show.
 */
import { sprint, sprintf, sprintln } from './fmt.js';
import type { ExecFunc } from './exec.js';
import {
  byteLength,
  compareGoStrings,
  GoInt64,
  goTypeName,
  GoUint8,
  intValue,
  isMap,
  isTrue,
  type Value,
} from './value.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

function builtin(
  fn: (...args: any[]) => Value,
  argTypes: ExecFunc['argTypes'],
  variadicArg?: ExecFunc['variadicArg'],
  typeNames?: string[],
): ExecFunc {
  return { fn, params: [], argTypes, variadicArg, builtin: true, returnsError: true, typeNames };
}

/** indirectInterface: a nil interface{} becomes the invalid value. */
const indirectInterface = (v: Value): Value => (v === null ? undefined : v);

const errBadComparisonType = 'invalid type for comparison';
const errNoComparison = 'missing argument for comparison';

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string';
function basicKind(v: Value): Kind {
  if (v instanceof GoInt64) return 'int';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  return 'invalid';
}

function badComparison(a: Value, b: Value): Error {
  return new Error(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
}

/** eq is Go's eq: arg1 == arg2 || arg1 == arg3 || ... */
function eq(arg1: Value, ...arg2: Value[]): boolean {
  arg1 = indirectInterface(arg1);
  if (arg2.length === 0) throw new Error(errNoComparison);
  const k1 = basicKind(arg1);
  for (let arg of arg2) {
    arg = indirectInterface(arg);
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (arg1 !== undefined && arg !== undefined) throw badComparison(arg1, arg);
    } else if (k1 !== 'invalid') {
      truth = intValue(arg1) === intValue(arg); // int and int64 compare as numbers
    } else {
      // Both are nil or non-basic (maps, slices, structs).
      const n1 = arg1 === undefined;
      const n2 = arg === undefined;
      if (n1 || n2) truth = n1 === n2;
      else if (isMap(arg) || Array.isArray(arg) || arg instanceof Uint8Array) {
        throw new Error(`non-comparable type ${sprintf('%s', [arg])}: ${goTypeName(arg)}`);
      } else if (goTypeName(arg1) !== goTypeName(arg)) {
        throw new Error(
          `non-comparable types ${sprintf('%s', [arg1])}: ${goTypeName(arg1)}, ${goTypeName(arg)}: ${sprintf('%v', [arg])}`,
        );
      } else truth = arg1 === arg;
    }
    if (truth) return true;
  }
  return false;
}

function ne(a: Value, b: Value): boolean {
  return !eq(a, b);
}

/** lt is Go's lt: basic kinds only, same kind only. */
function lt(arg1: Value, arg2: Value): boolean {
  arg1 = indirectInterface(arg1);
  const k1 = basicKind(arg1);
  if (k1 === 'invalid') throw new Error(errBadComparisonType);
  arg2 = indirectInterface(arg2);
  const k2 = basicKind(arg2);
  if (k2 === 'invalid') throw new Error(errBadComparisonType);
  if (k1 !== k2) throw badComparison(arg1, arg2);
  switch (k1) {
    case 'bool':
      throw new Error(errBadComparisonType);
    case 'string':
      return compareGoStrings(arg1 as string, arg2 as string) < 0;
    default:
      return (intValue(arg1) as number) < (intValue(arg2) as number);
  }
}
function le(a: Value, b: Value): boolean {
  return lt(a, b) || eq(a, b);
}
function gt(a: Value, b: Value): boolean {
  return !le(a, b);
}
function ge(a: Value, b: Value): boolean {
  return !lt(a, b);
}

/** length is Go's len builtin. */
function length(item: Value): bigint {
  if (item === null) throw new Error('len of nil pointer');
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (typeof item === 'string') return BigInt(byteLength(item));
  if (Array.isArray(item) || item instanceof Uint8Array) return BigInt(item.length);
  if (isMap(item)) return BigInt(Object.keys(item).length);
  throw new Error(`len of type ${goTypeName(item)}`);
}

function indexArg(index: Value, cap: number): number {
  let x: bigint;
  index = intValue(index);
  if (typeof index === 'bigint') x = index;
  else if (index === undefined || index === null) throw new Error('cannot index slice/array with nil');
  else throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

/** index is Go's index builtin: item[i][j]... over slices, strings (bytes) and maps. */
function index(item: Value, ...indexes: Value[]): Value {
  item = indirectInterface(item);
  if (item === undefined) throw new Error('index of untyped nil');
  for (let idx of indexes) {
    idx = indirectInterface(idx);
    if (item === null || item === undefined) throw new Error('index of nil pointer');
    if (Array.isArray(item)) {
      const x = indexArg(idx, item.length);
      if (x === item.length) throw new Error('reflect: slice index out of range');
      item = item[x] ?? null;
    } else if (item instanceof Uint8Array) {
      const x = indexArg(idx, item.length);
      if (x === item.length) throw new Error('reflect: slice index out of range');
      item = new GoUint8(BigInt(item[x]!));
    } else if (typeof item === 'string') {
      const bytes = utf8.encode(item);
      const x = indexArg(idx, bytes.length);
      if (x === bytes.length) throw new Error('reflect: string index out of range');
      item = new GoUint8(BigInt(bytes[x]!));
    } else if (isMap(item)) {
      if (idx === undefined) throw new Error('value is nil; should be of type string');
      if (typeof idx !== 'string') throw new Error(`value has type ${goTypeName(idx)}; should be string`);
      item = Object.hasOwn(item, idx) ? (item[idx] ?? null) : null;
    } else {
      throw new Error(`can't index item of type ${goTypeName(item)}`);
    }
  }
  return item;
}

/** slice is Go's slice builtin: item[i:j:k] over slices and strings (bytes). */
function slice(item: Value, ...indexes: Value[]): Value {
  item = indirectInterface(item);
  if (item === undefined) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let len: number;
  let bytes: Uint8Array | null = null;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    bytes = utf8.encode(item);
    len = bytes.length;
  } else if (Array.isArray(item) || item instanceof Uint8Array) {
    len = item.length;
  } else {
    throw new Error(`can't slice item of type ${goTypeName(item)}`);
  }
  const idx = [0, len, 0];
  for (let i = 0; i < indexes.length; i++) idx[i] = indexArg(indirectInterface(indexes[i]), len);
  // given item[i:j], make sure i <= j.
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (bytes !== null) return utf8d.decode(bytes.subarray(idx[0], idx[1]));
  return (item as Value[] | Uint8Array).slice(idx[0], idx[1]);
}

/** evalArgs is how html, js and urlquery turn their arguments into one string. */
function evalArgs(args: Value[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === null || a === undefined ? '<no value>' : a)));
}

function htmlEscape(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    let r: string;
    switch (s.charCodeAt(i)) {
      case 34:
        r = '&#34;';
        break;
      case 39:
        r = '&#39;';
        break;
      case 38:
        r = '&amp;';
        break;
      case 60:
        r = '&lt;';
        break;
      case 62:
        r = '&gt;';
        break;
      case 0:
        r = '\uFFFD';
        break;
      default:
        continue;
    }
    out += s.slice(last, i) + r;
    last = i + 1;
  }
  return out + s.slice(last);
}

const HEX = '0123456789ABCDEF';
function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (c) {
      case 92:
        out += '\\\\';
        continue;
      case 39:
        out += "\\'";
        continue;
      case 34:
        out += '\\"';
        continue;
      case 60:
        out += '\\u003C';
        continue;
      case 62:
        out += '\\u003E';
        continue;
      case 38:
        out += '\\u0026';
        continue;
      case 61:
        out += '\\u003D';
        continue;
    }
    if (c < 0x20) out += '\\u00' + HEX[c >> 4] + HEX[c & 15];
    else if (c >= 0x80 && /[\p{C}\p{Z}]/u.test(ch)) {
      out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
    } else out += ch;
  }
  return out;
}

function urlQueryEscape(s: string): string {
  let out = '';
  for (const b of utf8.encode(s)) {
    if (
      (b >= 48 && b <= 57) ||
      (b >= 65 && b <= 90) ||
      (b >= 97 && b <= 122) ||
      b === 45 ||
      b === 95 ||
      b === 46 ||
      b === 126
    ) {
      out += String.fromCharCode(b);
    } else if (b === 32) out += '+';
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

function not(v: Value): boolean {
  return !isTrue(v);
}

// and/or are evaluated by the executor (they short-circuit); these bodies are never called.
function and(...args: Value[]): Value {
  for (const a of args) if (!isTrue(a)) return a;
  return args[args.length - 1];
}
function or(...args: Value[]): Value {
  for (const a of args) if (isTrue(a)) return a;
  return args[args.length - 1];
}

function call(name: string, fn: Value, ...args: Value[]): Value {
  fn = indirectInterface(fn);
  if (fn === undefined) throw new Error('call of nil');
  if (typeof fn === 'function') return (fn as (...a: Value[]) => Value)(...args);
  if (fn !== null && typeof fn === 'object' && 'fn' in fn && typeof (fn as { fn: unknown }).fn === 'function') {
    return (fn as { fn: (...a: Value[]) => Value }).fn(...args);
  }
  throw new Error(`non-function ${name} of type ${goTypeName(fn)}`);
}

/** BUILTINS are text/template's predefined global functions. */
export const BUILTINS: Record<string, ExecFunc> = {
  and: builtin(and, ['value'], 'value'),
  call: builtin(call, ['value'], 'value'),
  html: builtin((...a: Value[]) => htmlEscape(evalArgs(a)), [], 'any'),
  index: builtin(index, ['value'], 'value'),
  slice: builtin(slice, ['value'], 'value'),
  js: builtin((...a: Value[]) => jsEscape(evalArgs(a)), [], 'any'),
  len: builtin(length, ['value']),
  not: builtin(not, ['value']),
  or: builtin(or, ['value'], 'value'),
  print: builtin((...a: Value[]) => sprint(a), [], 'any'),
  printf: builtin((format: string, ...a: Value[]) => sprintf(format, a), ['string'], 'any'),
  println: builtin((...a: Value[]) => sprintln(a), [], 'any'),
  urlquery: builtin((...a: Value[]) => urlQueryEscape(evalArgs(a)), [], 'any'),
  eq: builtin(eq, ['value'], 'value'),
  ge: builtin(ge, ['value', 'value']),
  gt: builtin(gt, ['value', 'value']),
  le: builtin(le, ['value', 'value']),
  lt: builtin(lt, ['value', 'value']),
  ne: builtin(ne, ['value', 'value']),
};
