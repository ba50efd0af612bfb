/**
 * semver: Sprig's `semver` and `semverCompare`, with Masterminds/semver v3's parsing, ordering and
 * constraint language as Helm 4 ships it.
 *
 * Versions parse loosely (`v1`, `1.2`, leading zeros in numbers are accepted and dropped) but
 * prerelease and metadata identifiers are validated. Constraints are `||`-separated groups of
 * comma- or space-separated comparisons (`=`, `!=`, `>`, `<`, `>=`, `=>`, `<=`, `=<`, `~`, `~>`, `^`,
 * bare versions), with wildcards (`1.2.x`, `*`) and hyphen ranges (`1.2 - 2.0`). A version with a
 * prerelease only satisfies a group in which some comparison names a prerelease itself, which is why
 * charts write `semverCompare ">=1.21-0" .Capabilities.KubeVersion.GitVersion` (GKE and EKS
 * versions such as `v1.30.2-gke.100` are prereleases to semver).
 *
 * The template value of `semver` is a `*semver.Version`: a GoStruct whose methods (Major, Minor,
 * Patch, Prerelease, Metadata, Original, String, IncPatch, Compare, LessThan…) the template calls;
 * like Go, methods with a pointer receiver (Original, Compare, LessThan…) are missing on the
 * `semver.Version` values IncPatch and friends return.
 */
import { GoStruct, goFunc, goTypeName, type FuncMap, type GoFunc, type Value } from '../../value.js';
import { compileGo } from './regex.js';

/** SemverError is a version or constraint that Masterminds/semver rejects; `input` is what was given. */
export class SemverError extends Error {
  constructor(
    message: string,
    readonly input: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SemverError';
  }
}

const ErrInvalidSemVer = 'invalid semantic version';
const ErrSegmentStartsZero = 'version segment starts with 0';
const ErrInvalidPrerelease = 'invalid prerelease string';
const ErrInvalidMetadata = 'invalid metadata string';

/** Version is a parsed semantic version. Numbers are uint64, so they are bigints. */
export interface Version {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: string;
  readonly metadata: string;
  readonly original: string;
}

const VERSION_RE =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;
const UINT64_MAX = (1n << 64n) - 1n;

function parseUint(s: string, input: string): bigint {
  const n = BigInt(s);
  if (n > UINT64_MAX) {
    throw new SemverError(
      `error parsing version segment: strconv.ParseUint: parsing "${s}": value out of range`,
      input,
    );
  }
  return n;
}

function validatePrerelease(p: string, input: string): void {
  for (const part of p.split('.')) {
    if (part === '') throw new SemverError(ErrInvalidPrerelease, input);
    if (/^[0-9]+$/.test(part)) {
      if (part.length > 1 && part[0] === '0') throw new SemverError(ErrSegmentStartsZero, input);
    } else if (!/^[0-9A-Za-z-]+$/.test(part)) throw new SemverError(ErrInvalidPrerelease, input);
  }
}

function validateMetadata(m: string, input: string): void {
  for (const part of m.split('.')) if (!/^[0-9A-Za-z-]+$/.test(part)) throw new SemverError(ErrInvalidMetadata, input);
}

/**
 * parseVersion is semver.NewVersion: `v1.2` is 1.2.0, `01.2.3` is 1.2.3, `1.2.3-01` is an error.
 * @throws SemverError with Masterminds' message ("invalid semantic version", …).
 */
export function parseVersion(s: string): Version {
  const m = VERSION_RE.exec(s);
  if (!m) throw new SemverError(ErrInvalidSemVer, s);
  const v: Version = {
    major: parseUint(m[1], s),
    minor: m[2] ? parseUint(m[2].slice(1), s) : 0n,
    patch: m[3] ? parseUint(m[3].slice(1), s) : 0n,
    pre: m[5] ?? '',
    metadata: m[8] ?? '',
    original: s,
  };
  if (v.pre !== '') validatePrerelease(v.pre, s);
  if (v.metadata !== '') validateMetadata(v.metadata, s);
  return v;
}

