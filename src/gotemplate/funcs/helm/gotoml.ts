/**
 * gotoml: TOML as Helm's `toToml` and `fromToml` have it (github.com/BurntSushi/toml).
 *
 * The encoder writes a map's plain keys first, then its tables and arrays of tables, each group
 * sorted by bytes; nested tables are indented two spaces per level; top-level tables and each
 * `[[array]]` entry are preceded by a blank line; float64 always shows a decimal point or
 * exponent (`1.0`, `1e+06`), which is how every number from values prints.
 * The reader covers TOML 1.0 documents into Go values: integers as int64, floats, booleans,
 * strings, arrays, tables; dates and times stay their RFC 3339 text.
 */
import { GoStruct, GoTime, compareGoStrings, formatFloat, intValue, isMap, type Value } from '../../value.js';
import { formatRFC3339Nano, setKey } from './gojson.js';

/** TOMLError is an encode or decode failure, with BurntSushi's message where we know it. */
export class TOMLError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TOMLError';
  }
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\r':
        out += '\\r';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0').replace(/[A-F]/g, (x) => x.toLowerCase());
    else out += ch;
  }
  return out + '"';
}

const quoteKey = (k: string) => (BARE_KEY.test(k) ? k : quoteString(k));

type Entries = Array<[string, Value]>;

function entriesOf(v: Value): Entries | null {
  if (v instanceof GoStruct) return [...v.fields];
  if (isMap(v)) return Object.keys(v).map((k) => [k, v[k]]);
  return null;
}

const isTable = (v: Value) => entriesOf(v) !== null;
const isTableArray = (v: Value) => Array.isArray(v) && v.length > 0 && v.every((e) => isTable(e));

class Encoder {
  out = '';
  private written = false;
  private wf(s: string): void {
    this.out += s;
    if (s.length) this.written = true;
  }
  private newline(): void {
    if (this.written) this.wf('\n');
  }
  private indent(key: string[]): string {
    return '  '.repeat(Math.max(key.length - 1, 0));
  }

  encode(key: string[], v: Value): void {
    if (v === null || v === undefined) return;
    if (Array.isArray(v) && isTableArray(v)) {
      if (key.length === 0) throw new TOMLError('toml: top-level values must be Go maps or structs');
      this.arrayOfTables(key, v);
      return;
    }
    if (isTable(v)) {
      this.table(key, v);
      return;
    }
    this.keyValue(key, v);
  }

  private keyValue(key: string[], v: Value): void {
    if (key.length === 0) {
      this.element(v);
      return;
    }
    this.wf(`${this.indent(key)}${quoteKey(key[key.length - 1])} = `);
    this.element(v);
    this.newline();
  }

  private table(key: string[], v: Value): void {
    if (key.length === 1) this.newline();
    if (key.length > 0) {
      this.wf(`${this.indent(key)}[${key.map(quoteKey).join('.')}]`);
      this.newline();
    }
    this.mapBody(key, v, false);
  }

  private arrayOfTables(key: string[], v: Value[]): void {
    for (const t of v) {
      this.newline();
      this.wf(`${this.indent(key)}[[${key.map(quoteKey).join('.')}]]`);
      this.newline();
      this.mapBody(key, t, false);
    }
  }

  private mapBody(key: string[], v: Value, inline: boolean): void {
    const entries = entriesOf(v)!;
    const direct: Entries = [];
    const sub: Entries = [];
    for (const e of entries) (isTable(e[1]) || isTableArray(e[1]) ? sub : direct).push(e);
    const write = (list: Entries, trail: boolean) => {
      if (!(v instanceof GoStruct)) list.sort((a, b) => compareGoStrings(a[0], b[0]));
      list.forEach(([k, e], i) => {
        if (e === null || e === undefined) return;
        if (inline) {
          this.wf(`${quoteKey(k)} = `);
          this.element(e);
          if (trail || i !== list.length - 1) this.wf(', ');
        } else {
          this.encode([...key, k], e);
        }
      });
    };
    if (inline) this.wf('{');
    write(direct, sub.length > 0);
    write(sub, false);
    if (inline) this.wf('}');
  }

