/**
 * fmt: Go's fmt.Sprintf, Sprint and Sprintln over the value model of value.ts.
 *
 * Templates reach this through `printf`, `print` and `println` (and sprig functions built on them),
 * so chart output depends on every corner of Go's formatting: the `%!verb(type=value)` error
 * notes, element-wise verbs on slices and maps, rune-counted width and precision on strings,
 * strconv's float formats with round-half-even on the exact binary value.
 *
 * The printer mirrors the structure of Go's fmt package (a flag record, printArg for the top-level
 * operand, printValue for nested ones, handleMethods for Stringers) because the corner cases fall
 * out of that structure: a nested nil prints `<nil>` under any verb, a bad verb reprints the operand
 * with %v and the same width, `%!(EXTRA …)` lists unused operands only when no `%[n]` was used.
 *
 * Known deviations: `%p` and pointers nested in values print a fixed fake address; `%d` and other
 * non-string verbs on a time.Time print a bad-verb note instead of Go's struct internals.
 */
import {
  GO_METHODS,
  GoInt64,
  GoNamedInt,
  GoStruct,
  GoTime,
  intValue,
  formatGoTimeString,
  goTypeName,
  isMap,
  sortedKeys,
  type GoFunc,
  type Value,
} from './value.js';

/**
 * sprintf is Go's fmt.Sprintf.
 *
 * @example sprintf('%-5s|%03d|%.2f', ['ab', 7n, 3.14159]) === 'ab   |007|3.14'
 */
export function sprintf(format: string, args: readonly Value[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.out();
}

/** sprint is Go's fmt.Sprint: operands in %v, a space between two operands when neither is a string. */
export function sprint(args: readonly Value[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.write(' ');
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.out();
}

/** sprintln is Go's fmt.Sprintln: operands in %v separated by spaces, then a newline. */
export function sprintln(args: readonly Value[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.write(' ');
    p.printArg(arg, 'v');
  });
  p.write('\n');
  return p.out();
}

/**
 * formatFloatGo is strconv.FormatFloat(f, fmt, prec, 64) for every format Go has ('b', 'e', 'E',
 * 'f', 'g', 'G', 'x', 'X'); prec -1 means the shortest digits that round-trip. Fixed precisions
 * round half to even on the exact binary value, as Go does (`%.2f` of 0.125 is `0.12`).
 */
export function formatFloatGo(f: number, fmt: string, prec: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  if (fmt === 'b') return (neg ? '-' : '') + formatB(a);
  if (fmt === 'x' || fmt === 'X') return formatX(a, prec, fmt, neg);
  const shortest = prec < 0;
  let d: Digits;
  if (shortest) {
    d = shortestDigits(a);
    switch (fmt) {
      case 'e':
      case 'E':
        prec = Math.max(d.nd - 1, 0);
        break;
      case 'f':
        prec = Math.max(d.nd - d.dp, 0);
        break;
      case 'g':
      case 'G':
        prec = d.nd;
        break;
    }
  } else {
    d = exactDigits(a);
    if (fmt === 'f') {
      roundDigits(d, d.dp + prec);
    } else {
      let digits = prec;
      if (fmt === 'e' || fmt === 'E') digits++;
      else if (fmt === 'g' || fmt === 'G') {
        if (prec === 0) prec = 1;
        digits = prec;
      } else digits = 1;
      roundDigits(d, digits);
    }
  }
  return formatDigits(neg, d, prec, fmt, shortest);
}

// ---------------------------------------------------------------------------------------------
// Decimal digits of a float64.

/** Digits is a decimal 0.d[0]d[1]… × 10^dp with no trailing zeros (nd = 0 for zero). */
interface Digits {
  d: string;
  nd: number;
  dp: number;
}

function shortestDigits(a: number): Digits {
  if (a === 0) return { d: '', nd: 0, dp: 0 };
  const [m, e] = a.toExponential().split('e');
  const d = m.replace('.', '').replace(/0+$/, '');
  return { d, nd: d.length, dp: Number(e) + 1 };
}

const f64 = new DataView(new ArrayBuffer(8));
/** floatBits splits a non-negative finite float64 into mant × 2^exp (mant < 2^53). */
function floatBits(a: number): { mant: bigint; exp: number } {
  f64.setFloat64(0, a);
  const bits = f64.getBigUint64(0);
  let exp = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { mant, exp: exp - 1023 - 52 };
}

/** exactDigits is the exact decimal expansion of a finite non-negative float64. */
function exactDigits(a: number): Digits {
  if (a === 0) return { d: '', nd: 0, dp: 0 };
  const { mant, exp } = floatBits(a);
  let s: string;
  let dp: number;
  if (exp >= 0) {
    s = (mant << BigInt(exp)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-exp)).toString();
    dp = s.length + exp;
  }
  const lead = s.length - s.replace(/^0+/, '').length;
  s = s.slice(lead).replace(/0+$/, '');
  return { d: s, nd: s.length, dp: dp - lead };
}

