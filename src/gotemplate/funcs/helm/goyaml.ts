/**
 * goyaml: YAML exactly as Helm reads and writes it.
 *
 * - {@link parseYaml} / {@link parseYamlDocuments}: sigs.k8s.io/yaml.Unmarshal into interface{},
 *   which is how Helm reads values files and what `fromYaml` does: go-yaml v2's YAML 1.1 typing
 *   (yes/no/on/off, 0755, 0x1F, 1_000, `~`), merge keys, anchors, then a trip through JSON, so every
 *   number is a float64 and every key a string (`1: a` → `"1"`, `true: x` → `"true"`).
 * - {@link toYaml}: sigs.k8s.io/yaml.Marshal (json.Marshal, then go-yaml v2 writes the JSON back
 *   as YAML): go-yaml v2's natural key order, quoting, literal blocks, folding at 80 columns and
 *   sequences not indented under their key.
 * - {@link toYamlPretty}: go-yaml v3's encoder with indent 2, straight from the Go values (no JSON
 *   trip: 1000000 prints as 1e+06).
 *
 * Errors carry Go's text so templates (`fromYaml` puts it under `Error`) and values-file failures
 * read as in Helm.
 */
import { parseAllDocuments, isAlias, isMap as isYamlMap, isScalar, isSeq, Scalar, type Document, type Node as YamlNode } from 'yaml';
import { GoStruct, GoTime, formatFloat, isMap, type Value } from '../../value.js';
import { GO_JSON, JSONError, formatJSONFloat, formatRFC3339Nano, setKey } from './gojson.js';
import { isBase60Float, isOldBool, resolvePlain } from './resolve.js';
import { emitYaml, type ScalarStyle, type YNode } from './yamlemit.js';

/**
 * YAMLError is a failure to read YAML, with Go's message (`error converting YAML to JSON: yaml:
 * line 3: mapping values are not allowed in this context`) and the 1-based line when known.
 */
export class YAMLError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'YAMLError';
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

type Scalar_ = YNode & { kind: 'scalar' };

function wellFormed(s: string): string {
  // Go strings are UTF-8; a lone surrogate cannot be encoded and json.Marshal writes U+FFFD.
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function stringNode(s: string, v3: boolean): Scalar_ {
  let style: ScalarStyle;
  if (s.includes('\n')) {
    style = 'literal';
  } else {
    const r = resolvePlain(s, v3);
    const canUsePlain = r.tag === 'str' && !isBase60Float(s) && !(v3 && isOldBool(s));
    style = canUsePlain ? 'plain' : 'double';
  }
  return { kind: 'scalar', value: s, style };
}

const plain = (value: string): Scalar_ => ({ kind: 'scalar', value, style: 'plain' });

/** v2Less is go-yaml v2's keyList.Less for string keys: runs of digits compare as numbers. */
export function yamlKeyLess(a: string, b: string, v3: boolean): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]);
      continue;
    }
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
    if (al || bl) return v3 && digits ? al : bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10n + BigInt(ar[ai].codePointAt(0)! - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10n + BigInt(br[bi].codePointAt(0)! - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
  }
  return ar.length < br.length;
}
const isDigit = (c: string) => /^\p{Nd}$/u.test(c);
const isLetter = (c: string) => /^\p{L}$/u.test(c);

function sortYamlKeys(keys: string[], v3: boolean): string[] {
  return keys.sort((a, b) => (yamlKeyLess(a, b, v3) ? -1 : yamlKeyLess(b, a, v3) ? 1 : 0));
}

/**
 * jsonNumberNode writes a float64 the way it comes back after json.Marshal and go-yaml v2's
 * reading of the JSON text: integers that fit int64 or uint64 print as integers, the rest as
 * strconv's shortest 'g' (`1e+21`, `1.5e-07`).
 */
function jsonNumberNode(f: number): Scalar_ {
  const text = formatJSONFloat(f);
  const r = resolvePlain(text);
  if (r.tag === 'int') return plain(r.value.toString());
  return plain(formatFloat(f, 'g'));
}

