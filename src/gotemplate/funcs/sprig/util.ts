/**
 * util: the Go runtime pieces Sprig's functions lean on — byte strings, unicode classes,
 * strconv parsing, spf13/cast conversions, reflect.DeepEqual and Go's panic messages.
 */
import { sprint } from '../../fmt.js';
import { underscoreOK } from '../../parse.js';
import {
  GoInt64,
  GoStruct,
  GoTime,
  intValue,
  isMap,
  type Value,
  formatV as plainV,
  goKindName,
  goTypeName,
} from '../../value.js';

/**
 * SprigError is what a Sprig function reports (a returned error or a Go panic). The executor wraps
 * it as `error calling NAME: MESSAGE`, so the message is exactly Go's text.
 */
export class SprigError extends Error {
  /** func is the template function that failed. */
  readonly func: string;
  /** data holds the offending argument(s), for callers that want more than the message. */
  readonly data?: unknown;
  constructor(func: string, message: string, data?: unknown, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SprigError';
    this.func = func;
    this.data = data;
  }
}

/** fail throws a SprigError for function `func` with Go's message. */
export function fail(func: string, message: string, data?: unknown, cause?: unknown): never {
  throw new SprigError(func, message, data, cause);
}

// ---------------------------------------------------------------------------------------------
// Byte strings

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });

/** toBytes is []byte(s). */
export const toBytes = (s: string): Uint8Array => enc.encode(s);
/** fromBytes is string(b); invalid UTF-8 shows as U+FFFD, as helm's output does once decoded. */
export const fromBytes = (b: Uint8Array): string => dec.decode(b);

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * sliceString is Go's s[lo:hi] on a string, counting UTF-8 bytes, with the runtime's panics
 * ("slice bounds out of range [:5] with length 3"). hi undefined means len(s).
 */
export function sliceString(func: string, s: string, lo: number | undefined, hi: number | undefined): string {
  const ascii = isAscii(s);
  const b = ascii ? undefined : toBytes(s);
  const n = ascii ? s.length : b!.length;
  checkSliceBounds(func, lo, hi, n, 'length');
  const l = lo ?? 0;
  const h = hi ?? n;
  return ascii ? s.slice(l, h) : fromBytes(b!.subarray(l, h));
}

/** checkSliceBounds panics like Go's runtime for x[lo:hi] on something of length n. */
export function checkSliceBounds(
  func: string,
  lo: number | undefined,
  hi: number | undefined,
  n: number,
  what: 'length' | 'capacity',
): void {
  if (hi !== undefined) {
    if (hi < 0) fail(func, `runtime error: slice bounds out of range [:${hi}]`);
    if (hi > n) fail(func, `runtime error: slice bounds out of range [:${hi}] with ${what} ${n}`);
  }
  const h = hi ?? n;
  if (lo !== undefined) {
    if (lo < 0) fail(func, `runtime error: slice bounds out of range [${lo}:]`);
    if (lo > h) fail(func, `runtime error: slice bounds out of range [${lo}:${h}]`);
  }
}

// ---------------------------------------------------------------------------------------------
// Unicode (Go's unicode package, simple case mappings)

const reSpace = /^\p{White_Space}$/u;
const reUpper = /^\p{Lu}$/u;
const reLower = /^\p{Ll}$/u;
const reTitle = /^\p{Lt}$/u;
const reLetter = /^\p{L}$/u;
const reDigit = /^\p{Nd}$/u;
const reNumber = /^\p{N}$/u;
const rePunct = /^\p{P}$/u;
const rePrint = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** isSpace is unicode.IsSpace on a code point. */
export function isSpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c === 0x85 || c === 0xa0) return true;
  if (c < 0x100) return false;
  return reSpace.test(String.fromCodePoint(c));
}
const cls = (re: RegExp) => (c: number) => re.test(String.fromCodePoint(c));
export const isUpper = (c: number): boolean => (c < 0x80 ? c >= 0x41 && c <= 0x5a : cls(reUpper)(c));
export const isLower = (c: number): boolean => (c < 0x80 ? c >= 0x61 && c <= 0x7a : cls(reLower)(c));
export const isTitle = cls(reTitle);
export const isLetter = (c: number): boolean =>
  c < 0x80 ? (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) : cls(reLetter)(c);