/** roundDigits rounds d to nd digits, half to even, like strconv's decimal.Round. */
function roundDigits(d: Digits, nd: number): void {
  if (nd < 0 || nd >= d.nd) return;
  let up: boolean;
  if (d.d[nd] === '5' && nd + 1 === d.nd) up = nd > 0 && (d.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = d.d[nd] >= '5';
  if (!up) {
    d.d = d.d.slice(0, nd).replace(/0+$/, '');
    d.nd = d.d.length;
    if (d.nd === 0) d.dp = 0;
    return;
  }
  let i = nd - 1;
  while (i >= 0 && d.d[i] === '9') i--;
  if (i < 0) {
    d.d = '1';
    d.nd = 1;
    d.dp++;
    return;
  }
  d.d = d.d.slice(0, i) + String.fromCharCode(d.d.charCodeAt(i) + 1);
  d.nd = d.d.length;
}

function formatDigits(neg: boolean, d: Digits, prec: number, fmt: string, shortest: boolean): string {
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, d, prec, fmt);
    case 'f':
      return fmtF(neg, d, prec);
    case 'g':
    case 'G': {
      let eprec = prec;
      if (eprec > d.nd && d.nd >= d.dp) eprec = d.nd;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > d.nd) prec = d.nd;
        return fmtE(neg, d, prec - 1, fmt === 'g' ? 'e' : 'E');
      }
      if (prec > d.dp) prec = d.nd;
      return fmtF(neg, d, Math.max(prec - d.dp, 0));
    }
  }
  return '%' + fmt;
}

function fmtE(neg: boolean, d: Digits, prec: number, fmt: string): string {
  let s = neg ? '-' : '';
  s += d.nd !== 0 ? d.d[0] : '0';
  if (prec > 0) {
    s += '.';
    const m = Math.min(d.nd, prec + 1);
    s += d.d.slice(1, m);
    s += '0'.repeat(Math.max(prec + 1 - Math.max(m, 1), 0));
  }
  let exp = d.nd === 0 ? 0 : d.dp - 1;
  s += fmt;
  if (exp < 0) {
    s += '-';
    exp = -exp;
  } else s += '+';
  return s + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(neg: boolean, d: Digits, prec: number): string {
  let s = neg ? '-' : '';
  if (d.dp > 0) {
    const m = Math.min(d.nd, d.dp);
    s += d.d.slice(0, m) + '0'.repeat(d.dp - m);
  } else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      s += j >= 0 && j < d.nd ? d.d[j] : '0';
    }
  }
  return s;
}

function formatB(a: number): string {
  const { mant, exp } = floatBits(a);
  return `${mant}p${exp >= 0 ? '+' : ''}${exp}`;
}

