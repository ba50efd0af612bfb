/**
 * schema: values.schema.json validation for a chart and each of its subcharts (Helm's
 * ValidateAgainstSchema), with ajv doing the validation and the report written the way Helm 4's
 * validator (santhosh-tekuri/jsonschema v6) words it:
 *
 *     external-dns:
 *     - at '/policy': got null, want string
 *
 * Draft 2020-12 is the default; `$schema` selects 2019-09 or 07 (04/06 are validated as 07).
 * Nothing is fetched: a `$ref` to another document fails with a clear error.
 *
 * Deviation: Helm's validator lists sibling errors in Go map order (it varies between runs);
 * we list them in schema order.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { formatFloat, intValue, isMap, type GoMap, type Value } from '../gotemplate/value.js';
import type { Chart } from './types.js';

/** SchemaValidationError is the combined report for all charts; message is Helm's. */
export class SchemaValidationError extends Error {
  constructor(
    readonly report: string,
    options?: { cause?: unknown },
  ) {
    super(`values don't meet the specifications of the schema(s) in the following chart(s):\n${report}`, options);
    this.name = 'SchemaValidationError';
  }
}

/** SchemaCompileError is an unusable values.schema.json (bad JSON, bad schema, remote $ref). */
export class SchemaCompileError extends Error {
  constructor(
    message: string,
    readonly chart: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SchemaCompileError';
  }
}

type AjvCtor = new (opts: object) => {
  compile(schema: object): ValidateFunction;
};

const require = createRequire(import.meta.url);
let ajvCache: Map<string, InstanceType<AjvCtor>> | undefined;

function ajvFor(draft: '2020' | '2019' | '07' | '04'): InstanceType<AjvCtor> {
  ajvCache ??= new Map();
  let a = ajvCache.get(draft);
  if (!a) {
    const mod =
      draft === '2020' ? require('ajv/dist/2020') : draft === '2019' ? require('ajv/dist/2019') : require('ajv');
    const Ctor = (mod.default ?? mod) as AjvCtor;
    // Drafts 2019-09 and 2020-12 treat `format` as an annotation; draft-07 asserts it.
    // Draft-04/06 schemas run on the draft-07 validator without meta-schema checks (their
    // boolean exclusiveMinimum form is rewritten in compileSchema). Unknown formats are ignored
    // quietly, as helm's validator does.
    a = new Ctor({
      allErrors: true,
      strict: false,
      validateFormats: draft === '07' || draft === '04',
      verbose: true,
      logger: false,
      validateSchema: draft !== '04',
    });
    const formats = require('ajv-formats');
    (formats.default ?? formats)(a);
    ajvCache.set(draft, a);
  }
  return a;
}

function draftOf(schema: GoMap): '2020' | '2019' | '07' | '04' {
  const s = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (s.includes('2019-09')) return '2019';
  if (/draft-0[67]/.test(s)) return '07';
  if (/draft-0[34]/.test(s)) return '04';
  return '2020';
}

/** draft04To07 rewrites draft-04's boolean exclusiveMinimum/Maximum and `id` to the draft-07 forms. */
function draft04To07(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(draft04To07);
  if (v === null || typeof v !== 'object') return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = k === 'enum' || k === 'const' ? x : draft04To07(x);
  for (const [flag, limit] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof o[flag] === 'boolean') {
      if (o[flag] === true && typeof o[limit] === 'number') {
        o[flag] = o[limit];
        delete o[limit];
      } else delete o[flag];
    }
  }
  if (typeof o.id === 'string' && o.$id === undefined && !('properties' in o && typeof o.properties === 'object' && 'id' in (o.properties as object))) {
    delete o.id;
  }
  return o;
}

const compiled = new WeakMap<Uint8Array, ValidateFunction>();

function compileSchema(raw: Uint8Array, chartName: string): ValidateFunction {
  const hit = compiled.get(raw);
  if (hit) return hit;
  let schema: GoMap;
  try {
    schema = JSON.parse(new TextDecoder().decode(raw));
  } catch (e) {
    throw new SchemaCompileError(`${chartName}: values.schema.json: ${(e as Error).message}`, chartName, { cause: e });
  }
  const draft = draftOf(schema);
  const copy: GoMap = draft === '04' ? (draft04To07(schema) as GoMap) : { ...schema };
  if ((draft === '07' || draft === '04') && typeof copy.$schema === 'string' && !copy.$schema.includes('draft-07')) delete copy.$schema;
  delete copy.$id;
  let fn: ValidateFunction;
  try {
    fn = ajvFor(draft).compile(copy);
  } catch (e) {
    const msg = (e as Error).message;
    if (/can't resolve reference/.test(msg)) {
      throw new SchemaCompileError(
        `${chartName}: values.schema.json: ${msg} (remote schema references are not fetched)`,
        chartName,
        { cause: e },
      );
    }
    throw new SchemaCompileError(`${chartName}: values.schema.json: ${msg}`, chartName, { cause: e });
  }
  compiled.set(raw, fn);
  return fn;
}

