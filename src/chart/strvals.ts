/**
 * strvals: Helm's `--set` family of value parsers (`--set`, `--set-string`, `--set-json`,
 * `--set-file`, `--set-literal`), with the same grammar, typing and error texts as Helm 4's
 * pkg/strvals.
 *
 * Grammar: `key=value,key2=value2`, keys nest with `.` and index lists with `[N]`, `\` escapes the
 * next character, `{a,b}` is a list. `--set` types values like Helm: true/false/null, integers
 * that fit int64 (→ GoInt64, Go's int64) unless they start with 0, everything else a string.
 */
import type { GoMap, Value } from '../gotemplate/value.js';
import { GoInt64, int64, isMap } from '../gotemplate/value.js';

/** MAX_INDEX is the largest list index `--set` accepts (strvals.MaxIndex). */
export const MAX_INDEX = 65536;
/** MAX_NESTED_NAME_LEVEL bounds `a.b.c...` nesting (strvals.MaxNestedNameLevel). */
export const MAX_NESTED_NAME_LEVEL = 30;

/** StrvalsError is a `--set` parse error; its message is Helm's. */
export class StrvalsError extends Error {
  constructor(
    message: string,
    readonly input?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StrvalsError';
  }
}

const EOF = Symbol('EOF');
class EofError extends Error {
  readonly eof = EOF;
  constructor() {
    super('EOF');
  }
}
const isEof = (e: unknown): e is EofError => e instanceof EofError;
/** PanicError mirrors a recovered Go panic (a failed type assertion). */
class PanicError extends Error {}

class RuneReader {
  private readonly runes: string[];
  pos = 0;
  constructor(s: string) {
    this.runes = Array.from(s);
  }
  read(): string | undefined {
    if (this.pos >= this.runes.length) return undefined;
    return this.runes[this.pos++];
  }
  unread(): void {
    this.pos--;
  }
  rest(): string {
    return this.runes.slice(this.pos).join('');
  }
  skip(nRunes: number): void {
    this.pos += nRunes;
  }
}

type RuneResult = { v: string; last: string | undefined; eof: boolean };

function runesUntil(sc: RuneReader, stop: string, escapes: boolean): RuneResult {
  let v = '';
  for (;;) {
    const r = sc.read();
    if (r === undefined) return { v, last: undefined, eof: true };
    if (stop.includes(r)) return { v, last: r, eof: false };
    if (escapes && r === '\\') {
      const next = sc.read();
      if (next === undefined) return { v, last: undefined, eof: true };
      v += next;
      continue;
    }
    v += r;
  }
}

