/**
 * math: Sprig's conversions (spf13/cast rules) and integer, float and decimal arithmetic.
 *
 * Integer math converts every argument with cast.ToInt64 ("3.0" → 3, "3.5" → 0, 3.9 → 3, nil → 0)
 * and wraps around like int64. The float functions addf/subf/mulf/divf go through
 * shopspring/decimal: each float is taken at its shortest decimal form, so `addf 0.1 0.2` is 0.3,
 * and division keeps 16 decimal places, rounded half away from zero.
 */
import { type FuncMap, type Value, goFunc, int64 } from '../../value.js';
import {
  INT64_MAX,
  INT64_MIN,
  formatV,
  castToFloat64,
  castToInt64,
  fail,
  parseInt64,
  withGoType,
  wrap64,
} from './util.js';

// ---------------------------------------------------------------------------------------------
// shopspring/decimal, as much of it as sprig uses

/** Dec is coef × 10^exp. */
interface Dec {
  coef: bigint;
  exp: number;
}

function decFromFloat(func: string, f: number): Dec {
  if (!Number.isFinite(f)) fail(func, `Cannot create a Decimal from ${formatV(f)}`);
  if (f === 0) return { coef: 0n, exp: 0 };
  // toExponential() without digits is the shortest round-trip form, as strconv's shortest.
  const [m, e] = f.toExponential().split('e');
  const digits = m.replace('.', '').replace('-', '');
  const frac = m.includes('.') ? m.split('.')[1].length : 0;
  const coef = BigInt(digits) * (f < 0 ? -1n : 1n);
  return { coef, exp: Number(e) - frac };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const e = Math.min(a.exp, b.exp);
  return [a.coef * pow10(a.exp - e), b.coef * pow10(b.exp - e), e];
}

const decAdd = (a: Dec, b: Dec): Dec => {
  const [x, y, e] = align(a, b);
  return { coef: x + y, exp: e };
};
const decSub = (a: Dec, b: Dec): Dec => {
  const [x, y, e] = align(a, b);
  return { coef: x - y, exp: e };
};
const decMul = (a: Dec, b: Dec): Dec => ({ coef: a.coef * b.coef, exp: a.exp + b.exp });

const DIVISION_PRECISION = 16;
function decDiv(func: string, a: Dec, b: Dec): Dec {
  if (b.coef === 0n) fail(func, 'decimal division by 0');
  // value = a.coef/b.coef × 10^(a.exp-b.exp); quotient at scale 10^-16, truncated, then rounded
  // half away from zero on the remainder.
  const shift = a.exp - b.exp + DIVISION_PRECISION;
  let num = a.coef;
  let den = b.coef;
  if (shift >= 0) num *= pow10(shift);
  else den *= pow10(-shift);
  let q = num / den;
  const r = num % den;
  const abs = (x: bigint) => (x < 0n ? -x : x);
  if (2n * abs(r) >= abs(den)) q += num < 0n !== den < 0n ? -1n : 1n;
  return { coef: q, exp: -DIVISION_PRECISION };
}

const decToFloat = (d: Dec): number => Number(`${d.coef}e${d.exp}`);

function decimalOp(func: string, a: Value, rest: Value[], op: (x: Dec, y: Dec) => Dec): number {
  let acc = decFromFloat(func, castToFloat64(a));
  for (const x of rest) acc = op(acc, decFromFloat(func, castToFloat64(x)));
  return decToFloat(acc);
}

// ---------------------------------------------------------------------------------------------

/**
 * atoi is strconv.Atoi with the error dropped: base 10 only, a syntax error gives 0 and an
 * out-of-range number the nearest int64 (what Atoi returns beside its range error).
 */
function atoi(s: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(s)) return 0n;
  const n = BigInt(s);
  return n > INT64_MAX ? INT64_MAX : n < INT64_MIN ? INT64_MIN : n;
}

/** untilStep is sprig's untilStep: start, start+step, … up to (not including) stop. */
export function untilStep(start: bigint, stop: bigint, step: bigint): bigint[] {
  const v: bigint[] = [];
  if (stop < start) {
    if (step >= 0n) return v;
    for (let i = start; i > stop; i += step) v.push(i);
    return v;
  }
  if (step <= 0n) return v;
  for (let i = start; i < stop; i += step) v.push(i);
  return v;
}

function seq(...params: bigint[]): string {
  const join = (xs: bigint[]) => xs.join(' ');
  switch (params.length) {
    case 1: {
      const end = params[0];
      const inc = end < 1n ? -1n : 1n;
      return join(untilStep(1n, end + inc, inc));
    }
    case 2: {
      const [start, end] = params;
      const step = end < start ? -1n : 1n;
      return join(untilStep(start, end + step, step));
    }
    case 3: {
      const [start, step, end] = params;
      let inc = 1n;
      if (end < start) {
        inc = -1n;
        if (step > 0n) return '';
      }
      return join(untilStep(start, end + inc, step));
    }
    default:
      return '';
  }
}

function idiv(func: string, a: Value, b: Value, mod: boolean): bigint {
  const x = castToInt64(a);
  const y = castToInt64(b);
  if (y === 0n) fail(func, 'runtime error: integer divide by zero');
  return wrap64(mod ? x % y : x / y);
}

