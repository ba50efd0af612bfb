/**
 * gotoml.test: the TOML reader's Go types (BurntSushi/toml decodes into int64, float64, time.Time)
 * and the encoder's layout, as helm's fromToml/toToml show them (test/fixtures/gotemplate/
 * helm-from.json, helm-tojson.json and helm-misc.json hold helm's outputs for the same documents).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GoTime } from '../../value.js';
import { marshalJSON } from './gojson.js';
import { TOMLError, encodeToml, parseToml } from './gotoml.js';

test('parseToml types', async (t) => {
  await t.test('integers are Go integers, floats float64', () => {
    const v = parseToml('a = 1\nb = 1.5\nc = 0x1F\nd = [1, 2]\n');
    assert.equal(v.a, 1n);
    assert.equal(v.b, 1.5);
    assert.equal(v.c, 31n);
    assert.deepStrictEqual(v.d, [1n, 2n]);
  });
  await t.test('dates and times are time.Time (helm prints them through toJson like this)', () => {
    const v = parseToml('a = 1979-05-27T07:32:00Z\nb = 1979-05-27\nc = 07:32:00\nd = 1979-05-27T00:32:00.999999-07:00\n');
    assert.ok(v.a instanceof GoTime);
    assert.equal(
      marshalJSON(v),
      '{"a":"1979-05-27T07:32:00Z","b":"1979-05-27T00:00:00Z","c":"0000-01-01T07:32:00Z","d":"1979-05-27T00:32:00.999999-07:00"}',
    );
  });
  await t.test('a key defined twice', () => {
    assert.throws(() => parseToml('a = 1\na = 2\n'), (e: unknown) => e instanceof TOMLError && e.message === `toml: line 2 (last key "a"): Key 'a' has already been defined.`);
  });
});

test('encodeToml layout', async (t) => {
  await t.test('plain keys first, then tables, nested tables indented', () => {
    assert.equal(
      encodeToml({ b: { c: 2, d: { e: 3 } }, a: 1, arr: [{ x: 1 }, { x: 2 }] }),
      'a = 1.0\n\n[[arr]]\n  x = 1.0\n\n[[arr]]\n  x = 2.0\n\n[b]\n  c = 2.0\n  [b.d]\n    e = 3.0\n',
    );
  });
  await t.test('nil has no type to encode', () => {
    assert.throws(() => encodeToml(null), { message: 'reflect: call of reflect.Value.Type on zero Value' });
  });
});