/** goQuote is Go's %q of a string (strconv.Quote) for the characters keys realistically hold. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

function goTypeForPanic(v: Value): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'bigint' || v instanceof GoInt64) return 'int64';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (isMap(v)) return 'map[string]interface {}';
  return 'interface {}';
}

function assertMap(v: Value): GoMap {
  if (isMap(v)) return v;
  throw new PanicError(`interface conversion: interface {} is ${goTypeForPanic(v)}, not map[string]interface {}`);
}
function assertList(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  throw new PanicError(`interface conversion: interface {} is ${goTypeForPanic(v)}, not []interface {}`);
}

function set(data: GoMap, key: string, val: Value): void {
  if (key.length === 0) return;
  data[key] = val;
}

function setIndex(list: Value[], index: number, val: Value): Value[] {
  if (index < 0) throw new StrvalsError(`negative ${index} index not allowed`);
  if (index > MAX_INDEX) throw new StrvalsError(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
  if (list.length <= index) {
    const nl: Value[] = new Array(index + 1).fill(null);
    for (let i = 0; i < list.length; i++) nl[i] = list[i];
    list = nl;
  }
  list[index] = val;
  return list;
}

/** atoi is strconv.Atoi with its error text. */
function atoi(s: string): number {
  if (/^[+-]?[0-9]+$/.test(s)) {
    const n = Number(s);
    if (Number.isSafeInteger(n)) return n;
    throw new StrvalsError(`strconv.Atoi: parsing ${goQuote(s)}: value out of range`);
  }
  throw new StrvalsError(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`);
}

/** typedVal is strvals' typing of a `--set` value. */
export function typedVal(val: string, asString: boolean): Value {
  if (asString) return val;
  const lower = val.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (val === '0') return int64(0n);
  if (val.length !== 0 && val[0] !== '0' && /^[+-]?[0-9]+$/.test(val)) {
    const n = BigInt(val);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) return int64(n);
  }
  return val;
}

const isGoSpace = (r: string) => /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u.test(r);

type Reader = (rs: string) => Value;

/** decodeJsonPrefix decodes the first JSON value of s like json.Decoder and returns it and its length in runes. */
function decodeJsonPrefix(s: string): { value: Value; runes: number } {
  // Find the shortest prefix (ending at a value boundary) that parses as JSON.
  let i = 0;
  while (i < s.length && /\s/.test(s[i])) i++;
  if (i >= s.length) throw new StrvalsError('EOF');
  const end = jsonValueEnd(s, i);
  const text = s.slice(0, end);
  let value: Value;
  try {
    value = jsonToGo(JSON.parse(text));
  } catch (e) {
    throw new StrvalsError(`invalid character in JSON value ${goQuote(text)}`, s, { cause: e });
  }
  return { value, runes: Array.from(text).length };
}

function jsonValueEnd(s: string, i: number): number {
  const c = s[i];
  if (c === '{' || c === '[') {
    let depth = 0;
    let inStr = false;
    for (let j = i; j < s.length; j++) {
      const ch = s[j];
      if (inStr) {
        if (ch === '\\') j++;
        else if (ch === '"') inStr = false;
        continue;
      }
      if (ch === '"') inStr = true;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return s.length;
  }
  if (c === '"') {
    for (let j = i + 1; j < s.length; j++) {
      if (s[j] === '\\') j++;
      else if (s[j] === '"') return j + 1;
    }
    return s.length;
  }
  let j = i;
  while (j < s.length && /[-+.0-9a-zA-Z]/.test(s[j])) j++;
  return j;
}

/** jsonToGo turns JSON.parse output into Go's encoding/json model (numbers float64, plain maps). */
export function jsonToGo(v: unknown): Value {
  if (Array.isArray(v)) return v.map(jsonToGo);
  if (v !== null && typeof v === 'object') {
    const out: GoMap = {};
    for (const [k, x] of Object.entries(v)) out[k] = jsonToGo(x);
    return out;
  }
  return v;
}

class Parser {
  constructor(
    readonly sc: RuneReader,
    readonly data: GoMap,
    readonly reader: Reader,
    readonly isJson: boolean,
  ) {}

  parse(): void {
    for (;;) {
      try {
        this.key(this.data, 0);
      } catch (e) {
        if (isEof(e)) return;
        throw e;
      }
    }
  }

  key(data: GoMap, level: number): void {
    try {
      this.keyInner(data, level);
    } catch (e) {
      if (e instanceof PanicError) throw new StrvalsError(`unable to parse key: ${e.message}`, undefined, { cause: e });
      throw e;
    }
  }

  private keyInner(data: GoMap, level: number): void {
    const { v: k, last, eof } = runesUntil(this.sc, '=[,.', true);
    if (eof) {
      if (k.length === 0) throw new EofError();
      throw new StrvalsError(`key ${goQuote(k)} has no value`);
    }
    switch (last) {
      case '[': {
        let i: number;
        try {
          i = this.keyIndex();
        } catch (e) {
          throw new StrvalsError(`error parsing index: ${errText(e)}`, undefined, { cause: e });
        }
        let list: Value[] = [];
        if (k in data) list = assertList(data[k]);
        let err: unknown;
        try {
          list = this.listItem(list, i, level);
        } catch (e) {
          err = e;
          if (e instanceof ListItemError) list = e.list;
        }
        set(data, k, list);
        if (err !== undefined) throw err instanceof ListItemError ? err.inner : err;
        return;
      }
      case '=': {
        if (this.isJson) {
          if (this.emptyVal()) {
            set(data, k, null);
            return;
          }
          const { value, runes } = decodeJsonPrefix(this.sc.rest());
          set(data, k, value);
          this.sc.skip(runes);
          this.emptyVal();
          return;
        }
        const vl = this.valList();
        if (vl.kind === 'list') {
          set(data, k, vl.list);
          return;
        }
        if (vl.kind === 'eof') {
          set(data, k, '');
          throw new EofError();
        }
        // Go returns the reader's error here, not val's io.EOF: the next key() call sees the end.
        const { v: rs } = this.val();
        set(data, k, this.reader(rs));
        return;
      }
      case ',':
        set(data, k, '');
        throw new StrvalsError(`key ${goQuote(k)} has no value (cannot end with ,)`);
      case '.': {
        level++;
        if (level > MAX_NESTED_NAME_LEVEL) {
          throw new StrvalsError(
            `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
          );
        }
        let inner: GoMap = {};
        if (k in data) inner = assertMap(data[k]);
        let err: unknown;
        try {
          this.key(inner, level);
        } catch (e) {
          err = e;
        }
        if (err === undefined && Object.keys(inner).length === 0) {
          throw new StrvalsError(`key map ${goQuote(k)} has no value`);
        }
        if (Object.keys(inner).length !== 0) set(data, k, inner);
        if (err !== undefined) throw err;
        return;
      }
    }
  }

  keyIndex(): number {
    const { v, eof } = runesUntil(this.sc, ']', true);
    if (eof) throw new EofError();
    return atoi(v);
  }

  val(): { v: string; eof: boolean } {
    const { v, eof } = runesUntil(this.sc, ',', true);
    return { v, eof };
  }

  emptyVal(): boolean {
    for (;;) {
      const r = this.sc.read();
      if (r === undefined) return true;
      if (r === ',') return true;
      if (!isGoSpace(r)) {
        this.sc.unread();
        return false;
      }
    }
  }

  valList(): { kind: 'list'; list: Value[] } | { kind: 'eof' } | { kind: 'notList' } {
    const r = this.sc.read();
    if (r === undefined) return { kind: 'eof' };
    if (r !== '{') {
      this.sc.unread();
      return { kind: 'notList' };
    }
    const list: Value[] = [];
    for (;;) {
      const { v: rs, last, eof } = runesUntil(this.sc, ',}', true);
      if (eof) throw new StrvalsError("list must terminate with '}'");
      if (last === '}') {
        const n = this.sc.read();
        if (n !== undefined && n !== ',') this.sc.unread();
        list.push(this.reader(rs));
        return { kind: 'list', list };
      }
      list.push(this.reader(rs));
    }
  }

  listItem(list: Value[], i: number, level: number): Value[] {
    if (i < 0) throw new ListItemError(list, new StrvalsError(`negative ${i} index not allowed`));
    const { v: k, last, eof } = runesUntil(this.sc, '[.=', true);
    if (k.length > 0) {
      throw new ListItemError(list, new StrvalsError(`unexpected data at end of array index: ${goRunesQuote(k)}`));
    }
    if (eof) throw new ListItemError(list, new EofError());
    const wrap = (f: () => Value[]): Value[] => {
      try {
        return f();
      } catch (e) {
        if (e instanceof ListItemError) throw e;
        throw new ListItemError(list, e);
      }
    };
    switch (last) {
      case '=':
        return wrap(() => {
          if (this.isJson) {
            if (this.emptyVal()) return setIndex(list, i, null);
            const { value, runes } = decodeJsonPrefix(this.sc.rest());
            const l2 = setIndex(list, i, value);
            this.sc.skip(runes);
            this.emptyVal();
            return l2;
          }
          const vl = this.valList();
          if (vl.kind === 'list') return setIndex(list, i, vl.list);
          if (vl.kind === 'eof') return setIndex(list, i, '');
          const { v: rs } = this.val();
          return setIndex(list, i, this.reader(rs));
        });
      case '[':
        return wrap(() => {
          let nextI: number;
          try {
            nextI = this.keyIndex();
          } catch (e) {
            throw new StrvalsError(`error parsing index: ${errText(e)}`, undefined, { cause: e });
          }
          let crt: Value[] = [];
          if (list.length > i && list[i] !== null && list[i] !== undefined) crt = assertList(list[i]);
          let l2: Value[];
          try {
            l2 = this.listItem(crt, nextI, level);
          } catch (e) {
            if (!(e instanceof ListItemError)) throw e;
            throw new ListItemError(setIndex(list, i, e.list), e.inner);
          }
          return setIndex(list, i, l2);
        });
      case '.':
        return wrap(() => {
          let inner: GoMap = {};
          if (list.length > i) {
            if (isMap(list[i])) inner = list[i] as GoMap;
            else list[i] = inner;
          }
          let err: unknown;
          try {
            this.key(inner, level);
          } catch (e) {
            err = e;
          }
          const l2 = setIndex(list, i, inner);
          if (err !== undefined) throw new ListItemError(l2, err);
          return l2;
        });
    }
    throw new ListItemError(list, new StrvalsError(`parse error: unexpected token ${String(last)}`));
  }
}

