/**
 * json: Go's encoding/json as Sprig's JSON functions use it — Marshal (HTML-escaping, sorted map
 * keys, Go's float format), MarshalIndent, an Encoder without HTML escaping, and Unmarshal into
 * interface{} with Go's syntax-error messages.
 */
import {
  GO_METHODS,
  GoStruct,
  GoTime,
  type GoFunc,
  type GoMap,
  type Value,
  formatFloat,
  isMap,
  sortedKeys,
  intValue,
} from '../../value.js';

/** GO_JSON is the hook a Go-typed value uses to give what json.Marshal would see (shared with ../helm). */
const GO_JSON = Symbol.for('capstan.goJSON');

/** JSONError is a Go json error (the message is Go's). */
export class JSONError extends Error {
  readonly data?: unknown;
  constructor(message: string, data?: unknown) {
    super(message);
    this.name = 'JSONError';
    this.data = data;
  }
}

function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new JSONError('json: unsupported value: ' + formatFloat(f, 'g'), f);
  const a = Math.abs(f);
  if (a !== 0 && (a < 1e-6 || a >= 1e21)) {
    return formatFloat(f, 'e').replace(/e([+-])0(\d)$/, 'e$1$2');
  }
  return formatFloat(f, 'f');
}

function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c < 0x20) {
      if (c === 0x0a) out += '\\n';
      else if (c === 0x0d) out += '\\r';
      else if (c === 0x09) out += '\\t';
      else if (c === 0x08) out += '\\b';
      else if (c === 0x0c) out += '\\f';
      else out += '\\u00' + c.toString(16).padStart(2, '0');
    } else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) {
      out += '\\u00' + c.toString(16);
    } else if (c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16);
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
}

