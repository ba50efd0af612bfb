/**
 * regex: Sprig's regular-expression functions with Go's regexp semantics.
 *
 * Patterns are Go (RE2) syntax, translated once per pattern by regex-syntax.ts and cached. The
 * iteration rules are Go's, not JavaScript's: FindAll skips an empty match that abuts the previous
 * match (`a*` on "baaac" finds "", "aaa", ""), ReplaceAll does not replace such an empty match
 * either, Split follows regexp.Split, and replacement templates expand `$1`, `${1}`, `$name`,
 * `${name}` and `$$` with Go's rule that a name is the longest run of letters, digits and `_`
 * (`$1x` is the group named "1x", which is usually empty).
 *
 * Error behaviour follows Sprig: `regexMatch` quietly answers false for a bad pattern, the other
 * plain functions panic through regexp.MustCompile (the template error reads
 * "regexp: Compile(`a(`): error parsing regexp: …"), and the `must` variants return the parse error.
 */
import { goFunc, type FuncMap } from '../../value.js';
import { withGoType } from './util.js';
import { RegexpSyntaxError, translateGoRegexp } from './regex-syntax.js';

export { RegexpSyntaxError } from './regex-syntax.js';

/** RegexpCompileError is regexp.MustCompile's panic: the pattern and the syntax error as cause. */
export class RegexpCompileError extends Error {
  constructor(
    readonly expr: string,
    override readonly cause: RegexpSyntaxError,
  ) {
    super(`regexp: Compile(${quoteForCompile(expr)}): ${cause.message}`);
    this.name = 'RegexpCompileError';
  }
}

