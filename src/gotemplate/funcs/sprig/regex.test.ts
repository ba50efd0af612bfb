/**
 * regex tests: Sprig's regex functions against helm's output (test/fixtures/gotemplate/sprig-regex.json,
 * generated from cases/sprig-regex.yaml), plus the pieces Go documents directly.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { goFunc, type FuncMap } from '../../value.js';
import { compileGo, quoteMeta, regexFuncs, RegexpCompileError, RegexpSyntaxError } from './regex.js';
import { evaluate, loadFixture } from './regex-testkit.js';

// lower is Sprig's strings.ToLower; the realistic cases pipe through it.
const funcs: FuncMap = { ...regexFuncs, lower: goFunc((s: string) => s.toLowerCase(), ['string']) };

/**
 * KNOWN_DEVIATIONS: cases where JS backtracking cannot follow Go's automaton, each with its reason.
 * They still run and must still differ, so the table stays true.
 */
const KNOWN_DEVIATIONS = new Map<string, string>([
  [
    'sprig-regex-random/r000',
    'an unbounded loop over a nullable group, `(…|.*?)*?`: after an empty iteration Go stops the loop ' +
      '(its VM drops the revisited state) and keeps the last capture; JS retries the loop body',
  ],
]);

describe('sprig regex against helm (sprig-regex.json, sprig-regex-random*.json)', () => {
  const cases = ['sprig-regex', 'sprig-regex-random', 'sprig-regex-random2'].flatMap((area) =>
    loadFixture(area).map((c) => ({ ...c, name: area === 'sprig-regex' ? c.name : `${area}/${c.name}` })),
  );
  for (const c of cases) {
    it(c.name, () => {
      if (KNOWN_DEVIATIONS.has(c.name)) {
        assert.notEqual(
          evaluate(c.template, funcs, c.values),
          c.output,
          `${c.name} now matches helm: drop it from KNOWN_DEVIATIONS`,
        );
        return;
      }
      if (c.error === null) {
        assert.equal(evaluate(c.template, funcs, c.values), c.output, c.template);
        return;
      }
      let message = '';
      try {
        evaluate(c.template, funcs, c.values);
      } catch (e) {
        message = (e as Error).message;
      }
      assert.ok(message !== '', `expected an error like ${c.error}`);
      assert.ok(c.error.includes(message), `helm said ${JSON.stringify(c.error)}, we said ${JSON.stringify(message)}`);
    });
  }
});

describe('regex API', () => {
  it('compileGo throws RegexpSyntaxError with code and expression', () => {
    assert.throws(
      () => compileGo('a(b'),
      (e: unknown) => e instanceof RegexpSyntaxError && e.code === 'missing closing )' && e.expr === 'a(b',
    );
  });
  it('MustCompile-style errors carry the pattern and the syntax error as cause', () => {
    try {
      regexFuncs.regexFind.fn('[x', 'y');
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof RegexpCompileError);
      assert.equal(e.expr, '[x');
      assert.ok(e.cause instanceof RegexpSyntaxError);
    }
  });
  it('compiled patterns are cached', () => assert.equal(compileGo('ab+'), compileGo('ab+')));
  it('quoteMeta escapes the same bytes as regexp.QuoteMeta', () => assert.equal(quoteMeta('a.b*c'), 'a\\.b\\*c'));
});