export const isDigit = (c: number): boolean => (c < 0x80 ? c >= 0x30 && c <= 0x39 : cls(reDigit)(c));
export const isNumber = (c: number): boolean => (c < 0x80 ? c >= 0x30 && c <= 0x39 : cls(reNumber)(c));
const asciiTable = (re: RegExp) => Array.from({ length: 128 }, (_, c) => re.test(String.fromCharCode(c)));
const asciiPunct = asciiTable(rePunct);
export const isPunct = (c: number): boolean => (c < 0x80 ? asciiPunct[c] : cls(rePunct)(c));
/** isPrint is strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export const isPrint = (c: number): boolean => c === 0x20 || cls(rePrint)(c);

function simpleMap(c: number, f: (s: string) => string): number {
  const s = String.fromCodePoint(c);
  const m = f(s);
  if (m === s) return c;
  const cp = m.codePointAt(0)!;
  // Full mappings that expand (ß → SS) have no simple mapping in Go: the rune stays.
  return m.length === String.fromCodePoint(cp).length ? cp : c;
}
/** toUpperRune is unicode.ToUpper. */
export function toUpperRune(c: number): number {
  if (c < 0x80) return c >= 0x61 && c <= 0x7a ? c - 32 : c;
  return simpleMap(c, (s) => s.toUpperCase());
}
/** toLowerRune is unicode.ToLower. */
export function toLowerRune(c: number): number {
  if (c < 0x80) return c >= 0x41 && c <= 0x5a ? c + 32 : c;
  if (c === 0x130) return 0x69; // İ → i (Go's simple mapping; JS gives i̇)
  return simpleMap(c, (s) => s.toLowerCase());
}
const titleExceptions: Record<number, number> = {
  0x1c4: 0x1c5,
  0x1c5: 0x1c5,
  0x1c6: 0x1c5,
  0x1c7: 0x1c8,
  0x1c8: 0x1c8,
  0x1c9: 0x1c8,
  0x1ca: 0x1cb,
  0x1cb: 0x1cb,
  0x1cc: 0x1cb,
  0x1f1: 0x1f2,
  0x1f2: 0x1f2,
  0x1f3: 0x1f2,
};
/** toTitleRune is unicode.ToTitle (upper case except for the few digraphs with a title form). */
export function toTitleRune(c: number): number {
  return titleExceptions[c] ?? toUpperRune(c);
}

/** mapRunes applies f to each code point. */
export function mapRunes(s: string, f: (c: number) => number): string {
  let out = '';
  for (const ch of s) out += String.fromCodePoint(f(ch.codePointAt(0)!));
  return out;
}

/** runes is []rune(s). */
export function runes(s: string): number[] {
  const r: number[] = [];
  for (const ch of s) r.push(ch.codePointAt(0)!);
  return r;
}
export const fromRunes = (r: number[]): string => {
  let s = '';
  for (const c of r) s += String.fromCodePoint(c);
  return s;
};

/**
 * byteRunes is Go's `rune(str[i])` loop written back with WriteRune: every byte becomes the code
 * point of the same value (goutils' byte-wise helpers mangle multibyte text exactly so).
 */
export function byteRunes(s: string): number[] {
  return Array.from(toBytes(s));
}

// ---------------------------------------------------------------------------------------------
// strconv

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;
export const INT64_MIN = MIN_INT64;
export const INT64_MAX = MAX_INT64;
/** wrap64 is int64 arithmetic overflow (two's complement wrap-around). */
export const wrap64 = (n: bigint): bigint => BigInt.asIntN(64, n);

/**
 * parseInt64 is strconv.ParseInt(s, base, 64); it returns undefined where Go returns an error
 * (syntax or range).
 */