/** goRound is sprig's round: Modf's fraction against roundOn, so negatives round down. */
function goRound(a: Value, p: bigint, ...opt: number[]): number {
  const roundOn = opt.length > 0 ? opt[0] : 0.5;
  const val = castToFloat64(a);
  const pow = Math.pow(10, Number(p));
  const digit = pow * val;
  const frac = Number.isFinite(digit) ? digit - Math.trunc(digit) : Number.isNaN(digit) ? NaN : 0;
  const r = frac >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

function randInt(min: bigint, max: bigint): bigint {
  const n = max - min;
  if (n <= 0n) fail('randInt', 'invalid argument to Intn');
  const buf = new BigUint64Array(1);
  const limit = 2n ** 64n - (2n ** 64n % n);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0] < limit) return (buf[0] % n) + min;
  }
}

const maxf = (a: number, b: number) => Math.max(a, b);
const minf = (a: number, b: number) => Math.min(a, b);

/** i64: the function returns a Go int64 (sprig's integer math and toInt64 do; `int` and `atoi` return int). */
const i64 =
  <A extends any[]>(f: (...a: A) => bigint) =>
  (...a: A) =>
    int64(f(...a));

/** mathFuncs are Sprig's conversion and arithmetic functions. */
export const mathFuncs: FuncMap = {
  atoi: goFunc(atoi, ['string']),
  int64: goFunc(i64(castToInt64), ['any']),
  int: goFunc(castToInt64, ['any']),
  float64: goFunc(castToFloat64, ['any']),
  toDecimal: goFunc(
    i64((v: Value) => parseInt64(formatV(v), 8) ?? 0n),
    ['any'],
  ),
  seq: goFunc(seq, [], { variadic: 'int' }),
  until: goFunc((n: bigint) => withGoType(untilStep(0n, n, n < 0n ? -1n : 1n), '[]int'), ['int']),
  untilStep: goFunc(
    (a: bigint, b: bigint, c: bigint) => withGoType(untilStep(a, b, c), '[]int'),
    ['int', 'int', 'int'],
  ),
  add1: goFunc(
    i64((a: Value) => wrap64(castToInt64(a) + 1n)),
    ['any'],
  ),
  add: goFunc(
    i64((...xs: Value[]) => xs.reduce<bigint>((acc, x) => wrap64(acc + castToInt64(x)), 0n)),
    [],
    {
      variadic: 'any',
    },
  ),
  sub: goFunc(
    i64((a: Value, b: Value) => wrap64(castToInt64(a) - castToInt64(b))),
    ['any', 'any'],
  ),
  div: goFunc(
    i64((a: Value, b: Value) => idiv('div', a, b, false)),
    ['any', 'any'],
  ),
  mod: goFunc(
    i64((a: Value, b: Value) => idiv('mod', a, b, true)),
    ['any', 'any'],
  ),
  mul: goFunc(
    i64((a: Value, ...xs: Value[]) => xs.reduce<bigint>((acc, x) => wrap64(acc * castToInt64(x)), castToInt64(a))),
    ['any'],
    { variadic: 'any' },
  ),
  randInt: goFunc(randInt, ['int', 'int']),
  add1f: goFunc((a: Value) => decimalOp('add1f', a, [1n], decAdd), ['any']),
  addf: goFunc((...xs: Value[]) => decimalOp('addf', 0, xs, decAdd), [], { variadic: 'any' }),
  subf: goFunc((a: Value, ...xs: Value[]) => decimalOp('subf', a, xs, decSub), ['any'], { variadic: 'any' }),
  divf: goFunc((a: Value, ...xs: Value[]) => decimalOp('divf', a, xs, (x, y) => decDiv('divf', x, y)), ['any'], {
    variadic: 'any',
  }),
  mulf: goFunc((a: Value, ...xs: Value[]) => decimalOp('mulf', a, xs, decMul), ['any'], { variadic: 'any' }),
  biggest: goFunc(i64(intMax), ['any'], { variadic: 'any' }),
  max: goFunc(i64(intMax), ['any'], { variadic: 'any' }),
  min: goFunc(
    i64((a: Value, ...xs: Value[]) =>
      xs.reduce<bigint>((acc, x) => {
        const b = castToInt64(x);
        return b < acc ? b : acc;
      }, castToInt64(a)),
    ),
    ['any'],
    { variadic: 'any' },
  ),
  maxf: goFunc(
    (a: Value, ...xs: Value[]) => xs.reduce<number>((acc, x) => maxf(acc, castToFloat64(x)), castToFloat64(a)),
    ['any'],
    { variadic: 'any' },
  ),
  minf: goFunc(
    (a: Value, ...xs: Value[]) => xs.reduce<number>((acc, x) => minf(acc, castToFloat64(x)), castToFloat64(a)),
    ['any'],
    { variadic: 'any' },
  ),
  ceil: goFunc((a: Value) => Math.ceil(castToFloat64(a)), ['any']),
  floor: goFunc((a: Value) => Math.floor(castToFloat64(a)), ['any']),
  round: goFunc(goRound, ['any', 'int'], { variadic: 'float64' }),
};

function intMax(a: Value, ...xs: Value[]): bigint {
  let acc = castToInt64(a);
  for (const x of xs) {
    const b = castToInt64(x);
    if (b > acc) acc = b;
  }
  return acc;
}
