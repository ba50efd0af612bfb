/**
 * yamlfast: a fast reader for the block-style YAML that Kubernetes manifests are nearly always
 * written in, giving exactly what goyaml.ts's full reader (go-yaml v2 + sigs.k8s.io/yaml's JSON
 * trip) gives, or nothing at all.
 *
 * It works on lines and string offsets, without tokens: block mappings (plain or single-line
 * quoted keys), block sequences (also compact `- key: v` and `- - x`, and sequences at their key's
 * indentation), single-line plain, single- and double-quoted scalars, literal and folded block
 * scalars (with chomping and indentation indicators), `{}`, single-line flow sequences of scalars
 * (`["get", "list"]`, as RBAC rules have them), comments and `---` separators. Anything else
 * (anchors, aliases, tags, flow mappings with content, nested or multi-line flow collections,
 * multi-line plain or quoted scalars, tabs outside block scalar content, directives, `...`, merge
 * keys, null/float/unsigned keys, keys of different types spelled the same, CR/NEL/LS/PS line
 * breaks, a BOM, control characters, non-finite numbers, nesting deeper than 500, …) makes the
 * whole call give up with `undefined`, and the caller reads the text with the full reader. The
 * reader never throws.
 *
 * Where the result is decided the full reader's way:
 * - plain scalars resolve through {@link resolvePlain}; integers become float64 (JS numbers),
 *   timestamps stay text, `y`/`yes`/`on` are booleans (in v2 mode);
 * - maps are plain objects built key by key as toJSONValue builds them (setKey for `__proto__`),
 *   so JS's own key order applies the same way; a repeated key moves to the end with its last
 *   value, as go-yaml's map does;
 * - keys that resolve to booleans or signed integers are spelled as Go spells them (`true`, `16`);
 *   null, float, unsigned and merge keys give up.
 */
import type { Value } from '../../value.js';
import { setKey } from './gojson.js';
import { resolvePlain } from './resolve.js';

/** GIVE_UP is thrown inside the reader to abandon the fast path; it never leaves this module. */
const GIVE_UP = new Error('yamlfast: not in the fast subset');

function giveUp(): never {
  throw GIVE_UP;
}

// line kinds
const CONTENT = 0;
const BLANK = 1; // only spaces (or empty)
const COMMENT = 2; // spaces, then '#'
const SEP = 3; // `---` alone or with a comment
const BAD = 4; // anything this reader does not do at the start of a line (tab indentation, `...`, `%`, `--- x`)

const SP = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const COLON = 0x3a;
const DASH = 0x2d;
const DQ = 0x22;
const SQ = 0x27;
const BS = 0x5c;
const PIPE = 0x7c;
const GT = 0x3e;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const PLUS = 0x2b;
const COMMA = 0x2c;
const DOT = 0x2e;

/** The deepest nesting read here; deeper documents are left to the full reader. */
const MAX_DEPTH = 500;

/** The longest simple key accepted (go-yaml allows 1024 characters up to the ':'). */
const MAX_KEY = 1000;

// Characters that cannot start a plain scalar (go-yaml's indicators); '-' may when followed by
// a non-blank, '?' and ':' too, but those are left to the full reader.
const NOT_PLAIN_START = new Uint8Array(128);
for (const c of '-?:,[]{}#&*!|>\'"%@`') NOT_PLAIN_START[c.charCodeAt(0)] = 1;

// Characters that end a plain scalar inside a flow collection, or that this reader leaves to the
// full one there (':' '?' '#' and quotes); ',' and ']' end an item.
const NOT_FLOW_PLAIN = new Uint8Array(128);
for (const c of '[]{}:?#\'"') NOT_FLOW_PLAIN[c.charCodeAt(0)] = 1;
const FLOW_DASH_NEXT = /^[0-9A-Za-z.]$/;

// First characters for which resolvePlain may return something other than the string itself.
const MAY_RESOLVE = new Uint8Array(128);
for (const c of '+-0123456789yYnNtTfFoO~.') MAY_RESOLVE[c.charCodeAt(0)] = 1;