/** toJsonShape turns Go values into what a JSON validator sees (int64 → number). */
function toJsonShape(v: Value): unknown {
  v = intValue(v);
  if (typeof v === 'bigint') return Number(v);
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(toJsonShape);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = toJsonShape(v[k]);
    return out;
  }
  return v;
}

const SUPERSCRIPT: Record<string, string> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻', '+': '',
};

/** fmtNum prints a number as the validator's message printer does: `70,000`, `1.5`, `1.2×10⁰⁶`. */
export function fmtNum(n: number): string {
  const g = formatFloat(n, 'g');
  const e = g.indexOf('e');
  if (e >= 0) {
    const exp = g.slice(e + 1);
    return g.slice(0, e) + '×10' + Array.from(exp, (c) => SUPERSCRIPT[c] ?? c).join('');
  }
  const [ip, fp] = g.split('.');
  const neg = ip.startsWith('-');
  const digits = neg ? ip.slice(1) : ip;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + grouped + (fp !== undefined ? '.' + fp : '');
}

function quoteVal(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return fmtNum(v);
  return JSON.stringify(v);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** Node is one line of the report tree. */
interface Node {
  at: string;
  /** schema is the path of the subschema that produced the error; siblings group by it. */
  schema?: string;
  msg: string;
  children: Node[];
}

function keywordMessage(e: ErrorObject): string | undefined {
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'type': {
      const want = String(p.type)
        .split(',')
        .sort()
        .join(' or ');
      return `got ${jsonType(e.data)}, want ${want}`;
    }
    case 'enum':
      return `value must be one of ${(e.schema as unknown[]).map(quoteVal).join(', ')}`;
    case 'const':
      return `value must be ${quoteVal(p.allowedValue)}`;
    case 'required':
      return undefined; // grouped by the caller
    case 'additionalProperties':
      return undefined; // grouped by the caller
    case 'minLength':
      return `minLength: got ${fmtNum([...String(e.data)].length)}, want ${fmtNum(p.limit)}`;
    case 'maxLength':
      return `maxLength: got ${fmtNum([...String(e.data)].length)}, want ${fmtNum(p.limit)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${e.keyword}: got ${fmtNum(e.data as number)}, want ${fmtNum(p.limit)}`;
    case 'multipleOf':
      return `multipleOf: got ${fmtNum(e.data as number)}, want ${fmtNum(p.multipleOf)}`;
    case 'minItems':
    case 'maxItems':
      return `${e.keyword}: got ${fmtNum((e.data as unknown[]).length)}, want ${fmtNum(p.limit)}`;
    case 'minProperties':
    case 'maxProperties':
      return `${e.keyword}: got ${fmtNum(Object.keys(e.data as object).length)}, want ${fmtNum(p.limit)}`;
    case 'uniqueItems':
      return `items at ${p.j} and ${p.i} are equal`;
    case 'pattern':
      return `'${String(e.data)}' does not match pattern '${p.pattern}'`;
    case 'format':
      return `'${String(e.data)}' is not valid ${p.format}`;
    case 'not':
      return `'not' failed`;
    case 'false schema':
      return 'false schema';
    case 'propertyNames':
      return `invalid propertyName '${p.propertyName}'`;
    case 'dependencies':
    case 'dependentRequired':
      return `properties ${quoteVal(p.property)} required, if ${quoteVal(p.property)} exists`;
    default:
      return e.message ?? e.keyword;
  }
}

/** schemaOf is the path of the schema an error's keyword belongs to (`#/properties/x`). */
function schemaOf(e: ErrorObject): string {
  return e.schemaPath.slice(0, e.schemaPath.lastIndexOf('/'));
}

/**
 * dropAfterTypeFailure mirrors the validator: when a schema's `type` fails it reports only that,
 * without evaluating the schema's other keywords on the value.
 */
function dropAfterTypeFailure(errors: ErrorObject[]): ErrorObject[] {
  const typeFailed = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath + '|' + schemaOf(e)));
  return errors.filter((e) => {
    if (e.keyword === 'type') return true;
    const own = e.instancePath + '|' + schemaOf(e);
    if (typeFailed.has(own)) return false;
    // Errors from deeper inside a schema whose type failed at this value are not reached either.
    for (const k of typeFailed) {
      const [at, sp] = k.split('|');
      if (e.instancePath === at && e.schemaPath.startsWith(sp + '/')) return false;
    }
    return true;
  });
}

