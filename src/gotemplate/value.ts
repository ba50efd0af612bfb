/**
 * value: the Go value model the template engine and every template function share.
 *
 * Chart values come from YAML through sigs.k8s.io/yaml, so Helm sees JSON-shaped Go values. We map
 * them onto plain JavaScript values, keeping the distinctions that show in Go's output:
 *
 * | Go                          | JavaScript                                             |
 * |-----------------------------|--------------------------------------------------------|
 * | nil (interface{})           | `null` (also `undefined`, treated the same)            |
 * | string                      | `string` (Go strings are bytes: `len`, slicing and     |
 * |                             |  `%.Ns` count UTF-8 bytes, see {@link byteLength})      |
 * | float64 (every YAML number) | `number`                                               |
 * | int (`len`, `int`, `atoi`,  | `bigint`                                               |
 * |  `--set` numbers, integer   |                                                        |
 * |  literals)                  |                                                        |
 * | int64 (`add`, `sub`, `mul`, | {@link GoInt64} (a boxed bigint: `typeOf` says "int64", |
 * |  `max`, `int64`…)           |  and Go's rules on int vs int64 parameters apply)       |
 * | bool                        | `boolean`                                              |
 * | []interface{}               | `Array`                                                |
 * | map[string]interface{}      | plain object (prototype Object.prototype or null)      |
 * | []byte                      | `Uint8Array`                                           |
 * | struct (.Release, .Chart…)  | {@link GoStruct}                                       |
 * | time.Time                   | {@link GoTime}                                         |
 *
 * Maps are unordered in Go: whoever iterates one (range, %v, toYaml, toJson, keys) sorts its keys.
 * Methods on a value (`.Files.Get`, `.Capabilities.APIVersions.Has`) are found through
 * {@link GO_METHODS}: any object or array may carry a record of {@link GoFunc}s under that symbol.
 */

/** Value is any Go value as the template engine sees it. */
export type Value = unknown;

/** GoMap is Go's map[string]interface{}. */
export type GoMap = { [key: string]: Value };

/** GO_METHODS is where a value keeps the Go methods the executor may call on it. */
export const GO_METHODS: unique symbol = Symbol.for('capstan.goMethods');

/**
 * ParamType names the Go parameter types the executor converts arguments to before calling a
 * function, with text/template's rules: an untyped number constant becomes an int or a float64 as
 * the parameter wants; a value of the wrong type is the error
 * `wrong type for value; expected string; got int`.
 */
export type ParamType =
  | 'any' // interface{}: anything, integer literals become int, float literals float64
  | 'string'
  | 'int' // int; accepts bigint and integer constants
  | 'int64'
  | 'duration' // time.Duration: an integer constant, or a time.Duration value (no int, no int64)
  | 'float64' // accepts number and any number constant
  | 'bool'
  | 'map' // map[string]interface{}
  | 'slice' // []interface{}
  | 'strings' // []string
  | 'bytes' // []byte
  | 'time' // time.Time: a GoTime
  // a GoStruct of that Go type, e.g. 'struct:sprig.certificate', 'struct:*semver.Version' (a
  // pointer type, so nil is accepted)
  | `struct:${string}`;

/**
 * GoFunc describes one template function as Go declares it: the parameter types, an optional
 * variadic tail, and whether Go's signature returns an error (the JS function then throws to
 * report it; the executor wraps it as `error calling NAME: MESSAGE`). `fn` receives converted
 * arguments. Functions that need the executor (include, tpl) get it through `this` binding by the
 * engine; everything else is a plain function.
 */
export interface GoFunc {
  fn: (...args: any[]) => Value;
  params: readonly ParamType[];
  variadic?: ParamType;
  /** returnsError: the Go function returns (value, error); an exception is a template error. */
  returnsError?: boolean;
  /** noValue: the function returns nothing useful (Go funcs must return 1 or 2 values; rarely used). */
}

/** FuncMap maps template function names to their Go descriptions, like template.FuncMap. */
export type FuncMap = Record<string, GoFunc>;

/** fn builds a GoFunc; the common case of "interface{} arguments, no error" is `fn(f)`. */
export function goFunc(
  f: (...args: any[]) => Value,
  params?: readonly ParamType[],
  opts: { variadic?: ParamType; returnsError?: boolean } = {},
): GoFunc {
  return { fn: f, params: params ?? Array.from({ length: f.length }, () => 'any' as const), ...opts };
}

