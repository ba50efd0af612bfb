/**
 * dicts.test: Sprig's dict functions called directly, with the results helm v4.1.4 showed for the
 * same calls (test/fixtures/gotemplate/sprig-dicts.json). merge and mergeOverwrite follow mergo:
 * the table below is the behaviour helm printed, quirks included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatV, type GoMap } from '../../value.js';
import { sprigFuncs } from './index.js';
import { withGoType } from './util.js';

interface Case {
  name: string;
  fn: string;
  args: () => unknown[];
  want?: string;
  throws?: string;
}

const cases: Case[] = [
  { name: 'dict', fn: 'dict', args: () => ['a', 1n, 'b', 'two'], want: 'map[a:1 b:two]' },
  { name: 'dict odd arguments', fn: 'dict', args: () => ['odd'], want: 'map[odd:]' },
  {
    name: 'dict keys through %v',
    fn: 'dict',
    args: () => [1n, 2n, null, 3n, true, 4n],
    want: 'map[1:2 <nil>:3 true:4]',
  },
  { name: 'dict later key wins', fn: 'dict', args: () => ['a', 1n, 'a', 2n], want: 'map[a:2]' },
  { name: 'get missing is ""', fn: 'get', args: () => [{ a: 1n }, 'b'], want: '' },
  { name: 'get nil value', fn: 'get', args: () => [{ a: null }, 'a'], want: '<nil>' },
  { name: 'get from nil map', fn: 'get', args: () => [null, 'a'], want: '' },
  { name: 'set returns the map', fn: 'set', args: () => [{ a: 1n }, 'a', 'x'], want: 'map[a:x]' },
  { name: 'set on nil map', fn: 'set', args: () => [null, 'a', 1n], throws: 'assignment to entry in nil map' },
  { name: 'unset', fn: 'unset', args: () => [{ a: 1n, b: 2n }, 'a'], want: 'map[b:2]' },
  { name: 'unset on nil map', fn: 'unset', args: () => [null, 'a'], want: 'map[]' },
  { name: 'hasKey with nil value', fn: 'hasKey', args: () => [{ a: null }, 'a'], want: 'true' },
  { name: 'hasKey on nil map', fn: 'hasKey', args: () => [null, 'a'], want: 'false' },
  { name: 'pluck', fn: 'pluck', args: () => ['a', { a: 1n }, { b: 2n }, { a: 3n }], want: '[1 3]' },
  { name: 'keys of several maps', fn: 'keys', args: () => [{ a: 1n }, { a: 2n }], want: '[a a]' },
  { name: 'pick', fn: 'pick', args: () => [{ a: 1n, b: 2n, c: 3n }, 'a', 'c', 'z'], want: 'map[a:1 c:3]' },
  { name: 'omit', fn: 'omit', args: () => [{ a: 1n, b: 2n, c: 3n }, 'a', 'z'], want: 'map[b:2 c:3]' },
  { name: 'values', fn: 'values', args: () => [{ a: 1n }], want: '[1]' },
  {
    name: 'merge: dst wins',
    fn: 'merge',
    args: () => [
      { a: 1n, b: 2n },
      { b: 3n, c: 4n },
    ],
    want: 'map[a:1 b:2 c:4]',
  },
  {
    name: 'merge: empty dst values are replaced',
    fn: 'merge',
    args: () => [
      { a: '', b: 0n, c: false, d: null, e: [], f: {} },
      { a: 'x', b: 5n, c: true, d: 'y', e: [1n], f: { k: 1n } },
    ],
    want: 'map[a:x b:5 c:true d:y e:[1] f:map[k:1]]',
  },
  {
    name: 'merge: nil in src is skipped',
    fn: 'merge',
    args: () => [{ a: 1n }, { a: null, b: null }],
    want: 'map[a:1]',
  },
  {
    name: 'merge: nested maps merge',
    fn: 'merge',
    args: () => [{ a: { x: 1n, y: { p: 1n } } }, { a: { x: 2n, z: 3n, y: { q: 2n } } }],
    want: 'map[a:map[x:1 y:map[p:1 q:2] z:3]]',
  },
  {
    name: 'merge: map does not replace a scalar',
    fn: 'merge',
    args: () => [{ a: 'str' }, { a: { k: 1n } }],
    want: 'map[a:str]',
  },
  {
    name: 'merge: lists are not merged',
    fn: 'merge',
    args: () => [{ a: [1n, 2n] }, { a: [3n] }],
    want: 'map[a:[1 2]]',
  },
  { name: 'merge: list replaces ""', fn: 'merge', args: () => [{ a: '' }, { a: [1n] }], want: 'map[a:[1]]' },
  {
    name: 'merge: left to right',
    fn: 'merge',
    args: () => [{ a: 1n }, { a: 2n, b: 2n }, { b: 3n, c: 3n }],
    want: 'map[a:1 b:2 c:3]',
  },
  { name: 'merge: nil dst', fn: 'merge', args: () => [null, { a: 1n }], want: 'map[a:1]' },
  {
    name: 'mergeOverwrite: src wins',
    fn: 'mergeOverwrite',
    args: () => [
      { a: 1n, b: 2n },
      { b: 3n, c: 4n },
    ],
    want: 'map[a:1 b:3 c:4]',
  },
  {
    name: 'mergeOverwrite: empty src values win, except an empty map',
    fn: 'mergeOverwrite',
    args: () => [
      { a: 'x', b: 5n, c: true, d: [1n], e: { k: 1n } },
      { a: '', b: 0n, c: false, d: [], e: {} },
    ],
    want: 'map[a: b:0 c:false d:[] e:map[k:1]]',
  },
  {
    name: 'mergeOverwrite: nil wins',
    fn: 'mergeOverwrite',
    args: () => [{ a: 1n }, { a: null }],
    want: 'map[a:<nil>]',
  },
  {
    name: 'mergeOverwrite: nested',
    fn: 'mergeOverwrite',
    args: () => [{ a: { x: 1n, y: { p: 1n } } }, { a: { x: 2n, y: { q: 2n } } }],
    want: 'map[a:map[x:2 y:map[p:1 q:2]]]',
  },
  {
    name: 'mergeOverwrite: scalar replaces a map',
    fn: 'mergeOverwrite',
    args: () => [{ a: { k: 1n } }, { a: 's' }],
    want: 'map[a:s]',
  },
  {
    name: 'mergeOverwrite: lists replace',
    fn: 'mergeOverwrite',
    args: () => [{ a: [1n, 2n] }, { a: [3n] }],
    want: 'map[a:[3]]',
  },
  {
    name: 'deepCopy of nil',
    fn: 'deepCopy',
    args: () => [null],
    throws: 'reflect: call of reflect.Value.Type on zero Value',
  },
  {
    name: 'mustDeepCopy of nil',
    fn: 'mustDeepCopy',
    args: () => [null],
    throws: 'reflect: call of reflect.Value.Type on zero Value',
  },
  { name: 'dig', fn: 'dig', args: () => ['a', 'b', 'def', { a: { b: 1n } }], want: '1' },
  { name: 'dig default', fn: 'dig', args: () => ['a', 'x', 'def', { a: { b: 1n } }], want: 'def' },
  { name: 'dig too few arguments', fn: 'dig', args: () => ['a', {}], throws: 'dig needs at least three arguments' },
  {
    name: 'dig through a string',
    fn: 'dig',
    args: () => ['a', 'b', 'd', { a: 'str' }],
    throws: 'interface conversion: interface {} is string, not map[string]interface {}',
  },
  {
    name: 'dig through nil',
    fn: 'dig',
    args: () => ['a', 'b', 'd', { a: null }],
    throws: 'interface conversion: interface {} is nil, not map[string]interface {}',
  },
  {
    name: 'dig with an int key',
    fn: 'dig',
    args: () => [1n, 'd', {}],
    throws: 'interface conversion: interface {} is int, not string',
  },
  {
    name: 'dig refuses .Values (common.Values)',
    fn: 'dig',
    args: () => ['image', 'tag', 'latest', withGoType({ image: { tag: 'v1' } }, 'common.Values')],
    throws: 'interface conversion: interface {} is common.Values, not map[string]interface {}',
  },
];

for (const c of cases) {
  test(c.name, () => {
    const f = sprigFuncs[c.fn];
    assert.ok(f, `sprigFuncs has ${c.fn}`);
    if (c.throws !== undefined) assert.throws(() => f.fn(...c.args()), { message: c.throws });
    else assert.equal(formatV(f.fn(...c.args())), c.want);
  });
}

test('set, unset and merge change their map in place', () => {
  const d: GoMap = { a: 1n };
  sprigFuncs.set.fn(d, 'b', 2n);
  sprigFuncs.unset.fn(d, 'a');
  const inner: GoMap = { x: 1n };
  sprigFuncs.merge.fn(d, { c: 3n, m: { y: 2n } });
  sprigFuncs.merge.fn({ a: inner }, { a: { y: 2n } });
  assert.equal(formatV(d), 'map[b:2 c:3 m:map[y:2]]');
  assert.equal(formatV(inner), 'map[x:1 y:2]', 'nested dst maps are merged in place');
});

test('merge shares src maps it copies in', () => {
  const src: GoMap = { a: { x: 1n } };
  const d = sprigFuncs.merge.fn({}, src) as GoMap;
  sprigFuncs.set.fn(d.a, 'y', 2n);
  assert.equal(formatV(src), 'map[a:map[x:1 y:2]]');
});

test('deepCopy copies and keeps the Go type', () => {
  const a: GoMap = withGoType({ x: { y: 1n } }, 'common.Values');
  const b = sprigFuncs.deepCopy.fn(a) as GoMap;
  sprigFuncs.set.fn(b.x, 'y', 2n);
  assert.equal(formatV(a), 'map[x:map[y:1]]');
  assert.equal(formatV(b), 'map[x:map[y:2]]');
  assert.equal(sprigFuncs.typeOf.fn(b), 'common.Values');
});

test('a "__proto__" key is an ordinary key', () => {
  const d = sprigFuncs.dict.fn('__proto__', 1n) as GoMap;
  assert.equal(sprigFuncs.hasKey.fn(d, '__proto__'), true);
  assert.equal(Object.getPrototypeOf(d), Object.prototype);
});
