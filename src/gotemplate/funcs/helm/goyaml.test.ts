/**
 * goyaml.test: the public reading API as chart loading uses it. Expected values and messages were
 * produced by helm v4.1.4 reading the same text as a chart's values.yaml (`toJson .Values`), or by
 * `fromYaml` (see test/fixtures/gotemplate/helm-from.json for the template side).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { YAMLError, marshalYaml, parseYaml, parseYamlDocuments, toYaml, type YamlShape } from './goyaml.js';

test('parseYaml reads values files as helm does', async (t) => {
  const cases: Array<{ name: string; text: string; want: unknown }> = [
    { name: 'duplicate keys: the last wins', text: 'a: 1\na: 2', want: { a: 2 } },
    {
      name: 'merge keys and anchors (and y is a YAML 1.1 boolean key)',
      text: 'x: &a {p: 1}\ny:\n  <<: *a\n  q: 2',
      want: { true: { p: 1, q: 2 }, x: { p: 1 } },
    },
    {
      name: 'non-string keys become strings (bools and floats too)',
      text: '1: a\n2.5: b\ntrue: c\n0x10: d\n1.0e+20: e',
      want: { '1': 'a', '16': 'd', '1e+20': 'e', '2.5': 'b', true: 'c' },
    },
    {
      name: 'YAML 1.1 scalars through JSON: every number a float64, timestamps stay text',
      text: 'a: 0755\nb: 08\nc: 1_000\nd: 0o17\ne: 0b11\nf: yes\ng: 2024-01-02\nh: 1e3\ni: .5\nj: 12345678901234567890\nk: -0.0\nl: +12\nm: 0x_1F\nn: 1:20\no: y',
      want: { a: 493, b: 8, c: 1000, d: 15, e: 3, f: true, false: '1:20', g: '2024-01-02', h: 1000, i: 0.5, j: 12345678901234567000, k: -0, l: 12, m: 31, o: true },
    },
    { name: 'tags', text: 'a: !!binary aGVsbG8=\nb: !!str 12\nc: !!int "12"\nd: !!float 1', want: { a: 'hello', b: '12', c: 12, d: 1 } },
    { name: 'block scalars', text: 'a: |\n  x\n  y\nb: >\n  p\n  q\n', want: { a: 'x\ny\n', b: 'p q\n' } },
    { name: 'an empty file is no document', text: '', want: null },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.deepStrictEqual(parseYaml(c.text), c.want));
  }
});

test('parseYaml fails with helm’s messages', async (t) => {
  const cases: Array<{ name: string; text: string; message: string; line?: number }> = [
    { name: 'nested mapping on one line', text: 'a: b: c', message: 'error converting YAML to JSON: yaml: mapping values are not allowed in this context' },
    { name: 'bad indentation', text: 'a: 1\n b: 2', message: 'error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context', line: 2 },
    { name: 'key among sequence items', text: 'a:\n  - x\n  y: 1', message: "error converting YAML to JSON: yaml: line 2: did not find expected '-' indicator", line: 2 },
    { name: 'unterminated flow sequence', text: 'a: [1, 2', message: "error converting YAML to JSON: yaml: line 1: did not find expected ',' or ']'", line: 1 },
    { name: 'unterminated quote', text: 'x: 1\ny: "x\n', message: 'error converting YAML to JSON: yaml: line 3: found unexpected end of stream', line: 3 },
    { name: 'tab indentation', text: '\ta: 1', message: 'error converting YAML to JSON: yaml: found character that cannot start any token' },
    { name: 'unknown alias', text: 'a: *x', message: "error converting YAML to JSON: yaml: unknown anchor 'x' referenced" },
    { name: 'null key', text: '~: e', message: 'error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: "e"' },
    { name: 'NaN cannot go through JSON', text: 'a: .nan', message: 'error converting YAML to JSON: json: unsupported value: NaN' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.throws(
        () => parseYaml(c.text),
        (e: unknown) => e instanceof YAMLError && e.message === c.message && e.line === c.line,
      );
    });
  }
});

test('parseYaml target types', async (t) => {
  await t.test('a list is not a map', () => {
    assert.throws(() => parseYaml('- a\n- b', 'map'), {
      message: 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}',
    });
  });
  await t.test('a scalar is not a map', () => {
    assert.throws(() => parseYaml('hello', 'map'), {
      message: 'error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type map[string]interface {}',
    });
  });
  await t.test('an empty text fills neither', () => {
    assert.deepStrictEqual(parseYaml('# nothing\n', 'map'), {});
    assert.deepStrictEqual(parseYaml('', 'slice'), []);
  });
  await t.test('only the first document counts', () => {
    assert.deepStrictEqual(parseYaml('a: 1\n---\nb: [2', 'map'), { a: 1 });
  });
});

test('parseYamlDocuments reads each document as parseYaml reads it alone', async (t) => {
  const docs = ['replicaCount: 2\nimage: {tag: "1.0"}\n', 'service:\n  ports:\n  - 80\n  - 443\n', 'enabled: yes\n'];
  await t.test('three documents', () => {
    assert.deepStrictEqual(
      parseYamlDocuments(docs.join('---\n')),
      docs.map((d) => parseYaml(d)),
    );
  });
  await t.test('explicit start and end markers', () => {
    assert.deepStrictEqual(parseYamlDocuments('---\na: 1\n...\n---\nb: 2\n'), [{ a: 1 }, { b: 2 }]);
  });
  await t.test('an error in a later document is reported', () => {
    assert.throws(() => parseYamlDocuments('a: 1\n---\nb: [2\n'), YAMLError);
  });
});

test('toYaml and marshalYaml', async (t) => {
  await t.test('marshalYaml keeps the final newline, toYaml drops it', () => {
    assert.equal(marshalYaml({ a: 1 }), 'a: 1\n');
    assert.equal(toYaml({ a: 1 }), 'a: 1');
  });
  await t.test('a value json.Marshal rejects prints nothing', () => {
    assert.equal(toYaml({ a: NaN }), '');
    assert.throws(() => marshalYaml({ a: NaN }), { message: 'error marshaling into JSON: json: unsupported value: NaN' });
  });
});

test('parseYaml with a typed target turns scalars for string fields into text', async (t) => {
  // helm v4.1.4 on a Chart.yaml with these lines printed .Chart.AppVersion 1.1, .Chart.Keywords
  // ["1","true","1.5"], .Chart.Annotations {"a":"1","b":"true"} and .Chart.Description 12345678.
  const shape: YamlShape = {
    fields: {
      appVersion: 'string',
      description: 'string',
      keywords: { items: 'string' },
      annotations: { values: 'string' },
    },
  };
  const text = 'apiVersion: v2\nname: x\nappVersion: 1.10\nkeywords: [1, true, 1.5]\nannotations:\n  a: 1.0\n  b: yes\nDescription: 12345678\nother: 1.10\n';
  await t.test('Chart.yaml fields', () => {
    assert.deepStrictEqual(parseYaml(text, 'map', { shape }), {
      apiVersion: 'v2',
      name: 'x',
      appVersion: '1.1',
      keywords: ['1', 'true', '1.5'],
      annotations: { a: '1', b: 'true' },
      Description: '12345678',
      other: 1.1,
    });
  });
});

test('plain scalars named like Object.prototype members are strings', () => {
  // go-yaml resolves `toString` as a string; a lookup through the prototype chain made it a function.
  assert.deepStrictEqual(parseYaml('a: toString\nb: constructor\nc: __proto__'), { a: 'toString', b: 'constructor', c: '__proto__' });
  assert.deepStrictEqual(toYaml(parseYaml('a: hasOwnProperty')), 'a: hasOwnProperty');
});
