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
import { GoStruct, GoTime, formatFloat, isMap, type Value, intValue } from '../../value.js';
import { GO_JSON, JSONError, cycleError, formatJSONFloat, formatRFC3339Nano, setKey } from './gojson.js';
import { isBase60Float, isOldBool, resolvePlain } from './resolve.js';
import { emitYaml, type ScalarStyle, type YNode } from './yamlemit.js';
import { fastReadDocuments } from './yamlfast.js';
import { YAMLSyntaxError, parseYamlNodes, type YamlNode } from './yamlparse.js';

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

/**
 * yamlKeyLess is go-yaml's keyList.Less for string keys (v2, or v3 with its digit rule): runs of
 * digits compare as numbers, letters sort after other characters. Keys are compared as code point
 * arrays, like Go's []rune.
 */
export function yamlKeyLess(a: string, b: string, v3: boolean): boolean {
  return runesLess(Array.from(a, cp), Array.from(b, cp), v3);
}
const cp = (c: string) => c.codePointAt(0)!;

function runesLess(ar: number[], br: number[], v3: boolean): boolean {
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = isDigit(ar[i]);
      continue;
    }
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return v3 && digits ? al : bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === 0x30 || br[i] === 0x30) {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== 0x30) {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10n + BigInt(ar[ai] - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10n + BigInt(br[bi] - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.length < br.length;
}
const isDigit = (c: number) => (c < 0x80 ? c >= 0x30 && c <= 0x39 : /^\p{Nd}$/u.test(String.fromCodePoint(c)));
const isLetter = (c: number) =>
  c < 0x80 ? (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) : /^\p{L}$/u.test(String.fromCodePoint(c));

function sortYamlKeys(keys: string[], v3: boolean): string[] {
  const runes = new Map(keys.map((k) => [k, Array.from(k, cp)]));
  return keys.sort((a, b) => {
    const ra = runes.get(a)!;
    const rb = runes.get(b)!;
    return runesLess(ra, rb, v3) ? -1 : runesLess(rb, ra, v3) ? 1 : 0;
  });
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
function v2Node(v: Value, path: Set<object>): YNode {
  v = intValue(v);
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
  if (typeof hook === 'function') return v2Node(hook.call(v), path);
  if (path.has(v)) throw cycleError(v);
  path.add(v);
  try {
    return v2Collection(v, path);
  } finally {
    path.delete(v);
  }
}

function v2Collection(v: object, path: Set<object>): YNode {
  if (Array.isArray(v)) return { kind: 'seq', items: v.map((e) => v2Node(e, path)) };
  if (v instanceof Uint8Array) return stringNode(Buffer.from(v).toString('base64'), false);
  if (v instanceof GoTime) return stringNode(formatRFC3339Nano(v), false);
  let entries: Array<[string, Value]>;
  if (v instanceof GoStruct) entries = [...v.fields];
  else if (isMap(v)) entries = Object.keys(v).map((k) => [k, v[k]]);
  else throw new JSONError(`json: unsupported type: ${Object.prototype.toString.call(v)}`);
  // JSON object keys are unique; go-yaml re-sorts them with its own order.
  const m = new Map(entries.map(([k, e]) => [jsonTripString(k), e]));
  const keys = sortYamlKeys([...m.keys()], false);
  return { kind: 'map', pairs: keys.map((k) => [stringNode(k, false), v2Node(m.get(k), path)]) };
}

/** v3Node builds the tree go-yaml v3's encoder makes from Go values directly. */
function v3Node(v: Value, path: Set<object>): YNode {
  v = intValue(v);
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
  if (path.has(v)) throw new YAMLError('yaml: value contains itself');
  path.add(v);
  try {
    return v3Collection(v, path);
  } finally {
    path.delete(v);
  }
}

function v3Collection(v: object, path: Set<object>): YNode {
  if (Array.isArray(v)) return { kind: 'seq', items: v.map((e) => v3Node(e, path)) };
  if (v instanceof Uint8Array) return { kind: 'seq', items: Array.from(v, (b) => plain(String(b))) };
  if (v instanceof GoTime) return plain(formatRFC3339Nano(v));
  let entries: Array<[string, Value]>;
  if (v instanceof GoStruct) entries = [...v.fields].map(([k, e]) => [k.toLowerCase(), e]);
  else if (isMap(v)) entries = Object.keys(v).map((k) => [k, v[k]]);
  else throw new YAMLError(`yaml: cannot marshal type: ${Object.prototype.toString.call(v)}`);
  const m = new Map(entries.map(([k, e]) => [wellFormed(k), e]));
  const keys = v instanceof GoStruct ? [...m.keys()] : sortYamlKeys([...m.keys()], true);
  return { kind: 'map', pairs: keys.map((k) => [stringNode(k, true), v3Node(m.get(k), path)]) };
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
    root = v2Node(v, new Set());
  } catch (e) {
    if (e instanceof RangeError)
      throw new JSONError('error marshaling into JSON: json: unsupported value: nested too deeply', undefined, {
        cause: e,
      });
    // sigs.k8s.io/yaml wraps json.Marshal's error; go-yaml's own comes through bare.
    if (e instanceof JSONError)
      throw new JSONError(`error marshaling into JSON: ${e.message}`, undefined, { cause: e });
    throw e;
  }
  try {
    return emitYaml(root, { v3: false, bestIndent: 2, bestWidth: 80 });
  } catch (e) {
    if (e instanceof RangeError) throw new YAMLError('yaml: value nested too deeply', undefined, { cause: e });
    throw e;
  }
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
    return emitYaml(v3Node(v, new Set()), { v3: true, bestIndent: 2, bestWidth: Infinity }).replace(/\n$/, '');
  } catch (e) {
    if (e instanceof YAMLError || e instanceof RangeError) return '';
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
 * or an empty map/slice for those targets. `opts.shape` gives the Go types of a typed target such
 * as Chart.yaml's (see {@link YamlShape}). Throws {@link YAMLError} with Go's message.
 *
 * @example parseYaml('port: 0755\non: yes') // { port: 493, true: true }
 */
export function parseYaml(text: string, target: ParseTarget = 'any', opts: { shape?: YamlShape } = {}): Value {
  const docs = readDocuments(text, true, opts.shape);
  return fitTarget(docs.length ? docs[0] : null, target);
}

/**
 * parseYamlDocuments reads every document of a `---`-separated stream, each as {@link parseYaml}
 * reads one (empty documents are nil).
 */
export function parseYamlDocuments(text: string, opts: { shape?: YamlShape } = {}): Value[] {
  return readDocuments(text, false, opts.shape);
}

function fitTarget(v: Value, target: ParseTarget): Value {
  if (v === null) return target === 'map' ? {} : target === 'slice' ? [] : null;
  const ok = target === 'any' || (target === 'map' ? isMap(v) : Array.isArray(v));
  if (!ok) {
    const kind = Array.isArray(v)
      ? 'array'
      : isMap(v)
        ? 'object'
        : typeof v === 'number'
          ? 'number'
          : typeof v === 'boolean'
            ? 'bool'
            : 'string';
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
  // Allowed: tab, LF, CR, printable ASCII, NEL, U+00A0–U+D7FF, U+E000–U+FFFD and the astral planes
  // (surrogate pairs here).
  if (/[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ud800-\udfff\ue000-\ufffd]/.test(text)) {
    throw new YAMLError('error converting YAML to JSON: yaml: control characters are not allowed');
  }
}

/**
 * parseYamlDocumentsFull is {@link parseYamlDocuments} without the fast path: always the go-yaml
 * port. It is the reference the fast reader is tested and measured against.
 */
export function parseYamlDocumentsFull(text: string): Value[] {
  return readDocuments(text, false, 'any', false);
}

function readDocuments(text: string, firstOnly: boolean, shape: YamlShape = 'any', fast = true): Value[] {
  if (fast && shape === 'any') {
    // Block-style manifests: the fast reader gives the same values, or gives up (always on the
    // characters checkControlCharacters rejects).
    const docs = fastReadDocuments(text);
    if (docs !== undefined) return firstOnly ? docs.slice(0, 1) : docs;
  }
  checkControlCharacters(text);
  let nodes: YamlNode[];
  try {
    nodes = parseYamlNodes(text, firstOnly);
  } catch (e) {
    if (e instanceof YAMLSyntaxError) {
      throw new YAMLError(`error converting YAML to JSON: yaml: ${e.message}`, e.line || undefined, { cause: e });
    }
    // go-yaml allows 10000 levels of nesting; our recursive reader runs out of stack before that.
    if (e instanceof RangeError) throw convError('document nested too deeply', undefined, e);
    throw e;
  }
  try {
    return nodes.map((n) => toJSONValue(new Decoder().decode(n), shape));
  } catch (e) {
    if (e instanceof RangeError) throw convError('document nested too deeply', undefined, e);
    throw e;
  }
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

const TAG = 'tag:yaml.org,2002:';
const RESOLVABLE = new Set([
  '',
  TAG + 'str',
  TAG + 'bool',
  TAG + 'int',
  TAG + 'float',
  TAG + 'null',
  TAG + 'timestamp',
]);
const shortTag = (t: string) => (t.startsWith(TAG) ? '!!' + t.slice(TAG.length) : t);

function allowedAliasRatio(decodeCount: number): number {
  const low = 400000;
  const high = 4000000;
  if (decodeCount <= low) return 0.99;
  if (decodeCount >= high) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - low) / (high - low));
}

/** Decoder is go-yaml v2's decoder into interface{} (maps keyed by Go values, merges, aliases). */
class Decoder {
  private active = new Set<YamlNode>();
  private decodeCount = 0;
  private aliasCount = 0;
  private aliasDepth = 0;

  decode(n: YamlNode): GoYaml {
    // go-yaml's guard against alias bombs ("billion laughs"): past 1000 decodes, aliases may make
    // up at most 99% of them, falling to 10% for documents of millions of nodes.
    this.decodeCount++;
    if (this.aliasDepth > 0) this.aliasCount++;
    if (
      this.aliasCount > 100 &&
      this.decodeCount > 1000 &&
      this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)
    ) {
      throw convError('document contains excessive aliasing');
    }
    switch (n.kind) {
      case 'alias': {
        if (this.active.has(n)) throw convError(`anchor '${n.name}' value contains itself`);
        this.active.add(n);
        this.aliasDepth++;
        try {
          return this.decode(n.target);
        } finally {
          this.aliasDepth--;
          this.active.delete(n);
        }
      }
      case 'scalar':
        return this.scalar(n);
      case 'seq':
        return n.items.map((e) => this.decode(e));
      case 'map': {
        const m = new GoYamlMap();
        this.mapInto(n, m);
        return m;
      }
    }
  }

  private mapInto(n: YamlNode & { kind: 'map' }, m: GoYamlMap): void {
    for (const [k, v] of n.pairs) {
      if (k.kind === 'scalar' && k.value === '<<' && (k.implicit || k.tag === TAG + 'merge')) {
        this.merge(v, m);
        continue;
      }
      const key = this.decode(k);
      if (Array.isArray(key) || key instanceof GoYamlMap) throw convError(`invalid map key: ${goSyntaxDeep(key)}`);
      m.set(key, this.decode(v));
    }
  }

  private merge(n: YamlNode, into: GoYamlMap): void {
    const want = () => convError('map merge requires map or sequence of maps as the value');
    const one = (e: YamlNode) => {
      const target = e.kind === 'alias' ? e.target : e;
      if (target.kind !== 'map') throw want();
      const g = this.decode(e) as GoYamlMap;
      for (const { key, value } of g.entries.values()) into.set(key, value);
    };
    if (n.kind === 'map' || n.kind === 'alias') one(n);
    else if (n.kind === 'seq') for (let i = n.items.length - 1; i >= 0; i--) one(n.items[i]);
    else throw want();
  }

  private scalar(n: YamlNode & { kind: 'scalar' }): GoYaml {
    if (n.tag === '' && !n.implicit) return n.value;
    if (n.tag === TAG + 'binary') {
      const b64 = n.value.replace(/[\r\n]/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0)
        throw convError('!!binary value contains invalid base64 data');
      return Buffer.from(b64, 'base64').toString('latin1');
    }
    if (!RESOLVABLE.has(n.tag)) return n.value;
    const r = n.tag === TAG + 'str' ? ({ tag: 'str', value: n.value } as const) : resolvePlain(n.value);
    const want = n.tag === '' ? r.tag : n.tag.slice(TAG.length);
    if (r.tag !== want && !(want === 'float' && r.tag === 'int')) {
      throw convError(`cannot decode ${shortTag(TAG + r.tag)} \`${n.value}\` as a ${shortTag(n.tag)}`);
    }
    switch (r.tag) {
      case 'int':
        return want === 'float' ? Number(r.value) : { int: r.value, unsigned: r.unsigned };
      case 'timestamp':
      case 'merge':
        return n.value;
      default:
        return r.value;
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
  const t =
    k === null
      ? '%!s(<nil>)'
      : typeof k === 'object' && 'int' in k
        ? 'uint64'
        : Array.isArray(k)
          ? '[]interface {}'
          : 'map[interface {}]interface {}';
  const kv = k === null ? '<nil>' : typeof k === 'object' && 'int' in k ? '0x' + k.int.toString(16) : '…';
  throw new YAMLError(
    `error converting YAML to JSON: unsupported map key of type: ${t}, key: ${kv}, value: ${goSyntax(value)}`,
  );
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

/**
 * YamlShape describes the Go type sigs.k8s.io/yaml decodes into, where it matters: a number or
 * boolean headed for a Go string field is turned into text before the JSON step (`appVersion: 1.10`
 * in Chart.yaml reads as "1.1", `12345678` as "12345678", `yes` as "true"). `fields` is a struct
 * (JSON names, matched exactly first, then case-insensitively as encoding/json does), `items` a
 * slice, `values` a map; anything not described is interface{}.
 */
export type YamlShape =
  'string' | 'any' | { fields: Record<string, YamlShape> } | { items: YamlShape } | { values: YamlShape };

function fieldShape(shape: YamlShape, key: string): YamlShape {
  if (typeof shape === 'string') return 'any';
  if ('values' in shape) return shape.values;
  if ('fields' in shape) {
    if (Object.prototype.hasOwnProperty.call(shape.fields, key)) return shape.fields[key];
    const lower = key.toLowerCase();
    for (const k of Object.keys(shape.fields)) if (k.toLowerCase() === lower) return shape.fields[k];
  }
  return 'any';
}

/** toJSONValue is the JSON trip of sigs.k8s.io/yaml: ints become float64, keys strings. */
function toJSONValue(g: GoYaml, shape: YamlShape = 'any'): Value {
  if (shape === 'string') {
    // sigs.k8s.io/yaml's convertToJSONableObject, for a string target
    if (typeof g === 'boolean') return g ? 'true' : 'false';
    if (typeof g === 'number') return shortestFloat32(g);
    if (g !== null && typeof g === 'object' && 'int' in g) return g.int.toString();
  }
  if (g === null || typeof g === 'string' || typeof g === 'boolean') return g;
  if (typeof g === 'number') {
    if (!Number.isFinite(g))
      throw new YAMLError(`error converting YAML to JSON: json: unsupported value: ${formatFloat(g, 'g')}`);
    return g;
  }
  if (Array.isArray(g)) {
    const item = typeof shape === 'object' && 'items' in shape ? shape.items : 'any';
    return g.map((e) => toJSONValue(e, item));
  }
  if (g instanceof GoYamlMap) {
    const out: Record<string, Value> = {};
    for (const { key, value } of g.entries.values()) {
      const k = goKeyString(key, value);
      setKey(out, k, toJSONValue(value, fieldShape(shape, k)));
    }
    return out;
  }
  return Number(g.int);
}
