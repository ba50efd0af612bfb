/**
 * gojson: Go's encoding/json for template values.
 *
 * `marshalJSON` is json.Marshal (what Helm's `toJson` and sigs.k8s.io/yaml's first step print):
 * map keys sorted by bytes, `<`, `>`, `&`, U+2028 and U+2029 escaped, floats in encoding/json's
 * format (`1e+21`, `1e-7`, `100000`), []byte as base64, time.Time as RFC 3339 with nanoseconds.
 * `unmarshalJSON` is json.Unmarshal into interface{} (numbers become float64) with Go's error texts,
 * so `fromJson` can put them under its `Error` key exactly as Helm does.
 */
import { GoStruct, GoTime, compareGoStrings, formatFloat, intValue, isMap, type Value } from '../../value.js';

/**
 * GO_JSON is the hook a Go-typed value (a struct with json tags, such as `.Chart`) uses to say
 * what json.Marshal would produce for it: a function returning a JSON-shaped value.
 */
export const GO_JSON: unique symbol = Symbol.for('capstan.goJSON');

/** JSONError is a json.Marshal or json.Unmarshal failure; `message` is Go's error text. */
export class JSONError extends Error {
  /** partial is what json.Unmarshal had decoded when it met a type error (it keeps going). */
  partial?: Value;
  constructor(
    message: string,
    /** offset is the byte offset of a syntax error in the input (unmarshal only). */
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JSONError';
  }
}

/**
 * marshalJSON is json.Marshal(v). It throws {@link JSONError} where Go fails
 * (`json: unsupported value: NaN`).
 *
 * @example marshalJSON({ b: 1, a: '<x>' }) // '{"a":"\u003cx\u003e","b":1}'
 */
export function marshalJSON(v: Value): string {
  const out: string[] = [];
  try {
    encode(v, out, new Set());
  } catch (e) {
    if (e instanceof RangeError) throw new JSONError('json: unsupported value: nested too deeply', undefined, { cause: e });
    throw e;
  }
  return out.join('');
}

/** cycleError is json.Marshal's report of a map or slice that contains itself. */
export function cycleError(v: object): JSONError {
  const t = Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
  return new JSONError(`json: unsupported value: encountered a cycle via ${t}`);
}

function encode(v: Value, out: string[], path: Set<object>): void {
  v = intValue(v);
  if (v === null || v === undefined) {
    out.push('null');
    return;
  }
  switch (typeof v) {
    case 'string':
      out.push(quoteJSON(v));
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'bigint':
      out.push(v.toString());
      return;
    case 'number':
      out.push(formatJSONFloat(v));
      return;
    case 'function':
      throw new JSONError('json: unsupported type: func()');
  }
  const hook = (v as any)[GO_JSON];
  if (typeof hook === 'function') {
    encode(hook.call(v), out, path);
    return;
  }
  if (path.has(v)) throw cycleError(v);
  path.add(v);
  try {
    encodeObject(v, out, path);
  } finally {
    path.delete(v);
  }
}

function encodeObject(v: object, out: string[], path: Set<object>): void {
  if (Array.isArray(v)) {
    out.push('[');
    v.forEach((e, i) => {
      if (i > 0) out.push(',');
      encode(e, out, path);
    });
    out.push(']');
    return;
  }
  if (v instanceof Uint8Array) {
    out.push('"', Buffer.from(v).toString('base64'), '"');
    return;
  }
  if (v instanceof GoTime) {
    out.push('"', formatRFC3339Nano(v), '"');
    return;
  }
  if (v instanceof GoStruct) {
    out.push('{');
    let first = true;
    for (const [k, fv] of v.fields) {
      if (!first) out.push(',');
      first = false;
      out.push(quoteJSON(k), ':');
      encode(fv, out, path);
    }
    out.push('}');
    return;
  }
  if (isMap(v)) {
    out.push('{');
    const keys = Object.keys(v).sort(compareGoStrings);
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(quoteJSON(k), ':');
      encode(v[k], out, path);
    });
    out.push('}');
    return;
  }
  throw new JSONError(`json: unsupported type: ${Object.prototype.toString.call(v)}`);
}

/** formatJSONFloat is how encoding/json prints a float64: 'f' format unless tiny or huge. */
export function formatJSONFloat(f: number): string {
  if (!Number.isFinite(f)) throw new JSONError(`json: unsupported value: ${formatFloat(f, 'g')}`);
  const a = Math.abs(f);
  if (a !== 0 && (a < 1e-6 || a >= 1e21)) {
    // strconv 'e' then encoding/json's clean-up of e-09 to e-9
    return formatFloat(f, 'e').replace(/e([-+])0(\d)$/, 'e$1$2');
  }
  return formatFloat(f, 'f');
}

