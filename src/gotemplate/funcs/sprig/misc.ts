/**
 * misc: Sprig's defaults and flow control, reflection, JSON, encodings, paths, URLs and uuidv4.
 */
import { type FuncMap, type GoMap, type Value, goFunc, goKindName } from '../../value.js';
import { JSONError, marshalJSON, unmarshalJSON } from './json.js';
import { SprigError, deepEqual, fail, fromBytes, goQuote, isEmpty, toBytes, typeName } from './util.js';

// ---------------------------------------------------------------------------------------------
// encodings (encoding/base64 and encoding/base32 StdEncoding, strict padding)

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const STRICT_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function b64decode(s: string): string {
  // Well-formed input decodes the same everywhere; the byte walk below is for Go's error offsets.
  const t = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
  if (STRICT_B64.test(t)) return fromBytes(Buffer.from(t, 'base64'));
  const src = toBytes(s);
  const out: number[] = [];
  const corrupt = (off: number): never => {
    throw new SprigError('b64dec', `illegal base64 data at input byte ${off}`);
  };
  let si = 0;
  const n = src.length;
  while (si < n) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing = -1;
    for (let j = 0; j < 4; j++) {
      if (si === n) {
        if (j === 0) return fromBytes(Uint8Array.from(out));
        corrupt(si - j);
      }
      const inb = src[si++];
      const d = B64.indexOf(String.fromCharCode(inb));
      if (inb < 0x80 && d >= 0) {
        dbuf[j] = d;
        continue;
      }
      if (inb === 0x0a || inb === 0x0d) {
        j--;
        continue;
      }
      if (inb !== 0x3d) corrupt(si - 1);
      if (j === 0 || j === 1) corrupt(si - 1);
      if (j === 2) {
        while (si < n && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === n) corrupt(n);
        if (src[si] !== 0x3d) corrupt(si - 1);
        si++;
      }
      while (si < n && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < n) trailing = si;
      dlen = j;
      break;
    }
    const val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (trailing >= 0) corrupt(trailing);
  }
  return fromBytes(Uint8Array.from(out));
}

function b32encode(s: string): string {
  const b = toBytes(s);
  let out = '';
  for (let i = 0; i < b.length; i += 5) {
    const chunk = b.subarray(i, i + 5);
    let bits = 0n;
    for (let k = 0; k < 5; k++) bits = (bits << 8n) | BigInt(chunk[k] ?? 0);
    const nchars = [0, 2, 4, 5, 7, 8][chunk.length];
    for (let k = 0; k < 8; k++) {
      out += k < nchars ? B32[Number((bits >> BigInt(35 - 5 * k)) & 31n)] : '=';
    }
  }
  return out;
}

function b32decode(s: string): string {
  const src = toBytes(s.replace(/[\r\n]/g, ''));
  const olen = src.length;
  const out: number[] = [];
  const corrupt = (off: number): never => {
    throw new SprigError('b32dec', `illegal base32 data at input byte ${off}`);
  };
  let p = 0;
  let end = false;
  while (p < olen && !end) {
    const dbuf = [0, 0, 0, 0, 0, 0, 0, 0];
    let dlen = 8;
    for (let j = 0; j < 8;) {
      if (p >= olen) corrupt(olen - (olen - p) - j);
      const inb = src[p++];
      const rem = olen - p;
      if (inb === 0x3d && j >= 2 && rem < 8) {
        if (rem + j < 7) corrupt(olen);
        for (let k = 0; k < 7 - j; k++) if (rem > k && src[p + k] !== 0x3d) corrupt(olen - rem + k - 1);
        dlen = j;
        end = true;
        if (dlen === 1 || dlen === 3 || dlen === 6) corrupt(olen - rem - 1);
        break;
      }
      const d = inb < 0x80 ? B32.indexOf(String.fromCharCode(inb)) : -1;
      if (d < 0) corrupt(olen - rem - 1);
      dbuf[j++] = d;
    }
    const o = [
      (dbuf[0] << 3) | (dbuf[1] >> 2),
      ((dbuf[1] << 6) | (dbuf[2] << 1) | (dbuf[3] >> 4)) & 0xff,
      ((dbuf[3] << 4) | (dbuf[4] >> 1)) & 0xff,
      ((dbuf[4] << 7) | (dbuf[5] << 2) | (dbuf[6] >> 3)) & 0xff,
      ((dbuf[6] << 5) | dbuf[7]) & 0xff,
    ].map((x) => x & 0xff);
    const count = { 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 }[dlen] ?? 0;
    out.push(...o.slice(0, count));
  }
  return fromBytes(Uint8Array.from(out));
}