export function parseInt64(s: string, base: number): bigint | undefined {
  if (s === '') return undefined;
  const s0 = s;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
    if (s === '') return undefined;
  }
  const base0 = base === 0;
  if (base0) {
    base = 10;
    if (s[0] === '0') {
      const p = s.length >= 3 ? s[1].toLowerCase() : '';
      if (p === 'b') [base, s] = [2, s.slice(2)];
      else if (p === 'o') [base, s] = [8, s.slice(2)];
      else if (p === 'x') [base, s] = [16, s.slice(2)];
      else [base, s] = [8, s.slice(1)];
    }
  }
  let n = 0n;
  let underscores = false;
  const B = BigInt(base);
  for (const c of s) {
    if (c === '_' && base0) {
      underscores = true;
      continue;
    }
    let d: number;
    const lc = c.toLowerCase();
    if (c >= '0' && c <= '9') d = c.charCodeAt(0) - 48;
    else if (lc >= 'a' && lc <= 'z' && lc.length === 1) d = lc.charCodeAt(0) - 87;
    else return undefined;
    if (d >= base) return undefined;
    n = n * B + BigInt(d);
  }
  if (underscores && !underscoreOK(s0)) return undefined;
  if (neg) n = -n;
  if (n < MIN_INT64 || n > MAX_INT64) return undefined;
  return n;
}

/** parseFloat64 is strconv.ParseFloat(s, 64); undefined where Go returns a syntax error. */
export function parseFloat64(s: string): number | undefined {
  const m = /^([+-]?)(.*)$/s.exec(s)!;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2];
  const lb = body.toLowerCase();
  if (lb === 'inf' || lb === 'infinity') return sign * Infinity;
  if (lb === 'nan' && m[1] === '') return NaN;
  if (lb === 'nan') return undefined;
  let r: number;
  if (/^0x/i.test(body)) {
    // Hex float: mantissa digits with optional point, mandatory p exponent.
    const h = /^0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/.exec(body);
    if (!h || (h[1] + (h[2] ?? '')).replace(/_/g, '') === '') return undefined;
    if (body.includes('_') && !underscoreOK(s)) return undefined;
    const ip = h[1].replace(/_/g, '');
    const fp = (h[2] ?? '').replace(/_/g, '');
    const mant = BigInt('0x' + (ip + fp || '0'));
    const exp = Number(h[3].replace(/_/g, '')) - 4 * fp.length;
    r = Number(mant) * Math.pow(2, exp);
    if (!Number.isFinite(r) && mant !== 0n) return sign * Infinity;
  } else {
    if (!/^(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?$/.test(body)) return undefined;
    if (!/[0-9]/.test(body.split(/[eE]/)[0])) return undefined;
    if (body.includes('_') && !underscoreOK(s)) return undefined;
    r = Number(body.replace(/_/g, ''));
  }
  if (!Number.isFinite(r)) return undefined; // Go: value out of range (an error)
  return sign * r;
}

// ---------------------------------------------------------------------------------------------
// spf13/cast v1.7 (what sprig's int, int64, float64 and the integer math use)

function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    switch (s[i - 1]) {
      case '.':
        if (foundZero) return s.slice(0, i - 1);
        break;
      case '0':
        foundZero = true;
        break;
      default:
        return s;
    }
  }
  return s;
}