function buildReport(all: ErrorObject[]): string {
  const errors = dropAfterTypeFailure(all);
  // Combinator errors (anyOf/oneOf/allOf) adopt the branch errors under their schema path.
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const under = (e: ErrorObject) =>
    combinators.find((c) => c !== e && e.schemaPath.startsWith(c.schemaPath + '/') && e.instancePath.startsWith(c.instancePath));
  const top: Node[] = [];
  const byParent = new Map<ErrorObject, Node[]>();
  const required = new Map<string, { node: Node; missing: string[] }>();
  const additional = new Map<string, { node: Node; extra: string[] }>();
  const place = (e: ErrorObject, node: Node) => {
    const parent = under(e);
    if (parent) {
      if (!byParent.has(parent)) byParent.set(parent, []);
      byParent.get(parent)!.push(node);
    } else top.push(node);
  };
  const comboNodes = new Map<ErrorObject, Node>();
  for (const e of errors) {
    const at = e.instancePath;
    if (e.keyword === 'required') {
      const key = at + '|' + e.schemaPath;
      const cur = required.get(key);
      const prop = (e.params as { missingProperty: string }).missingProperty;
      if (cur) cur.missing.push(prop);
      else {
        const node: Node = { at, schema: schemaOf(e), msg: '', children: [] };
        required.set(key, { node, missing: [prop] });
        place(e, node);
      }
      continue;
    }
    if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      const key = at + '|' + e.schemaPath;
      const cur = additional.get(key);
      const prop = (e.params as { additionalProperty?: string; unevaluatedProperty?: string }).additionalProperty ??
        (e.params as { unevaluatedProperty?: string }).unevaluatedProperty!;
      if (cur) cur.extra.push(prop);
      else {
        const node: Node = { at, schema: schemaOf(e), msg: '', children: [] };
        additional.set(key, { node, extra: [prop] });
        place(e, node);
      }
      continue;
    }
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      const p = e.params as { passingSchemas?: number[] | null };
      const msg =
        e.keyword === 'anyOf'
          ? `'anyOf' failed`
          : p.passingSchemas
            ? `'oneOf' failed, subschemas ${p.passingSchemas.join(', ')} matched`
            : `'oneOf' failed, none matched`;
      const node: Node = { at, schema: schemaOf(e), msg, children: [] };
      comboNodes.set(e, node);
      place(e, node);
      continue;
    }
    if (e.keyword === 'if') continue;
    const msg = keywordMessage(e);
    if (msg === undefined) continue;
    place(e, { at, schema: schemaOf(e), msg, children: [] });
  }
  for (const { node, missing } of required.values()) {
    node.msg = missing.length === 1 ? `missing property '${missing[0]}'` : `missing properties ${missing.map((m) => `'${m}'`).join(', ')}`;
  }
  for (const { node, extra } of additional.values()) {
    node.msg = `additional properties ${extra.map((m) => `'${m}'`).join(', ')} not allowed`;
  }
  // Branch errors were collected after their combinator in ajv's order; attach them now.
  for (const [e, node] of comboNodes) {
    const kids = byParent.get(e) ?? [];
    // oneOf with several passing branches has no branch errors to show.
    node.children = (e.params as { passingSchemas?: number[] | null }).passingSchemas ? [] : kids;
  }
  let list = groupSameLocation(top);
  // A report whose only entry is one location's group shows that group's entries directly.
  if (list.length === 1 && list[0].msg === 'validation failed') list = list[0].children;
  return render(list, '');
}

/** groupSameLocation folds several errors at one location into `validation failed` (as v6 does). */
function groupSameLocation(nodes: Node[]): Node[] {
  const out: Node[] = [];
  const seen = new Map<string, Node>();
  for (const n of nodes) {
    n.children = n.children.length > 0 ? groupSameLocation(n.children) : n.children;
    const key = n.at + '|' + (n.schema ?? '');
    const g = seen.get(key);
    if (g) {
      if (g.msg !== 'validation failed' || g.children.length === 0) {
        const first: Node = { ...g };
        g.msg = 'validation failed';
        g.children = [first];
      }
      g.children.push(n);
      continue;
    }
    seen.set(key, n);
    out.push(n);
  }
  return out;
}

function render(nodes: Node[], indent: string): string {
  let s = '';
  for (const n of nodes) {
    s += `${indent}- at '${n.at}': ${n.msg}\n`;
    if (n.children.length > 0) s += render(n.children, indent + '  ');
  }
  return s;
}

/**
 * validateAgainstSingleSchema validates values against one raw schema and returns the report
 * lines (empty when valid), like Helm's JSONSchemaValidationError text.
 */
export function validateAgainstSingleSchema(values: GoMap, schema: Uint8Array, chartName = 'chart'): string {
  const fn = compileSchema(schema, chartName);
  if (fn(toJsonShape(values))) return '';
  return buildReport(fn.errors ?? []);
}

/**
 * validateAgainstSchema is util.ValidateAgainstSchema: the chart's schema against its values,
 * then each subchart's against its own section. Throws {@link SchemaValidationError}.
 */
export function validateAgainstSchema(chart: Chart, values: GoMap): void {
  const report = schemaReport(chart, values);
  if (report !== '') throw new SchemaValidationError(report);
}

function schemaReport(chart: Chart, values: GoMap): string {
  let sb = '';
  if (chart.schema && chart.schema.length > 0) {
    const r = validateAgainstSingleSchema(values, chart.schema, chart.metadata.name);
    if (r !== '') sb += `${chart.metadata.name}:\n${r}`;
  }
  for (const sub of chart.dependencies) {
    const sv = values[sub.metadata.name];
    sb += schemaReport(sub, isMap(sv) ? sv : {});
  }
  return sb;
}
