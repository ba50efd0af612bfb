/**
 * regex-syntax: translates Go's regexp syntax (RE2, as regexp.Compile accepts it) into an
 * equivalent JavaScript RegExp in unicode mode, rejecting what Go rejects with Go's error text.
 *
 * The translation is explicit rather than leaning on JS flags, because the two dialects disagree
 * in small ways charts can hit: Go's `\s` is `[\t\n\f\r ]` and `\d`/`\w` are ASCII, `.` excludes only
 * `\n`, `$` without (?m) is the end of the text, (?m) line anchors only see `\n`, flags can change
 * mid-pattern (`a(?i)b`, `(?i:x)`), `(?U)` swaps greedy and lazy, `\Q…\E` quotes, `{` that does not
 * start a valid repeat is a literal. Case folding under (?i) is done by expanding letters into
 * their Unicode simple-fold orbits, so it can apply to part of a pattern.
 *
 * Optional iterations of a piece that can match the empty string are written as alternations
 * (`(a*)?` → `(?:(a*)|)`, `(b*){0,2}` unrolled), because JS rejects an optional iteration that
 * matches empty where Go accepts it; unrolled copies of a capture group report the last copy
 * that took part, as Go reports the last iteration.
 *
 * Known deviations (JS backtracking vs Go's automata, same leftmost-first preference):
 * - an unbounded loop (`*`, `+`, `{n,}`) over a piece that can match empty: after an empty
 *   iteration Go leaves the loop, JS retries the body (`(|a)*` on "aa": Go "", JS "aa");
 * - a capture inside an unbounded repeated group keeps its last successful value in Go but is
 *   reset each iteration in JS (`(a|(b))+` on "ba": Go's group 2 is "b", JS's is unset);
 * - Go's limit on nested repeat products (`(a{2}){501}` is fine alone but `((a{100}){100}){100}`
 *   is "expression too large") is only checked for single repeats above 1000;
 * - `(?i)` folds with JS's case mappings, which match Go's tables except for a few special letters
 *   (dotless i and dotted I).
 */

/** RegexpSyntaxError is regexp/syntax.Error: a code and the offending part of the expression. */
export class RegexpSyntaxError extends Error {
  constructor(
    readonly code: string,
    readonly expr: string,
  ) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.name = 'RegexpSyntaxError';
  }
}

export const ErrInvalidCharClass = 'invalid character class';
export const ErrInvalidCharRange = 'invalid character class range';
export const ErrInvalidEscape = 'invalid escape sequence';
export const ErrInvalidNamedCapture = 'invalid named capture';
export const ErrInvalidPerlOp = 'invalid or unsupported Perl syntax';
export const ErrInvalidRepeatOp = 'invalid nested repetition operator';
export const ErrInvalidRepeatSize = 'invalid repeat count';
export const ErrMissingBracket = 'missing closing ]';
export const ErrMissingParen = 'missing closing )';
export const ErrMissingRepeatArgument = 'missing argument to repetition operator';
export const ErrTrailingBackslash = 'trailing backslash at end of expression';
export const ErrUnexpectedParen = 'unexpected )';

/** Translated is a compiled Go regexp: the JS source and the names of its capture groups (1-based). */
export interface Translated {
  source: string;
  /** names[i] is group i's name ('' for unnamed); names[0] is the whole match. */
  names: string[];
  /** groupMap[k - 1] is the Go group that JS group k captures (copies of a group share one). */
  groupMap: number[];
}

interface Flags {
  i: boolean; // FoldCase
  m: boolean; // multi-line: ^ and $ match at line boundaries
  s: boolean; // DotNL
  U: boolean; // NonGreedy
}

type Range = [number, number];

/** Item is one piece of the current concatenation; kind decides how a repeat applies to it. */
interface Item {
  src: string;
  kind: 'atom' | 'assert' | 'repeat';
  /** nullable: the piece can match the empty string. */
  nullable: boolean;
  /** caps: capture groups inside the piece. */
  caps: number;
}

interface Frame {
  alts: string[];
  /** altNullable[i]: alternative i (already closed by `|`) can match the empty string. */
  altNullable: boolean[];
  /** capStart: the number of capture groups opened before this group's own (if any). */
  capStart: number;
  items: Item[];
  flags: Flags; // flags to restore at the closing paren
  open: string; // '(' or '(?:' ; '' for the top level
}

const MAX_RUNE = 0x10ffff;
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlnum = (c: string) => /^[0-9A-Za-z]$/.test(c);

