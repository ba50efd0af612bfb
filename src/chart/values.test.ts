/**
 * values tests: Helm 4's values files (multi-document), MergeMaps and the coalescing rules, as
 * pkg/chart/common/util/coalesce.go defines them. The same rules run against helm itself in
 * test/chart-fixtures.test.ts (echo-* cases).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GoMap } from '../gotemplate/value.js';
import type { Chart } from './types.js';
import { coalesceValues, loadValues, mergeMaps, NoValueError, pathValue, table, ValuesError } from './values.js';

const chart = (name: string, values: GoMap, deps: Chart[] = []): Chart => ({
  metadata: { name, version: '1.0.0', apiVersion: 'v2' },
  templates: [],
  values,
  files: [],
  dependencies: deps,
});

test('loadValues merges every document, later ones winning, tables deeply', () => {
  assert.deepEqual(loadValues('a: 1\nt:\n  p: 1\n  q: 1\n---\n# only a comment\n---\nt:\n  q: 2\nb: yes\n'), {
    a: 1,
    t: { p: 1, q: 2 },
    b: true,
  });
  assert.deepEqual(loadValues(''), {});
});

test('loadValues rejects a document that is not a map, with Go json text', () => {
  assert.throws(
    () => loadValues('- a\n- b\n'),
    (e: unknown) =>
      e instanceof ValuesError &&
      e.message ===
        'cannot unmarshal yaml document: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}',
  );
});

test('mergeMaps: maps merge, anything else replaces', () => {
  assert.deepEqual(mergeMaps({ a: { x: 1, y: 2 }, l: [1], s: 's' }, { a: { y: 3 }, l: [2], s: { now: 'map' } }), {
    a: { x: 1, y: 3 },
    l: [2],
    s: { now: 'map' },
  });
});

const COALESCE: { name: string; chart: Chart; user: GoMap; want: GoMap; warnings?: string[] }[] = [
  {
    name: 'user values override defaults; defaults fill the rest',
    chart: chart('web', { replicas: 1, image: { repo: 'nginx', tag: '1.0' } }),
    user: { image: { tag: '2.0' } },
    want: { replicas: 1, image: { repo: 'nginx', tag: '2.0' } },
  },
  {
    name: 'null deletes a default, at the top and nested',
    chart: chart('web', { a: 1, t: { x: 1, y: 2 } }),
    user: { a: null, t: { x: null } },
    want: { t: { y: 2 } },
  },
  {
    name: 'null for a key without a default is kept',
    chart: chart('web', {}),
    user: { extra: null },
    want: { extra: null },
  },
  {
    name: 'a table over a scalar default warns and keeps the user table',
    chart: chart('web', { s: 'x' }),
    user: { s: { k: 1 } },
    want: { s: { k: 1 } },
    warnings: ['level=INFO msg="warning: skipped value for web.s: Not a table."'],
  },
  {
    name: 'a scalar over a table default wins silently at the top level',
    chart: chart('web', { t: { k: 1 } }),
    user: { t: 'flat' },
    want: { t: 'flat' },
  },
  {
    name: 'nested scalar over table warns with the full key',
    chart: chart('web', { t: { inner: { k: 1 } } }),
    user: { t: { inner: 'flat' } },
    want: { t: { inner: 'flat' } },
    warnings: ['level=INFO msg="warning: cannot overwrite table with non table for web.t.inner (map[k:1])"'],
  },
  {
    name: 'subchart defaults land under its name; globals flow down, parent globals win',
    chart: chart('web', { global: { env: 'prod', shared: { a: 1 } } }, [chart('db', { global: { env: 'dev', dbOnly: true, shared: { a: 0, b: 2 } }, size: '1Gi' })]),
    user: { db: { size: '5Gi' } },
    want: {
      global: { env: 'prod', shared: { a: 1 } },
      db: { size: '5Gi', global: { env: 'prod', dbOnly: true, shared: { a: 1, b: 2 } } },
    },
  },
  {
    name: 'null inside a subchart section still deletes the subchart default',
    chart: chart('web', {}, [chart('db', { size: '1Gi', keep: true })]),
    user: { db: { size: null } },
    want: { db: { keep: true, global: {} } },
  },
];

for (const c of COALESCE) {
  test(`coalesceValues: ${c.name}`, () => {
    const warnings: string[] = [];
    const user = structuredClone(c.user);
    assert.deepEqual(coalesceValues(c.chart, user, (w) => warnings.push(w)), c.want);
    assert.deepEqual(user, c.user, 'user values are not modified');
    assert.deepEqual(warnings, c.warnings ?? []);
  });
}

test('coalesceValues: a scalar where a subchart table belongs is a type mismatch', () => {
  assert.throws(() => coalesceValues(chart("web", {}, [chart("db", {})]), { db: "x" }), { message: "type mismatch on db: %!t(string=x)" });
});

test('table and pathValue follow dotted paths like common.Values', () => {
  const v: GoMap = { a: { b: { c: true } }, s: 'x' };
  assert.deepEqual(table(v, 'a.b'), { c: true });
  assert.equal(pathValue(v, 'a.b.c'), true);
  assert.throws(() => pathValue(v, 'a.b'), NoValueError, 'a table is not a value');
  assert.throws(() => pathValue(v, 'a.x.c'), NoValueError);
  assert.throws(() => table(v, 's'), /"s" is not a table/);
});