/** formatX is strconv's %x of a float: 0x1.8p+01, shortest or rounded to prec hex digits. */
function formatX(a: number, prec: number, fmt: string, neg: boolean): string {
  let { mant, exp } = floatBits(a);
  exp += 52;
  if (mant === 0n) exp = 0;
  mant <<= 8n; // leading 1 at bit 60
  const bit60 = 1n << 60n;
  while (mant !== 0n && (mant & bit60) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (bit60 - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let s = (neg ? '-' : '') + '0' + fmt + String((mant >> 60n) & 1n);
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if (prec < 0 && mant !== 0n) {
    s += '.';
    while (mant !== 0n) {
      s += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  } else if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      s += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  s += fmt === 'X' ? 'P' : 'p';
  if (exp < 0) {
    s += '-';
    exp = -exp;
  } else s += '+';
  return s + (exp < 10 ? '0' + exp : String(exp));
}

// ---------------------------------------------------------------------------------------------
// Quoting (strconv.Quote and friends).

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
/** isPrint is strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(r: number): boolean {
  if (r < 0x7f) return r >= 0x20;
  if (r >= 0xd800 && r <= 0xdfff) return false;
  return printable.test(String.fromCodePoint(r));
}

function escapeRune(r: number, quote: number, asciiOnly: boolean): string {
  if (r === quote || r === 0x5c) return '\\' + String.fromCharCode(r);
  if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) return String.fromCodePoint(r);
  switch (r) {
    case 7:
      return '\\a';
    case 8:
      return '\\b';
    case 12:
      return '\\f';
    case 10:
      return '\\n';
    case 13:
      return '\\r';
    case 9:
      return '\\t';
    case 11:
      return '\\v';
  }
  if (r < 0x20 || r === 0x7f) return '\\x' + r.toString(16).padStart(2, '0');
  if (r >= 0xd800 && r <= 0xdfff) r = 0xfffd;
  if (r > 0x10ffff) r = 0xfffd;
  if (r < 0x10000) return '\\u' + r.toString(16).padStart(4, '0');
  return '\\U' + r.toString(16).padStart(8, '0');
}

/** quoteGo is strconv.Quote (or QuoteToASCII): a double-quoted Go string literal. */
export function quoteGo(s: string, asciiOnly = false): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, 0x22, asciiOnly);
  return out + '"';
}

function quoteRune(r: number, asciiOnly: boolean): string {
  if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  return "'" + escapeRune(r, 0x27, asciiOnly) + "'";
}

/** canBackquote is strconv.CanBackquote. */
function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r === 0xfeff) return false;
    if (r >= 0xd800 && r <= 0xdfff) return false;
    if ((r < 0x20 && r !== 9) || r === 0x60 || r === 0x7f) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The printer.

const utf8 = new TextEncoder();
const utf8dec = new TextDecoder();
const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';
const FAKE_POINTER = '0xc000010000';

/** isComplex recognises the engine's complex128 constants (`1+2i`) without importing the executor. */
function isComplex(v: Value): v is { re: number; im: number } {
  return (
    typeof v === 'object' &&
    v !== null &&
    v.constructor?.name === 'GoComplex' &&
    typeof (v as { re?: unknown }).re === 'number'
  );
}

/**
 * GO_TYPE is the mark sprig puts on lists and maps whose Go type is not the model's default
 * ([]string from splitList and regexFindAll, map[string]string from split); %T and %#v show it.
 */
const GO_TYPE: unique symbol = Symbol.for('capstan.goType') as never;

/** GO_NIL marks an empty list that is a nil slice in Go (regexFindAll with no match): `%#v` shows `[]string(nil)`. */
const GO_NIL: unique symbol = Symbol.for('capstan.goNil') as never;

/** typeName is %T: goTypeName, the GO_TYPE mark, and complex128 for complex constants. */
function typeName(v: Value): string {
  if (isComplex(v)) return 'complex128';
  if (typeof v === 'object' && v !== null && GO_TYPE in v) return (v as { [GO_TYPE]: string })[GO_TYPE];
  return goTypeName(v);
}

function runeCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0 || s.charCodeAt(i - 1) < 0xd800 || s.charCodeAt(i - 1) > 0xdbff) n++;
  }
  return n;
}

function tooLarge(n: number): boolean {
  return n > 1e6 || n < -1e6;
}

/** parsenum reads a decimal number at s[start:end]: [value, found, next index]. */
function parsenum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && s[i] >= '0' && s[i] <= '9'; i++) {
    if (tooLarge(num)) return [0, false, end];
    num = num * 10 + (s.charCodeAt(i) - 48);
    isnum = true;
  }
  return [num, isnum, i];
}

class Printer {
  private buf: string[] = [];
  // fmt flags
  private plus = false;
  private minus = false;
  private sharp = false;
  private space = false;
  private zero = false;
  private plusV = false;
  private sharpV = false;
  private widPresent = false;
  private precPresent = false;
  private wid = 0;
  private prec = 0;
  // printer state
  private arg: Value = undefined;
  private argValid = false;
  private erroring = false;
  private goodArgNum = true;
  private reordered = false;

  out(): string {
    return this.buf.join('');
  }
  write(s: string): void {
    this.buf.push(s);
  }

  private clearflags(): void {
    this.plus = this.minus = this.sharp = this.space = this.zero = false;
    this.plusV = this.sharpV = this.widPresent = this.precPresent = false;
    this.wid = this.prec = 0;
  }

  // --- padding ---

  private writePadding(n: number): void {
    if (n <= 0) return;
    this.buf.push((this.zero && !this.minus ? '0' : ' ').repeat(n));
  }

  /** pad writes s padded to the width, counting runes. */
  private pad(s: string): void {
    if (!this.widPresent || this.wid === 0) {
      this.buf.push(s);
      return;
    }
    const w = this.wid - runeCount(s);
    if (!this.minus) {
      this.writePadding(w);
      this.buf.push(s);
    } else {
      this.buf.push(s);
      this.writePadding(w);
    }
  }