const PERL_CLASSES: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

const POSIX_CLASSES: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
    [0x5f, 0x5f],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const CATEGORIES = new Set(
  'C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '),
);

/** unicodeClassSource maps Go's \p name (category, script or Any) to a JS \p escape, or null. */
function unicodeClassSource(name: string, negate: boolean): string | null {
  const p = negate ? 'P' : 'p';
  if (name === 'Any') return negate ? '[]' : '[^]';
  if (CATEGORIES.has(name)) return `\\${p}{${name}}`;
  if (!/^[A-Za-z_]+$/.test(name)) return null;
  try {
    new RegExp(`\\p{Script=${name}}`, 'u');
    return `\\${p}{Script=${name}}`;
  } catch {
    return null;
  }
}

// --- case folding ------------------------------------------------------------------------------

let foldTable: Map<number, number[]> | undefined;

/** foldOrbit is the set of code points that match c under (?i), c included. */
function foldOrbit(c: number): number[] {
  if (!foldTable) {
    const groups = new Map<number, number[]>();
    const single = (s: string) =>
      s.length === 1 || (s.length === 2 && s.codePointAt(0)! > 0xffff) ? s.codePointAt(0)! : -1;
    for (let cp = 0; cp <= 0x1ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (cp === 0x130 || cp === 0x131) continue; // Go's fold tables leave İ and ı alone
      const ch = String.fromCodePoint(cp);
      const up = single(ch.toUpperCase());
      let key = up >= 0 ? single(String.fromCodePoint(up).toLowerCase()) : -1;
      if (key < 0) key = single(ch.toLowerCase());
      if (key < 0 || key === cp) {
        if (key === cp && up === cp && single(ch.toLowerCase()) === cp) continue;
      }
      const k = key < 0 ? cp : key;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = []));
      g.push(cp);
    }
    foldTable = new Map();
    for (const [k, g] of groups) {
      if (!g.includes(k)) g.push(k);
      if (g.length < 2) continue;
      for (const cp of g) foldTable.set(cp, g);
    }
  }
  return foldTable.get(c) ?? [c];
}

function foldRanges(ranges: Range[]): Range[] {
  const out = ranges.slice();
  for (const [lo, hi] of ranges) {
    if (hi - lo > 0x4000) continue;
    for (let c = lo; c <= hi; c++) for (const f of foldOrbit(c)) if (f < lo || f > hi) out.push([f, f]);
  }
  return out;
}

const unicodeFoldCache = new Map<string, Range[]>();

/**
 * foldedUnicodeExtras is what (?i) adds to a \p class in Go: every code point outside it whose
 * case-fold orbit meets it (`(?i)\p{Lu}` matches "b"). Negated classes (\P) are left as they are.
 */
function foldedUnicodeExtras(src: string): Range[] {
  if (!src.startsWith('\\p')) return [];
  let out = unicodeFoldCache.get(src);
  if (!out) {
    const re = new RegExp(`^${src}$`, 'u');
    out = [];
    foldOrbit(0x61); // builds the table
    for (const [cp, orbit] of foldTable!) {
      if (re.test(String.fromCodePoint(cp))) continue;
      if (orbit.some((o) => re.test(String.fromCodePoint(o)))) out.push([cp, cp]);
    }
    unicodeFoldCache.set(src, out);
  }
  return out;
}

// --- emitting ----------------------------------------------------------------------------------

function escCp(c: number): string {
  const ch = String.fromCodePoint(c);
  if (/^[0-9A-Za-z_ ]$/.test(ch) || (c > 0x7f && !(c >= 0xd800 && c <= 0xdfff) && c !== 0x2028 && c !== 0x2029))
    return ch;
  return `\\u{${c.toString(16)}}`;
}