/**
 * jsonTripString is a string as go-yaml v2 reads it back from json.Marshal's text. JSON escapes
 * controls below U+0020 but leaves DEL, the C1 controls, U+FFFE and U+FFFF raw, which go-yaml's
 * reader rejects (Marshal fails, toYaml prints ""); a raw NEL is a line break inside the quoted
 * scalar and folds like one (one break → a space, n breaks → n-1 newlines, spaces around dropped).
 */
function jsonTripString(s: string): string {
  s = wellFormed(s);
  if (/[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/.test(s)) {
    throw new YAMLError('yaml: control characters are not allowed');
  }
  if (!s.includes('\u0085')) return s;
  return s.replace(/ *\u0085[ \u0085]*/g, (run) => {
    const breaks = run.split('\u0085').length - 1;
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
  });
}

/** v2Node builds the tree go-yaml v2 sees after sigs.k8s.io/yaml's JSON round trip. */
function v2Node(v: Value, depth: number): YNode {
  if (depth > 10000) throw new JSONError('json: unsupported value: encountered a cycle');
  if (v === null || v === undefined) return plain('null');
  switch (typeof v) {
    case 'string':
      return stringNode(jsonTripString(v), false);
    case 'boolean':
      return plain(String(v));
    case 'bigint':
      return plain(v.toString());
    case 'number':
      return jsonNumberNode(v);
    case 'function':
      throw new JSONError('json: unsupported type: func()');
  }
  const hook = (v as any)[GO_JSON];
  if (typeof hook === 'function') return v2Node(hook.call(v), depth + 1);
  if (Array.isArray(v)) return { kind: 'seq', items: v.map((e) => v2Node(e, depth + 1)) };
  if (v instanceof Uint8Array) return stringNode(Buffer.from(v).toString('base64'), false);
  if (v instanceof GoTime) return stringNode(formatRFC3339Nano(v), false);
  let entries: Array<[string, Value]>;
  if (v instanceof GoStruct) entries = [...v.fields];
  else if (isMap(v)) entries = Object.keys(v).map((k) => [k, v[k]]);
  else throw new JSONError(`json: unsupported type: ${Object.prototype.toString.call(v)}`);
  // JSON object keys are unique; go-yaml re-sorts them with its own order.
  const m = new Map(entries.map(([k, e]) => [jsonTripString(k), e]));
  const keys = sortYamlKeys([...m.keys()], false);
  return { kind: 'map', pairs: keys.map((k) => [stringNode(k, false), v2Node(m.get(k), depth + 1)]) };
}

/** v3Node builds the tree go-yaml v3's encoder makes from Go values directly. */
function v3Node(v: Value, depth: number): YNode {
  if (depth > 10000) throw new YAMLError('yaml: value nested too deeply');
  if (v === null || v === undefined) return plain('null');
  switch (typeof v) {
    case 'string':
      return stringNode(wellFormed(v), true);
    case 'boolean':
      return plain(String(v));
    case 'bigint':
      return plain(v.toString());
    case 'number': {
      const s = formatFloat(v, 'g');
      return plain(s === '+Inf' ? '.inf' : s === '-Inf' ? '-.inf' : s === 'NaN' ? '.nan' : s);
    }
    case 'function':
      throw new YAMLError('yaml: cannot marshal type: func()');
  }
  if (Array.isArray(v)) return { kind: 'seq', items: v.map((e) => v3Node(e, depth + 1)) };
  if (v instanceof Uint8Array) return { kind: 'seq', items: Array.from(v, (b) => plain(String(b))) };
  if (v instanceof GoTime) return plain(formatRFC3339Nano(v));
  let entries: Array<[string, Value]>;
  if (v instanceof GoStruct) entries = [...v.fields].map(([k, e]) => [k.toLowerCase(), e]);
  else if (isMap(v)) entries = Object.keys(v).map((k) => [k, v[k]]);
  else throw new YAMLError(`yaml: cannot marshal type: ${Object.prototype.toString.call(v)}`);
  const m = new Map(entries.map(([k, e]) => [wellFormed(k), e]));
  const keys = v instanceof GoStruct ? [...m.keys()] : sortYamlKeys([...m.keys()], true);
  return { kind: 'map', pairs: keys.map((k) => [stringNode(k, true), v3Node(m.get(k), depth + 1)]) };
}

/**
 * marshalYaml is sigs.k8s.io/yaml.Marshal(v): the YAML text with its final newline. Throws
 * {@link JSONError} where json.Marshal fails (NaN, ±Inf) and {@link YAMLError} where go-yaml cannot
 * read the JSON back (DEL and other raw control characters in strings).
 *
 * @example marshalYaml({ b: [1, 'yes'], a: '' }) // 'a: ""\nb:\n- 1\n- "yes"\n'
 */
export function marshalYaml(v: Value): string {
  let root: YNode;
  try {
    root = v2Node(v, 0);
  } catch (e) {
    // sigs.k8s.io/yaml wraps json.Marshal's error; go-yaml's own comes through bare.
    if (e instanceof JSONError) throw new JSONError(`error marshaling into JSON: ${e.message}`, undefined, { cause: e });
    throw e;
  }
  return emitYaml(root, { v3: false, bestIndent: 2, bestWidth: 80 });
}

/** toYaml is Helm's `toYaml`: {@link marshalYaml} without the final newline, "" on error. */
export function toYaml(v: Value): string {
  try {
    return marshalYaml(v).replace(/\n$/, '');
  } catch (e) {
    if (e instanceof JSONError || e instanceof YAMLError) return '';
    throw e;
  }
}

/** mustToYaml is Helm's `mustToYaml`: like {@link toYaml} but a marshal error is thrown. */
export function mustToYaml(v: Value): string {
  return marshalYaml(v).replace(/\n$/, '');
}

/**
 * toYamlPretty is Helm's `toYamlPretty`: go-yaml v3's Encoder with SetIndent(2) on the value as it
 * is (floats stay floats: `1e+06`), sequences indented under their key, no line folding.
 */
export function toYamlPretty(v: Value): string {
  try {
    return emitYaml(v3Node(v, 0), { v3: true, bestIndent: 2, bestWidth: Infinity }).replace(/\n$/, '');
  } catch (e) {
    if (e instanceof YAMLError) return '';
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/** ParseTarget is the Go variable sigs.k8s.io/yaml.Unmarshal decodes into. */
export type ParseTarget = 'any' | 'map' | 'slice';

const GO_TARGET: Record<ParseTarget, string> = {
  any: 'interface {}',
  map: 'map[string]interface {}',
  slice: '[]interface {}',
};

/**
 * parseYaml is sigs.k8s.io/yaml.Unmarshal(text, &target) for the first document of text: go-yaml
 * v2's reading converted through JSON (numbers float64, keys strings). An empty document is nil,
 * or an empty map/slice for those targets. Throws {@link YAMLError} with Go's message.
 *
 * @example parseYaml('port: 0755\non: yes') // { port: 493, true: true }
 */
export function parseYaml(text: string, target: ParseTarget = 'any'): Value {
  const docs = readDocuments(text, true);
  return fitTarget(docs.length ? docs[0] : null, target);
}

/**
 * parseYamlDocuments reads every document of a `---`-separated stream, each as {@link parseYaml}
 * reads one (empty documents are nil).
 */
export function parseYamlDocuments(text: string): Value[] {
  return readDocuments(text, false);
}

function fitTarget(v: Value, target: ParseTarget): Value {
  if (v === null) return target === 'map' ? {} : target === 'slice' ? [] : null;
  const ok = target === 'any' || (target === 'map' ? isMap(v) : Array.isArray(v));
  if (!ok) {
    const kind = Array.isArray(v) ? 'array' : isMap(v) ? 'object' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'string';
    throw new YAMLError(
      `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go value of type ${GO_TARGET[target]}`,
    );
  }
  return v;
}

function convError(msg: string, line?: number, cause?: unknown): YAMLError {
  const where = line !== undefined && line > 0 ? `line ${line}: ` : '';
  return new YAMLError(`error converting YAML to JSON: yaml: ${where}${msg}`, line, { cause });
}

/** checkControlCharacters is go-yaml's reader check, which runs before any parsing. */
function checkControlCharacters(text: string): void {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const ok =
      c === 0x09 ||
      c === 0x0a ||
      c === 0x0d ||
      (c >= 0x20 && c <= 0x7e) ||
      c === 0x85 ||
      (c >= 0xa0 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd) ||
      c >= 0x10000;
    if (!ok) throw new YAMLError('error converting YAML to JSON: yaml: control characters are not allowed');
  }
}

function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** endLine0 is the 0-based line go-yaml's scanner puts the end of the stream on. */
function endLine0(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return text.length > 0 && !text.endsWith('\n') ? n + 1 : n;
}

/**
 * goParseError translates the first error of the `yaml` package into go-yaml's message. go-yaml
 * reports scanner errors with the 1-based line and parser errors with the 0-based one, and leaves
 * the line out when that number is 0; we follow the same arithmetic from the position where the
 * problem shows.
 */
function goParseError(text: string, err: { code: string; message: string; pos: [number, number] }): YAMLError {
  const at = err.pos[0];
  const L = lineAt(text, at);
  const scanner = (msg: string, line = L) => convError(msg, line > 1 ? line : undefined, err);
  const parser = (msg: string, line0 = L - 1) => convError(msg, line0, err);
  switch (err.code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY': {
      // go-yaml stops at the second ": " of the line or of the folded scalar.
      const rest = text.slice(at);
      const m = /:(?=[ \t\r\n]|$)/.exec(rest);
      if (err.code === 'MULTILINE_IMPLICIT_KEY' && (!m || /^\s*-[ \n]/m.test(rest.slice(0, m.index)))) {
        return parser('did not find expected key');
      }
      return scanner('mapping values are not allowed in this context', lineAt(text, at + (m ? m.index : 0)));
    }
    case 'BAD_INDENT':
      if (/^Flow sequence/.test(err.message)) return parser("did not find expected ',' or ']'", endLine0(text));
      if (/^Flow map/.test(err.message)) return parser("did not find expected ',' or '}'", endLine0(text));
      return parser(previousIsSequenceItem(text, at) ? "did not find expected '-' indicator" : 'did not find expected key');
    case 'MISSING_CHAR':
      if (/quote/.test(err.message)) {
        const nl = text.split('\n').length - 1;
        return scanner('found unexpected end of stream', nl + 1);
      }
      return parser('did not find expected key');
    case 'TAB_AS_INDENT':
    case 'BAD_SCALAR_START':
      return scanner('found character that cannot start any token');
    case 'BAD_DQ_ESCAPE':
      return scanner('found unknown escape character');
    case 'UNEXPECTED_TOKEN':
      if (/at node end/.test(err.message) && previousIsSequenceItem(text, at)) return parser("did not find expected '-' indicator");
      return parser('did not find expected key');
    default:
      return parser('did not find expected key');
  }
}

function previousIsSequenceItem(text: string, at: number): boolean {
  const before = text.slice(0, at).replace(/\n[^\n]*$/, '');
  const lines = before.split('\n').filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
  const last = lines[lines.length - 1];
  if (last === undefined) return false;
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const col = /^ */.exec(text.slice(lineStart))![0].length;
  const m = /^(\s*)- /.exec(last) ?? /^(\s*)-$/.exec(last);
  return m !== null && m[1].length === col;
}

function readDocuments(text: string, firstOnly: boolean): Value[] {
  checkControlCharacters(text);
  // go-yaml's reader turns NEL into a line break before scanning.
  text = text.replace(/\u0085/g, '\n');
  const parsed = parseAllDocuments(text, {
    version: '1.1',
    schema: 'failsafe',
    uniqueKeys: false,
    merge: false,
    strict: false,
    prettyErrors: false,
  });
  const docs: Document.Parsed[] = Array.isArray(parsed) ? parsed : [];
  const stream = parsed as unknown as { errors?: unknown[] };
  if (!Array.isArray(parsed) && stream.errors?.length) throw goParseError(text, stream.errors[0] as any);
  const out: Value[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) throw goParseError(text, err as any);
    out.push(toJSONValue(new Reader(doc, text).node(doc.contents)));
    if (firstOnly) break;
  }
  return out;
}