/** errorText runs f and returns Go's err.Error() text in place of the result on failure. */
function errorText(f: () => string): string {
  try {
    return f();
  } catch (e) {
    if (e instanceof SprigError) return e.message;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// paths (Go's path package; filepath on Linux is the same)

/** cleanPath is path.Clean. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(seg);
  }
  const out = (rooted ? '/' : '') + parts.join('/');
  return out === '' ? '.' : out;
}

function basePath(p: string): string {
  if (p === '') return '.';
  p = p.replace(/\/+$/, '');
  const i = p.lastIndexOf('/');
  if (i >= 0) p = p.slice(i + 1);
  return p === '' ? '/' : p;
}

function dirPath(p: string): string {
  const i = p.lastIndexOf('/');
  return cleanPath(p.slice(0, i + 1));
}

function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

// ---------------------------------------------------------------------------------------------
// URLs (net/url Parse and URL.String, for what urlParse and urlJoin expose)

/** unescape is net/url's percent-decoding (path, fragment, host and userinfo decode alike here). */
function unescape(func: string, s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  const raw = toBytes(s);
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x25) {
      const h = String.fromCharCode(raw[i + 1] ?? 0, raw[i + 2] ?? 0);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) {
        const bad = fromBytes(raw.subarray(i, Math.min(i + 3, raw.length)));
        throw new SprigError(func, `invalid URL escape ${goQuote(bad)}`);
      }
      bytes.push(parseInt(h, 16));
      i += 2;
    } else bytes.push(raw[i]);
  }
  return fromBytes(Uint8Array.from(bytes));
}