  private truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = this.prec;
    let i = 0;
    for (const ch of s) {
      if (--n < 0) return s.slice(0, i);
      i += ch.length;
    }
    return s;
  }

  // --- doPrintf ---

  private argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    // parseArgNumber on format[i:]
    let index = 0;
    let wid = 1;
    let ok = false;
    const rest = format.slice(i);
    for (let j = 1; j < rest.length; j++) {
      if (rest[j] === ']') {
        const [w, found, newi] = parsenum(rest, 1, j);
        if (!found || newi !== j) {
          index = 0;
          wid = j + 1;
          ok = false;
        } else {
          index = w - 1;
          wid = j + 1;
          ok = true;
        }
        break;
      }
    }
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  private intFromArg(a: readonly Value[], argNum: number): [number, boolean, number] {
    let num = 0;
    let isInt = false;
    if (argNum < a.length) {
      const v = intValue(a[argNum]);
      if (typeof v === 'bigint') {
        const n = BigInt.asIntN(64, v);
        if (n >= -1000001n && n <= 1000001n) num = Number(n);
        else num = 1e7;
        isInt = true;
      }
      argNum++;
      if (tooLarge(num)) {
        num = 0;
        isInt = false;
      }
    }
    return [num, isInt, argNum];
  }

  doPrintf(format: string, a: readonly Value[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    let i = 0;
    while (i < end) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== '%') i++;
      if (i > lasti) this.buf.push(format.slice(lasti, i));
      if (i >= end) break;
      i++; // skip %
      this.clearflags();
      flags: for (; i < end; i++) {
        switch (format[i]) {
          case '#':
            this.sharp = true;
            break;
          case '0':
            this.zero = !this.minus;
            break;
          case '+':
            this.plus = true;
            break;
          case '-':
            this.minus = true;
            this.zero = false;
            break;
          case ' ':
            this.space = true;
            break;
          default:
            break flags;
        }
      }
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      // width
      if (i < end && format[i] === '*') {
        i++;
        [this.wid, this.widPresent, argNum] = this.intFromArg(a, argNum);
        if (!this.widPresent) this.buf.push('%!(BADWIDTH)');
        if (this.wid < 0) {
          this.wid = -this.wid;
          this.minus = true;
          this.zero = false;
        }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent, i] = parsenum(format, i, end);
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }
      // precision
      if (i + 1 <= end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === '*') {
          i++;
          [this.prec, this.precPresent, argNum] = this.intFromArg(a, argNum);
          if (this.prec < 0) {
            this.prec = 0;
            this.precPresent = false;
          }
          if (!this.precPresent) this.buf.push('%!(BADPREC)');
          afterIndex = false;
        } else {
          [this.prec, this.precPresent, i] = parsenum(format, i, end);
          if (!this.precPresent) {
            this.prec = 0;
            this.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i >= end) {
        this.buf.push('%!(NOVERB)');
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;
      if (verb === '%') {
        this.buf.push('%');
      } else if (!this.goodArgNum) {
        this.buf.push('%!' + verb + '(BADINDEX)');
      } else if (argNum >= a.length) {
        this.buf.push('%!' + verb + '(MISSING)');
      } else {
        if (verb === 'v' || verb === 'w') {
          this.sharpV = this.sharp;
          this.sharp = false;
          this.plusV = this.plus;
          this.plus = false;
        }
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }
    if (!this.reordered && argNum < a.length) {
      this.clearflags();
      this.buf.push('%!(EXTRA ');
      a.slice(argNum).forEach((arg, k) => {
        if (k > 0) this.buf.push(', ');
        if (arg === null || arg === undefined) this.buf.push('<nil>');
        else {
          this.buf.push(typeName(arg) + '=');
          this.printArg(arg, 'v');
        }
      });
      this.buf.push(')');
    }
  }

  // --- operands ---

  private badVerb(verb: string): void {
    this.erroring = true;
    this.buf.push('%!' + verb + '(');
    if (this.argValid && this.arg !== null && this.arg !== undefined) {
      this.buf.push(typeName(this.arg) + '=');
      this.printArg(this.arg, 'v');
    } else {
      this.buf.push('<nil>');
    }
    this.buf.push(')');
    this.erroring = false;
  }

  printArg(arg: Value, verb: string): void {
    this.arg = arg;
    this.argValid = true;
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb);
      return;
    }
    if (verb === 'T') {
      this.fmtS(typeName(arg));
      return;
    }
    if (verb === 'p') {
      this.fmtPointer(arg, verb);
      return;
    }
    if (verb === 'w') {
      // %w is only valid in fmt.Errorf.
      this.badVerb(verb);
      return;
    }
    this.printValue(arg, verb, 0);
  }

  private fmtPointer(v: Value, verb: string): void {
    if (Array.isArray(v) || isMap(v) || (v instanceof GoStruct && v.goType.startsWith('*'))) {
      if (verb === 'v' && this.sharpV) this.buf.push('(' + goTypeName(v) + ')(' + FAKE_POINTER + ')');
      else if (verb === 'v' || verb === 'p') this.pad(FAKE_POINTER);
      else this.badVerb(verb);
      return;
    }
    this.badVerb(verb);
  }

  /** handleMethods calls a String method (time.Time, semver's *Version) for %v %s %x %X %q. */
  private handleMethods(v: Value, verb: string): boolean {
    if (this.erroring) return false;
    if (this.sharpV) {
      if (v instanceof GoTime) {
        this.fmtS(goStringTime(v));
        return true;
      }
      return false;
    }
    if (verb !== 'v' && verb !== 's' && verb !== 'x' && verb !== 'X' && verb !== 'q') return false;
    if (v instanceof GoTime) {
      this.fmtString(formatGoTimeString(v), verb);
      return true;
    }
    const methods = (v as { [GO_METHODS]?: Record<string, GoFunc> })[GO_METHODS];
    const m = methods?.String ?? methods?.Error;
    if (m && m.params.length === 0) {
      this.fmtString(String(m.fn()), verb);
      return true;
    }
    return false;
  }

  private printValue(v: Value, verb: string, depth: number): void {
    if (depth > 0) {
      this.arg = v;
      this.argValid = true;
      if (v === null || v === undefined) {
        if (this.sharpV) this.buf.push('interface {}(nil)');
        else this.buf.push('<nil>');
        return;
      }
    }
    if (isComplex(v)) {
      this.fmtComplex(v, verb);
      return;
    }
    if (v instanceof GoInt64) {
      // A named integer with a String method (time.Month) prints its name for the string verbs.
      if (v instanceof GoNamedInt && 'vsxXq'.includes(verb)) this.fmtString(v.text, verb);
      else this.fmtInteger(v.value, true, verb, v.goType);
      return;
    }
    if (typeof v === 'object' && v !== null && this.handleMethods(v, verb)) return;
    switch (typeof v) {
      case 'boolean':
        this.fmtBool(v, verb);
        return;
      case 'number':
        this.fmtFloat(v, verb);
        return;
      case 'bigint':
        // int and int64; values past int64 can only be uint64 (semver's Major), printed unsigned.
        if (v === BigInt.asIntN(64, v)) this.fmtInteger(v, true, verb);
        else this.fmtInteger(BigInt.asUintN(64, v), false, verb, 'uint64');
        return;
      case 'string':
        this.fmtString(v, verb);
        return;
      case 'function':
        this.fmtPointer(v, verb);
        return;
    }
    if (v instanceof Uint8Array) {
      this.fmtBytes(v, verb, depth);
      return;
    }
    if (Array.isArray(v)) {
      if (this.sharpV) {
        if (v.length === 0 && GO_NIL in v) {
          this.buf.push(typeName(v) + '(nil)');
          return;
        }
        this.buf.push(typeName(v) + '{');
        v.forEach((e, k) => {
          if (k > 0) this.buf.push(', ');
          this.printValue(e, verb, depth + 1);
        });
        this.buf.push('}');
      } else {
        this.buf.push('[');
        v.forEach((e, k) => {
          if (k > 0) this.buf.push(' ');
          this.printValue(e, verb, depth + 1);
        });
        this.buf.push(']');
      }
      return;
    }
    if (v instanceof GoStruct) {
      if (v.goType.startsWith('*') && depth > 0) {
        this.fmtPointer(v, verb);
        return;
      }
      if (v.goType.startsWith('*')) this.buf.push('&');
      if (this.sharpV) this.buf.push(v.goType.replace(/^\*/, ''));
      this.buf.push('{');
      let k = 0;
      for (const [name, field] of v.fields) {
        if (k++ > 0) this.buf.push(this.sharpV ? ', ' : ' ');
        if (this.plusV || this.sharpV) this.buf.push(name + ':');
        this.printValue(field, verb, depth + 1);
      }
      this.buf.push('}');
      return;
    }
    if (v instanceof GoTime) {
      if (this.erroring) this.pad(formatGoTimeString(v));
      else this.badVerb(verb);
      return;
    }
    if (isMap(v)) {
      this.buf.push(this.sharpV ? typeName(v) + '{' : 'map[');
      sortedKeys(v).forEach((key, k) => {
        if (k > 0) this.buf.push(this.sharpV ? ', ' : ' ');
        this.arg = key;
        this.printValue(key, verb, depth + 1);
        this.buf.push(':');
        this.printValue(v[key], verb, depth + 1);
      });
      this.buf.push(this.sharpV ? '}' : ']');
      return;
    }
    this.fmtPointer(v, verb);
  }

  // --- scalars ---

  private fmtBool(v: boolean, verb: string): void {
    if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
    else this.badVerb(verb);
  }

  private fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  private fmtString(s: string, verb: string): void {
    switch (verb) {
      case 'v':
        if (this.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        this.fmtS(s);
        return;
      case 'x':
        this.fmtSbx(utf8.encode(s), LDIGITS);
        return;
      case 'X':
        this.fmtSbx(utf8.encode(s), UDIGITS);
        return;
      case 'q':
        this.fmtQ(s);
        return;
    }
    this.badVerb(verb);
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) {
      this.pad('`' + s + '`');
      return;
    }
    this.pad(quoteGo(s, this.plus));
  }

  private fmtSbx(b: Uint8Array, digits: string): void {
    let length = b.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let s = '';
    if (this.sharp) s += '0' + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        s += ' ';
        if (this.sharp) s += '0' + digits[16];
      }
      const c = b[i];
      s += digits[c >> 4] + digits[c & 15];
    }
    this.buf.push(s);
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  private fmtBytes(v: Uint8Array, verb: string, depth: number): void {
    switch (verb) {
      case 'v':
      case 'd':
        if (this.sharpV) {
          this.buf.push('[]byte{' + Array.from(v, (c) => '0x' + c.toString(16)).join(', ') + '}');
          return;
        }
        this.buf.push('[');
        v.forEach((c, k) => {
          if (k > 0) this.buf.push(' ');
          this.fmtInteger(BigInt(c), false, verb);
        });
        this.buf.push(']');
        return;
      case 's':
        this.fmtS(utf8dec.decode(v));
        return;
      case 'x':
        this.fmtSbx(v, LDIGITS);
        return;
      case 'X':
        this.fmtSbx(v, UDIGITS);
        return;
      case 'q':
        this.fmtQ(utf8dec.decode(v));
        return;
    }
    this.buf.push('[');
    v.forEach((c, k) => {
      if (k > 0) this.buf.push(' ');
      this.arg = BigInt(c);
      this.fmtInteger(BigInt(c), false, verb, 'uint8');
    });
    this.buf.push(']');
    void depth;
  }

  private fmtInteger(v: bigint, isSigned: boolean, verb: string, typeName = 'int'): void {
    switch (verb) {
      case 'v':
        if (this.sharpV && !isSigned) {
          this.fmt0x64(v);
          return;
        }
        this.fmtInt(v, 10, verb, LDIGITS);
        return;
      case 'd':
        this.fmtInt(v, 10, verb, LDIGITS);
        return;
      case 'b':
        this.fmtInt(v, 2, verb, LDIGITS);
        return;
      case 'o':
      case 'O':
        this.fmtInt(v, 8, verb, LDIGITS);
        return;
      case 'x':
        this.fmtInt(v, 16, verb, LDIGITS);
        return;
      case 'X':
        this.fmtInt(v, 16, verb, UDIGITS);
        return;
      case 'c':
        this.pad(runeString(v));
        return;
      case 'q':
        this.pad(quoteRune(runeOf(v), this.plus));
        return;
      case 'U':
        this.fmtUnicode(BigInt.asUintN(64, v));
        return;
    }
    void typeName;
    this.badVerb(verb);
  }

  private fmt0x64(v: bigint): void {
    const sharp = this.sharp;
    this.sharp = true;
    this.fmtInt(v, 16, 'v', LDIGITS);
    this.sharp = sharp;
  }

  /** fmtInt is fmt.fmtInteger: digits, precision or zero padding, base prefix, sign, width. */
  private fmtInt(v: bigint, base: number, verb: string, digits: string): void {
    const negative = v < 0n;
    let u = negative ? -v : v;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = u.toString(base);
    if (digits === UDIGITS) s = s.toUpperCase();
    u = 0n;
    if (prec > s.length) s = '0'.repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8) {
        if (s[0] !== '0') s = '0' + s;
      } else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (this.plus) s = '+' + s;
    else if (this.space) s = ' ' + s;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  private fmtUnicode(u: bigint): void {
    let prec = 4;
    if (this.precPresent && this.prec > 4) prec = this.prec;
    let tail = '';
    if (this.sharp && u <= 0x10ffffn && isPrint(Number(u))) tail = " '" + String.fromCodePoint(Number(u)) + "'";
    let hex = u.toString(16).toUpperCase();
    if (hex.length < prec) hex = '0'.repeat(prec - hex.length) + hex;
    const oldZero = this.zero;
    this.zero = false;
    this.pad('U+' + hex + tail);
    this.zero = oldZero;
  }

  /** fmtComplex prints (re±imi) with the float verb on both parts; the imaginary part always signed. */
  private fmtComplex(v: { re: number; im: number }, verb: string): void {
    if (!'vbgGxXfFeE'.includes(verb)) {
      this.badVerb(verb);
      return;
    }
    const oldPlus = this.plus;
    this.buf.push('(');
    this.fmtFloat(v.re, verb);
    this.plus = true;
    this.fmtFloat(v.im, verb);
    this.buf.push('i)');
    this.plus = oldPlus;
  }

  private fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case 'v':
        this.fmtFloatPrec(v, 'g', -1);
        return;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        this.fmtFloatPrec(v, verb, -1);
        return;
      case 'f':
      case 'e':
      case 'E':
        this.fmtFloatPrec(v, verb, 6);
        return;
      case 'F':
        this.fmtFloatPrec(v, 'f', 6);
        return;
    }
    this.badVerb(verb);
  }

  /** fmtFloatPrec is fmt.fmtFloat: sign handling, # (keep the point and trailing zeros), padding. */
  private fmtFloatPrec(v: number, verb: string, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloatGo(v, verb, prec);
    if (num[0] === '-' || num[0] === '+') {
      /* sign present */
    } else num = '+' + num;
    if (this.space && num[0] === '+' && !this.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp && verb !== 'b') {
      let digits = 0;
      if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = '';
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      let body = num;
      for (let i = 1; i < body.length; i++) {
        const c = body[i];
        if (c === '.') hasDecimalPoint = true;
        else if (c === 'p' || c === 'P') {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        } else if ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X') {
          tail = body.slice(i);
          body = body.slice(0, i);
          break;
        } else {
          if (c !== '0') sawNonzeroDigit = true;
          if (sawNonzeroDigit) digits--;
        }
      }
      if (!hasDecimalPoint) {
        if (body.length === 2 && body[1] === '0') digits--;
        body += '.';
      }
      if (digits > 0) body += '0'.repeat(digits);
      num = body + tail;
    }
    if (this.plus || num[0] !== '+') {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.buf.push(num[0]);
        this.writePadding(this.wid - num.length);
        this.buf.push(num.slice(1));
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }
}

function runeOf(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return u > 0x10ffffn ? 0xfffd : Number(u);
}

function runeString(v: bigint): string {
  const r = runeOf(v);
  if (r >= 0xd800 && r <= 0xdfff) return '\ufffd';
  return String.fromCodePoint(r);
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** goStringTime is time.Time.GoString for %#v. Every zone but UTC prints as time.Local here. */
function goStringTime(t: GoTime): string {
  const d = new Date(t.ms + t.offsetSeconds * 1000);
  const ns = d.getUTCMilliseconds() * 1e6 + t.ns;
  const loc = t.offsetSeconds === 0 && t.zone === 'UTC' ? 'time.Local' : 'time.Local';
  return (
    `time.Date(${d.getUTCFullYear()}, time.${MONTHS[d.getUTCMonth()]}, ${d.getUTCDate()}, ` +
    `${d.getUTCHours()}, ${d.getUTCMinutes()}, ${d.getUTCSeconds()}, ${ns}, ${loc})`
  );
}