/**
 * GoStruct is a Go struct value: named fields in declaration order (printed `{a b}` by %v), a Go
 * type name for errors and `typeOf`, and optional methods. Looking up a missing field on a struct
 * is an error in Go ("can't evaluate field X in type T"), unlike a missing map key.
 */
export class GoStruct {
  readonly goType: string;
  readonly fields: Map<string, Value>;
  readonly [GO_METHODS]?: Record<string, GoFunc>;
  constructor(goType: string, fields: Record<string, Value>, methods?: Record<string, GoFunc>) {
    this.goType = goType;
    this.fields = new Map(Object.entries(fields));
    if (methods) (this as any)[GO_METHODS] = methods;
  }
  /** get returns the field's value, or undefined when the struct has no such field. */
  get(name: string): Value {
    return this.fields.get(name);
  }
  has(name: string): boolean {
    return this.fields.has(name);
  }
}

/** GoTime is time.Time: an instant plus the location it is shown in (UTC or a fixed offset). */
export class GoTime {
  /** ms since the epoch; ns holds the sub-millisecond nanoseconds (0..999999). */
  constructor(
    readonly ms: number,
    readonly ns: number = 0,
    /** offsetSeconds east of UTC and the zone's abbreviation, as Go's Location shows it. */
    readonly offsetSeconds: number = 0,
    readonly zone: string = 'UTC',
  ) {}
}

/**
 * GoInt64 is an int64 (what sprig's integer math returns): `typeOf (add 1 2)` is "int64", an
 * int64 is not assignable to an `int` parameter (nor an int to an `int64` one), and
 * `deepEqual (add 1 2) 3` is false, as in Go. Anything that only needs the number reads it with
 * {@link intValue}; valueOf makes JavaScript arithmetic and ordering see the bigint.
 */
export class GoInt64 {
  constructor(readonly value: bigint) {}
  /** goType is the Go type's name (%T, typeOf); kind its reflect.Kind (kindOf). */
  get goType(): string {
    return 'int64';
  }
  get kind(): string {
    return 'int64';
  }
  valueOf(): bigint {
    return this.value;
  }
  /** toString is fmt's %v: the number (a named type with a String method says that instead). */
  toString(): string {
    return this.value.toString();
  }
}

/**
 * GoNamedInt is a value of a named Go integer type with a String method, such as time.Month
 * ("November", 11) and time.Weekday: %v, print and toString say the name, arithmetic, %d, JSON and
 * YAML the number, and it is an int for eq/lt but assignable to neither int nor int64 parameters.
 */
export class GoNamedInt extends GoInt64 {
  constructor(
    private readonly type: string,
    value: bigint,
    readonly text: string,
  ) {
    super(value);
  }
  override get goType(): string {
    return this.type;
  }
  override get kind(): string {
    return 'int';
  }
  override toString(): string {
    return this.text;
  }
}

/**
 * GoUint8 is a uint8 (a byte: what `index` gives of a string or a []byte): %T and typeOf say
 * uint8, kindOf uint8; it prints, compares and computes as its number, and is assignable to
 * neither int nor int64 parameters, as in Go.
 */
export class GoUint8 extends GoInt64 {
  override get goType(): string {
    return 'uint8';
  }
  override get kind(): string {
    return 'uint8';
  }
}

/** isInt64: v is an int64 (not an int, nor another named integer type such as time.Month). */
export const isInt64 = (v: Value): v is GoInt64 => v instanceof GoInt64 && v.goType === 'int64';

/** int64 makes a Go int64 (wrapping around as int64 arithmetic does). */
export const int64 = (v: bigint): GoInt64 => new GoInt64(BigInt.asIntN(64, v));

/** intValue reads an int64 as its bigint; anything else is returned as it is. */
export function intValue<T>(v: T): Exclude<T, GoInt64> | bigint {
  return (v instanceof GoInt64 ? v.value : v) as Exclude<T, GoInt64> | bigint;
}