// go-yaml's one-character escapes in double-quoted scalars (libyaml's table as ported).
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  "'": "'",
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

// Characters outside go-yaml's allowed set (goyaml.ts checkControlCharacters: the full reader
// fails on them), line breaks other than LF (CR, NEL, LS, PS) and the byte order mark (which
// go-yaml skips wherever a line starts): the full reader decides.
const NOT_FAST = /[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ud800-\udfff\ue000-\ufefe\uff00-\ufffd]/;

/** Key kinds: a Go string, a bool or a signed integer (each spelled as its JSON key). */
type KeyKind = 's' | 'b' | 'i';

class Reader {
  private readonly t: string;
  private readonly hasTabs: boolean;
  // per line: start offset, end offset (the '\n' or the text's end), leading spaces, kind
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly spaces: Int32Array;
  private readonly kinds: Uint8Array;
  private readonly nLines: number;
  private tabFrom = Infinity;
  private tabAt = -1;
  /** i is the first line not consumed by the last node read. */
  private i = 0;
  // scanKey's results
  private key = '';
  private keyKind: KeyKind = 's';
  private valuePos = 0;
  // scanPlain / quoted scalar results
  private sepAt = -1;
  private quoted = '';
  private quotedEnd = 0;

  constructor(text: string) {
    this.t = text;
    this.hasTabs = text.indexOf('\t') >= 0;
    const n = text.length;
    let count = 0;
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) count++;
    if (n > 0 && text.charCodeAt(n - 1) !== 0x0a) count++;
    const starts = (this.starts = new Int32Array(count));
    const ends = (this.ends = new Int32Array(count));
    const spaces = (this.spaces = new Int32Array(count));
    const kinds = (this.kinds = new Uint8Array(count));
    let pos = 0;
    for (let j = 0; j < count; j++) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = n;
      let k = pos;
      while (k < end && text.charCodeAt(k) === SP) k++;
      let kind = CONTENT;
      if (k === end) kind = BLANK;
      else {
        const c = text.charCodeAt(k);
        if (c === HASH) kind = COMMENT;
        else if (c === TAB) kind = BAD;
        else if (k === pos) kind = lineStartKind(text, pos, end);
      }
      starts[j] = pos;
      ends[j] = end;
      spaces[j] = k - pos;
      kinds[j] = kind;
      pos = end + 1;
    }
    this.nLines = count;
  }

  documents(): Value[] {
    const out: Value[] = [];
    // After `---` a document follows even when nothing does; before the first one, only content makes one.
    let pending = false;
    let j = this.nextSig(0);
    while (j < this.nLines) {
      if (this.kinds[j] === SEP) {
        if (pending) out.push(null);
        pending = true;
        j = this.nextSig(j + 1);
        continue;
      }
      out.push(this.node(j, this.spaces[j], -1, 0));
      pending = false;
      j = this.nextSig(this.i);
      if (j < this.nLines && this.kinds[j] !== SEP) giveUp();
    }
    if (pending) out.push(null);
    return out;
  }

  /** nextSig is the first line from j on that holds a token (not blank, not a comment). */
  private nextSig(j: number): number {
    for (; j < this.nLines; j++) {
      const k = this.kinds[j];
      if (k === BLANK || k === COMMENT) continue;
      if (k === BAD) giveUp();
      if (this.hasTabs && this.lineHasTab(j)) giveUp();
      return j;
    }
    return j;
  }

  private lineHasTab(j: number): boolean {
    // the first tab at or after tabFrom, so that a tab late in the text is not searched for from every line
    const s = this.starts[j];
    if (s < this.tabFrom || s > this.tabAt) {
      this.tabFrom = s;
      const k = this.t.indexOf('\t', s);
      this.tabAt = k < 0 ? Infinity : k;
    }
    return this.tabAt < this.ends[j];
  }

  /** col is the indentation of line j as a block sees it: -1 for the end or a document marker. */
  private col(j: number): number {
    return j >= this.nLines || this.kinds[j] === SEP ? -1 : this.spaces[j];
  }

  private isEntry(j: number, col: number): boolean {
    const p = this.starts[j] + col;
    return this.t.charCodeAt(p) === DASH && (p + 1 === this.ends[j] || this.t.charCodeAt(p + 1) === SP);
  }

  /**
   * node reads the node whose content starts at column col of line j, inside a block at column
   * parent (-1 for a document's root): a sequence, a mapping or a scalar.
   */
  private node(j: number, col: number, parent: number, depth: number): Value {
    if (depth > MAX_DEPTH) giveUp();
    const t = this.t;
    const p = this.starts[j] + col;
    const end = this.ends[j];
    const c = t.charCodeAt(p);
    if (c === DASH && (p + 1 === end || t.charCodeAt(p + 1) === SP)) return this.seq(j, col, false, depth + 1);
    if (c === DQ || c === SQ || (c < 128 ? !NOT_PLAIN_START[c] : true) || (c === DASH && p + 1 < end)) {
      if (this.scanKey(p, end)) return this.map(j, col, depth + 1);
      this.i = j + 1;
      if (c === DQ || c === SQ) {
        this.afterScalar(this.quotedEnd, end);
        return this.quoted;
      }
      // scanKey found no ': ' before the end or a comment: sepAt is where the text stops
      return this.plain(p, this.sepAt);
    }
    return this.inline(j, p, parent);
  }

  /**
   * scanKey reads a mapping key at p: a single-line quoted scalar or a plain scalar followed by
   * ': ' or ':' at the end of the line. It sets key, keyKind and valuePos (just after the ':') and
   * says whether it found one. When it did not, a quoted scalar is left in quoted/quotedEnd and a
   * plain one's end (before spaces and a comment) in sepAt.
   */
  private scanKey(p: number, end: number): boolean {
    const t = this.t;
    const c = t.charCodeAt(p);
    if (c === DQ || c === SQ) {
      const s = c === DQ ? this.doubleQuoted(p, end) : this.singleQuoted(p, end);
      let k = this.quotedEnd;
      while (k < end && t.charCodeAt(k) === SP) k++;
      if (k < end && t.charCodeAt(k) === COLON && (k + 1 === end || t.charCodeAt(k + 1) === SP)) {
        if (k - p > MAX_KEY) giveUp();
        this.key = s;
        this.keyKind = 's';
        this.valuePos = k + 1;
        return true;
      }
      return false;
    }
    const stop = this.scanPlain(p, end);
    if (this.sepAt < 0) {
      this.sepAt = stop;
      return false;
    }
    if (stop - p > MAX_KEY) giveUp();
    let e = stop;
    while (t.charCodeAt(e - 1) === SP) e--;
    this.plainKey(t.slice(p, e));
    this.valuePos = stop + 1;
    return true;
  }

  /**
   * scanPlain scans a plain scalar starting at p to the first ': ' (or ':' at the line's end) or
   * ' #'. It returns where it stopped and sets sepAt to the colon's offset, or -1 when the scalar
   * ends at a comment or the line's end.
   */
  private scanPlain(p: number, end: number): number {
    const t = this.t;
    for (let k = p + 1; k < end; k++) {
      const c = t.charCodeAt(k);
      if (c === COLON) {
        if (k + 1 === end || t.charCodeAt(k + 1) === SP) {
          this.sepAt = k;
          return k;
        }
      } else if (c === HASH && t.charCodeAt(k - 1) === SP) {
        this.sepAt = -1;
        return k - 1;
      }
    }
    this.sepAt = -1;
    return end;
  }

  private plainKey(s: string): void {
    const c = s.charCodeAt(0);
    if (c >= 128 || !MAY_RESOLVE[c]) {
      if (s === '<<') giveUp(); // a merge key
      this.key = s;
      this.keyKind = 's';
      return;
    }
    const r = resolvePlain(s);
    switch (r.tag) {
      case 'str':
      case 'timestamp':
        this.key = s;
        this.keyKind = 's';
        return;
      case 'bool':
        if (typeof r.value !== 'boolean') giveUp();
        this.key = r.value ? 'true' : 'false';
        this.keyKind = 'b';
        return;
      case 'int':
        if (r.unsigned) giveUp();
        this.key = r.value.toString();
        this.keyKind = 'i';
        return;
      default:
        // null keys fail in sigs.k8s.io/yaml; float keys are spelled with float32 precision
        giveUp();
    }
  }

  /** map reads a block mapping at column col whose first key scanKey has just read on line j. */
  private map(j: number, col: number, depth: number): Value {
    if (depth > MAX_DEPTH) giveUp();
    const t = this.t;
    const out: Record<string, Value> = {};
    let keyKinds: Map<string, KeyKind> | undefined;
    for (;;) {
      const key = this.key;
      const kind = this.keyKind;
      const end = this.ends[j];
      let vp = this.valuePos;
      while (vp < end && t.charCodeAt(vp) === SP) vp++;
      const v =
        vp === end || t.charCodeAt(vp) === HASH ? this.indented(j + 1, col, true, depth) : this.inline(j, vp, col);
      if (out[key] !== undefined && Object.hasOwn(out, key)) {
        // go-yaml's map keeps one entry per Go key, moved to the end by a repeat; different Go
        // keys spelled the same (1 and "1") would collide differently in the JSON trip
        if ((keyKinds?.get(key) ?? 's') !== kind) giveUp();
        delete out[key];
      }
      if (kind !== 's') (keyKinds ??= new Map()).set(key, kind);
      setKey(out, key, v);
      const n = this.nextSig(this.i);
      const d = this.col(n);
      if (d < col) {
        this.i = n;
        return out;
      }
      if (d > col) giveUp();
      const p = this.starts[n] + col;
      const c = t.charCodeAt(p);
      if (!(c === DQ || c === SQ || (c < 128 ? !NOT_PLAIN_START[c] : true) || (c === DASH && !this.isEntry(n, col))))
        giveUp();
      if (!this.scanKey(p, this.ends[n])) giveUp();
      j = n;
    }
  }

  /** seq reads a block sequence whose first '-' is at column col of line j. */
  private seq(j: number, col: number, indentless: boolean, depth: number): Value {
    if (depth > MAX_DEPTH) giveUp();
    const t = this.t;
    const out: Value[] = [];
    for (;;) {
      const start = this.starts[j];
      const end = this.ends[j];
      let q = start + col + 1;
      while (q < end && t.charCodeAt(q) === SP) q++;
      if (q === end || t.charCodeAt(q) === HASH) out.push(this.indented(j + 1, col, false, depth));
      else out.push(this.node(j, q - start, col, depth));
      const n = this.nextSig(this.i);
      const d = this.col(n);
      if (d < col) {
        this.i = n;
        return out;
      }
      if (d > col) giveUp();
      if (!this.isEntry(n, col)) {
        // a sequence at its key's indentation ends where the mapping's next key starts
        if (!indentless) giveUp();
        this.i = n;
        return out;
      }
      j = n;
    }
  }

  /**
   * indented reads the value of `key:` or `-` with nothing after it on the line: a block more
   * indented than col, a sequence at col for a mapping's key, or null.
   */
  private indented(from: number, col: number, forKey: boolean, depth: number): Value {
    const n = this.nextSig(from);
    const d = this.col(n);
    if (d > col) return this.node(n, d, col, depth);
    if (forKey && d === col && this.isEntry(n, col)) return this.seq(n, col, true, depth + 1);
    this.i = n;
    return null;
  }

  /**
   * inline reads a scalar starting at p on line j (after `key: `, or on a line of its own), in a
   * block at column parent: quoted, block, empty flow collection or plain.
   */
  private inline(j: number, p: number, parent: number): Value {
    const t = this.t;
    const end = this.ends[j];
    const c = t.charCodeAt(p);
    this.i = j + 1;
    switch (c) {
      case DQ:
      case SQ: {
        const s = c === DQ ? this.doubleQuoted(p, end) : this.singleQuoted(p, end);
        this.afterScalar(this.quotedEnd, end);
        return s;
      }
      case PIPE:
      case GT:
        // a block scalar as a document's root is left to the full reader
        if (parent < 0) giveUp();
        return this.block(j, p, parent, c === PIPE);
      case LBRACE: {
        let k = p + 1;
        while (k < end && t.charCodeAt(k) === SP) k++;
        if (k === end || t.charCodeAt(k) !== RBRACE) giveUp();
        this.afterScalar(k + 1, end);
        return {};
      }
      case LBRACKET:
        return this.flowSeq(p, end);
    }
    if (c < 128 && NOT_PLAIN_START[c] && !(c === DASH && p + 1 < end && t.charCodeAt(p + 1) !== SP)) giveUp();
    const stop = this.scanPlain(p, end);
    if (this.sepAt >= 0) giveUp(); // `a: b: c` and `a: b:` are errors
    return this.plain(p, stop);
  }

  /**
   * flowSeq reads a flow sequence closed on its own line whose items are quoted scalars or plain
   * scalars without flow indicators, ':', '?', '#' or quotes (`["get", "list"]`, `[80, 443]`, `[]`).
   */
  private flowSeq(p: number, end: number): Value[] {
    const t = this.t;
    const out: Value[] = [];
    let k = p + 1;
    while (k < end && t.charCodeAt(k) === SP) k++;
    if (k < end && t.charCodeAt(k) === RBRACKET) {
      this.afterScalar(k + 1, end);
      return out;
    }
    for (;;) {
      if (k >= end) giveUp();
      const c = t.charCodeAt(k);
      if (c === DQ || c === SQ) {
        out.push(c === DQ ? this.doubleQuoted(k, end) : this.singleQuoted(k, end));
        k = this.quotedEnd;
      } else {
        // a plain item: no indicator first ('-' before a digit, a letter or '.' is fine)
        if (c < 128 && NOT_PLAIN_START[c] && !(c === DASH && k + 1 < end && FLOW_DASH_NEXT.test(t[k + 1]))) giveUp();
        const s0 = k;
        for (; k < end; k++) {
          const d = t.charCodeAt(k);
          if (d === COMMA || d === RBRACKET) break;
          if (d < 128 && NOT_FLOW_PLAIN[d]) giveUp();
        }
        out.push(this.plain(s0, k));
      }
      while (k < end && t.charCodeAt(k) === SP) k++;
      if (k >= end) giveUp(); // not closed on this line
      const d = t.charCodeAt(k);
      if (d === RBRACKET) break;
      if (d !== COMMA) giveUp();
      k++;
      while (k < end && t.charCodeAt(k) === SP) k++;
      // `[a, ]` and `[a,,b]` are left to the full reader
      if (k < end && (t.charCodeAt(k) === COMMA || t.charCodeAt(k) === RBRACKET)) giveUp();
    }
    this.afterScalar(k + 1, end);
    return out;
  }

  /** afterScalar checks that only spaces and a comment follow a scalar or flow collection. */
  private afterScalar(k: number, end: number): void {
    const t = this.t;
    while (k < end && t.charCodeAt(k) === SP) k++;
    if (k < end && t.charCodeAt(k) !== HASH) giveUp();
  }

  /** plain resolves the plain scalar text[p, stop) (trailing spaces dropped) as go-yaml v2 and the JSON trip do. */
  private plain(p: number, stop: number): Value {
    const t = this.t;
    while (t.charCodeAt(stop - 1) === SP) stop--;
    const c = t.charCodeAt(p);
    if (c >= 128 || !MAY_RESOLVE[c]) return t.slice(p, stop);
    // small decimal integers, the common case, without the general resolution
    const len = stop - p;
    if (len <= 15 && c >= 0x30 && c <= 0x39 && (c !== 0x30 || len === 1)) {
      let k = p + 1;
      while (k < stop) {
        const d = t.charCodeAt(k);
        if (d < 0x30 || d > 0x39) break;
        k++;
      }
      if (k === stop) return +t.slice(p, stop);
    }
    const s = t.slice(p, stop);
    const r = resolvePlain(s);
    switch (r.tag) {
      case 'str':
      case 'timestamp':
        return s;
      case 'null':
        return null;
      case 'bool':
        if (typeof r.value !== 'boolean') giveUp(); // defensive: resolvePlain returns booleans here
        return r.value;
      case 'int':
        return Number(r.value);
      case 'float':
        // json.Marshal fails on NaN and ±Inf
        if (!Number.isFinite(r.value)) giveUp();
        return r.value;
      default:
        giveUp();
    }
  }

  /** doubleQuoted reads a double-quoted scalar closed on its own line; quotedEnd is after the quote. */
  private doubleQuoted(p: number, end: number): string {
    const t = this.t;
    let s = '';
    let seg = p + 1;
    for (let k = p + 1; k < end; k++) {
      const c = t.charCodeAt(k);
      if (c === DQ) {
        this.quotedEnd = k + 1;
        this.quoted = seg === p + 1 ? t.slice(seg, k) : s + t.slice(seg, k);
        return this.quoted;
      }
      if (c !== BS) continue;
      s += t.slice(seg, k);
      if (k + 1 >= end) giveUp(); // an escaped line break
      const e = t[k + 1];
      let len = 0;
      if (e === 'x') len = 2;
      else if (e === 'u') len = 4;
      else if (e === 'U') len = 8;
      else {
        const r = ESCAPES[e];
        if (r === undefined) giveUp();
        s += r;
        k++;
        seg = k + 1;
        continue;
      }
      if (k + 2 + len > end) giveUp();
      let v = 0;
      for (let h = k + 2; h < k + 2 + len; h++) {
        const d = hexDigit(t.charCodeAt(h));
        if (d < 0) giveUp();
        v = v * 16 + d;
      }
      if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) giveUp();
      s += String.fromCodePoint(v);
      k += 1 + len;
      seg = k + 1;
    }
    return giveUp(); // not closed on this line
  }

  /** singleQuoted reads a single-quoted scalar closed on its own line ('' is a quote). */
  private singleQuoted(p: number, end: number): string {
    const t = this.t;
    let s = '';
    let seg = p + 1;
    for (let k = p + 1; k < end; k++) {
      if (t.charCodeAt(k) !== SQ) continue;
      if (k + 1 < end && t.charCodeAt(k + 1) === SQ) {
        s += t.slice(seg, k + 1);
        k++;
        seg = k + 1;
        continue;
      }
      this.quotedEnd = k + 1;
      this.quoted = s + t.slice(seg, k);
      return this.quoted;
    }
    return giveUp();
  }

  /**
   * block reads a literal (`|`) or folded (`>`) block scalar whose indicator is at p on line j,
   * in a block at column parent: go-yaml's scan_block_scalar line by line. Sets i to the line
   * that ends it.
   */
  private block(j: number, p: number, parent: number, literal: boolean): string {
    const t = this.t;
    const end = this.ends[j];
    let k = p + 1;
    let chomping = 0;
    let increment = 0;
    let c = t.charCodeAt(k);
    if (c === PLUS || c === DASH) {
      chomping = c === PLUS ? 1 : -1;
      c = t.charCodeAt(++k);
      if (k < end && c >= 0x31 && c <= 0x39) {
        increment = c - 0x30;
        k++;
      }
    } else if (k < end && c >= 0x31 && c <= 0x39) {
      increment = c - 0x30;
      c = t.charCodeAt(++k);
      if (k < end && (c === PLUS || c === DASH)) {
        chomping = c === PLUS ? 1 : -1;
        k++;
      }
    }
    // an indentation indicator of 0 is an error: left to the full reader
    if (k < end && t.charCodeAt(k) === 0x30) giveUp();
    if (k < end && t.charCodeAt(k) !== SP && t.charCodeAt(k) !== HASH) giveUp();
    this.afterScalar(k, end);

    const spaces = this.spaces;
    const starts = this.starts;
    const ends = this.ends;
    const nLines = this.nLines;
    const textEnd = t.length;
    let line = j + 1;
    let trailing = '';
    let indent: number;
    if (increment > 0) {
      indent = parent + increment;
    } else {
      // auto-detected: the deepest of the leading blank lines and the first non-blank one, at
      // least parent + 1; when the first non-blank line is less indented than that, the scalar is
      // empty (and that line is the next token's)
      let maxBlank = 0;
      for (; line < nLines; line++) {
        const len = ends[line] - starts[line];
        if (spaces[line] !== len) break;
        if (len > maxBlank) maxBlank = len;
        if (ends[line] < textEnd) trailing += '\n';
      }
      indent = Math.max(maxBlank, parent + 1, 1);
      if (line < nLines) {
        if (t.charCodeAt(starts[line] + spaces[line]) === TAB) giveUp();
        if (spaces[line] > indent) indent = spaces[line];
      }
    }

    // line kinds inside the block: 0 content, 1 blank, 2 end
    const kindOf = (l: number): number => {
      if (l >= nLines) return 2;
      const sp = spaces[l];
      const len = ends[l] - starts[l];
      if (sp >= indent) return len === indent ? 1 : 0;
      if (sp === len) return 1;
      if (t.charCodeAt(starts[l] + sp) === TAB) giveUp();
      return 2;
    };

    let s = '';
    let leadingBreak = '';
    let leadingBlank = false;
    // with an indentation indicator, blank lines before the first content line are read here
    if (increment > 0) {
      for (let kind = kindOf(line); kind === 1; kind = kindOf(++line)) if (ends[line] < textEnd) trailing += '\n';
    }
    for (let kind = kindOf(line); kind === 0; kind = kindOf(line)) {
      const cs = starts[line] + indent;
      const first = t.charCodeAt(cs);
      const trailingBlank = first === SP || first === TAB;
      if (!literal && leadingBreak === '\n' && !leadingBlank && !trailingBlank) {
        if (trailing === '') s += ' ';
      } else {
        s += leadingBreak;
      }
      s += trailing;
      trailing = '';
      leadingBlank = trailingBlank;
      s += t.slice(cs, ends[line]);
      leadingBreak = ends[line] < textEnd ? '\n' : '';
      line++;
      for (kind = kindOf(line); kind === 1; kind = kindOf(++line)) if (ends[line] < textEnd) trailing += '\n';
    }
    if (chomping !== -1) s += leadingBreak;
    if (chomping === 1) s += trailing;
    this.i = line;
    return s;
  }
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** lineStartKind classifies a line with a non-space at column 0: a document marker, a directive or content. */
function lineStartKind(t: string, pos: number, end: number): number {
  const c = t.charCodeAt(pos);
  if (c === 0x25) return BAD; // %YAML, %TAG
  if ((c !== DASH && c !== DOT) || end - pos < 3) return CONTENT;
  if (t.charCodeAt(pos + 1) !== c || t.charCodeAt(pos + 2) !== c) return CONTENT;
  if (end - pos > 3) {
    const d = t.charCodeAt(pos + 3);
    if (d !== SP && d !== TAB) return CONTENT; // `---x` is a plain scalar
  }
  if (c === DOT) return BAD; // document end marker
  let k = pos + 3;
  while (k < end && t.charCodeAt(k) === SP) k++;
  return k === end || t.charCodeAt(k) === HASH ? SEP : BAD;
}

/**
 * fastReadDocuments reads a `---`-separated stream of block-style YAML exactly as goyaml.ts's
 * parseYamlDocuments does (go-yaml v2, then sigs.k8s.io/yaml's JSON trip), or returns undefined
 * when the text uses anything outside the subset described above.
 */
export function fastReadDocuments(text: string): Value[] | undefined {
  if (NOT_FAST.test(text)) return undefined;
  try {
    return new Reader(text).documents();
  } catch {
    // GIVE_UP, a RangeError from deep nesting, or anything unforeseen: the full reader decides
    return undefined;
  }
}