function quoteForCompile(s: string): string {
  // regexp's quote: backquoted when strconv.CanBackquote, else strconv.Quote.
  if (!/[`\u0000-\u0008\u000a-\u001f\u007f\ufeff]/.test(s)) return '`' + s + '`';
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, (m, h: string) => {
    const c = parseInt(h, 16);
    const named: Record<number, string> = { 7: '\\a', 11: '\\v' };
    return named[c] ?? (c < 0x20 || c === 0x7f ? '\\x' + h : m);
  });
}

/**
 * GoRegexp is a compiled Go regexp with Go's matching loops. Indexes are JS string offsets;
 * every result is a substring, so they never leak.
 */
export class GoRegexp {
  private readonly re: RegExp;
  /** names[i] is capture group i's name ('' when unnamed). */
  readonly names: readonly string[];

  private readonly groupMap: readonly number[];

  constructor(readonly expr: string) {
    const t = translateGoRegexp(expr);
    this.re = new RegExp(t.source, 'gu');
    this.names = t.names;
    this.groupMap = t.groupMap;
  }

  /** exec finds the leftmost match at or after pos: [start, end] of the whole match. */
  private exec(s: string, pos: number): number[] | null {
    this.re.lastIndex = pos;
    const m = this.re.exec(s);
    return m ? [m.index, m.index + m[0].length] : null;
  }

  /** execIndices is exec with every group's offsets: [s0, e0, s1, e1, …] (-1 when unset). */
  private execIndices(s: string, pos: number): number[] | null {
    const re = this.indexed ?? (this.indexed = new RegExp(this.re.source, 'gdu'));
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    const out: number[] = new Array<number>(this.names.length * 2).fill(-1);
    out[0] = m.indices![0][0];
    out[1] = m.indices![0][1];
    // A Go group may have several JS copies (unrolled repeats); the last one that took part wins,
    // as the last iteration's capture does in Go.
    for (let k = 1; k < m.length; k++) {
      const r = m.indices![k];
      if (!r) continue;
      const g = this.groupMap[k - 1];
      out[2 * g] = r[0];
      out[2 * g + 1] = r[1];
    }
    return out;
  }
  private indexed?: RegExp;

  /** matchString is regexp.MatchString. */
  matchString(s: string): boolean {
    return this.exec(s, 0) !== null;
  }

  /** findAllIndex is FindAllStringSubmatchIndex with Go's empty-match rule; n < 0 means all. */
  findAllIndex(s: string, n: number, groups = false): number[][] {
    const out: number[][] = [];
    if (n < 0) n = s.length + 1;
    let pos = 0;
    let prevMatchEnd = -1;
    while (out.length < n && pos <= s.length) {
      const m = groups ? this.execIndices(s, pos) : this.exec(s, pos);
      if (!m) break;
      let accept = true;
      if (m[1] === pos) {
        if (m[0] === prevMatchEnd) accept = false;
        pos += pos < s.length ? runeWidth(s, pos) : 1;
      } else pos = m[1];
      prevMatchEnd = m[1];
      if (accept) out.push(m);
    }
    return out;
  }

  /** findString is regexp.FindString: the leftmost match or "". */
  findString(s: string): string {
    const m = this.exec(s, 0);
    return m ? s.slice(m[0], m[1]) : '';
  }

  /** findAllString is regexp.FindAllString. */
  findAllString(s: string, n: number): string[] {
    return this.findAllIndex(s, n).map((m) => s.slice(m[0], m[1]));
  }

  /** replaceAll is ReplaceAllString (expand = true) or ReplaceAllLiteralString. */
  replaceAll(src: string, repl: string, expand: boolean): string {
    let out = '';
    let lastMatchEnd = 0;
    let searchPos = 0;
    const needGroups = expand && repl.includes('$');
    while (searchPos <= src.length) {
      const a = needGroups ? this.execIndices(src, searchPos) : this.exec(src, searchPos);
      if (!a) break;
      out += src.slice(lastMatchEnd, a[0]);
      if (a[1] > lastMatchEnd || a[0] === 0) out += expand ? this.expand(repl, src, a) : repl;
      lastMatchEnd = a[1];
      const width = searchPos < src.length ? runeWidth(src, searchPos) : 0;
      if (searchPos + width > a[1]) searchPos += width;
      else if (searchPos + 1 > a[1]) searchPos++;
      else searchPos = a[1];
    }
    return out + src.slice(lastMatchEnd);
  }

  /** expand is Regexp.Expand's template language over one match. */
  expand(template: string, src: string, match: number[]): string {
    let out = '';
    let t = template;
    for (;;) {
      const k = t.indexOf('$');
      if (k < 0) break;
      out += t.slice(0, k);
      t = t.slice(k + 1);
      if (t.startsWith('$')) {
        out += '$';
        t = t.slice(1);
        continue;
      }
      const ex = extractName(t);
      if (!ex) {
        out += '$';
        continue;
      }
      t = ex.rest;
      if (ex.num >= 0) {
        if (2 * ex.num + 1 < match.length && match[2 * ex.num] >= 0)
          out += src.slice(match[2 * ex.num], match[2 * ex.num + 1]);
      } else {
        for (let i = 0; i < this.names.length; i++) {
          if (ex.name === this.names[i] && 2 * i + 1 < match.length && match[2 * i] >= 0) {
            out += src.slice(match[2 * i], match[2 * i + 1]);
            break;
          }
        }
      }
    }
    return out + t;
  }

  /** split is regexp.Split. */
  split(s: string, n: number): string[] {
    if (n === 0) return [];
    if (this.expr.length > 0 && s.length === 0) return [''];
    const matches = this.findAllIndex(s, n);
    const out: string[] = [];
    let beg = 0;
    let end = 0;
    for (const m of matches) {
      if (n > 0 && out.length === n - 1) break;
      end = m[0];
      if (m[1] !== 0) out.push(s.slice(beg, end));
      beg = m[1];
    }
    if (end !== s.length) out.push(s.slice(beg));
    return out;
  }
}

function runeWidth(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
}

const NAME_CHAR = /[\p{L}\p{Nd}\p{Nl}\p{No}_]/u;

/** extractName reads a leading `name` or `{name}` after a `$`, as regexp's extract does. */
function extractName(str: string): { name: string; num: number; rest: string } | null {
  if (str === '') return null;
  let brace = false;
  if (str[0] === '{') {
    brace = true;
    str = str.slice(1);
  }
  let i = 0;
  for (const ch of str) {
    if (!NAME_CHAR.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return null;
  const name = str.slice(0, i);
  if (brace) {
    if (i >= str.length || str[i] !== '}') return null;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 48 || c > 57 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 48);
  }
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: str.slice(i) };
}

const cache = new Map<string, GoRegexp | RegexpSyntaxError>();

/**
 * compileGo is regexp.Compile with a cache: the GoRegexp, or a thrown RegexpSyntaxError whose
 * message is Go's ("error parsing regexp: missing closing ): `a(`").
 */
export function compileGo(expr: string): GoRegexp {
  let r = cache.get(expr);
  if (r === undefined) {
    try {
      r = new GoRegexp(expr);
    } catch (e) {
      if (!(e instanceof RegexpSyntaxError)) throw e;
      r = e;
    }
    if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
    cache.set(expr, r);
  }
  if (r instanceof RegexpSyntaxError) throw r;
  return r;
}

/** mustCompileGo is regexp.MustCompile: a bad pattern throws RegexpCompileError (Go's panic). */
export function mustCompileGo(expr: string): GoRegexp {
  try {
    return compileGo(expr);
  } catch (e) {
    if (e instanceof RegexpSyntaxError) throw new RegexpCompileError(expr, e);
    throw e;
  }
}

/** quoteMeta is regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

const S = 'string' as const;
/** GO_NIL marks an empty result that is a nil slice in Go (`%#v` prints `[]string(nil)`, toJson `null`). */
export const GO_NIL: unique symbol = Symbol.for('capstan.goNil') as never;
/** GO_JSON is the JSON encoders' hook: what json.Marshal sees for the value (null for a nil slice). */
const GO_JSON: unique symbol = Symbol.for('capstan.goJSON') as never;

/** strings marks a result as Go's []string (FindAllString and Split return that type, nil when empty). */
function strings(a: string[]): string[] {
  withGoType(a, '[]string');
  if (a.length === 0) {
    Object.defineProperty(a, GO_NIL, { value: true, enumerable: false });
    Object.defineProperty(a, GO_JSON, { value: () => null, enumerable: false });
  }
  return a;
}
const I = 'int' as const;
const num = (n: bigint | number) => Number(n);

/** regexFuncs are Sprig's regex functions (Go signatures: regex string first, n as int). */
export const regexFuncs: FuncMap = {
  regexMatch: goFunc(
    (re: string, s: string) => {
      try {
        return compileGo(re).matchString(s);
      } catch (e) {
        if (e instanceof RegexpSyntaxError) return false;
        throw e;
      }
    },
    [S, S],
  ),
  mustRegexMatch: goFunc((re: string, s: string) => compileGo(re).matchString(s), [S, S], { returnsError: true }),
  regexFindAll: goFunc(
    (re: string, s: string, n: bigint) => strings(mustCompileGo(re).findAllString(s, num(n))),
    [S, S, I],
  ),
  mustRegexFindAll: goFunc(
    (re: string, s: string, n: bigint) => strings(compileGo(re).findAllString(s, num(n))),
    [S, S, I],
    {
      returnsError: true,
    },
  ),
  regexFind: goFunc((re: string, s: string) => mustCompileGo(re).findString(s), [S, S]),
  mustRegexFind: goFunc((re: string, s: string) => compileGo(re).findString(s), [S, S], { returnsError: true }),
  regexReplaceAll: goFunc(
    (re: string, s: string, repl: string) => mustCompileGo(re).replaceAll(s, repl, true),
    [S, S, S],
  ),
  mustRegexReplaceAll: goFunc(
    (re: string, s: string, repl: string) => compileGo(re).replaceAll(s, repl, true),
    [S, S, S],
    {
      returnsError: true,
    },
  ),
  regexReplaceAllLiteral: goFunc(
    (re: string, s: string, repl: string) => mustCompileGo(re).replaceAll(s, repl, false),
    [S, S, S],
  ),
  mustRegexReplaceAllLiteral: goFunc(
    (re: string, s: string, repl: string) => compileGo(re).replaceAll(s, repl, false),
    [S, S, S],
    { returnsError: true },
  ),
  regexSplit: goFunc((re: string, s: string, n: bigint) => strings(mustCompileGo(re).split(s, num(n))), [S, S, I]),
  mustRegexSplit: goFunc((re: string, s: string, n: bigint) => strings(compileGo(re).split(s, num(n))), [S, S, I], {
    returnsError: true,
  }),
  regexQuoteMeta: goFunc((s: string) => quoteMeta(s), [S]),
};