const HEX = '0123456789abcdef';

/** quoteJSON is encoding/json's string encoding with HTML escaping (the default). */
export function quoteJSON(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      switch (c) {
        case 0x22:
          esc = '\\"';
          break;
        case 0x5c:
          esc = '\\\\';
          break;
        case 0x0a:
          esc = '\\n';
          break;
        case 0x0d:
          esc = '\\r';
          break;
        case 0x09:
          esc = '\\t';
          break;
        case 0x08:
          esc = '\\b';
          break;
        case 0x0c:
          esc = '\\f';
          break;
        default:
          esc = '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
      }
    } else if (c === 0x2028 || c === 0x2029) {
      esc = '\\u202' + HEX[c & 0xf];
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is invalid UTF-8 for Go, which writes U+FFFD.
      const hi = c <= 0xdbff;
      const n = s.charCodeAt(i + 1);
      if (hi && n >= 0xdc00 && n <= 0xdfff) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== null) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

/** formatRFC3339Nano is time.Time's MarshalJSON text (RFC 3339 with trailing-zero-free nanos). */
export function formatRFC3339Nano(t: GoTime): string {
  const d = new Date(t.ms + t.offsetSeconds * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const nanos = d.getUTCMilliseconds() * 1e6 + t.ns;
  const frac = nanos ? '.' + String(nanos).padStart(9, '0').replace(/0+$/, '') : '';
  let zone = 'Z';
  if (t.offsetSeconds !== 0) {
    const ao = Math.abs(t.offsetSeconds);
    zone = (t.offsetSeconds < 0 ? '-' : '+') + p(Math.floor(ao / 3600)) + ':' + p(Math.floor((ao % 3600) / 60));
  }
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac}${zone}`
  );
}

/**
 * unmarshalJSON is json.Unmarshal(text, &interface{}): objects become maps, numbers float64.
 * `into` names the Go target for the type error json reports when the top-level value does not
 * fit (`json: cannot unmarshal array into Go value of type map[string]interface {}`).
 */
export function unmarshalJSON(text: string, into: 'any' | 'map' | 'slice' = 'any'): Value {
  const p = new JSONParser(text);
  // Go checks the whole input is valid JSON before decoding anything.
  p.skipWS();
  const v = p.value();
  p.skipWS();
  if (p.i < p.s.length) p.fail(`invalid character ${quoteChar(p.s, p.i)} after top-level value`);
  if (p.typeError) {
    p.typeError.partial = v;
    throw p.typeError;
  }
  // null leaves Go's map or slice nil.
  if (v === null) return null;
  if (into === 'map' && !isMap(v)) {
    throw new JSONError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type map[string]interface {}`);
  }
  if (into === 'slice' && !Array.isArray(v)) {
    throw new JSONError(`json: cannot unmarshal ${jsonKind(v)} into Go value of type []interface {}`);
  }
  return v;
}

function jsonKind(v: Value): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'null';
  return 'object';
}

/**
 * quoteChar is encoding/json's quoteChar: the scanner works on bytes, so a non-ASCII character
 * shows as its first UTF-8 byte read as a rune (a BOM is 'ï'), escaped like strconv.Quote.
 */
function quoteChar(s: string, i: number): string {
  let cp = s.codePointAt(i)!;
  if (cp >= 0x80) cp = Buffer.from(String.fromCodePoint(cp), 'utf8')[0];
  if (cp === 0x27) return `'\\''`;
  if (cp === 0x22) return `'"'`;
  const named: Record<number, string> = { 7: 'a', 8: 'b', 12: 'f', 10: 'n', 13: 'r', 9: 't', 11: 'v' };
  if (named[cp]) return `'\\${named[cp]}'`;
  if (cp < 0x20 || cp === 0x7f) return `'\\x${cp.toString(16).padStart(2, '0')}'`;
  if (cp >= 0x80 && cp < 0xa0) return `'\\u00${cp.toString(16).padStart(2, '0')}'`;
  if (cp === 0xad) return `'\\u00ad'`;
  return `'${String.fromCodePoint(cp)}'`;
}

class JSONParser {
  i = 0;
  typeError?: JSONError;
  constructor(readonly s: string) {}

