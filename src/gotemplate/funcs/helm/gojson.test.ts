/**
 * gojson.test: encoding/json for the Go types values never contain but template data does (structs,
 * time.Time, []byte), per the encoding/json and time package documentation, plus json.Unmarshal's
 * errors as helm's fromJson shows them (test/fixtures/gotemplate/helm-from.json has the rest).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GoStruct, GoTime } from '../../value.js';
import { GO_JSON, JSONError, formatJSONFloat, marshalJSON, unmarshalJSON } from './gojson.js';
import { marshalYaml, toYamlPretty } from './goyaml.js';

test('marshalJSON Go types', async (t) => {
  const cases: Array<{ name: string; v: unknown; want: string }> = [
    // "[]byte encodes as a base64-encoded string"
    { name: '[]byte is base64', v: new Uint8Array([104, 101, 108, 108, 111]), want: '"aGVsbG8="' },
    // time.Time.MarshalJSON: RFC 3339 with nanoseconds, trailing zeros dropped
    { name: 'time.Time in UTC', v: new GoTime(Date.UTC(2024, 0, 2, 3, 4, 5, 120)), want: '"2024-01-02T03:04:05.12Z"' },
    { name: 'time.Time with nanoseconds', v: new GoTime(Date.UTC(2024, 0, 2, 3, 4, 5), 600), want: '"2024-01-02T03:04:05.0000006Z"' },
    { name: 'time.Time at an offset', v: new GoTime(Date.UTC(2024, 0, 2, 3, 4, 5), 0, -5 * 3600, 'EST'), want: '"2024-01-01T22:04:05-05:00"' },
    // "each exported struct field becomes a member of the object, using the field name"
    { name: 'struct fields in declaration order', v: new GoStruct('chart.Dep', { Name: 'x', Alias: '' }), want: '{"Name":"x","Alias":""}' },
    {
      name: 'a GO_JSON hook stands for json tags',
      v: Object.assign(new GoStruct('chart.Metadata', { Name: 'x', Version: '1.0.0' }), {
        [GO_JSON]: () => ({ name: 'x', version: '1.0.0' }),
      }),
      want: '{"name":"x","version":"1.0.0"}',
    },
    { name: 'int is a bigint', v: { n: 3n, big: 9007199254740993n }, want: '{"big":9007199254740993,"n":3}' },
    { name: 'map keys sort by bytes', v: { b: 1, B: 2, é: 3, a: 4 }, want: '{"B":2,"a":4,"b":1,"é":3}' },
    { name: 'a lone surrogate is U+FFFD', v: 'a\ud800b', want: '"a\\ufffdb"' },
  ];
  for (const c of cases) await t.test(c.name, () => assert.equal(marshalJSON(c.v), c.want));
  await t.test('NaN is unsupported', () => assert.throws(() => marshalJSON(NaN), { message: 'json: unsupported value: NaN' }));
  await t.test('a map that contains itself is a cycle (encoding/json: "encountered a cycle via …")', () => {
    const m: Record<string, unknown> = { a: 1 };
    m.self = m;
    assert.throws(() => marshalJSON(m), { message: 'json: unsupported value: encountered a cycle via map[string]interface {}' });
  });
  await t.test('the same map twice is no cycle', () => {
    const shared = { x: 1 };
    assert.equal(marshalJSON({ a: shared, b: [shared] }), '{"a":{"x":1},"b":[{"x":1}]}');
  });
});

test('formatJSONFloat follows encoding/json', async (t) => {
  const cases: Array<[number, string]> = [
    [1e21, '1e+21'],
    [1e20, '100000000000000000000'],
    [1e-7, '1e-7'],
    [0.000001, '0.000001'],
    [-0, '-0'],
    [1.5e-10, '1.5e-10'],
  ];
  for (const [f, want] of cases) await t.test(want, () => assert.equal(formatJSONFloat(f), want));
});

test('the YAML encoders on Go types', async (t) => {
  await t.test('toYaml goes through JSON: time is a quoted timestamp string', () => {
    assert.equal(marshalYaml({ t: new GoTime(Date.UTC(2024, 0, 2)) }), 't: "2024-01-02T00:00:00Z"\n');
  });
  await t.test('toYamlPretty writes time.Time as a plain timestamp', () => {
    assert.equal(toYamlPretty({ t: new GoTime(Date.UTC(2024, 0, 2)) }), 't: 2024-01-02T00:00:00Z');
  });
});

test('unmarshalJSON errors', async (t) => {
  const cases: Array<{ name: string; text: string; into?: 'map' | 'slice'; message: string }> = [
    { name: 'trailing garbage', text: '{"a":1}x', message: "invalid character 'x' after top-level value" },
    { name: 'trailing comma', text: '{"a":1,}', message: "invalid character '}' looking for beginning of object key string" },
    { name: 'empty input', text: '', message: 'unexpected end of JSON input' },
    { name: 'newline in a string', text: '{"a":"x\ny"}', message: "invalid character '\\n' in string literal" },
    { name: 'byte order mark', text: '\ufeff{}', message: "invalid character 'ï' looking for beginning of value" },
    { name: 'array into a map', text: '[1]', into: 'map', message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
    { name: 'object into a slice', text: '{}', into: 'slice', message: 'json: cannot unmarshal object into Go value of type []interface {}' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.throws(() => unmarshalJSON(c.text, c.into), (e: unknown) => e instanceof JSONError && e.message === c.message);
    });
  }
  await t.test('an overflowing number is a type error after a full decode', () => {
    assert.throws(
      () => unmarshalJSON('{"a":1e400,"b":2}', 'map'),
      (e: unknown) => e instanceof JSONError && e.message === 'json: cannot unmarshal number 1e400 into Go value of type float64' && (e.partial as any).b === 2,
    );
  });
  await t.test('the key __proto__ is an ordinary key', () => {
    const v = unmarshalJSON('{"__proto__":{"x":1}}', 'map') as Record<string, unknown>;
    assert.deepStrictEqual(Object.keys(v), ['__proto__']);
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
  });
});
