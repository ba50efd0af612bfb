/**
 * strings: Sprig's string functions with Go's byte semantics (Go strings are UTF-8 bytes: trunc,
 * substr, abbrev and wrap cut bytes, nospace and initials walk bytes as goutils does).
 */
import { type FuncMap, type Value, goFunc, compareGoStrings } from '../../value.js';
import {
  byteRunes,
  formatV,
  fail,
  fromBytes,
  fromRunes,
  goQuote,
  isAscii,
  isLower,
  isSpace,
  isTitle,
  isUpper,
  isLetter,
  isDigit,
  listItems,
  isListLike,
  mapRunes,
  runes,
  sliceString,
  strval,
  toBytes,
  toLowerRune,
  toTitleRune,
  toUpperRune,
  withGoType,
} from './util.js';
import { camelcase, kebabcase, snakecase } from './xstrings.js';

// ---------------------------------------------------------------------------------------------
// Go's strings package

/** trimSpace is strings.TrimSpace (unicode.IsSpace, not JS's trim which also drops U+FEFF). */
export function trimSpace(s: string): string {
  // Every space is in the BMP, so UTF-16 code units can be tested one by one.
  let i = 0;
  let j = s.length;
  while (i < j && isSpace(s.charCodeAt(i))) i++;
  while (j > i && isSpace(s.charCodeAt(j - 1))) j--;
  return i === 0 && j === s.length ? s : s.slice(i, j);
}

/** trimCutset is strings.Trim(s, cutset). */
export function trimCutset(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const cut = new Set(runes(cutset));
  const r = runes(s);
  let i = 0;
  let j = r.length;
  while (i < j && cut.has(r[i])) i++;
  while (j > i && cut.has(r[j - 1])) j--;
  return fromRunes(r.slice(i, j));
}

/** goRepeat is strings.Repeat with its panics. */
export function goRepeat(func: string, s: string, count: bigint | number): string {
  const n = Number(count);
  if (n < 0) fail(func, 'strings: negative Repeat count');
  if (s === '' || n === 0) return '';
  if (s.length * n > 1 << 28) fail(func, 'strings: Repeat output length overflow');
  return s.repeat(n);
}

/** goReplace is strings.Replace(s, old, new, -1): an empty old matches before every rune. */
export function goReplace(s: string, old: string, nw: string): string {
  if (old === nw) return s;
  if (old !== '') return s.split(old).join(nw);
  let out = nw;
  for (const ch of s) out += ch + nw;
  return out;
}

/** goSplitN is strings.SplitN (n < 0: all parts; n == 0: none). */
export function goSplitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  if (sep === '') {
    const r = Array.from(s);
    if (n < 0 || n > r.length) n = r.length;
    if (n === 0) return [];
    const out = r.slice(0, n - 1);
    out.push(r.slice(n - 1).join(''));
    return out;
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  const head = parts.slice(0, n - 1);
  head.push(parts.slice(n - 1).join(sep));
  return head;
}

function isTitleSeparator(c: number): boolean {
  if (c <= 0x7f) {
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f) return false;
    return true;
  }
  if (isLetter(c) || isDigit(c)) return false;
  return isSpace(c);
}

