/**
 * date tests: Sprig's date functions against helm's output (test/fixtures/gotemplate/sprig-date.json
 * from cases/sprig-date.yaml). Cases use fixed inputs; the ones about "now" print only shapes
 * (lengths, types, "0s" for `ago now`). The process zone is set to UTC, as when the fixtures were made.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { byteLength, goFunc, type FuncMap, type Value } from '../../value.js';
import { DateArgError, dateFuncs, formatDuration, parseDuration, DurationError, toDate, formatTime } from './date.js';
import { mathFuncs } from './math.js';
import { CallError, evaluate, loadFixture } from './regex-testkit.js';

// The fixtures were made with helm running in UTC; time.Local is the process zone here as there.
process.env.TZ = 'UTC';

// len and eq stand in for the template builtins (the shape cases measure formatted dates with len,
// and compare a date with now using eq); int64 is sprig's.
const funcs: FuncMap = {
  ...dateFuncs,
  len: goFunc((v: Value) => BigInt(byteLength(String(v))), ['any']),
  eq: goFunc((a: Value, b: Value) => a === b, ['string', 'string']),
  int64: mathFuncs.int64!,
};

describe('sprig date against helm (sprig-date.json, sprig-date-random.json)', () => {
  const cases = [
    ...loadFixture('sprig-date'),
    ...loadFixture('sprig-date-random').map((c) => ({ ...c, name: `sprig-date-random/${c.name}` })),
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error === null) {
        assert.equal(evaluate(c.template, funcs, c.values), c.output, c.template);
        return;
      }
      let message = '';
      try {
        evaluate(c.template, funcs, c.values);
      } catch (e) {
        // A time.Time parameter is checked by text/template before the call, so helm reports the
        // type error without "error calling NAME:"; the executor does that for declared types.
        message = e instanceof CallError && e.cause instanceof DateArgError ? e.cause.message : (e as Error).message;
      }
      assert.ok(message !== '', `expected an error like ${c.error}`);
      assert.ok(c.error.includes(message), `helm said ${JSON.stringify(c.error)}, we said ${JSON.stringify(message)}`);
    });
  }
});

describe('durations', () => {
  // Duration.String examples from Go's time package documentation and tests.
  const strings: [bigint, string][] = [
    [0n, '0s'],
    [1n, '1ns'],
    [1100n, '1.1µs'],
    [2200_000n, '2.2ms'],
    [3300_000_000n, '3.3s'],
    [4n * 60_000_000_000n + 5_000_000_000n, '4m5s'],
    [4n * 60_000_000_000n + 5_001_000_000n, '4m5.001s'],
    [5n * 3600_000_000_000n + 6n * 60_000_000_000n + 7_001_000_000n, '5h6m7.001s'],
    [8n * 60_000_000_000n + 1n, '8m0.000000001s'],
    [-1n, '-1ns'],
    [(1n << 63n) - 1n, '2562047h47m16.854775807s'],
    [-(1n << 63n), '-2562047h47m16.854775808s'],
  ];
  for (const [d, s] of strings) it(`format ${s}`, () => assert.equal(formatDuration(d), s));
  it('parse round-trips the formatted forms', () => {
    for (const [d, s] of strings.slice(0, 9)) assert.equal(parseDuration(s), d);
  });
  it('parse errors are DurationError with the input', () => {
    assert.throws(
      () => parseDuration('1x'),
      (e: unknown) => e instanceof DurationError && e.input === '1x',
    );
  });
});

describe('toDate and formatTime', () => {
  it('keep nanoseconds and the parsed offset', () => {
    const t = toDate('2006-01-02T15:04:05.999999999Z07:00', '2024-03-05T07:08:09.123456789+01:00');
    assert.equal(t.ns, 456789);
    assert.equal(t.offsetSeconds, 3600);
    assert.equal(formatTime(t, '15:04:05.000000000 -07:00'), '07:08:09.123456789 +01:00');
  });
});