  private element(v: Value): void {
    v = intValue(v);
    if (v === null || v === undefined) throw new TOMLError('toml: cannot encode a nil value');
    switch (typeof v) {
      case 'boolean':
        this.wf(String(v));
        return;
      case 'bigint':
        this.wf(v.toString());
        return;
      case 'string':
        this.wf(quoteString(v));
        return;
      case 'number': {
        if (Number.isNaN(v)) this.wf('nan');
        else if (!Number.isFinite(v)) this.wf(v > 0 ? 'inf' : '-inf');
        else {
          const s = formatFloat(v, 'g');
          this.wf(s.includes('.') || s.includes('e') ? s : s + '.0');
        }
        return;
      }
    }
    if (v instanceof GoTime) {
      this.wf(formatRFC3339Nano(v));
      return;
    }
    if (v instanceof Uint8Array) {
      this.element(Array.from(v, (b) => BigInt(b)));
      return;
    }
    if (Array.isArray(v)) {
      this.wf('[');
      v.forEach((e, i) => {
        this.element(e);
        if (i !== v.length - 1) this.wf(', ');
      });
      this.wf(']');
      return;
    }
    if (isTable(v)) {
      this.mapBody([], v, true);
      return;
    }
    throw new TOMLError(`toml: unsupported type: ${typeof v}`);
  }
}

/**
 * encodeToml is toml.NewEncoder(b).Encode(v); throws {@link TOMLError} where BurntSushi fails.
 */