/** goTitle is the deprecated strings.Title: the first letter of every word in title case. */
export function goTitle(s: string): string {
  let prev = 0x20;
  return mapRunes(s, (c) => {
    const out = isTitleSeparator(prev) ? toTitleRune(c) : c;
    prev = c;
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// goutils

function abbreviateFull(s: string, offset: number, maxWidth: number): string {
  if (s === '') return '';
  return fromBytes(abbreviateBytes(toBytes(s), offset, maxWidth));
}

/** abbreviateBytes is goutils.AbbreviateFull on the string's bytes (it may cut a rune). */
function abbreviateBytes(b: Uint8Array, offset: number, maxWidth: number): Uint8Array {
  const n = b.length;
  if (n === 0 || n <= maxWidth) return b;
  if (offset > n) offset = n;
  if (n - offset < maxWidth - 3) offset = n - (maxWidth - 3);
  const join = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
  const marker = toBytes('...');
  if (offset <= 4) return join(b.subarray(0, maxWidth - 3), marker);
  if (offset + maxWidth - 3 < n) return join(marker, abbreviateBytes(b.subarray(offset), 0, maxWidth - 3));
  return join(marker, b.subarray(n - (maxWidth - 3)));
}

/** wrapCustom is goutils.WrapCustom: wraps at spaces, counting bytes. */
export function wrapCustom(s: string, wrapLength: number, newLine: string, wrapLongWords: boolean): string {
  if (s === '') return '';
  if (newLine === '') newLine = '\n';
  if (wrapLength < 1) wrapLength = 1;
  const b = toBytes(s);
  const nl = toBytes(newLine);
  const n = b.length;
  const out: number[] = [];
  const write = (lo: number, hi: number) => {
    for (let i = lo; i < hi; i++) out.push(b[i]);
  };
  let offset = 0;
  while (n - offset > wrapLength) {
    if (b[offset] === 0x20) {
      offset++;
      continue;
    }
    const end = wrapLength + offset + 1;
    let space = -1;
    for (let i = end - 1; i >= offset; i--) {
      if (b[i] === 0x20) {
        space = i;
        break;
      }
    }
    if (space >= offset) {
      write(offset, space);
      out.push(...nl);
      offset = space + 1;
    } else if (wrapLongWords) {
      write(offset, wrapLength + offset);
      out.push(...nl);
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      const idx = b.indexOf(0x20, e);
      if (idx === -1) {
        write(offset, n);
        offset = n;
      } else {
        write(offset, idx);
        out.push(...nl);
        offset = idx + 1;
      }
    }
  }
  write(offset, n);
  return fromBytes(Uint8Array.from(out));
}

/** deleteWhiteSpace is goutils.DeleteWhiteSpace, which walks bytes and writes each as a rune. */
function deleteWhiteSpace(s: string): string {
  if (s === '') return s;
  if (isAscii(s)) return s.replace(/[\t\n\v\f\r ]+/g, '');
  const bs = byteRunes(s);
  const kept = bs.filter((c) => !isSpace(c));
  if (kept.length === bs.length) return s;
  return fromRunes(kept);
}

/** initials is goutils.Initials (byte-wise, like deleteWhiteSpace). */
function initials(s: string): string {
  if (s === '') return s;
  let gap = true;
  const out: number[] = [];
  for (const c of byteRunes(s)) {
    if (isSpace(c)) gap = true;
    else if (gap) {
      out.push(c);
      gap = false;
    }
  }
  return fromRunes(out);
}

function uncapitalize(s: string): string {
  if (s === '') return s;
  let next = true;
  return mapRunes(s, (c) => {
    if (isSpace(c)) {
      next = true;
      return c;
    }
    if (next) {
      next = false;
      return toLowerRune(c);
    }
    return c;
  });
}

function swapCase(s: string): string {
  if (s === '') return s;
  let ws = true;
  return mapRunes(s, (c) => {
    if (isUpper(c) || isTitle(c)) {
      ws = false;
      return toLowerRune(c);
    }
    if (isLower(c)) {
      if (ws) {
        ws = false;
        return toTitleRune(c);
      }
      return toUpperRune(c);
    }
    ws = isSpace(c);
    return c;
  });
}

// ---------------------------------------------------------------------------------------------
// random strings (goutils' crypto-random helpers)

const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
let ASCII = '';
for (let c = 32; c <= 126; c++) ASCII += String.fromCharCode(c);

/** randomFrom returns count characters drawn uniformly from set with a CSPRNG. */
export function randomFrom(set: string, count: number): string {
  if (count <= 0) return '';
  const out: string[] = [];
  const limit = 256 - (256 % set.length);
  while (out.length < count) {
    const buf = new Uint8Array(Math.max(16, (count - out.length) * 2));
    crypto.getRandomValues(buf);
    for (const x of buf) {
      if (x < limit) out.push(set[x % set.length]);
      if (out.length === count) break;
    }
  }
  return out.join('');
}

function randomInt(n: number): number {
  const buf = new Uint32Array(1);
  const limit = 0x100000000 - (0x100000000 % n);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0] < limit) return buf[0] % n;
  }
}