/** ListItemError carries the list as it stood when listItem failed (Go returns both). */
class ListItemError extends Error {
  constructor(
    readonly list: Value[],
    readonly inner: unknown,
  ) {
    super(errText(inner));
  }
}

function errText(e: unknown): string {
  if (e instanceof ListItemError) return errText(e.inner);
  if (isEof(e)) return 'EOF';
  return e instanceof Error ? e.message : String(e);
}

/** goRunesQuote is Go's %q of a []rune: each rune quoted, `['a' 'b']`. */
function goRunesQuote(s: string): string {
  return '[' + Array.from(s, (r) => "'" + (r === "'" ? "\\'" : r === '\\' ? '\\\\' : r) + "'").join(' ') + ']';
}

function runParser(p: Parser): void {
  try {
    p.parse();
  } catch (e) {
    if (e instanceof ListItemError) throw toStrvals(e.inner);
    throw toStrvals(e);
  }
}
function toStrvals(e: unknown): Error {
  if (e instanceof StrvalsError) return e;
  if (isEof(e)) return new StrvalsError('EOF');
  return e as Error;
}

/** parseInto merges one `--set` argument into dest (strvals.ParseInto). */
export function parseInto(s: string, dest: GoMap): void {
  runParser(new Parser(new RuneReader(s), dest, (rs) => typedVal(rs, false), false));
}