export function encodeToml(v: Value): string {
  // BurntSushi reflects on the value's type first; nil has none and Go panics.
  if (v === null || v === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  const e = new Encoder();
  e.encode([], v);
  return e.out;
}

/** toToml is Helm's `toToml`: the TOML text, or the encoder's error message. */
export function toToml(v: Value): string {
  try {
    return encodeToml(v);
  } catch (err) {
    if (err instanceof TOMLError) return err.message;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * parseToml is toml.Unmarshal into map[string]interface{}: integers are Go int64 (bigint), floats
 * float64, dates their text. Throws {@link TOMLError}.
 */
export function parseToml(text: string): Record<string, Value> {
  return new TomlParser(text).document();
}

const TOML_DATETIME = /^(?:(\d{4})-(\d{2})-(\d{2}))?(?:^|[Tt ])?(?:(\d{2}):(\d{2}):(\d{2})(\.\d+)?)?(Z|z|[-+]\d{2}:\d{2})?$/;

/**
 * tomlDateTime reads TOML's date and time forms as BurntSushi does into time.Time: local dates,
 * times and date-times sit at offset 0 (a local time on day 0000-01-01), offset date-times keep
 * their offset.
 */
function tomlDateTime(word: string): GoTime | null {
  const m = TOML_DATETIME.exec(word);
  if (!m || (!m[1] && !m[4]) || (m[8] && !(m[1] && m[4]))) return null;
  const [y, mo, d] = m[1] ? [+m[1], +m[2], +m[3]] : [0, 1, 1];
  const [h, mi, sec] = m[4] ? [+m[4], +m[5], +m[6]] : [0, 0, 0];
  const frac = (m[7] ?? '').slice(1).padEnd(9, '0').slice(0, 9);
  const nanos = frac ? Number(frac) : 0;
  let offset = 0;
  let zone = 'UTC';
  if (m[8] && m[8].toUpperCase() !== 'Z') {
    const sign = m[8][0] === '-' ? -1 : 1;
    offset = sign * (Number(m[8].slice(1, 3)) * 3600 + Number(m[8].slice(4, 6)) * 60);
    zone = '';
  }
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, sec));
  date.setUTCFullYear(y);
  const ms = date.getTime() - offset * 1000 + Math.floor(nanos / 1e6);
  return new GoTime(ms, nanos % 1e6, offset, zone);
}

class TomlParser {
  private i = 0;
  private readonly root: Record<string, Value> = {};
  private readonly defined = new Set<object>();
  constructor(private readonly s: string) {}

  private line(): number {
    let n = 1;
    for (let k = 0; k < this.i && k < this.s.length; k++) if (this.s[k] === '\n') n++;
    return n;
  }
  private lastKey?: string[];
  private fail(msg: string, lastKey: string[] | null | undefined = this.lastKey): never {
    const where = lastKey ? ` (last key ${JSON.stringify(lastKey.join('.'))})` : '';
    throw new TOMLError(`toml: line ${this.line()}${where}: ${msg}`, this.line());
  }
  private ws(): void {
    while (this.i < this.s.length && (this.s[this.i] === ' ' || this.s[this.i] === '\t')) this.i++;
  }
  private comment(): void {
    if (this.s[this.i] === '#') while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
  }
  private wsnl(): void {
    for (;;) {
      this.ws();
      this.comment();
      if (this.s[this.i] === '\n') this.i++;
      else if (this.s.startsWith('\r\n', this.i)) this.i += 2;
      else return;
    }
  }
  private eol(): void {
    this.ws();
    this.comment();
    if (this.i >= this.s.length) return;
    if (this.s[this.i] === '\n') {
      this.i++;
      return;
    }
    if (this.s.startsWith('\r\n', this.i)) {
      this.i += 2;
      return;
    }
    this.fail(`expected a top-level item to end with a newline, comment, or EOF, but got ${JSON.stringify(this.s[this.i])} instead`);
  }

  document(): Record<string, Value> {
    let current = this.root;
    let currentPath: string[] = [];
    for (;;) {
      this.wsnl();
      if (this.i >= this.s.length) return this.root;
      if (this.s[this.i] === '[') {
        const array = this.s[this.i + 1] === '[';
        this.i += array ? 2 : 1;
        this.ws();
        const key = this.key();
        this.ws();
        if (!this.s.startsWith(array ? ']]' : ']', this.i)) this.fail(`expected ']' to end the table name`);
        this.i += array ? 2 : 1;
        current = array ? this.arrayTable(key) : this.table(key);
        currentPath = key;
        this.eol();
        continue;
      }
      const key = this.key();
      this.ws();
      if (this.s[this.i] !== '=') this.fail(`expected '=' after key ${key.join('.')}`);
      this.i++;
      this.ws();
      this.lastKey = [...currentPath, ...key];
      const v = this.value();
      this.assign(current, key, v, this.lastKey);
      this.eol();
    }
  }

  private descend(t: Record<string, Value>, k: string): Record<string, Value> {
    const cur = t[k];
    if (cur === undefined) {
      const n: Record<string, Value> = {};
      setKey(t, k, n);
      return n;
    }
    if (Array.isArray(cur) && cur.length && isMap(cur[cur.length - 1])) return cur[cur.length - 1] as Record<string, Value>;
    if (isMap(cur)) return cur as Record<string, Value>;
    this.fail(`key ${JSON.stringify(k)} is not a table`);
  }

  private table(key: string[]): Record<string, Value> {
    let t = this.root;
    for (const k of key) t = this.descend(t, k);
    if (this.defined.has(t)) this.fail(`Key '${key.join('.')}' has already been defined.`, null);
    this.defined.add(t);
    return t;
  }

  private arrayTable(key: string[]): Record<string, Value> {
    let t = this.root;
    for (const k of key.slice(0, -1)) t = this.descend(t, k);
    const last = key[key.length - 1];
    const n: Record<string, Value> = {};
    const cur = t[last];
    if (cur === undefined) setKey(t, last, [n]);
    else if (Array.isArray(cur)) cur.push(n);
    else this.fail(`Key '${key.join('.')}' was already created and cannot be used as an array.`, null);
    return n;
  }

  private assign(t: Record<string, Value>, key: string[], v: Value, full: string[] = key): void {
    for (const k of key.slice(0, -1)) t = this.descend(t, k);
    const last = key[key.length - 1];
    if (Object.prototype.hasOwnProperty.call(t, last)) this.fail(`Key '${full.join('.')}' has already been defined.`, full);
    setKey(t, last, v);
  }

  private key(): string[] {
    const parts: string[] = [];
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === '"') parts.push(this.basicString());
      else if (c === "'") parts.push(this.literalString());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(this.s.slice(this.i));
        if (!m) this.fail(c === '=' ? "unexpected '=': key name appears blank" : `expected a key but found ${JSON.stringify(c ?? 'EOF')}`, null);
        parts.push(m[0]);
        this.i += m[0].length;
      }
      this.ws();
      if (this.s[this.i] !== '.') return parts;
      this.i++;
    }
  }

  private value(): Value {
    const s = this.s;
    const c = s[this.i];
    if (c === '"') return s.startsWith('"""', this.i) ? this.multiBasic() : this.basicString();
    if (c === "'") return s.startsWith("'''", this.i) ? this.multiLiteral() : this.literalString();
    if (c === '[') return this.array();
    if (c === '{') return this.inlineTable(this.lastKey ?? []);
    const m = /^[^\s,\]}#]+(?: \d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[-+]\d{2}:\d{2})?)?/.exec(s.slice(this.i));
    if (!m) this.fail(`expected value but found ${c === undefined ? 'EOF' : c === '\n' ? "'\\n'" : `'${c}'`} instead`);
    const word = m[0];
    this.i += word.length;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (/^[-+]?(inf|nan)$/.test(word)) return word.endsWith('nan') ? NaN : word.startsWith('-') ? -Infinity : Infinity;
    if (/^[-+]?(0|[1-9](_?\d)*)$/.test(word)) return BigInt(word.replace(/_/g, ''));
    if (/^0x[0-9A-Fa-f](_?[0-9A-Fa-f])*$/.test(word)) return BigInt(word.replace(/_/g, ''));
    if (/^0o[0-7](_?[0-7])*$/.test(word)) return BigInt(word.replace(/_/g, ''));
    if (/^0b[01](_?[01])*$/.test(word)) return BigInt(word.replace(/_/g, ''));
    if (/^[-+]?(0|[1-9](_?\d)*)(\.\d(_?\d)*)?([eE][-+]?\d(_?\d)*)?$/.test(word)) return Number(word.replace(/_/g, ''));
    const t = tomlDateTime(word);
    if (t) return t;
    this.fail(`expected value but found ${JSON.stringify(word)} instead`);
  }

  private array(): Value[] {
    this.i++;
    const out: Value[] = [];
    for (;;) {
      this.wsnl();
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      out.push(this.value());
      this.wsnl();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      this.fail(`expected a comma or array terminator ']'`);
    }
  }

  private inlineTable(prefix: string[]): Record<string, Value> {
    this.i++;
    const out: Record<string, Value> = {};
    // An inline table is complete: a later [header] for it redefines it.
    this.defined.add(out);
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const key = this.key();
      if (this.s[this.i] !== '=') this.fail(`expected '=' after key ${key.join('.')}`);
      this.i++;
      this.ws();
      const saved = this.lastKey;
      this.lastKey = [...prefix, ...key];
      const v = this.value();
      this.assign(out, key, v, this.lastKey);
      this.lastKey = saved;
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        continue;
      }
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      this.fail(`expected a comma or an inline table terminator '}'`);
    }
  }

  private escape(): string {
    const s = this.s;
    const e = s[this.i++];
    const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };
    if (e in simple) return simple[e];
    if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const hex = s.slice(this.i, this.i + n);
      if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== n) this.fail(`invalid escape in string '\\${e}${hex}'`);
      this.i += n;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    this.fail(`invalid escape character ${JSON.stringify(e)}; only the following escape characters are allowed: \\b, \\t, \\n, \\f, \\r, \\", \\\\, \\uXXXX, and \\UXXXXXXXX`);
  }

  private basicString(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i];
      if (c === '\n') this.fail('strings cannot contain newlines');
      if (c === undefined) this.fail('unexpected EOF; expected \'"\'');
      this.i++;
      if (c === '"') return out;
      out += c === '\\' ? this.escape() : c;
    }
  }

  private literalString(): string {
    this.i++;
    const end = this.s.indexOf("'", this.i);
    const nl = this.s.indexOf('\n', this.i);
    if (end < 0 || (nl >= 0 && nl < end)) this.fail("unexpected EOF; expected \"'\"");
    const out = this.s.slice(this.i, end);
    this.i = end + 1;
    return out;
  }

  private multiBasic(): string {
    this.i += 3;
    if (this.s[this.i] === '\n') this.i++;
    else if (this.s.startsWith('\r\n', this.i)) this.i += 2;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('unexpected EOF; expected \'"""\'');
      if (this.s.startsWith('"""', this.i)) {
        let n = 3;
        while (this.s[this.i + n] === '"' && n < 5) n++;
        out += '"'.repeat(n - 3);
        this.i += n;
        return out;
      }
      const c = this.s[this.i++];
      if (c === '\\') {
        const m = /^[ \t]*\r?\n[\s]*/.exec(this.s.slice(this.i));
        if (m) {
          this.i += m[0].length;
          continue;
        }
        out += this.escape();
      } else out += c;
    }
  }

  private multiLiteral(): string {
    this.i += 3;
    if (this.s[this.i] === '\n') this.i++;
    else if (this.s.startsWith('\r\n', this.i)) this.i += 2;
    const end = this.s.indexOf("'''", this.i);
    if (end < 0) this.fail("unexpected EOF; expected \"'''\"");
    let stop = end + 3;
    while (this.s[stop] === "'" && stop < end + 5) stop++;
    const out = this.s.slice(this.i, stop - 3);
    this.i = stop;
    return out;
  }
}