/** Go is a value as go-yaml v2 decodes into interface{}, before the JSON trip. */
type GoYaml = null | string | boolean | number | { int: bigint; unsigned: boolean } | GoYaml[] | GoYamlMap;
class GoYamlMap {
  // keys keep their Go type until sigs.k8s.io/yaml turns them into strings
  entries = new Map<string, { key: GoYaml; value: GoYaml }>();
  set(key: GoYaml, value: GoYaml): void {
    const id = typeof key === 'string' ? 's:' + key : 'k:' + goKeyId(key);
    this.entries.delete(id);
    this.entries.set(id, { key, value });
  }
}
function goKeyId(k: GoYaml): string {
  if (k !== null && typeof k === 'object' && 'int' in k) return 'i' + k.int;
  return typeof k + ':' + String(k);
}

const BINARY_TAG = 'tag:yaml.org,2002:binary';

class Reader {
  private aliasDepth = 0;
  constructor(
    private readonly doc: Document.Parsed,
    private readonly text: string,
  ) {}

  node(n: unknown): GoYaml {
    if (n === null || n === undefined) return null;
    if (isAlias(n)) {
      const target = n.resolve(this.doc);
      if (!target) throw new YAMLError(`error converting YAML to JSON: yaml: unknown anchor '${n.source}' referenced`);
      if (++this.aliasDepth > 1000) throw convError('document contains excessive aliasing');
      try {
        return this.node(target);
      } finally {
        this.aliasDepth--;
      }
    }
    if (isScalar(n)) return this.scalar(n);
    if (isSeq(n)) return n.items.map((e) => this.node(e));
    if (isYamlMap(n)) {
      const m = new GoYamlMap();
      for (const pair of n.items) {
        const k = pair.key as YamlNode | null;
        if (k && isScalar(k) && k.type === 'PLAIN' && k.value === '<<' && (!k.tag || k.tag === 'tag:yaml.org,2002:merge')) {
          this.merge(pair.value, m);
          continue;
        }
        const key = this.node(k);
        if (Array.isArray(key) || key instanceof GoYamlMap) throw convError(`invalid map key: ${goSyntaxDeep(key)}`);
        m.set(key, this.node(pair.value));
      }
      return m;
    }
    return null;
  }