export function isMap(v: Value): v is GoMap {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}
export const isSlice = (v: Value): v is Value[] => Array.isArray(v);
/** isInt: an int (bigint) or an int64 ({@link GoInt64}). */
export const isInt = (v: Value): v is bigint | GoInt64 => typeof v === 'bigint' || v instanceof GoInt64;
export const isFloat = (v: Value): v is number => typeof v === 'number';
export const isNil = (v: Value): v is null | undefined => v === null || v === undefined;
export const isBytes = (v: Value): v is Uint8Array => v instanceof Uint8Array;

/** goTypeName is Go's %T (and sprig's typeOf) of v. */
export function goTypeName(v: Value): string {
  if (isNil(v)) return '<nil>';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
    case 'function':
      return 'func';
  }
  if (v instanceof GoInt64) return v.goType;
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof Uint8Array) return '[]uint8';
  if (v instanceof GoStruct) return v.goType;
  if (v instanceof GoTime) return 'time.Time';
  if (isMap(v)) return 'map[string]interface {}';
  return 'interface {}';
}

/** goKindName is reflect.Kind's name (sprig's kindOf): "map", "slice", "string", "float64"... */
export function goKindName(v: Value): string {
  if (isNil(v)) return 'invalid';
  if (Array.isArray(v) || v instanceof Uint8Array) return 'slice';
  if (v instanceof GoStruct || v instanceof GoTime) return 'struct';
  if (isMap(v)) return 'map';
  if (v instanceof GoInt64) return v.kind;
  const t = goTypeName(v);
  return t === 'func' ? 'func' : t;
}

/**
 * isTrue is text/template's truth: the zero value of its type is false (nil, false, 0, "", empty
 * slice or map); structs are always true.
 */
export function isTrue(v: Value): boolean {
  if (isNil(v)) return false;
  if (v instanceof GoInt64) return v.value !== 0n;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'function':
      return true;
  }
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Uint8Array) return v.length > 0;
  if (isMap(v)) {
    for (const _ in v) return true;
    return false;
  }
  return true;
}

const utf8 = new TextEncoder();
/** byteLength is len(s) in Go: the string's UTF-8 length. */
export function byteLength(s: string): number {
  // Fast path: ASCII strings are the overwhelming majority in charts.
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return utf8.encode(s).length;
  return s.length;
}

/** sortedKeys returns a map's keys in Go's order (byte-wise, as fmt and encoding/json sort them). */
export function sortedKeys(m: GoMap): string[] {
  const keys = Object.keys(m);
  return keys.sort(compareGoStrings);
}

/** compareGoStrings orders strings by their UTF-8 bytes, as Go compares strings. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) sort after every BMP code point in UTF-8 order.
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs && !ys && y >= 0xe000) return 1;
      if (ys && !xs && x >= 0xe000) return -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

/**
 * formatFloat formats a float64 like strconv.FormatFloat(f, fmt, prec, 64) for fmt 'g', 'e', 'f'
 * with prec -1 meaning "shortest that round-trips". %v of a float64 is formatFloat(f, 'g', -1):
 * `1e+06`, `3`, `0.5`, `1.23456789e+08`, `1e-05`.
 */