function shuffle(s: string): string {
  if (s === '') return s;
  const r = runes(s);
  for (let i = r.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [r[i], r[j]] = [r[j], r[i]];
  }
  return fromRunes(r);
}

// ---------------------------------------------------------------------------------------------
// sprig

/** strslice is sprig's toStrings: a list's non-nil items as strings; nil → []; else [strval]. */
export function strslice(v: Value): string[] {
  if (isListLike(v)) {
    const out: string[] = [];
    for (const x of listItems(v)) if (x !== null && x !== undefined) out.push(strval(x));
    return out;
  }
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

const num = (n: bigint | number) => Number(n);

function substr(start: bigint, end: bigint, s: string): string {
  const st = num(start);
  const en = num(end);
  if (st < 0) return sliceString('substr', s, undefined, en);
  const len = isAscii(s) ? s.length : toBytes(s).length;
  if (en < 0 || en > len) return sliceString('substr', s, st, undefined);
  return sliceString('substr', s, st, en);
}

function trunc(c: bigint, s: string): string {
  const n = num(c);
  const len = isAscii(s) ? s.length : toBytes(s).length;
  if (n < 0 && len + n > 0) return sliceString('trunc', s, len + n, undefined);
  if (n >= 0 && len > n) return sliceString('trunc', s, undefined, n);
  return s;
}

function indent(spaces: bigint, v: string, func = 'indent'): string {
  const pad = goRepeat(func, ' ', spaces);
  return pad + v.split('\n').join('\n' + pad);
}

function splitMap(parts: string[]): Record<string, string> {
  const m: Record<string, string> = {};
  parts.forEach((p, i) => (m['_' + i] = p));
  return withGoType(m, 'map[string]string');
}
const strings = (xs: string[]): string[] => withGoType(xs, '[]string');

/** sortAlpha is sprig's sortAlpha: lists become sorted strings, anything else a one-item list. */
export function sortAlpha(list: Value): string[] {
  if (isListLike(list)) return strings(strslice(list).sort(compareGoStrings));
  return strings([strval(list)]);
}

/** stringFuncs are Sprig's string functions. */
export const stringFuncs: FuncMap = {
  hello: goFunc(() => 'Hello!', []),
  abbrev: goFunc(
    (width: bigint, s: string) => (num(width) < 4 ? s : abbreviateFull(s, 0, num(width))),
    ['int', 'string'],
  ),
  abbrevboth: goFunc(
    (left: bigint, right: bigint, s: string) => {
      const l = num(left);
      const r = num(right);
      if (r < 4 || (l > 0 && r < 7)) return s;
      return abbreviateFull(s, l, r);
    },
    ['int', 'int', 'string'],
  ),
  trunc: goFunc(trunc, ['int', 'string']),
  trim: goFunc(trimSpace, ['string']),
  upper: goFunc((s: string) => (isAscii(s) ? s.toUpperCase() : mapRunes(s, toUpperRune)), ['string']),
  lower: goFunc((s: string) => (isAscii(s) ? s.toLowerCase() : mapRunes(s, toLowerRune)), ['string']),
  title: goFunc(goTitle, ['string']),
  untitle: goFunc(uncapitalize, ['string']),
  substr: goFunc(substr, ['int', 'int', 'string']),
  repeat: goFunc((count: bigint, s: string) => goRepeat('repeat', s, count), ['int', 'string']),
  trimall: goFunc((a: string, b: string) => trimCutset(b, a), ['string', 'string']),
  trimAll: goFunc((a: string, b: string) => trimCutset(b, a), ['string', 'string']),
  trimSuffix: goFunc(
    (a: string, b: string) => (a !== '' && b.endsWith(a) ? b.slice(0, b.length - a.length) : b),
    ['string', 'string'],
  ),
  trimPrefix: goFunc(
    (a: string, b: string) => (a !== '' && b.startsWith(a) ? b.slice(a.length) : b),
    ['string', 'string'],
  ),
  nospace: goFunc(deleteWhiteSpace, ['string']),
  initials: goFunc(initials, ['string']),
  randAlphaNum: goFunc((n: bigint) => randomFrom(ALPHA + DIGITS, num(n)), ['int']),
  randAlpha: goFunc((n: bigint) => randomFrom(ALPHA, num(n)), ['int']),
  randAscii: goFunc((n: bigint) => randomFrom(ASCII, num(n)), ['int']),
  randNumeric: goFunc((n: bigint) => randomFrom(DIGITS, num(n)), ['int']),
  swapcase: goFunc(swapCase, ['string']),
  shuffle: goFunc(shuffle, ['string']),
  snakecase: goFunc(snakecase, ['string']),
  camelcase: goFunc(camelcase, ['string']),
  kebabcase: goFunc(kebabcase, ['string']),
  wrap: goFunc((l: bigint, s: string) => wrapCustom(s, num(l), '', false), ['int', 'string']),
  wrapWith: goFunc(
    (l: bigint, sep: string, s: string) => wrapCustom(s, num(l), sep, true),
    ['int', 'string', 'string'],
  ),
  contains: goFunc((sub: string, s: string) => s.includes(sub), ['string', 'string']),
  hasPrefix: goFunc((sub: string, s: string) => s.startsWith(sub), ['string', 'string']),
  hasSuffix: goFunc((sub: string, s: string) => s.endsWith(sub), ['string', 'string']),
  quote: goFunc(
    (...xs: Value[]) =>
      xs
        .filter((x) => x !== null && x !== undefined)
        .map((x) => goQuote(strval(x)))
        .join(' '),
    [],
    { variadic: 'any' },
  ),
  squote: goFunc(
    (...xs: Value[]) =>
      xs
        .filter((x) => x !== null && x !== undefined)
        .map((x) => "'" + formatV(x) + "'")
        .join(' '),
    [],
    { variadic: 'any' },
  ),
  cat: goFunc(
    (...xs: Value[]) =>
      xs
        .filter((x) => x !== null && x !== undefined)
        .map(formatV)
        .join(' '),
    [],
    { variadic: 'any' },
  ),
  indent: goFunc((n: bigint, v: string) => indent(n, v), ['int', 'string']),
  nindent: goFunc((n: bigint, v: string) => '\n' + indent(n, v, 'nindent'), ['int', 'string']),
  replace: goFunc((old: string, nw: string, src: string) => goReplace(src, old, nw), ['string', 'string', 'string']),
  plural: goFunc((one: string, many: string, n: bigint) => (n === 1n ? one : many), ['string', 'string', 'int']),
  toString: goFunc(strval, ['any']),
  toStrings: goFunc((v: Value) => strings(strslice(v)), ['any']),
  split: goFunc((sep: string, s: string) => splitMap(goSplitN(s, sep, -1)), ['string', 'string']),
  splitList: goFunc((sep: string, s: string) => strings(goSplitN(s, sep, -1)), ['string', 'string']),
  splitn: goFunc(
    (sep: string, n: bigint, s: string) => splitMap(goSplitN(s, sep, num(n))),
    ['string', 'int', 'string'],
  ),
  join: goFunc((sep: string, v: Value) => strslice(v).join(sep), ['string', 'any']),
  sortAlpha: goFunc(sortAlpha, ['any']),
};