/** parseIntoString merges one `--set-string` argument into dest (strvals.ParseIntoString). */
export function parseIntoString(s: string, dest: GoMap): void {
  runParser(new Parser(new RuneReader(s), dest, (rs) => typedVal(rs, true), false));
}

/** parseJson merges one `--set-json key=JSON` argument into dest (strvals.ParseJSON). */
export function parseJson(s: string, dest: GoMap): void {
  runParser(new Parser(new RuneReader(s), dest, (rs) => typedVal(rs, false), true));
}

/** parseIntoFile merges one `--set-file key=path` argument; readFile returns the file's value. */
export function parseIntoFile(s: string, dest: GoMap, readFile: (path: string) => Value): void {
  runParser(new Parser(new RuneReader(s), dest, readFile, false));
}

/** parse parses a `--set` string into a new map (strvals.Parse). */
export function parse(s: string): GoMap {
  const m: GoMap = {};
  parseInto(s, m);
  return m;
}

class LiteralParser {
  constructor(
    readonly sc: RuneReader,
    readonly data: GoMap,
  ) {}
  parse(): void {
    for (;;) {
      try {
        this.key(this.data, 0);
      } catch (e) {
        if (isEof(e)) return;
        throw e;
      }
    }
  }
  key(data: GoMap, level: number): void {
    try {
      this.keyInner(data, level);
    } catch (e) {
      if (e instanceof PanicError) throw new StrvalsError(`unable to parse key: ${e.message}`, undefined, { cause: e });
      throw e;
    }
  }
  private keyInner(data: GoMap, level: number): void {
    const { v: key, last, eof } = runesUntil(this.sc, '=[.', false);
    if (eof) {
      if (key.length === 0) throw new EofError();
      throw new StrvalsError(`key ${goQuote(key)} has no value`);
    }
    if (last === '=') {
      set(data, key, runesUntil(this.sc, '', false).v);
      return;
    }
    if (last === '.') {
      level++;
      if (level > MAX_NESTED_NAME_LEVEL) {
        throw new StrvalsError(
          `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
        );
      }
      let inner: GoMap = {};
      if (key in data) inner = assertMap(data[key]);
      let err: unknown;
      try {
        this.key(inner, level);
      } catch (e) {
        err = e;
      }
      if (err === undefined && Object.keys(inner).length === 0) {
        throw new StrvalsError(`key map ${goQuote(key)} has no value`);
      }
      if (Object.keys(inner).length !== 0) set(data, key, inner);
      if (err !== undefined) throw err;
      return;
    }
    // '['
    let i: number;
    try {
      i = this.keyIndex();
    } catch (e) {
      throw new StrvalsError(`error parsing index: ${errText(e)}`, undefined, { cause: e });
    }
    let list: Value[] = [];
    if (key in data) list = assertList(data[key]);
    let err: unknown;
    try {
      list = this.listItem(list, i, level);
    } catch (e) {
      err = e;
      if (e instanceof ListItemError) list = e.list;
    }
    set(data, key, list);
    if (err !== undefined) throw err instanceof ListItemError ? err.inner : err;
  }
  keyIndex(): number {
    const { v, eof } = runesUntil(this.sc, ']', false);
    if (eof) throw new EofError();
    return atoi(v);
  }
  listItem(list: Value[], i: number, level: number): Value[] {
    if (i < 0) throw new ListItemError(list, new StrvalsError(`negative ${i} index not allowed`));
    const { v: key, last, eof } = runesUntil(this.sc, '[.=', false);
    if (key.length > 0) {
      throw new ListItemError(list, new StrvalsError(`unexpected data at end of array index: ${goRunesQuote(key)}`));
    }
    if (eof) throw new ListItemError(list, new EofError());
    try {
      if (last === '=') return setIndex(list, i, runesUntil(this.sc, '', false).v);
      if (last === '.') {
        let inner: GoMap = {};
        if (list.length > i) {
          if (isMap(list[i])) inner = list[i] as GoMap;
          else list[i] = inner;
        }
        let err: unknown;
        try {
          this.key(inner, level);
        } catch (e) {
          err = e;
        }
        const l2 = setIndex(list, i, inner);
        if (err !== undefined) throw new ListItemError(l2, err);
        return l2;
      }
      let nextI: number;
      try {
        nextI = this.keyIndex();
      } catch (e) {
        throw new StrvalsError(`error parsing index: ${errText(e)}`, undefined, { cause: e });
      }
      let crt: Value[] = [];
      if (list.length > i && list[i] !== null && list[i] !== undefined) crt = assertList(list[i]);
      let l2: Value[];
      try {
        l2 = this.listItem(crt, nextI, level);
      } catch (e) {
        if (!(e instanceof ListItemError)) throw e;
        throw new ListItemError(setIndex(list, i, e.list), e.inner);
      }
      return setIndex(list, i, l2);
    } catch (e) {
      if (e instanceof ListItemError) throw e;
      throw new ListItemError(list, e);
    }
  }
}

/** parseLiteralInto merges one `--set-literal key=value` argument: the value is the raw rest. */
export function parseLiteralInto(s: string, dest: GoMap): void {
  const p = new LiteralParser(new RuneReader(s), dest);
  try {
    p.parse();
  } catch (e) {
    if (e instanceof ListItemError) throw toStrvals(e.inner);
    throw toStrvals(e);
  }
}