function rfc3339Nano(t: GoTime): string {
  const d = new Date(t.ms + t.offsetSeconds * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const nanos = d.getUTCMilliseconds() * 1e6 + t.ns;
  const frac = nanos ? '.' + String(nanos).padStart(9, '0').replace(/0+$/, '') : '';
  const off = t.offsetSeconds;
  const zone =
    off === 0
      ? 'Z'
      : (off < 0 ? '-' : '+') + p(Math.floor(Math.abs(off) / 3600)) + ':' + p(Math.floor((Math.abs(off) % 3600) / 60));
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac}${zone}`
  );
}

/**
 * marshalJSON is json.Marshal (indent undefined) or json.MarshalIndent(v, "", indent);
 * escapeHTML false is an Encoder with SetEscapeHTML(false). Throws JSONError where Go errors.
 */
export function marshalJSON(v: Value, opts: { escapeHTML?: boolean; indent?: string } = {}): string {
  const esc = opts.escapeHTML ?? true;
  const ind = opts.indent;
  const enc = (x: Value, depth: number): string => {
    x = intValue(x);
    if (x === null || x === undefined) return 'null';
    switch (typeof x) {
      case 'string':
        return jsonString(x, esc);
      case 'number':
        return jsonFloat(x);
      case 'bigint':
        return x.toString();
      case 'boolean':
        return x ? 'true' : 'false';
      case 'function':
        throw new JSONError('json: unsupported type: func()', x);
    }
    const hook = (x as { [GO_JSON]?: () => Value })[GO_JSON];
    if (typeof hook === 'function') return enc(hook.call(x), depth);
    // json.Marshaler and encoding.TextMarshaler (semver's *Version has both).
    const methods = (x as { [GO_METHODS]?: Record<string, GoFunc> })[GO_METHODS];
    if (methods?.MarshalJSON) return enc(unmarshalJSON(String(methods.MarshalJSON.fn())), depth);
    if (methods?.MarshalText) return jsonString(String(methods.MarshalText.fn()), esc);
    const nl = ind === undefined ? '' : '\n' + ind.repeat(depth + 1);
    const close = ind === undefined ? '' : '\n' + ind.repeat(depth);
    const colon = ind === undefined ? ':' : ': ';
    if (x instanceof Uint8Array) return '"' + Buffer.from(x).toString('base64') + '"';
    if (x instanceof GoTime) return '"' + rfc3339Nano(x) + '"';
    if (Array.isArray(x)) {
      if (x.length === 0) return '[]';
      return '[' + x.map((e) => nl + enc(e, depth + 1)).join(',') + close + ']';
    }
    let entries: [string, Value][];
    if (isMap(x)) entries = sortedKeys(x).map((k) => [k, (x as GoMap)[k]]);
    else if (x instanceof GoStruct) entries = [...x.fields.entries()];
    else throw new JSONError(`json: unsupported type: ${typeof x}`, x);
    if (entries.length === 0) return '{}';
    return '{' + entries.map(([k, e]) => nl + jsonString(k, esc) + colon + enc(e, depth + 1)).join(',') + close + '}';
  };
  return enc(v, 0);
}

// ---------------------------------------------------------------------------------------------
// Unmarshal

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const s = JSON.stringify(c).slice(1, -1);
  const cp = c.codePointAt(0)!;
  if (cp < 0x20 && !/^\\[nrtbf]$/.test(s)) return "'\\x" + cp.toString(16).padStart(2, '0') + "'";
  return "'" + s + "'";
}

/**
 * unmarshalJSON is json.Unmarshal into interface{}: numbers become float64, objects plain maps.
 * Syntax errors carry Go's scanner messages ("invalid character 'x' looking for beginning of value",
 * "unexpected end of JSON input").
 */
export function unmarshalJSON(text: string): Value {
  let i = 0;
  const n = text.length;
  const eof = (): never => {
    throw new JSONError('unexpected end of JSON input');
  };
  // At the end of input Go's scanner steps a space: mid-literal, mid-number and mid-escape that
  // is an "invalid character ' '" error rather than "unexpected end of JSON input".
  const bad = (ctx: string): never => {
    const c = i < n ? String.fromCodePoint(text.codePointAt(i)!) : ' ';
    throw new JSONError(`invalid character ${quoteChar(c)} ${ctx}`);
  };
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const literal = (word: string, val: Value): Value => {
    for (let k = 0; k < word.length; k++, i++) {
      if (i >= n || text[i] !== word[k]) bad(`in literal ${word} (expecting '${word[k]}')`);
    }
    return val;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < n) {
      const c = text[i];
      if (c === '"') {
        i++;
        return JSON.parse(text.slice(start, i));
      }
      if (c === '\\') {
        i++;
        if (i >= n) bad('in string escape code');
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (i + k >= n || !/[0-9a-fA-F]/.test(text[i + k])) {
              i += k;
              bad('in \\u hexadecimal character escape');
            }
          }
          i += 5;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e)) bad('in string escape code');
        i++;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) bad('in string literal');
      i++;
    }
    return eof();
  };
  const number = (): number => {
    const start = i;
    if (text[i] === '-') {
      i++;
      if (i >= n || !/[0-9]/.test(text[i])) bad('in numeric literal');
    }
    if (text[i] === '0') i++;
    else while (i < n && /[0-9]/.test(text[i])) i++;
    if (i < n && text[i] === '.') {
      i++;
      if (i >= n || !/[0-9]/.test(text[i])) bad('after decimal point in numeric literal');
      while (i < n && /[0-9]/.test(text[i])) i++;
    }
    if (i < n && (text[i] === 'e' || text[i] === 'E')) {
      i++;
      if (i < n && (text[i] === '+' || text[i] === '-')) i++;
      if (i >= n || !/[0-9]/.test(text[i])) bad('in exponent of numeric literal');
      while (i < n && /[0-9]/.test(text[i])) i++;
    }
    const lit = text.slice(start, i);
    const f = Number(lit);
    if (!Number.isFinite(f)) throw new JSONError(`json: cannot unmarshal number ${lit} into Go value of type float64`);
    return f;
  };
  const value = (): Value => {
    ws();
    if (i >= n) eof();
    const c = text[i];
    if (c === '{') {
      i++;
      const m: GoMap = {};
      ws();
      if (i >= n) eof();
      if (text[i] === '}') {
        i++;
        return m;
      }
      for (;;) {
        ws();
        if (i >= n) eof();
        if (text[i] !== '"') bad('looking for beginning of object key string');
        const k = str();
        ws();
        if (i >= n) eof();
        if (text[i] !== ':') bad('after object key');
        i++;
        const v = value();
        if (k === '__proto__')
          Object.defineProperty(m, k, { value: v, enumerable: true, writable: true, configurable: true });
        else m[k] = v;
        ws();
        if (i >= n) eof();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return m;
        }
        bad('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      const a: Value[] = [];
      ws();
      if (i >= n) eof();
      if (text[i] === ']') {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (i >= n) eof();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return a;
        }
        bad('after array element');
      }
    }
    if (c === '"') return str();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true', true);
    if (c === 'f') return literal('false', false);
    if (c === 'n') return literal('null', null);
    return bad('looking for beginning of value');
  };
  const v = value();
  ws();
  if (i < n) bad('after top-level value');
  return v;
}