  private merge(v: unknown, into: GoYamlMap): void {
    const want = () => convError('map merge requires map or sequence of maps as the value');
    const one = (n: unknown) => {
      const g = this.node(n);
      if (!(g instanceof GoYamlMap)) throw want();
      for (const { key, value } of g.entries.values()) into.set(key, value);
    };
    const target = isAlias(v) ? v.resolve(this.doc) : v;
    if (isSeq(v)) {
      for (let i = v.items.length - 1; i >= 0; i--) one(v.items[i]);
    } else if (isYamlMap(target)) {
      one(v);
    } else {
      throw want();
    }
  }

  private scalar(n: Scalar): GoYaml {
    let s = String(n.value ?? '');
    // A block scalar that runs into the end of a stream with no final line break has no break to
    // keep: go-yaml's value ends without one (the yaml package adds it).
    if ((n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED') && n.range && n.range[1] >= this.text.length) {
      if (!/[\r\n]$/.test(this.text)) s = s.replace(/\n$/, '');
    }
    const tag = n.tag;
    if (tag) return this.tagged(s, tag, n.type === 'PLAIN');
    if (n.type !== 'PLAIN') return s;
    const r = resolvePlain(s);
    switch (r.tag) {
      case 'int':
        return { int: r.value, unsigned: r.unsigned };
      case 'timestamp':
      case 'merge':
        return s;
      default:
        return r.value;
    }
  }

  private tagged(s: string, tag: string, plainText: boolean): GoYaml {
    const short = tag.replace(/^tag:yaml\.org,2002:/, '!!');
    switch (short) {
      case '!!str':
        return s;
      case '!!binary':
        return Buffer.from(s.replace(/\s+/g, ''), 'base64').toString('latin1');
      case '!!null':
      case '!!bool':
      case '!!int':
      case '!!float':
      case '!!timestamp': {
        const r = resolvePlain(s);
        const want = short.slice(2);
        if (r.tag === want || (want === 'float' && r.tag === 'int')) {
          if (r.tag === 'int') return want === 'float' ? Number(r.value) : { int: r.value, unsigned: r.unsigned };
          return r.tag === 'timestamp' ? s : (r.value as GoYaml);
        }
        throw convError(`cannot decode !!str \`${s}\` as a ${short}`);
      }
      default:
        if (tag === BINARY_TAG) return s;
        return plainText ? this.scalar(new Scalar(s)) : s;
    }
  }
}

function goKeyString(k: GoYaml, value: GoYaml): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  if (typeof k === 'number') {
    // sigs.k8s.io/yaml formats float keys with 32-bit precision.
    return shortestFloat32(k);
  }
  if (k !== null && typeof k === 'object' && 'int' in k && !k.unsigned) return k.int.toString();
  const t = k === null ? '%!s(<nil>)' : typeof k === 'object' && 'int' in k ? 'uint64' : Array.isArray(k) ? '[]interface {}' : 'map[interface {}]interface {}';
  const kv = k === null ? '<nil>' : typeof k === 'object' && 'int' in k ? '0x' + k.int.toString(16) : '…';
  throw new YAMLError(`error converting YAML to JSON: unsupported map key of type: ${t}, key: ${kv}, value: ${goSyntax(value)}`);
}