  fail(msg: string): never {
    throw new JSONError(msg, byteOffset(this.s, this.i));
  }
  eof(): never {
    throw new JSONError('unexpected end of JSON input', byteOffset(this.s, this.i));
  }
  skipWS(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }
  value(): Value {
    const s = this.s;
    if (this.i >= s.length) this.eof();
    const c = s[this.i];
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
    }
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    this.fail(`invalid character ${quoteChar(s, this.i)} looking for beginning of value`);
  }
  literal(word: string, v: Value): Value {
    for (let k = 0; k < word.length; k++) {
      if (this.i >= this.s.length) this.eof();
      if (this.s[this.i] !== word[k]) this.fail(`invalid character ${quoteChar(this.s, this.i)} in literal ${word} (expecting '${word[k]}')`);
      this.i++;
    }
    return v;
  }
  number(): number | null {
    const s = this.s;
    const start = this.i;
    const digit = () => this.i < s.length && s[this.i] >= '0' && s[this.i] <= '9';
    if (s[this.i] === '-') {
      this.i++;
      if (this.i >= s.length) this.eof();
      if (!digit()) this.fail(`invalid character ${quoteChar(s, this.i)} in numeric literal`);
    }
    if (s[this.i] === '0') this.i++;
    else while (digit()) this.i++;
    if (s[this.i] === '.') {
      this.i++;
      if (this.i >= s.length) this.eof();
      if (!digit()) this.fail(`invalid character ${quoteChar(s, this.i)} after decimal point in numeric literal`);
      while (digit()) this.i++;
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      if (this.i >= s.length) this.eof();
      if (!digit()) this.fail(`invalid character ${quoteChar(s, this.i)} in exponent of numeric literal`);
      while (digit()) this.i++;
    }
    const text = s.slice(start, this.i);
    const f = Number(text);
    if (!Number.isFinite(f)) {
      this.typeError ??= new JSONError(`json: cannot unmarshal number ${text} into Go value of type float64`);
      return null;
    }
    return f;
  }
  string(): string {
    const s = this.s;
    this.i++; // opening quote
    let out = '';
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) this.eof();
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i);
        this.i++;
        return out;
      }
      if (c < 0x20) this.fail(`invalid character ${quoteChar(s, this.i)} in string literal`);
      if (c === 0x5c) {
        out += s.slice(start, this.i);
        this.i++;
        if (this.i >= s.length) this.eof();
        const e = s[this.i];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) {
          out += simple[e];
          this.i++;
        } else if (e === 'u') {
          this.i++;
          let cp = 0;
          for (let k = 0; k < 4; k++) {
            if (this.i >= s.length) this.eof();
            const h = parseInt(s[this.i], 16);
            if (Number.isNaN(h)) this.fail(`invalid character ${quoteChar(s, this.i)} in \\u hexadecimal character escape`);
            cp = cp * 16 + h;
            this.i++;
          }
          out += String.fromCharCode(cp);
        } else {
          this.fail(`invalid character ${quoteChar(s, this.i)} in string escape code`);
        }
        start = this.i;
        continue;
      }
      this.i++;
    }
  }
  array(): Value[] {
    const s = this.s;
    this.i++;
    const out: Value[] = [];
    this.skipWS();
    if (this.i >= s.length) this.eof();
    if (s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipWS();
      out.push(this.value());
      this.skipWS();
      if (this.i >= s.length) this.eof();
      const c = s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === ']') {
        this.i++;
        return out;
      }
      this.fail(`invalid character ${quoteChar(s, this.i)} after array element`);
    }
  }
  object(): Record<string, Value> {
    const s = this.s;
    this.i++;
    const out: Record<string, Value> = {};
    this.skipWS();
    if (this.i >= s.length) this.eof();
    if (s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipWS();
      if (this.i >= s.length) this.eof();
      if (s[this.i] !== '"') this.fail(`invalid character ${quoteChar(s, this.i)} looking for beginning of object key string`);
      const k = this.string();
      this.skipWS();
      if (this.i >= s.length) this.eof();
      if (s[this.i] !== ':') this.fail(`invalid character ${quoteChar(s, this.i)} after object key`);
      this.i++;
      this.skipWS();
      setKey(out, k, this.value());
      this.skipWS();
      if (this.i >= s.length) this.eof();
      const c = s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === '}') {
        this.i++;
        return out;
      }
      this.fail(`invalid character ${quoteChar(s, this.i)} after object key:value pair`);
    }
  }
}

/** setKey sets a map entry, including the key `__proto__`, as an own enumerable property. */
export function setKey(m: Record<string, Value>, k: string, v: Value): void {
  if (k === '__proto__') Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
  else m[k] = v;
}

function byteOffset(s: string, i: number): number {
  return Buffer.byteLength(s.slice(0, i), 'utf8');
}