const unreserved = /[A-Za-z0-9\-_.~]/;
function escape(s: string, mode: 'path' | 'fragment' | 'user'): string {
  let out = '';
  for (const b of toBytes(s)) {
    const c = String.fromCharCode(b);
    let keep = b < 0x80 && unreserved.test(c);
    if (!keep && b < 0x80) {
      if (mode === 'path') keep = '$&+,/:;=@'.includes(c);
      else if (mode === 'fragment') keep = '$&+,/:;=?@!()*'.includes(c);
      else keep = '$&+,;='.includes(c);
    }
    out += keep ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** parseHost is net/url's host check: a numeric port, and no character a host may not hold. */
function parseHost(host: string, panic: (msg: string) => never): string {
  let colonPort = '';
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) panic("missing ']' in host");
    colonPort = host.slice(i + 1);
  } else {
    const i = host.lastIndexOf(':');
    if (i >= 0) colonPort = host.slice(i);
  }
  if (colonPort !== '' && !/^:[0-9]*$/.test(colonPort)) panic(`invalid port ${goQuote(colonPort)} after host`);
  for (const ch of host) {
    const c = ch.charCodeAt(0);
    if (c >= 0x80 || /[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"%]/.test(ch)) continue;
    panic(`invalid character ${goQuote(ch)} in host name`);
  }
  return unescape('urlParse', host);
}

/** validUserinfo is net/url's check on the userinfo part of an authority. */
const validUserinfo = (s: string) => /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);

function urlParse(v: string): GoMap {
  try {
    return parseURL(v);
  } catch (e) {
    if (e instanceof SprigError && !e.message.startsWith('unable to parse url')) {
      fail('urlParse', `unable to parse url: parse ${goQuote(v)}: ${e.message}`, v, e);
    }
    throw e;
  }
}

function parseURL(v: string): GoMap {
  const panic = (msg: string): never => fail('urlParse', `unable to parse url: parse ${goQuote(v)}: ${msg}`, v);
  if (/[\x00-\x1f\x7f]/.test(v)) panic('net/url: invalid control character in URL');
  let rest = v;
  let fragment = '';
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let scheme = '';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (m) {
    scheme = m[1].toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith(':')) panic('missing protocol scheme');
  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let opaque = '';
  let host = '';
  let userinfo = '';
  let path = '';
  if (!rest.startsWith('/') && scheme !== '') {
    opaque = rest;
  } else {
    if (scheme === '' && !rest.startsWith('/')) {
      const colon = rest.indexOf(':');
      const slash = rest.indexOf('/');
      if (colon >= 0 && (slash < 0 || colon < slash)) panic('first path segment in URL cannot contain colon');
    }
    if (rest.startsWith('//') && (scheme !== '' || !rest.startsWith('///'))) {
      let authority = rest.slice(2);
      const slash = authority.indexOf('/');
      if (slash >= 0) {
        rest = authority.slice(slash);
        authority = authority.slice(0, slash);
      } else rest = '';
      const at = authority.lastIndexOf('@');
      if (at >= 0) {
        userinfo = authority.slice(0, at);
        authority = authority.slice(at + 1);
        if (!validUserinfo(userinfo)) panic('net/url: invalid userinfo');
      }
      host = parseHost(authority, panic);
    }
    path = unescape('urlParse', rest);
  }
  let hostname = host;
  if (hostname.startsWith('[')) {
    const close = hostname.indexOf(']');
    hostname = close >= 0 ? hostname.slice(1, close) : hostname.slice(1);
  } else {
    const colon = hostname.lastIndexOf(':');
    if (colon >= 0) hostname = hostname.slice(0, colon);
  }
  let user = '';
  if (userinfo !== '') {
    const c = userinfo.indexOf(':');
    const name = unescape('urlParse', c >= 0 ? userinfo.slice(0, c) : userinfo);
    user = escape(name, 'user');
    if (c >= 0) user += ':' + escape(unescape('urlParse', userinfo.slice(c + 1)), 'user');
  }
  return {
    scheme,
    host,
    hostname,
    path,
    query,
    opaque,
    fragment: unescape('urlParse', fragment),
    userinfo: user,
  };
}

function urlJoin(d: GoMap | null): string {
  const get = (k: string): string => {
    if (!d || !Object.prototype.hasOwnProperty.call(d, k)) return '';
    const v = d[k];
    if (v === null || v === undefined)
      fail('urlJoin', 'runtime error: invalid memory address or nil pointer dereference');
    if (typeof v !== 'string')
      fail('urlJoin', `unable to parse ${k} key, must be of type string, but ${goKindName(v)} found`, v);
    return v;
  };
  const scheme = get('scheme');
  const host = get('host');
  const path = get('path');
  const query = get('query');
  const opaque = get('opaque');
  const fragment = get('fragment');
  const userinfo = get('userinfo');
  let out = '';
  if (scheme !== '') out += scheme + ':';
  if (opaque !== '') out += opaque;
  else {
    if (scheme !== '' || host !== '' || userinfo !== '') {
      if (host !== '' || path !== '' || userinfo !== '') out += '//';
      if (userinfo !== '') {
        if (!validUserinfo(userinfo)) {
          fail(
            'urlJoin',
            `unable to parse userinfo in dict: parse ${goQuote(`proto://${userinfo}@host`)}: net/url: invalid userinfo`,
          );
        }
        const c = userinfo.indexOf(':');
        const name = c >= 0 ? userinfo.slice(0, c) : userinfo;
        out += escape(unescape('urlJoin', name), 'user');
        if (c >= 0) out += ':' + escape(unescape('urlJoin', userinfo.slice(c + 1)), 'user');
        out += '@';
      }
      out += host;
    }
    let ep = escape(path, 'path');
    if (path !== '' && !path.startsWith('/') && host !== '') ep = '/' + ep;
    if (out === '') {
      const seg = ep.split('/')[0];
      if (seg.includes(':')) ep = './' + ep;
    }
    out += ep;
  }
  if (query !== '') out += '?' + query;
  if (fragment !== '') out += '#' + escape(fragment, 'fragment');
  return out;
}

// ---------------------------------------------------------------------------------------------

/** kindName is reflect's Kind name; a value whose Go type is a pointer (`*common.Capabilities`) is "ptr". */
function kindName(v: Value): string {
  return typeName(v).startsWith('*') ? 'ptr' : goKindName(v);
}

function json(func: string, f: () => string, swallow: boolean): string {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof JSONError)) throw e;
    if (swallow) return '';
    throw new SprigError(func, e.message, e.data, e);
  }
}