/** goSyntaxDeep is %#v of a decoded value, as go-yaml's "invalid map key" shows it. */
function goSyntaxDeep(v: GoYaml): string {
  if (Array.isArray(v)) return '[]interface {}{' + v.map(goSyntaxDeep).join(', ') + '}';
  if (v instanceof GoYamlMap) {
    const parts = [...v.entries.values()].map(({ key, value }) => goSyntaxDeep(key) + ':' + goSyntaxDeep(value));
    return 'map[interface {}]interface {}{' + parts.join(', ') + '}';
  }
  if (v === null) return 'interface {}(nil)';
  if (typeof v === 'number') return formatFloat(v, 'g');
  return goSyntax(v);
}

function goSyntax(v: GoYaml): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return '<nil>';
  if (typeof v === 'number') return formatFloat(v, 'g');
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'object' && 'int' in v) return v.int.toString();
  return '…';
}

/** shortestFloat32 is strconv.FormatFloat(f, 'g', -1, 32): the shortest digits that round-trip as float32. */
function shortestFloat32(f: number): string {
  if (!Number.isFinite(f)) return f > 0 ? '.inf' : f < 0 ? '-.inf' : '.nan';
  const f32 = Math.fround(f);
  for (let p = 1; p <= 17; p++) {
    const s = f32.toPrecision(p);
    if (Math.fround(Number(s)) === f32) return formatFloat(Number(s), 'g');
  }
  return formatFloat(f32, 'g');
}

/** toJSONValue is the JSON trip of sigs.k8s.io/yaml: ints become float64, keys strings. */
function toJSONValue(g: GoYaml): Value {
  if (g === null || typeof g === 'string' || typeof g === 'boolean') return g;
  if (typeof g === 'number') {
    if (!Number.isFinite(g)) throw new YAMLError(`error converting YAML to JSON: json: unsupported value: ${formatFloat(g, 'g')}`);
    return g;
  }
  if (Array.isArray(g)) return g.map(toJSONValue);
  if (g instanceof GoYamlMap) {
    const out: Record<string, Value> = {};
    for (const { key, value } of g.entries.values()) setKey(out, goKeyString(key, value), toJSONValue(value));
    return out;
  }
  return Number(g.int);
}
