/**
 * math.test: Sprig's conversions and arithmetic called directly, with the results helm v4.1.4
 * printed for the same calls (test/fixtures/gotemplate/sprig-math.json). Integer literals reach
 * interface{} parameters as int (bigint), YAML numbers as float64 (number).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatV, GoInt64, goTypeName } from '../../value.js';
import { sprigFuncs } from './index.js';

interface Case {
  name: string;
  fn: string;
  args: unknown[];
  want?: string;
  throws?: string;
}

const each = (fn: string, inputs: unknown[], want: string[]): Case[] =>
  inputs.map((x, i) => ({ name: `${fn} ${formatV(x)} (${typeof x})`, fn, args: [x], want: want[i] }));

const cases: Case[] = [
  ...each(
    'atoi',
    ['42', '-7', '+3', '3.5', 'abc', '', '0x10', '1_000', ' 5', '99999999999999999999'],
    ['42', '-7', '3', '0', '0', '0', '0', '0', '0', '9223372036854775807'],
  ),
  ...each(
    'int',
    ['3.5', '3.0', '3.00', '0x10', '010', '0o17', '0b101', '1_000', '-12', '3.', '.0', 'abc', ''],
    ['0', '3', '3', '16', '8', '15', '5', '1000', '-12', '0', '0', '0', '0'],
  ),
  ...each(
    'int',
    [3.9, -3.9, 0.5, 7.99, 1e19, null, true, false, [1n], {}],
    ['3', '-3', '0', '7', '-9223372036854775808', '0', '1', '0', '0', '0'],
  ),
  ...each(
    'int64',
    ['42', 4.7, '9223372036854775807', '9223372036854775808', '-9223372036854775808', -1e300],
    ['42', '4', '9223372036854775807', '0', '-9223372036854775808', '-9223372036854775808'],
  ),
  ...each(
    'float64',
    ['3.5', '1e3', 'abc', 3n, null, true, '0x1p-2', 'inf', '-Infinity', '1_000.5', '.5', '5.', '1e400', 'NaN', '+nan'],
    ['3.5', '1000', '0', '3', '0', '1', '0.25', '+Inf', '-Inf', '1000.5', '0.5', '5', '0', 'NaN', '0'],
  ),
  ...each(
    'toDecimal',
    ['0777', '777', 777n, '8', '-10', '0o7', null, 7],
    ['511', '511', '511', '0', '-8', '0', '0', '7'],
  ),
  { name: 'seq to n', fn: 'seq', args: [5n], want: '1 2 3 4 5' },
  { name: 'seq down to negative', fn: 'seq', args: [-3n], want: '1 0 -1 -2 -3' },
  { name: 'seq 0', fn: 'seq', args: [0n], want: '1 0' },
  { name: 'seq start end backwards', fn: 'seq', args: [5n, 2n], want: '5 4 3 2' },
  { name: 'seq with step', fn: 'seq', args: [0n, 2n, 10n], want: '0 2 4 6 8 10' },
  { name: 'seq negative step', fn: 'seq', args: [10n, -3n, 0n], want: '10 7 4 1' },
  { name: 'seq step pointing away', fn: 'seq', args: [10n, 3n, 0n], want: '' },
  { name: 'seq without arguments', fn: 'seq', args: [], want: '' },
  { name: 'until', fn: 'until', args: [5n], want: '[0 1 2 3 4]' },
  { name: 'until negative', fn: 'until', args: [-3n], want: '[0 -1 -2]' },
  { name: 'untilStep', fn: 'untilStep', args: [0n, 10n, 3n], want: '[0 3 6 9]' },
  { name: 'untilStep down', fn: 'untilStep', args: [10n, 0n, -3n], want: '[10 7 4 1]' },
  { name: 'untilStep zero step', fn: 'untilStep', args: [0n, 3n, 0n], want: '[]' },
  { name: 'add casts every argument', fn: 'add', args: ['3', 2.9], want: '5' },
  { name: 'add wraps around', fn: 'add', args: [9223372036854775807n, 1n], want: '-9223372036854775808' },
  { name: 'add of YAML floats truncates each', fn: 'add', args: [1.5, 2.5], want: '3' },
  { name: 'add1 of a float', fn: 'add1', args: [1.9], want: '2' },
  { name: 'sub', fn: 'sub', args: ['10', 2.5], want: '8' },
  { name: 'mul', fn: 'mul', args: [2.5, 2n], want: '4' },
  { name: 'div truncates toward zero', fn: 'div', args: [-7n, 2n], want: '-3' },
  { name: 'div by zero panics', fn: 'div', args: [1n, 0n], throws: 'runtime error: integer divide by zero' },
  { name: 'mod keeps the dividend sign', fn: 'mod', args: [-7n, 3n], want: '-1' },
  { name: 'mod by zero panics', fn: 'mod', args: [1n, 0n], throws: 'runtime error: integer divide by zero' },
  { name: 'max', fn: 'max', args: [1n, 5n, 3n], want: '5' },
  { name: 'max with nil', fn: 'max', args: [-1n, null], want: '0' },
  { name: 'min mixed', fn: 'min', args: ['3', 2.9], want: '2' },
  { name: 'maxf', fn: 'maxf', args: [1n, 5.5, 3n], want: '5.5' },
  { name: 'minf of a string', fn: 'minf', args: ['1.5', 2n], want: '1.5' },
  { name: 'floor', fn: 'floor', args: [-1.5], want: '-2' },
  { name: 'ceil to negative zero', fn: 'ceil', args: [-0.5], want: '-0' },
  { name: 'round', fn: 'round', args: [3.14159, 2n], want: '3.14' },
  { name: 'round half down for negatives', fn: 'round', args: [-2.5, 0n], want: '-3' },
  { name: 'round floors negatives', fn: 'round', args: [-2.4, 0n], want: '-3' },
  { name: 'round binary fractions', fn: 'round', args: [2.345, 2n], want: '2.35' },
  { name: 'round custom threshold', fn: 'round', args: [1.45, 1n, 0.6], want: '1.4' },
  { name: 'round negative places', fn: 'round', args: [1234.5, -2n], want: '1200' },
  { name: 'addf is decimal', fn: 'addf', args: [0.1, 0.2], want: '0.3' },
  { name: 'addf of nothing', fn: 'addf', args: [], want: '0' },
  { name: 'addf big', fn: 'addf', args: [1e20, 1n], want: '1e+20' },
  { name: 'add1f', fn: 'add1f', args: [0.1], want: '1.1' },
  { name: 'subf', fn: 'subf', args: [0.3, 0.1], want: '0.2' },
  { name: 'mulf', fn: 'mulf', args: [0.1, 3n], want: '0.3' },
  { name: 'mulf tiny', fn: 'mulf', args: [1e-10, 1e-10], want: '1e-20' },
  { name: 'divf 16 places', fn: 'divf', args: [1n, 3n], want: '0.3333333333333333' },
  { name: 'divf rounds half up', fn: 'divf', args: [2n, 3n], want: '0.6666666666666667' },
  { name: 'divf negative', fn: 'divf', args: [-2n, 3n], want: '-0.6666666666666667' },
  { name: 'divf 1/7', fn: 'divf', args: [1n, 7n], want: '0.1428571428571429' },
  { name: 'divf twice', fn: 'divf', args: [100n, 3n, 3n], want: '11.11111111111111' },
  { name: 'divf below the precision', fn: 'divf', args: [1e-20, 3n], want: '0' },
  { name: 'divf by zero', fn: 'divf', args: [1n, 0n], throws: 'decimal division by 0' },
  { name: 'randInt empty range', fn: 'randInt', args: [5n, 5n], throws: 'invalid argument to Intn' },
  { name: 'randInt single value', fn: 'randInt', args: [3n, 4n], want: '3' },
];

for (const c of cases) {
  test(c.name, () => {
    const f = sprigFuncs[c.fn];
    assert.ok(f, `sprigFuncs has ${c.fn}`);
    if (c.throws !== undefined) assert.throws(() => f.fn(...c.args), { message: c.throws });
    else assert.equal(formatV(f.fn(...c.args)), c.want);
  });
}

test('integer math returns int64, int and atoi int, float results float64', () => {
  for (const r of [
    sprigFuncs.add.fn(1n, 2n),
    sprigFuncs.int64.fn('3'),
    sprigFuncs.max.fn(1n, 2n),
    sprigFuncs.div.fn(6n, 3n),
  ]) {
    assert.ok(r instanceof GoInt64, `${formatV(r)} is an int64`);
    assert.equal(goTypeName(r), 'int64');
  }
  assert.equal((sprigFuncs.mul.fn(3n, 4n) as GoInt64).value, 12n);
  assert.equal(typeof sprigFuncs.int.fn('3'), 'bigint');
  assert.equal(typeof sprigFuncs.atoi.fn('4'), 'bigint');
  assert.equal(typeof sprigFuncs.round.fn(1.5, 0n), 'number');
  assert.equal(typeof sprigFuncs.addf.fn(1n, 2n), 'number');
});

test('randInt stays in [min, max)', () => {
  for (let i = 0; i < 50; i++) {
    const r = sprigFuncs.randInt.fn(5n, 10n) as bigint;
    assert.ok(r >= 5n && r < 10n, String(r));
  }
});