/** miscFuncs are Sprig's defaults, reflection, JSON, encoding, path, URL and uuid functions. */
export const miscFuncs: FuncMap = {
  // defaults and flow control
  default: goFunc((d: Value, ...given: Value[]) => (given.length === 0 || isEmpty(given[0]) ? d : given[0]), ['any'], {
    variadic: 'any',
  }),
  empty: goFunc(isEmpty, ['any']),
  coalesce: goFunc((...xs: Value[]) => xs.find((x) => !isEmpty(x)) ?? null, [], { variadic: 'any' }),
  all: goFunc((...xs: Value[]) => xs.every((x) => !isEmpty(x)), [], { variadic: 'any' }),
  any: goFunc((...xs: Value[]) => xs.some((x) => !isEmpty(x)), [], { variadic: 'any' }),
  ternary: goFunc((vt: Value, vf: Value, v: boolean) => (v ? vt : vf), ['any', 'any', 'bool']),
  fail: goFunc((msg: string) => fail('fail', msg), ['string'], { returnsError: true }),

  // JSON (helm replaces toJson, mustToJson and fromJson with its own)
  fromJson: goFunc(
    (s: string) => {
      try {
        return unmarshalJSON(s);
      } catch (e) {
        if (e instanceof JSONError) return null;
        throw e;
      }
    },
    ['string'],
  ),
  mustFromJson: goFunc(
    (s: string) => {
      try {
        return unmarshalJSON(s);
      } catch (e) {
        if (e instanceof JSONError) throw new SprigError('mustFromJson', e.message, s, e);
        throw e;
      }
    },
    ['string'],
    { returnsError: true },
  ),
  toJson: goFunc((v: Value) => json('toJson', () => marshalJSON(v), true), ['any']),
  mustToJson: goFunc((v: Value) => json('mustToJson', () => marshalJSON(v), false), ['any'], { returnsError: true }),
  toPrettyJson: goFunc((v: Value) => json('toPrettyJson', () => marshalJSON(v, { indent: '  ' }), true), ['any']),
  mustToPrettyJson: goFunc(
    (v: Value) => json('mustToPrettyJson', () => marshalJSON(v, { indent: '  ' }), false),
    ['any'],
    {
      returnsError: true,
    },
  ),
  toRawJson: goFunc((v: Value) => json('toRawJson', () => marshalJSON(v, { escapeHTML: false }), true), ['any']),
  mustToRawJson: goFunc(
    (v: Value) => json('mustToRawJson', () => marshalJSON(v, { escapeHTML: false }), false),
    ['any'],
    {
      returnsError: true,
    },
  ),

  // reflection
  typeOf: goFunc(typeName, ['any']),
  typeIs: goFunc((t: string, v: Value) => t === typeName(v), ['string', 'any']),
  typeIsLike: goFunc(
    (t: string, v: Value) => {
      const n = typeName(v);
      return t === n || '*' + t === n;
    },
    ['string', 'any'],
  ),
  kindOf: goFunc(kindName, ['any']),
  kindIs: goFunc((t: string, v: Value) => t === kindName(v), ['string', 'any']),
  deepEqual: goFunc(deepEqual, ['any', 'any']),

  // paths
  base: goFunc(basePath, ['string']),
  dir: goFunc(dirPath, ['string']),
  clean: goFunc(cleanPath, ['string']),
  ext: goFunc(extPath, ['string']),
  isAbs: goFunc((p: string) => p.startsWith('/'), ['string']),
  osBase: goFunc(basePath, ['string']),
  osClean: goFunc(cleanPath, ['string']),
  osDir: goFunc(dirPath, ['string']),
  osExt: goFunc(extPath, ['string']),
  osIsAbs: goFunc((p: string) => p.startsWith('/'), ['string']),

  // encodings
  b64enc: goFunc((s: string) => Buffer.from(toBytes(s)).toString('base64'), ['string']),
  b64dec: goFunc((s: string) => errorText(() => b64decode(s)), ['string']),
  b32enc: goFunc(b32encode, ['string']),
  b32dec: goFunc((s: string) => errorText(() => b32decode(s)), ['string']),

  // URLs
  urlParse: goFunc(urlParse, ['string']),
  urlJoin: goFunc(urlJoin, ['map']),

  uuidv4: goFunc(() => crypto.randomUUID(), []),
};