/** versionString is Version.String(): no `v`, prerelease and metadata kept. */
export function versionString(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}` + (v.pre ? '-' + v.pre : '') + (v.metadata ? '+' + v.metadata : '');
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return -1;
  if (o === '') return 1;
  const sn = /^[0-9]+$/.test(s) && BigInt(s) <= UINT64_MAX;
  const on = /^[0-9]+$/.test(o) && BigInt(o) <= UINT64_MAX;
  if (!sn && !on) return s > o ? 1 : -1;
  if (!on) return -1;
  if (!sn) return 1;
  return BigInt(s) > BigInt(o) ? 1 : -1;
}

function comparePrerelease(a: string, b: string): number {
  const sp = a.split('.');
  const op = b.split('.');
  for (let i = 0; i < Math.max(sp.length, op.length); i++) {
    const d = comparePrePart(sp[i] ?? '', op[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

/** compareVersions is Version.Compare: -1, 0 or 1; metadata is ignored, a prerelease sorts first. */
export function compareVersions(a: Version, b: Version): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  if (a.pre === '' && b.pre === '') return 0;
  if (a.pre === '') return 1;
  if (b.pre === '') return -1;
  return comparePrerelease(a.pre, b.pre);
}

// --- constraints ------------------------------------------------------------------------------

/** Comparison is one parsed comparison of a constraint (`>=1.2.x`). */
export interface Comparison {
  readonly op: string;
  readonly con: Version;
  readonly orig: string;
  readonly dirty: boolean;
  readonly minorDirty: boolean;
  readonly patchDirty: boolean;
}

/** Constraints is a parsed constraint string: OR of AND groups. */
export interface Constraints {
  readonly groups: readonly (readonly Comparison[])[];
  /** containsPre[i]: group i names a prerelease, so prerelease versions may satisfy it. */
  readonly containsPre: readonly boolean[];
}

const OPS = '!=|>=|=>|<=|=<|~>|>|<|=|~|\\^|';
const CV =
  'v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?' +
  '(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?' +
  '(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';
const constraintRe = `^\\s*(${OPS})\\s*(${CV})\\s*$`;
const rangeRe = `\\s*(${CV})\\s+-\\s+(${CV})\\s*`;
const findRe = `(${OPS})\\s*(${CV})`;
const validRe = `^(\\s*(${OPS})\\s*(${CV})\\s*)((?:\\s+|,\\s*)(${OPS})\\s*(${CV})\\s*)*$`;

function submatches(expr: string, s: string): (string | undefined)[][] {
  return compileGo(expr)
    .findAllIndex(s, -1, true)
    .map((m) => {
      const out: (string | undefined)[] = [];
      for (let i = 0; i < m.length; i += 2) out.push(m[i] >= 0 ? s.slice(m[i], m[i + 1]) : undefined);
      return out;
    });
}

function rewriteRange(c: string): string {
  let o = c;
  for (const m of submatches(rangeRe, c)) o = o.replace(m[0]!, () => `>= ${m[1]}, <= ${m[11]} `);
  return o;
}

const isX = (s: string) => s === 'x' || s === 'X' || s === '*';

function parseComparison(c: string): Comparison {
  const m = submatches(constraintRe, c)[0];
  if (!m) throw new SemverError(`improper constraint: ${c}`, c);
  const [, op = '', orig = '', major = '', minor = '', patch = '', pre = ''] = m;
  let ver = orig;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === '') {
    ver = '0.0.0' + pre;
    dirty = true;
  } else if (isX(minor.replace(/^\./, '')) || minor === '') {
    minorDirty = dirty = true;
    ver = `${major}.0.0${pre}`;
  } else if (isX(patch.replace(/^\./, '')) || patch === '') {
    patchDirty = dirty = true;
    ver = `${major}${minor}.0${pre}`;
  }
  let con: Version;
  try {
    con = parseVersion(ver);
  } catch (e) {
    throw new SemverError('constraint parser error', c, { cause: e });
  }
  return { op, con, orig, dirty, minorDirty, patchDirty };
}

/**
 * parseConstraint is semver.NewConstraint.
 * @throws SemverError "improper constraint: <segment>" or "constraint parser error".
 */
export function parseConstraint(c: string): Constraints {
  const cached = constraintCache.get(c);
  if (cached) return cached;
  const parsed = parseConstraintUncached(c);
  if (constraintCache.size >= 500) constraintCache.delete(constraintCache.keys().next().value!);
  constraintCache.set(c, parsed);
  return parsed;
}

const constraintCache = new Map<string, Constraints>();

function parseConstraintUncached(c: string): Constraints {
  const ors = rewriteRange(c).split('||');
  const groups: Comparison[][] = [];
  const containsPre: boolean[] = [];
  for (const seg of ors) {
    if (!compileGo(validRe).matchString(seg)) throw new SemverError(`improper constraint: ${seg}`, c);
    const found = compileGo(findRe).findAllString(seg, -1);
    const cs = (found.length ? found : [seg]).map(parseComparison);
    groups.push(cs);
    containsPre.push(cs.some((x) => x.con.pre !== ''));
  }
  return { groups, containsPre };
}

type Check = (v: Version, c: Comparison) => boolean;

const cmp = compareVersions;

const tilde: Check = (v, c) => {
  if (cmp(v, c.con) < 0) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
};

const tildeOrEqual: Check = (v, c) => (c.dirty ? tilde(v, c) : cmp(v, c.con) === 0);

const notEqual: Check = (v, c) => {
  if (c.dirty) {
    if (c.con.major !== v.major) return true;
    if (c.con.minor !== v.minor && !c.minorDirty) return true;
    if (c.minorDirty) return false;
    if (c.con.patch !== v.patch && !c.patchDirty) return true;
    if (c.patchDirty) {
      if (v.pre !== '' || c.con.pre !== '') return comparePrerelease(v.pre, c.con.pre) !== 0;
      return false;
    }
  }
  return cmp(v, c.con) !== 0;
};

const greaterThan: Check = (v, c) => {
  if (!c.dirty) return cmp(v, c.con) === 1;
  if (v.major > c.con.major) return true;
  if (v.major < c.con.major) return false;
  if (c.minorDirty) return false;
  if (c.patchDirty) return v.minor > c.con.minor;
  return cmp(v, c.con) === 1;
};

const lessThanEqual: Check = (v, c) => {
  if (!c.dirty) return cmp(v, c.con) <= 0;
  if (v.major > c.con.major) return false;
  if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
  return true;
};

const caret: Check = (v, c) => {
  if (cmp(v, c.con) < 0) return false;
  if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
  if (c.con.major === 0n && v.major > 0n) return false;
  if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
  if (c.con.minor === 0n && v.minor > 0n) return false;
  return c.con.patch === v.patch;
};

const CHECKS: Record<string, Check> = {
  '': tildeOrEqual,
  '=': tildeOrEqual,
  '!=': notEqual,
  '>': greaterThan,
  '<': (v, c) => cmp(v, c.con) < 0,
  '>=': (v, c) => cmp(v, c.con) >= 0,
  '=>': (v, c) => cmp(v, c.con) >= 0,
  '<=': lessThanEqual,
  '=<': lessThanEqual,
  '~': tilde,
  '~>': tilde,
  '^': caret,
};

/** check is Constraints.Check: some group whose every comparison holds. */
export function check(cs: Constraints, v: Version): boolean {
  return cs.groups.some((group, i) => group.every((c) => (v.pre === '' || cs.containsPre[i]) && CHECKS[c.op](v, c)));
}

/**
 * satisfies is sprig's semverCompare without the template: does version meet constraint?
 * @example satisfies('>=1.21-0', 'v1.30.2-gke.100') === true
 * @throws SemverError for a bad constraint or version.
 */
export function satisfies(constraint: string, version: string): boolean {
  const cs = parseConstraint(constraint);
  return check(cs, parseVersion(version));
}

// --- template values --------------------------------------------------------------------------

const VERSION_TYPE = '*semver.Version';
const VERSION_PARAM = 'struct:*semver.Version' as const;
const VALUE_TYPE = 'semver.Version';

function argVersion(o: Value, method: string): Version {
  if (o instanceof GoStruct && o.goType === VERSION_TYPE) {
    const v = (o as GoStruct & { [VERSION]?: Version })[VERSION];
    if (v) return v;
  }
  // The executor checks this parameter type before the call; this guards direct callers.
  throw new SemverError(
    `wrong type for value; expected *semver.Version; got ${goTypeName(o)}`,
    `${method}(${String(o)})`,
  );
}

const VERSION: unique symbol = Symbol('semver.version');
/** GO_JSON is the JSON encoders' hook (see ../helm/gojson.ts): what json.Marshal sees. */
const GO_JSON: unique symbol = Symbol.for('capstan.goJSON') as never;

function withOriginal(v: Version, next: Omit<Version, 'original'>): Version {
  const prefix = v.original.startsWith('v') ? 'v' : '';
  const n = { ...next, original: '' };
  return { ...n, original: prefix + versionString(n) };
}

/**
 * versionValue wraps a Version as the template sees it: `*semver.Version` (pointer: every method)
 * or, for pointer = false, the `semver.Version` value the Inc and Set methods return.
 */
export function versionValue(v: Version, pointer = true): GoStruct {
  const methods: Record<string, GoFunc> = {
    String: goFunc(() => versionString(v), []),
    Major: goFunc(() => v.major, []),
    Minor: goFunc(() => v.minor, []),
    Patch: goFunc(() => v.patch, []),
    Prerelease: goFunc(() => v.pre, []),
    Metadata: goFunc(() => v.metadata, []),
    IncPatch: goFunc(
      () =>
        versionValue(
          withOriginal(v, { ...v, pre: '', metadata: '', patch: v.pre !== '' ? v.patch : v.patch + 1n }),
          false,
        ),
      [],
    ),
    IncMinor: goFunc(
      () => versionValue(withOriginal(v, { ...v, pre: '', metadata: '', patch: 0n, minor: v.minor + 1n }), false),
      [],
    ),
    IncMajor: goFunc(
      () =>
        versionValue(
          withOriginal(v, { ...v, pre: '', metadata: '', patch: 0n, minor: 0n, major: v.major + 1n }),
          false,
        ),
      [],
    ),
    SetPrerelease: goFunc(
      (pre: string) => {
        if (pre !== '') validatePrerelease(pre, pre);
        return versionValue(withOriginal(v, { ...v, pre }), false);
      },
      ['string'],
      { returnsError: true },
    ),
    SetMetadata: goFunc(
      (metadata: string) => {
        if (metadata !== '') validateMetadata(metadata, metadata);
        return versionValue(withOriginal(v, { ...v, metadata }), false);
      },
      ['string'],
      { returnsError: true },
    ),
    MarshalJSON: goFunc(() => JSON.stringify(versionString(v)), [], { returnsError: true }),
    MarshalText: goFunc(() => versionString(v), [], { returnsError: true }),
  };
  if (pointer) {
    Object.assign(methods, {
      Original: goFunc(() => v.original, []),
      Compare: goFunc((o: Value) => BigInt(compareVersions(v, argVersion(o, 'Compare'))), [VERSION_PARAM]),
      LessThan: goFunc((o: Value) => compareVersions(v, argVersion(o, 'LessThan')) < 0, [VERSION_PARAM]),
      LessThanEqual: goFunc((o: Value) => compareVersions(v, argVersion(o, 'LessThanEqual')) <= 0, [VERSION_PARAM]),
      GreaterThan: goFunc((o: Value) => compareVersions(v, argVersion(o, 'GreaterThan')) > 0, [VERSION_PARAM]),
      GreaterThanEqual: goFunc(
        (o: Value) => compareVersions(v, argVersion(o, 'GreaterThanEqual')) >= 0,
        [VERSION_PARAM],
      ),
      // Equal compares pointers first, so a nil version is simply unequal.
      Equal: goFunc(
        (o: Value) => o !== null && o !== undefined && compareVersions(v, argVersion(o, 'Equal')) === 0,
        [VERSION_PARAM],
      ),
    } satisfies Record<string, GoFunc>);
  }
  const s = new GoStruct(pointer ? VERSION_TYPE : VALUE_TYPE, {}, methods);
  (s as GoStruct & { [VERSION]?: Version })[VERSION] = v;
  // json.Marshal calls Version.MarshalJSON: the version as a JSON string.
  Object.defineProperty(s, GO_JSON, { value: () => versionString(v), enumerable: false });
  return s;
}

/** versionOf returns the Version inside a value made by versionValue, or undefined. */
export function versionOf(x: Value): Version | undefined {
  return x instanceof GoStruct ? (x as GoStruct & { [VERSION]?: Version })[VERSION] : undefined;
}

/** semverFuncs are Sprig's semver functions. */
export const semverFuncs: FuncMap = {
  semver: goFunc((s: string) => versionValue(parseVersion(s)), ['string'], { returnsError: true }),
  semverCompare: goFunc((c: string, v: string) => satisfies(c, v), ['string', 'string'], { returnsError: true }),
};