/** floatToInt64 is Go's int64(f) on amd64: truncation, and MinInt64 for NaN and out-of-range. */
export function floatToInt64(f: number): bigint {
  if (!Number.isFinite(f) || f >= 9223372036854775808 || f < -9223372036854775808) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

/** castToInt64 is cast.ToInt64: numbers truncate, strings parse (base 0, "3.0" ok), else 0. */
export function castToInt64(v: Value): bigint {
  v = intValue(v);
  switch (typeof v) {
    case 'bigint':
      return v;
    case 'number':
      return floatToInt64(v);
    case 'string':
      return parseInt64(trimZeroDecimal(v), 0) ?? 0n;
    case 'boolean':
      return v ? 1n : 0n;
  }
  return 0n;
}

/** castToFloat64 is cast.ToFloat64. */
export function castToFloat64(v: Value): number {
  v = intValue(v);
  switch (typeof v) {
    case 'bigint':
      return Number(v);
    case 'number':
      return v;
    case 'string':
      return parseFloat64(v) ?? 0;
    case 'boolean':
      return v ? 1 : 0;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// reflect

/** kindName is reflect.TypeOf(v).Kind().String(); Go panics on a nil interface. */
export function kindOrPanic(func: string, v: Value): string {
  if (v === null || v === undefined) fail(func, 'runtime error: invalid memory address or nil pointer dereference');
  return goKindName(v);
}

/** isListLike reports whether v has kind slice or array. */
export const isListLike = (v: Value): v is Value[] | Uint8Array => Array.isArray(v) || v instanceof Uint8Array;

/** listItems returns the elements of a slice value (bytes become uint8 ints). */
export function listItems(v: Value[] | Uint8Array): Value[] {
  return Array.isArray(v) ? v : Array.from(v, (b) => BigInt(b));
}

/** deepEqual is reflect.DeepEqual over the value model. */
export function deepEqual(a: Value, b: Value): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') return a === b; // NaN != NaN, as in Go
  if (typeof a !== 'object') return false;
  if (typeName(a) !== typeName(b)) return false; // int64 3 is not int 3, as reflect.DeepEqual says
  if (a instanceof GoInt64) return a.value === (b as GoInt64).value;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (a instanceof Uint8Array) {
    return b instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  if (a instanceof GoTime) {
    return (
      b instanceof GoTime && a.ms === b.ms && a.ns === b.ns && a.offsetSeconds === b.offsetSeconds && a.zone === b.zone
    );
  }
  if (a instanceof GoStruct) {
    if (!(b instanceof GoStruct) || a.goType !== b.goType) return false;
    for (const [k, v] of a.fields) if (!deepEqual(v, b.fields.get(k))) return false;
    return true;
  }
  return false;
}

/** empty is sprig's empty: the zero value of its type (structs never are). */
export function isEmpty(v: Value): boolean {
  if (v === null || v === undefined) return true;
  v = intValue(v);
  switch (typeof v) {
    case 'string':
      return v.length === 0;
    case 'number':
      return v === 0;
    case 'bigint':
      return v === 0n;
    case 'boolean':
      return !v;
    case 'function':
      return false;
  }
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (isMap(v)) {
    for (const _ in v) return false;
    return true;
  }
  return false;
}

/** formatV is fmt's %v of one operand: Stringers (time.Time, *semver.Version) print themselves. */
export function formatV(v: Value): string {
  if (typeof v === 'string') return v;
  // Scalars cannot carry methods: value.ts prints them without fmt's machinery.
  if (v === null || v === undefined || typeof v !== 'object') return plainV(v);
  return sprint([v]);
}

/** strval is sprig's strval: strings and bytes as they are, everything else as %v. */
export function strval(v: Value): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return fromBytes(v);
  if (v instanceof Error) return v.message;
  return formatV(v);
}

/** goQuote is strconv.Quote (fmt's %q of a string). */
export function goQuote(s: string): string {
  return '"' + s.replace(/[\x00-\x1f"\\\x7f]|[^\x00-\x7f]/gu, quoteRune) + '"';
}

function quoteRune(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c === 0x22) return '\\"';
  if (c === 0x5c) return '\\\\';
  if (c >= 0x80 && (c === 0xfffd || isPrint(c))) return ch;
  switch (c) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 0xc:
      return '\\f';
    case 0xa:
      return '\\n';
    case 0xd:
      return '\\r';
    case 9:
      return '\\t';
    case 0xb:
      return '\\v';
  }
  if (c < 0x20 || c === 0x7f) return '\\x' + c.toString(16).padStart(2, '0');
  if (c < 0x10000) return '\\u' + c.toString(16).padStart(4, '0');
  return '\\U' + c.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------------------------
// Go types the value model does not tell apart

/**
 * GO_TYPE marks a list or map whose Go type is not the model's default: splitList returns
 * []string, split map[string]string, until []int. typeOf, typeIs and deepEqual read the mark; to
 * everything else the value is an ordinary list or map.
 */
export const GO_TYPE: unique symbol = Symbol.for('capstan.goType');

/** withGoType marks v as having Go type `type` (see {@link GO_TYPE}). */
export function withGoType<T extends object>(v: T, type: string): T {
  Object.defineProperty(v, GO_TYPE, { value: type, enumerable: false, configurable: true });
  return v;
}

/** typeName is Go's %T of v, honouring {@link GO_TYPE}. */
export function typeName(v: Value): string {
  if (v !== null && typeof v === 'object' && GO_TYPE in v) return (v as any)[GO_TYPE] as string;
  return goTypeName(v);
}