export function formatFloat(f: number, fmt: 'g' | 'e' | 'f' | 'G' | 'E', prec = -1): string {
  // Fast path: %v of the small whole numbers charts are full of (ports, replicas) is their digits.
  if (fmt === 'g' && prec < 0 && Number.isInteger(f) && f < 1e6 && f > -1e6 && !Object.is(f, -0)) return String(f);
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  // digits and decimal exponent: a = 0.d1d2d3... × 10^dp
  let digits: string;
  let dp: number;
  const shortest = prec < 0;
  if (a === 0) {
    digits = '0';
    dp = 1;
  } else if (shortest) {
    const [m, e] = a.toExponential().split('e');
    digits = m.replace('.', '');
    dp = Number(e) + 1;
  } else {
    const nd = fmt === 'f' ? undefined : fmt === 'e' || fmt === 'E' ? prec + 1 : Math.max(prec, 1);
    if (nd !== undefined) {
      const [m, e] = a.toExponential(Math.min(nd - 1, 100)).split('e');
      digits = m.replace('.', '');
      dp = Number(e) + 1;
    } else {
      const s = a.toFixed(Math.min(prec, 100));
      const [ip, fp = ''] = s.split('.');
      digits = (ip === '0' ? '' : ip) + fp;
      dp = ip === '0' ? 0 : ip.length;
      // strip leading zeros of the fraction when the integer part is 0
      const lead = digits.match(/^0*/)![0].length;
      if (lead === digits.length) {
        digits = '0';
        dp = 1;
      } else {
        digits = digits.slice(lead);
        dp -= lead;
      }
    }
  }
  const sign = neg ? '-' : '';
  const upper = fmt === 'G' || fmt === 'E';
  const expStr = (exp: number) => {
    const es = Math.abs(exp) < 10 ? '0' + Math.abs(exp) : String(Math.abs(exp));
    return (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + es;
  };
  const fmtE = (d: string, p: number) => {
    // p: digits after the point (-1: as many as d has)
    let mant = d[0];
    const rest = p < 0 ? d.slice(1) : d.slice(1).padEnd(p, '0').slice(0, p);
    if (rest.length > 0) mant += '.' + rest;
    return mant + expStr(a === 0 ? 0 : dp - 1);
  };
  const fmtF = (d: string, p: number) => {
    // p: digits after the point (-1: as many as needed)
    let ip: string;
    let fp: string;
    if (dp <= 0) {
      ip = '0';
      fp = '0'.repeat(-dp) + d;
    } else if (dp >= d.length) {
      ip = d + '0'.repeat(dp - d.length);
      fp = '';
    } else {
      ip = d.slice(0, dp);
      fp = d.slice(dp);
    }
    if (p >= 0) fp = fp.padEnd(p, '0').slice(0, p);
    return fp.length > 0 ? ip + '.' + fp : ip;
  };
  if (fmt === 'e' || fmt === 'E') return sign + fmtE(digits, shortest ? -1 : prec);
  if (fmt === 'f') {
    if (shortest) return sign + fmtF(digits, Math.max(digits.length - dp, 0));
    return sign + fixedDigits(a, prec);
  }
  // 'g'
  let eprec = shortest ? 6 : prec === 0 ? 1 : prec;
  if (!shortest && eprec > digits.length && digits.length >= dp) eprec = digits.length;
  const exp = dp - 1;
  if (exp < -4 || exp >= eprec) {
    const d = shortest ? digits : digits.replace(/0+$/, '') || '0';
    return sign + fmtE(d, -1);
  }
  const d = shortest ? digits : digits.replace(/0+$/, '') || '0';
  return sign + fmtF(d, Math.max(d.length - dp, 0));
}

function fixedDigits(a: number, prec: number): string {
  if (prec <= 100) return a.toFixed(prec);
  return a.toFixed(100) + '0'.repeat(prec - 100);
}

/**
 * formatV is fmt's %v: `<nil>`, `map[a:1 b:2]` (keys sorted), `[a b]`, `{f1 f2}` for structs,
 * floats as strconv's shortest 'g'. Strings print raw; nested nil prints `<nil>`.
 */
export function formatV(v: Value): string {
  if (isNil(v)) return '<nil>';
  if (v instanceof GoInt64) return v.toString();
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatFloat(v, 'g');
    case 'bigint':
    case 'boolean':
      return String(v);
    case 'function':
      return '0x0';
  }
  if (Array.isArray(v)) return '[' + v.map(formatV).join(' ') + ']';
  if (v instanceof Uint8Array) return '[' + Array.from(v).join(' ') + ']';
  if (v instanceof GoStruct) return '{' + [...v.fields.values()].map(formatV).join(' ') + '}';
  if (v instanceof GoTime) return formatGoTimeString(v);
  if (isMap(v))
    return (
      'map[' +
      sortedKeys(v)
        .map((k) => k + ':' + formatV(v[k]))
        .join(' ') +
      ']'
    );
  return String(v);
}

/** formatGoTimeString is time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST". */
export function formatGoTimeString(t: GoTime): string {
  const d = new Date(t.ms + t.offsetSeconds * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const nanos = (d.getUTCMilliseconds() * 1e6 + t.ns) | 0;
  let frac = '';
  if (nanos !== 0) frac = '.' + String(nanos).padStart(9, '0').replace(/0+$/, '');
  const off = t.offsetSeconds;
  const sgn = off < 0 ? '-' : '+';
  const ao = Math.abs(off);
  return (
    `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${frac} ` +
    `${sgn}${p(Math.floor(ao / 3600))}${p(Math.floor((ao % 3600) / 60))} ${t.zone}`
  );
}
