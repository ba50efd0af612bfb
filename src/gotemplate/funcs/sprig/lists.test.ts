/**
 * lists.test: Sprig's list functions called directly, with the results and panics helm v4.1.4
 * showed for the same calls (test/fixtures/gotemplate/sprig-lists.json).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatV } from '../../value.js';
import { sprigFuncs } from './index.js';

interface Case {
  name: string;
  fn: string;
  args: unknown[];
  want?: string;
  throws?: string;
}

const NIL_DEREF = 'runtime error: invalid memory address or nil pointer dereference';
const strs = (s: string) => sprigFuncs.splitList.fn(',', s);

const cases: Case[] = [
  { name: 'list', fn: 'list', args: [1n, 'a', 2.5, null, true], want: '[1 a 2.5 <nil> true]' },
  { name: 'first of empty is nil', fn: 'first', args: [[]], want: '<nil>' },
  { name: 'first of []string', fn: 'first', args: [strs('a,b')], want: 'a' },
  { name: 'first of nil panics', fn: 'first', args: [null], throws: NIL_DEREF },
  { name: 'first of a map', fn: 'first', args: [{ a: 1n }], throws: 'Cannot find first on type map' },
  { name: 'mustFirst of a string', fn: 'mustFirst', args: ['abc'], throws: 'Cannot find first on type string' },
  { name: 'mustLast of an int', fn: 'mustLast', args: [5n], throws: 'Cannot find last on type int' },
  { name: 'last', fn: 'last', args: [[1, 2, 3]], want: '3' },
  { name: 'rest', fn: 'rest', args: [[1n, 2n, 3n]], want: '[2 3]' },
  { name: 'rest of empty', fn: 'rest', args: [[]], want: '[]' },
  { name: 'initial', fn: 'initial', args: [[1n, 2n, 3n]], want: '[1 2]' },
  { name: 'mustInitial of a float', fn: 'mustInitial', args: [1.5], throws: 'Cannot find initial on type float64' },
  { name: 'append nests lists', fn: 'append', args: [[1n], [2n, 3n]], want: '[1 [2 3]]' },
  { name: 'append to []string', fn: 'append', args: [strs('a,b'), 'c'], want: '[a b c]' },
  { name: 'append to nil panics', fn: 'append', args: [null, 1n], throws: NIL_DEREF },
  { name: 'append to a map', fn: 'append', args: [{}, 1n], throws: 'Cannot push on type map' },
  { name: 'mustPush on a bool', fn: 'mustPush', args: [true, 1n], throws: 'Cannot push on type bool' },
  { name: 'prepend', fn: 'prepend', args: [[2n, 3n], 1n], want: '[1 2 3]' },
  { name: 'mustPrepend on an int', fn: 'mustPrepend', args: [5n, 1n], throws: 'Cannot prepend on type int' },
  { name: 'reverse', fn: 'reverse', args: [[1n, 2n, 3n]], want: '[3 2 1]' },
  { name: 'reverse of nil', fn: 'reverse', args: [null], throws: NIL_DEREF },
  {
    name: 'uniq keeps int and float apart',
    fn: 'uniq',
    args: [[1n, 2n, 1n, 'a', 'a', 2, null, null, [1n], [1n]]],
    want: '[1 2 a 2 <nil> [1]]',
  },
  {
    name: 'compact drops empty values',
    fn: 'compact',
    args: [[1n, 0n, '', null, false, 'a', [], {}, 2.5, 0]],
    want: '[1 a 2.5]',
  },
  { name: 'mustCompact on an int', fn: 'mustCompact', args: [3n], throws: 'Cannot compact on type int' },
  { name: 'without', fn: 'without', args: [[1n, 2n, 3n, 2n], 2n], want: '[1 3]' },
  { name: 'without nil', fn: 'without', args: [['a', null], null], want: '[a]' },
  { name: 'has', fn: 'has', args: [2n, [1n, 2n, 3n]], want: 'true' },
  { name: 'has is typed', fn: 'has', args: [2, [2n]], want: 'false' },
  { name: 'has in nil', fn: 'has', args: [1n, null], want: 'false' },
  { name: 'has nil', fn: 'has', args: [null, [null]], want: 'true' },
  { name: 'has in a string', fn: 'has', args: [1n, 'abc'], throws: 'Cannot find has on type string' },
  { name: 'slice', fn: 'slice', args: [[1n, 2n, 3n, 4n, 5n], 1n, 3n], want: '[2 3]' },
  { name: 'slice from', fn: 'slice', args: [[1n, 2n, 3n], 1n], want: '[2 3]' },
  { name: 'slice of empty is nil', fn: 'slice', args: [[]], want: '<nil>' },
  { name: 'slice index from a string', fn: 'slice', args: [[1n, 2n], '1'], want: '[2]' },
  {
    name: 'slice out of bounds',
    fn: 'slice',
    args: [[1n, 2n, 3n], 2n, 5n],
    throws: 'reflect.Value.Slice: slice index out of bounds',
  },
  {
    name: 'slice negative',
    fn: 'slice',
    args: [[1n, 2n, 3n], -1n],
    throws: 'reflect.Value.Slice: slice index out of bounds',
  },
  {
    name: 'mustSlice of a string',
    fn: 'mustSlice',
    args: ['abc', 1n],
    throws: 'list should be type of slice or array but string',
  },
  { name: 'concat', fn: 'concat', args: [[1n, 2n], [3n], strs('a,b'), []], want: '[1 2 3 a b]' },
  { name: 'concat nothing', fn: 'concat', args: [], want: '[]' },
  { name: 'concat a scalar', fn: 'concat', args: [[1n], 2n], throws: 'Cannot concat type int as list' },
  { name: 'concat nil', fn: 'concat', args: [[1n], null], throws: NIL_DEREF },
  { name: 'chunk', fn: 'chunk', args: [2n, [1n, 2n, 3n, 4n, 5n]], want: '[[1 2] [3 4] [5]]' },
  { name: 'chunk of empty', fn: 'chunk', args: [2n, []], want: '[]' },
  { name: 'chunk larger than the list', fn: 'chunk', args: [5n, [1n, 2n]], want: '[[1 2]]' },
  {
    name: 'chunk by zero',
    fn: 'chunk',
    args: [0n, [1n, 2n, 3n]],
    throws: 'runtime error: makeslice: len out of range',
  },
  {
    name: 'chunk by negative',
    fn: 'chunk',
    args: [-2n, [1n, 2n, 3n, 4n, 5n]],
    throws: 'runtime error: makeslice: len out of range',
  },
  { name: 'mustChunk of a map', fn: 'mustChunk', args: [2n, {}], throws: 'Cannot chunk type map' },
  { name: 'sortAlpha of values', fn: 'sortAlpha', args: [['b', 'a', 3, 1.5]], want: '[1.5 3 a b]' },
];

for (const c of cases) {
  test(c.name, () => {
    const f = sprigFuncs[c.fn];
    assert.ok(f, `sprigFuncs has ${c.fn}`);
    if (c.throws !== undefined) assert.throws(() => f.fn(...c.args), { message: c.throws });
    else assert.equal(formatV(f.fn(...c.args)), c.want);
  });
}

test('append and prepend return new lists', () => {
  const a = [1n, 2n];
  const b = sprigFuncs.append.fn(a, 3n);
  assert.deepEqual(a, [1n, 2n]);
  assert.deepEqual(b, [1n, 2n, 3n]);
});

test('result types', () => {
  const typeOf = sprigFuncs.typeOf.fn;
  assert.equal(typeOf(sprigFuncs.append.fn(sprigFuncs.until.fn(2n), 9n)), '[]interface {}');
  assert.equal(typeOf(sprigFuncs.chunk.fn(2n, [1n, 2n, 3n])), '[][]interface {}');
  assert.equal(typeOf(sprigFuncs.slice.fn(strs('a,b,c'), 1n)), '[]string');
  assert.equal(typeOf(sprigFuncs.concat.fn()), '[]interface {}');
});
