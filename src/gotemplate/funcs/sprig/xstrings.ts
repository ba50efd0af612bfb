/**
 * xstrings: the case conversions Sprig takes from huandu/xstrings v1.5 (snakecase, kebabcase,
 * camelcase). Words are split by the library's rune classes; the quirks (a run of upper-case
 * letters is one word, "__" camel-cases to "___") are part of the contract helm shows.
 */
import { fromRunes, isLetter, isNumber, isPunct, isSpace, isUpper, runes, toLowerRune, toUpperRune } from './util.js';

const RUNE_ERROR = 0xfffd;

const isConnector = (r: number) => r === 0x2d || r === 0x5f || isSpace(r);

/** isAlphabet: a letter that is not a CJK ideograph. */
function isAlphabet(r: number): boolean {
  if (!isLetter(r)) return false;
  if (r < 0x3400) return true;
  if (r >= 0x4e00 && r <= 0x9fcc) return false;
  if (r >= 0x3400 && r <= 0x4d85) return false;
  if (r >= 0x20000 && r <= 0x2b81d) return false;
  return true;
}

const enum W {
  Invalid,
  Number,
  Upper,
  Alphabet,
  Connector,
  Punct,
  Other,
}

/** nextValidRune skips U+FFFD runes; past the end it returns prev and what it skipped. */
function nextValidRune(rs: number[], i: number, prev: number): [number, number] {
  let size = 0;
  for (; i < rs.length; i++) {
    size++;
    if (rs[i] !== RUNE_ERROR) return [rs[i], size];
  }
  return [prev, size];
}

/** nextWord classifies the word starting at start; the word is rs[start:end]. */
function nextWord(rs: number[], start: number): { wt: W; end: number } {
  const n = rs.length;
  if (start >= n) return { wt: W.Invalid, end: start };
  let [r, size] = nextValidRune(rs, start, RUNE_ERROR);
  let offset = start + size;
  let rem = start;
  if (r === RUNE_ERROR) return { wt: W.Invalid, end: offset };
  const run = (keep: (r: number) => boolean) => {
    while (rem < n) {
      [r, size] = nextValidRune(rs, rem, r);
      if (!keep(r)) break;
      offset += size;
      rem += size;
    }
  };
  let wt: W;
  if (isConnector(r)) {
    wt = W.Connector;
    rem += size;
    run(isConnector);
  } else if (isPunct(r)) {
    wt = W.Punct;
    rem += size;
    run(isPunct);
  } else if (isUpper(r)) {
    wt = W.Upper;
    rem += size;
    if (rem < n) {
      [r, size] = nextValidRune(rs, rem, r);
      if (isUpper(r)) {
        let prevSize = size;
        offset += size;
        rem += size;
        while (rem < n) {
          [r, size] = nextValidRune(rs, rem, r);
          if (!isUpper(r)) break;
          prevSize = size;
          offset += size;
          rem += size;
        }
        if (rem < n && isAlphabet(r)) {
          offset -= prevSize;
          rem = offset;
        }
      } else if (isAlphabet(r)) {
        offset += size;
        rem += size;
        run((x) => isAlphabet(x) && !isUpper(x));
      }
    }
  } else if (isAlphabet(r)) {
    wt = W.Alphabet;
    rem += size;
    run((x) => isAlphabet(x) && !isUpper(x));
  } else if (isNumber(r)) {
    wt = W.Number;
    rem += size;
    run(isNumber);
  } else {
    wt = W.Other;
    rem += size;
    while (rem < n) {
      [r, size] = nextValidRune(rs, rem, r);
      if (size === 0 || isConnector(r) || isAlphabet(r) || isNumber(r) || isPunct(r)) break;
      offset += size;
      rem += size;
    }
  }
  return { wt, end: offset };
}

function camelCaseToLowerCase(str: string, connector: number): string {
  if (str === '') return '';
  const rs = runes(str);
  const out: number[] = [];
  const toLower = (wt: W, lo: number, hi: number) => {
    for (let i = lo; i < hi; i++) {
      const r = rs[i];
      if (wt !== W.Upper && wt !== W.Connector) out.push(r);
      else if (isConnector(r)) out.push(connector);
      else if (isUpper(r)) out.push(toLowerRune(r));
      else out.push(r);
    }
  };
  let start = 0;
  let { wt, end } = nextWord(rs, 0);
  const advance = () => {
    start = end;
    ({ wt, end } = nextWord(rs, start));
  };
  while (end < rs.length) {
    if (wt !== W.Connector) toLower(wt, start, end);
    const prev = wt;
    const [lastLo, lastHi] = [start, end];
    advance();
    switch (prev) {
      case W.Number:
        while (wt === W.Alphabet || wt === W.Number) {
          toLower(wt, start, end);
          advance();
        }
        if (wt !== W.Invalid && wt !== W.Punct && wt !== W.Connector) out.push(connector);
        break;
      case W.Connector:
        toLower(prev, lastLo, lastHi);
        break;
      case W.Punct:
        break;
      default: {
        if (wt !== W.Number) {
          if (wt !== W.Connector && wt !== W.Punct) out.push(connector);
          break;
        }
        if (end >= rs.length) break;
        const [nLo, nHi] = [start, end];
        advance();
        if ((wt as W) !== W.Alphabet) {
          toLower(W.Number, nLo, nHi);
          if ((wt as W) !== W.Connector && (wt as W) !== W.Punct) out.push(connector);
          break;
        }
        out.push(connector);
        toLower(W.Number, nLo, nHi);
        while ((wt as W) === W.Alphabet || (wt as W) === W.Number) {
          toLower(wt, start, end);
          advance();
        }
        if ((wt as W) !== W.Invalid && (wt as W) !== W.Connector && (wt as W) !== W.Punct) out.push(connector);
      }
    }
  }
  toLower(wt, start, end);
  return fromRunes(out);
}

/** snakecase is xstrings.ToSnakeCase. */
export const snakecase = (s: string): string => camelCaseToLowerCase(s, 0x5f);
/** kebabcase is xstrings.ToKebabCase. */
export const kebabcase = (s: string): string => camelCaseToLowerCase(s, 0x2d);

/**
 * camelcase is xstrings.ToCamelCase, which v1.5 makes upper camel case ("http_server" →
 * "HttpServer"); a connector is dropped before a letter, kept when doubled.
 */
export function camelcase(str: string): string {
  if (str === '') return '';
  const rs = runes(str);
  const out: number[] = [];
  let i = 0;
  let r0 = 0;
  let r1 = 0;
  let sawRune = false;
  let firstUpper = false;
  while (i < rs.length) {
    r0 = rs[i++];
    sawRune = true;
    if (!isConnector(r0)) {
      firstUpper = isUpper(r0);
      r0 = toUpperRune(r0);
      break;
    }
    out.push(r0);
  }
  if (i >= rs.length) {
    if (sawRune) out.push(r0);
    return fromRunes(out);
  }
  while (i < rs.length) {
    r1 = r0;
    r0 = rs[i++];
    if (isConnector(r0) && isConnector(r1)) {
      out.push(r1);
      continue;
    }
    if (isConnector(r1)) {
      firstUpper = isUpper(r0);
      r0 = toUpperRune(r0);
    } else {
      if (firstUpper) {
        if (isUpper(r0)) r0 = toLowerRune(r0);
        else firstUpper = false;
      }
      out.push(r1);
    }
  }
  out.push(r0);
  return fromRunes(out);
}