function classSource(ranges: Range[], extra: string[], negate: boolean): string {
  const sorted = ranges.slice().sort((a, b) => a[0] - b[0]);
  const merged: Range[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  const body =
    merged.map(([lo, hi]) => (lo === hi ? escCp(lo) : `${escCp(lo)}-${escCp(hi)}`)).join('') + extra.join('');
  if (body === '') return negate ? '[^]' : '[]';
  return (negate ? '[^' : '[') + body + ']';
}

function literalSource(c: number, flags: Flags): string {
  if (flags.i) {
    const orbit = foldOrbit(c);
    if (orbit.length > 1)
      return classSource(
        orbit.map((x) => [x, x] as Range),
        [],
        false,
      );
  }
  return escCp(c);
}

/** groupOpen marks the opening of Go capture group n; translateGoRegexp turns it into `(`. */
const groupOpen = (n: number) => `\u0000${n}\u0001`;

// --- parsing -----------------------------------------------------------------------------------

/**
 * translateGoRegexp parses a Go regexp and returns its JS equivalent.
 * @throws RegexpSyntaxError with Go's code and expression text.
 */
export function translateGoRegexp(expr: string): Translated {
  const p = new Parser(expr);
  return p.parse();
}

class Parser {
  private flags: Flags = { i: false, m: false, s: false, U: false };
  private stack: Frame[] = [];
  private names: string[] = [''];
  private pos = 0;

  constructor(private readonly s: string) {}

  private get frame(): Frame {
    return this.stack[this.stack.length - 1];
  }

  /** nextRune reads one code point at i: [code point, next index]. */
  private rune(i: number): [number, number] {
    const c = this.s.codePointAt(i)!;
    return [c, i + (c > 0xffff ? 2 : 1)];
  }

  private push(src: string, kind: Item['kind'] = 'atom', nullable = kind === 'assert', caps = 0): void {
    this.frame.items.push({ src, kind, nullable, caps });
  }

  private newFrame(open: string, capStart: number): Frame {
    return { alts: [], altNullable: [], capStart, items: [], flags: { ...this.flags }, open };
  }

  parse(): Translated {
    const s = this.s;
    this.stack.push(this.newFrame('', 0));
    let lastRepeat = -1; // start index of the previous token when it was a repetition operator
    while (this.pos < s.length) {
      let repeatStart = -1;
      const c = s[this.pos];
      switch (c) {
        case '(':
          if (s.startsWith('(?', this.pos)) {
            this.parsePerlFlags();
            break;
          }
          this.names.push('');
          this.stack.push(this.newFrame(groupOpen(this.names.length - 1), this.names.length - 2));
          this.pos++;
          break;
        case '|':
          this.frame.alts.push(this.frame.items.map((x) => x.src).join(''));
          this.frame.altNullable.push(this.frame.items.every((x) => x.nullable));
          this.frame.items = [];
          this.pos++;
          break;
        case ')':
          this.closeParen();
          this.pos++;
          break;
        case '^':
          this.push(this.flags.m ? '(?<![^\\n])' : '^', 'assert');
          this.pos++;
          break;
        case '$':
          this.push(this.flags.m ? '(?![^\\n])' : '$', 'assert');
          this.pos++;
          break;
        case '.':
          this.push(this.flags.s ? '[^]' : '[^\\n]');
          this.pos++;
          break;
        case '[':
          this.parseClass();
          break;
        case '*':
        case '+':
        case '?': {
          const before = this.pos;
          let after = this.pos + 1;
          after = this.repeat(c, c === '+' ? 1 : 0, c === '?' ? 1 : -1, before, after, lastRepeat);
          repeatStart = before;
          this.pos = after;
          break;
        }
        case '{': {
          const before = this.pos;
          const r = this.parseRepeat(before);
          if (!r) {
            this.push(literalSource(0x7b, this.flags));
            this.pos++;
            break;
          }
          const [min, max, after0] = r;
          if (min < 0 || min > 1000 || max > 1000 || (max >= 0 && min > max)) {
            throw new RegexpSyntaxError(ErrInvalidRepeatSize, s.slice(before, after0));
          }
          const q = max === min ? `{${min}}` : max < 0 ? `{${min},}` : `{${min},${max}}`;
          repeatStart = before;
          this.pos = this.repeat(q, min, max, before, after0, lastRepeat);
          break;
        }
        case '\\':
          this.parseBackslash();
          break;
        default: {
          const [r, next] = this.rune(this.pos);
          this.push(literalSource(r, this.flags));
          this.pos = next;
        }
      }
      lastRepeat = repeatStart;
    }
    if (this.stack.length > 1) throw new RegexpSyntaxError(ErrMissingParen, s);
    const top = this.stack[0];
    const source = [...top.alts, top.items.map((x) => x.src).join('')].join('|');
    // Capturing groups were emitted as markers so repeated copies keep their Go group number.
    const groupMap: number[] = [];
    const js = source.replace(/\u0000(\d+)\u0001/g, (_, n: string) => {
      groupMap.push(Number(n));
      return '(';
    });
    return { source: js, names: this.names, groupMap };
  }

  /**
   * repeat applies a repetition operator (op is '*', '+', '?' or a JS {n,m}; min and max its
   * bounds, max -1 for none) to the last item.
   *
   * A JS quantifier rejects an optional iteration that matches the empty string and backtracks
   * into it, where Go accepts it (`(a*)?` on "b", `(\s*?){1,2}`): optional iterations of a
   * nullable piece are therefore written as alternations, which have no such rule. Unbounded
   * loops over nullable pieces keep the JS behaviour (a documented deviation).
   */
  private repeat(op: string, min: number, max: number, before: number, after: number, lastRepeat: number): number {
    let greedy = !this.flags.U;
    if (this.s[after] === '?') {
      after++;
      greedy = !greedy;
    }
    if (lastRepeat >= 0) throw new RegexpSyntaxError(ErrInvalidRepeatOp, this.s.slice(lastRepeat, after));
    const items = this.frame.items;
    if (items.length === 0) throw new RegexpSyntaxError(ErrMissingRepeatArgument, this.s.slice(before, after));
    const last = items[items.length - 1];
    const base = last.kind === 'atom' ? last.src : `(?:${last.src})`;
    const nullable = min === 0 || last.nullable;
    if (last.nullable && max >= 0 && max - min <= 32 && base.length * Math.max(max, 1) <= 20000) {
      let opt = '';
      for (let k = 0; k < max - min; k++) opt = greedy ? `(?:${base}${opt}|)` : `(?:|${base}${opt})`;
      items[items.length - 1] = { src: base.repeat(min) + opt, kind: 'atom', nullable, caps: last.caps };
      return after;
    }
    items[items.length - 1] = { src: base + op + (greedy ? '' : '?'), kind: 'repeat', nullable, caps: last.caps };
    return after;
  }

  /** parseRepeat reads {min}, {min,} or {min,max} at i: [min, max (-1: none), next index]. */
  private parseRepeat(i: number): [number, number, number] | null {
    const s = this.s;
    i++;
    const int = (): number | null => {
      if (!isDigit(s[i])) return null;
      if (s[i] === '0' && isDigit(s[i + 1])) return null;
      let n = 0;
      for (; isDigit(s[i]); i++) {
        if (n >= 1e8) n = -1;
        else if (n >= 0) n = n * 10 + (s.charCodeAt(i) - 48);
      }
      return n;
    };
    let min = int();
    if (min === null || i >= s.length) return null;
    let max: number;
    if (s[i] !== ',') max = min;
    else {
      i++;
      if (i >= s.length) return null;
      if (s[i] === '}') max = -1;
      else {
        const m = int();
        if (m === null) return null;
        max = m;
        if (max < 0) min = -1;
      }
    }
    if (s[i] !== '}') return null;
    return [min, max, i + 1];
  }

  private closeParen(): void {
    if (this.stack.length <= 1) throw new RegexpSyntaxError(ErrUnexpectedParen, this.s);
    const f = this.stack.pop()!;
    const body = [...f.alts, f.items.map((x) => x.src).join('')].join('|');
    this.flags = f.flags;
    const nullable = f.altNullable.some(Boolean) || f.items.every((x) => x.nullable);
    this.push(f.open + body + ')', 'atom', nullable, this.names.length - 1 - f.capStart);
  }

  /** parsePerlFlags handles `(?P<name>`, `(?<name>`, `(?flags)` and `(?flags:`. */
  private parsePerlFlags(): void {
    const s = this.s;
    const t = s.slice(this.pos);
    if ((t.length > 4 && t[2] === 'P' && t[3] === '<') || (t.length > 3 && t[2] === '<')) {
      const begin = t[2] === 'P' ? 4 : 3;
      const end = t.indexOf('>');
      if (end < 0) throw new RegexpSyntaxError(ErrInvalidNamedCapture, t);
      const capture = t.slice(0, end + 1);
      const name = t.slice(begin, end);
      if (!/^[0-9A-Za-z_]+$/.test(name)) throw new RegexpSyntaxError(ErrInvalidNamedCapture, capture);
      this.names.push(name);
      this.stack.push(this.newFrame(groupOpen(this.names.length - 1), this.names.length - 2));
      this.pos += end + 1;
      return;
    }
    let i = 2;
    const flags = { ...this.flags };
    let negate = false;
    let sawFlag = false;
    while (i < t.length) {
      const [c, next] = this.rune(this.pos + i);
      i = next - this.pos;
      const ch = String.fromCodePoint(c);
      if (ch === 'i' || ch === 'm' || ch === 's' || ch === 'U') {
        flags[ch] = !negate;
        sawFlag = true;
        continue;
      }
      if (ch === '-') {
        if (negate) break;
        negate = true;
        sawFlag = false;
        continue;
      }
      if (ch === ':' || ch === ')') {
        if (negate && !sawFlag) break;
        if (ch === ':') this.stack.push(this.newFrame('(?:', this.names.length - 1));
        this.flags = flags;
        this.pos += i;
        return;
      }
      break;
    }
    throw new RegexpSyntaxError(ErrInvalidPerlOp, t.slice(0, i));
  }

  /** parseBackslash handles an escape outside a class. */
  private parseBackslash(): void {
    const s = this.s;
    const i = this.pos;
    const c = s[i + 1];
    switch (c) {
      case 'A':
        this.push('^', 'assert');
        this.pos += 2;
        return;
      case 'z':
        this.push('$', 'assert');
        this.pos += 2;
        return;
      case 'b':
        this.push('\\b', 'assert');
        this.pos += 2;
        return;
      case 'B':
        this.push('\\B', 'assert');
        this.pos += 2;
        return;
      case 'C':
        throw new RegexpSyntaxError(ErrInvalidEscape, '\\C');
      case 'Q': {
        let lit = s.slice(i + 2);
        const e = lit.indexOf('\\E');
        if (e >= 0) {
          this.pos = i + 2 + e + 2;
          lit = lit.slice(0, e);
        } else this.pos = s.length;
        for (const ch of lit) this.push(literalSource(ch.codePointAt(0)!, this.flags));
        return;
      }
      case 'p':
      case 'P': {
        const u = this.parseUnicodeClass(i);
        if (u) {
          const folded = this.flags.i ? foldedUnicodeExtras(u[0]) : [];
          this.push(folded.length ? classSource(folded, [u[0]], false) : u[0]);
          this.pos = u[1];
          return;
        }
        break;
      }
      case 'd':
      case 's':
      case 'w':
      case 'D':
      case 'S':
      case 'W': {
        let ranges = PERL_CLASSES[c.toLowerCase()];
        if (this.flags.i) ranges = foldRanges(ranges);
        this.push(classSource(ranges, [], c !== c.toLowerCase()));
        this.pos += 2;
        return;
      }
    }
    const [r, next] = this.parseEscape(i);
    this.push(literalSource(r, this.flags));
    this.pos = next;
  }

  /** parseUnicodeClass reads \pN, \p{Name}, \PN, \p{^Name} at i: [JS source, next index] or null. */
  private parseUnicodeClass(i: number): [string, number] | null {
    const s = this.s;
    if (s[i] !== '\\' || (s[i + 1] !== 'p' && s[i + 1] !== 'P')) return null;
    let negate = s[i + 1] === 'P';
    let j = i + 2;
    if (j >= s.length) throw new RegexpSyntaxError(ErrInvalidCharRange, s.slice(i));
    let name: string;
    let seq: string;
    if (s[j] !== '{') {
      const [, next] = this.rune(j);
      name = s.slice(j, next);
      j = next;
      seq = s.slice(i, j);
    } else {
      const end = s.indexOf('}', j);
      if (end < 0) throw new RegexpSyntaxError(ErrInvalidCharRange, s.slice(i));
      name = s.slice(j + 1, end);
      j = end + 1;
      seq = s.slice(i, j);
      if (name.startsWith('^')) {
        negate = !negate;
        name = name.slice(1);
      }
    }
    const src = unicodeClassSource(name, negate);
    if (src === null) throw new RegexpSyntaxError(ErrInvalidCharRange, seq);
    return [src, j];
  }

  /** parseEscape reads a single-rune escape at i (s[i] is the backslash): [rune, next index]. */
  private parseEscape(i: number): [number, number] {
    const s = this.s;
    let j = i + 1;
    if (j >= s.length) throw new RegexpSyntaxError(ErrTrailingBackslash, '');
    const [c, n1] = this.rune(j);
    j = n1;
    const bad = (): never => {
      throw new RegexpSyntaxError(ErrInvalidEscape, s.slice(i, j));
    };
    const ch = String.fromCodePoint(c);
    if (ch >= '1' && ch <= '7') {
      if (!(s[j] >= '0' && s[j] <= '7')) bad();
    }
    if (ch >= '0' && ch <= '7') {
      let r = c - 48;
      for (let k = 1; k < 3; k++) {
        if (!(s[j] >= '0' && s[j] <= '7')) break;
        r = r * 8 + (s.charCodeAt(j) - 48);
        j++;
      }
      return [r, j];
    }
    if (ch === 'x') {
      if (j >= s.length) bad();
      const hexv = (x: string | undefined) => (x !== undefined && /^[0-9A-Fa-f]$/.test(x) ? parseInt(x, 16) : -1);
      if (s[j] === '{') {
        j++;
        let r = 0;
        let nhex = 0;
        for (;;) {
          if (j >= s.length) bad();
          const x = s[j];
          j++;
          if (x === '}') break;
          const v = hexv(x);
          if (v < 0) bad();
          r = r * 16 + v;
          if (r > MAX_RUNE) bad();
          nhex++;
        }
        if (nhex === 0) bad();
        return [r, j];
      }
      const x = hexv(s[j]);
      j++;
      const y = hexv(s[j]);
      j++;
      if (x < 0 || y < 0) {
        j = Math.min(j, s.length);
        bad();
      }
      return [x * 16 + y, j];
    }
    switch (ch) {
      case 'a':
        return [7, j];
      case 'f':
        return [12, j];
      case 'n':
        return [10, j];
      case 'r':
        return [13, j];
      case 't':
        return [9, j];
      case 'v':
        return [11, j];
    }
    if (c < 0x80 && !isAlnum(ch)) return [c, j];
    return bad();
  }

  /** parseClass reads a bracket expression starting at this.pos. */
  private parseClass(): void {
    const s = this.s;
    const whole = s.slice(this.pos);
    let i = this.pos + 1;
    let negate = false;
    if (s[i] === '^') {
      negate = true;
      i++;
    }
    const ranges: Range[] = [];
    const extra: string[] = [];
    let first = true;
    while (i >= s.length || s[i] !== ']' || first) {
      if (i >= s.length) throw new RegexpSyntaxError(ErrMissingBracket, whole);
      first = false;
      if (s.startsWith('[:', i)) {
        const end = s.indexOf(':]', i + 2);
        if (end >= 0) {
          let name = s.slice(i + 2, end);
          const seq = s.slice(i, end + 2);
          let neg = false;
          if (name.startsWith('^')) {
            neg = true;
            name = name.slice(1);
          }
          const cls = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
          if (!cls) throw new RegexpSyntaxError(ErrInvalidCharRange, seq);
          this.addClass(ranges, cls, neg);
          i = end + 2;
          continue;
        }
      }
      const u = this.parseUnicodeClass(i);
      if (u) {
        extra.push(u[0].startsWith('[') ? (u[0] === '[^]' ? '\\u{0}-\\u{10ffff}' : '') : u[0]);
        if (this.flags.i) ranges.push(...foldedUnicodeExtras(u[0]));
        i = u[1];
        continue;
      }
      if (s[i] === '\\' && /[dswDSW]/.test(s[i + 1] ?? '')) {
        const c = s[i + 1];
        this.addClass(ranges, PERL_CLASSES[c.toLowerCase()], c !== c.toLowerCase());
        i += 2;
        continue;
      }
      const rngStart = i;
      let lo: number;
      [lo, i] = this.classChar(i, whole);
      let hi = lo;
      if (i + 1 < s.length && s[i] === '-' && s[i + 1] !== ']') {
        i++;
        [hi, i] = this.classChar(i, whole);
        if (hi < lo) throw new RegexpSyntaxError(ErrInvalidCharRange, s.slice(rngStart, i));
      }
      ranges.push(...(this.flags.i ? foldRanges([[lo, hi]]) : [[lo, hi] as Range]));
    }
    this.pos = i + 1;
    this.push(classSource(ranges, extra, negate));
  }

  /** addClass adds a named or Perl class, folded first and then negated, as Go's appendGroup does. */
  private addClass(ranges: Range[], cls: Range[], negate: boolean): void {
    if (this.flags.i) cls = foldRanges(cls);
    if (!negate) {
      ranges.push(...cls);
      return;
    }
    let next = 0;
    for (const [lo, hi] of cls.slice().sort((a, b) => a[0] - b[0])) {
      if (lo > next) ranges.push([next, lo - 1]);
      next = Math.max(next, hi + 1);
    }
    if (next <= MAX_RUNE) ranges.push([next, MAX_RUNE]);
  }

  private classChar(i: number, whole: string): [number, number] {
    if (i >= this.s.length) throw new RegexpSyntaxError(ErrMissingBracket, whole);
    if (this.s[i] === '\\') return this.parseEscape(i);
    return this.rune(i);
  }
}
