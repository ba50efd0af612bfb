/**
 * schema tests: values.schema.json reports compared with helm v4.1.4's (each `report` is helm's
 * stderr for `helm template r CHART ARGS` with that schema, minus the header; cases have one
 * failing location or an order helm keeps stable).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GoMap } from '../gotemplate/value.js';
import { SchemaCompileError, SchemaValidationError, fmtNum, validateAgainstSchema, validateAgainstSingleSchema } from './schema.js';
import { mergeValueOptions } from './valueopts.js';
import type { Chart } from './types.js';

const HELM_CASES: { name: string; schema: object; args: string[]; report: string }[] = [
  { name: "type-integer", schema: {"type": "object", "properties": {"port": {"type": "integer"}}}, args: ["--set-string", "port=80"], report: "- at '/port': got string, want integer\n" },
  { name: "type-multi", schema: {"type": "object", "properties": {"x": {"type": ["string", "null"]}}}, args: ["--set", "x=1"], report: "- at '/x': got number, want null or string\n" },
  { name: "minimum", schema: {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}, args: ["--set", "n=0"], report: "- at '/n': minimum: got 0, want 1\n" },
  { name: "maximum-big", schema: {"type": "object", "properties": {"n": {"maximum": 65535}}}, args: ["--set", "n=70000"], report: "- at '/n': maximum: got 70,000, want 65,535\n" },
  { name: "maximum-sci", schema: {"type": "object", "properties": {"n": {"maximum": 1.5}}}, args: ["--set", "n=1234567"], report: "- at '/n': maximum: got 1.234567\u00d710\u2070\u2076, want 1.5\n" },
  { name: "enum", schema: {"type": "object", "properties": {"m": {"enum": ["a", "b", 3]}}}, args: ["--set", "m=c"], report: "- at '/m': value must be one of 'a', 'b', 3\n" },
  { name: "const", schema: {"type": "object", "properties": {"c": {"const": "x"}}}, args: ["--set", "c=y"], report: "- at '/c': value must be 'x'\n" },
  { name: "required-one", schema: {"type": "object", "required": ["name"]}, args: [], report: "- at '': missing property 'name'\n" },
  { name: "required-two", schema: {"type": "object", "required": ["name", "port"]}, args: [], report: "- at '': missing properties 'name', 'port'\n" },
  { name: "additional-one", schema: {"type": "object", "additionalProperties": false, "properties": {"a": {}}}, args: ["--set", "b=1"], report: "- at '': additional properties 'b' not allowed\n" },
  { name: "additional-two", schema: {"type": "object", "additionalProperties": false, "properties": {"a": {}}}, args: ["--set", "c=1,b=2"], report: "- at '': additional properties 'c', 'b' not allowed\n" },
  { name: "pattern", schema: {"type": "object", "properties": {"s": {"type": "string", "pattern": "^[a-z]+$"}}}, args: ["--set", "s=AB"], report: "- at '/s': 'AB' does not match pattern '^[a-z]+$'\n" },
  { name: "minLength", schema: {"type": "object", "properties": {"s": {"type": "string", "minLength": 3}}}, args: ["--set", "s=ab"], report: "- at '/s': minLength: got 2, want 3\n" },
  { name: "maxItems", schema: {"type": "object", "properties": {"l": {"type": "array", "maxItems": 1}}}, args: ["--set", "l={a,b}"], report: "- at '/l': maxItems: got 2, want 1\n" },
  { name: "items-type", schema: {"type": "object", "properties": {"l": {"type": "array", "items": {"type": "string"}}}}, args: ["--set", "l[0]=1"], report: "- at '/l/0': got number, want string\n" },
  { name: "nested-required", schema: {"type": "object", "properties": {"o": {"type": "object", "required": ["y"]}}}, args: ["--set", "o.x=1"], report: "- at '/o': missing property 'y'\n" },
  { name: "ref-draft7", schema: {"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {"img": {"type": "object", "required": ["tag"]}}, "type": "object", "properties": {"image": {"$ref": "#/definitions/img"}}}, args: ["--set", "image.x=1"], report: "- at '/image': missing property 'tag'\n" },
  { name: "anyOf", schema: {"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}}, args: ["--set", "a=true"], report: "- at '/a': 'anyOf' failed\n  - at '/a': got boolean, want string\n  - at '/a': got boolean, want integer\n" },
  { name: "oneOf-two", schema: {"type": "object", "properties": {"o": {"oneOf": [{"type": "string"}, {"type": "string", "minLength": 1}]}}}, args: ["--set", "o=x"], report: "- at '/o': 'oneOf' failed, subschemas 0, 1 matched\n" },
  { name: "not", schema: {"type": "object", "properties": {"n": {"not": {"type": "string"}}}}, args: ["--set", "n=s"], report: "- at '/n': 'not' failed\n" },
  { name: "format-email", schema: {"type": "object", "properties": {"e": {"type": "string", "format": "email"}}}, args: ["--set", "e=abc"], report: "" },
  { name: "uniqueItems", schema: {"type": "object", "properties": {"u": {"type": "array", "uniqueItems": true}}}, args: ["--set", "u={1,1}"], report: "- at '/u': items at 0 and 1 are equal\n" },
  { name: "multipleOf", schema: {"type": "object", "properties": {"f": {"type": "number", "multipleOf": 2}}}, args: ["--set-json", "f=3"], report: "- at '/f': multipleOf: got 3, want 2\n" },
  { name: "two-keywords", schema: {"type": "object", "properties": {"s": {"type": "string", "minLength": 3, "pattern": "^[a-z]+$"}}}, args: ["--set", "s=A"], report: "- at '/s': minLength: got 1, want 3\n- at '/s': 'A' does not match pattern '^[a-z]+$'\n" },
  { name: "null-type", schema: {"type": "object", "properties": {"p": {"type": "string", "enum": ["x"]}}}, args: ["--set", "p=null"], report: "- at '/p': got null, want string\n" },
];

function valuesFromArgs(args: string[]): GoMap {
  const set: string[] = [];
  const setString: string[] = [];
  const setJson: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--set') set.push(args[i + 1]);
    else if (args[i] === '--set-string') setString.push(args[i + 1]);
    else if (args[i] === '--set-json') setJson.push(args[i + 1]);
  }
  return mergeValueOptions({ values: set, stringValues: setString, jsonValues: setJson });
}

for (const c of HELM_CASES) {
  test(`schema report matches helm: ${c.name}`, () => {
    const raw = new TextEncoder().encode(JSON.stringify(c.schema));
    assert.equal(validateAgainstSingleSchema(valuesFromArgs(c.args), raw, c.name), c.report);
  });
}

const chart = (name: string, schema: object | undefined, deps: Chart[] = []): Chart => ({
  metadata: { name, version: '1.0.0', apiVersion: 'v2' },
  templates: [],
  values: {},
  files: [],
  dependencies: deps,
  schema: schema ? new TextEncoder().encode(JSON.stringify(schema)) : undefined,
});

test('validateAgainstSchema: parent and subchart reports are concatenated under chart names', () => {
  const sub = chart('db', { type: 'object', properties: { size: { type: 'string' } } });
  const top = chart('shop', { type: 'object', required: ['replicas'] }, [sub]);
  assert.throws(
    () => validateAgainstSchema(top, { db: { size: 5 } }),
    (e: unknown) =>
      e instanceof SchemaValidationError &&
      e.message ===
        "values don't meet the specifications of the schema(s) in the following chart(s):\n" +
          "shop:\n- at '': missing property 'replicas'\n" +
          "db:\n- at '/size': got number, want string\n",
  );
});

test('validateAgainstSchema: valid values and charts without schema pass', () => {
  const top = chart('shop', { type: 'object', properties: { replicas: { type: 'integer' } } }, [chart('nos', undefined)]);
  validateAgainstSchema(top, { replicas: 3n, nos: { anything: true } });
});

test('remote $ref fails clearly instead of fetching', () => {
  const raw = new TextEncoder().encode(JSON.stringify({ $ref: 'https://example.com/schemas/values.json' }));
  assert.throws(() => validateAgainstSingleSchema({}, raw, 'remote'), (e: unknown) => e instanceof SchemaCompileError && /remote schema references are not fetched/.test((e as Error).message));
});

test('invalid JSON in values.schema.json names the chart', () => {
  assert.throws(
    () => validateAgainstSingleSchema({}, new TextEncoder().encode('{nope'), 'broken'),
    (e: unknown) => e instanceof SchemaCompileError && e.chart === 'broken' && e.message.startsWith('broken: values.schema.json: '),
  );
});

test('fmtNum prints numbers like the validator (values seen in helm reports)', () => {
  for (const [n, want] of [[70000, '70,000'], [1.5, '1.5'], [0, '0'], [-1234, '-1,234'], [1234567, '1.234567×10⁰⁶']] as const) {
    assert.equal(fmtNum(n), want);
  }
});

test('draft-04 schemas (boolean exclusiveMinimum) and unknown formats are accepted quietly', () => {
  const raw = new TextEncoder().encode(
    JSON.stringify({
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      properties: { n: { type: 'integer', minimum: 1, exclusiveMinimum: true }, port: { type: 'integer', format: 'int32' } },
    }),
  );
  assert.equal(validateAgainstSingleSchema({ n: 2n, port: 80n }, raw, 'd4'), '');
  // helm: "- at '/n': exclusiveMinimum: got 1, want 1"
  assert.equal(validateAgainstSingleSchema({ n: 1n, port: 80n }, raw, 'd4'), "- at '/n': exclusiveMinimum: got 1, want 1\n");
});
