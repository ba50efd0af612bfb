/**
 * semver tests: Sprig's semver and semverCompare against helm's output
 * (test/fixtures/gotemplate/sprig-semver.json from cases/sprig-semver.yaml), plus the plain API.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  compareVersions,
  parseConstraint,
  parseVersion,
  satisfies,
  SemverError,
  semverFuncs,
  versionOf,
} from './semver.js';
import { CallError, evaluate, loadFixture } from './regex-testkit.js';

describe('sprig semver against helm (sprig-semver.json, sprig-semver-random.json)', () => {
  const cases = [
    ...loadFixture('sprig-semver'),
    ...loadFixture('sprig-semver-random').map((c) => ({ ...c, name: `sprig-semver-random/${c.name}` })),
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error === null) {
        assert.equal(evaluate(c.template, semverFuncs, c.values), c.output, c.template);
        return;
      }
      let message = '';
      try {
        evaluate(c.template, semverFuncs, c.values);
      } catch (e) {
        // A *semver.Version parameter is checked by text/template before the call, so helm
        // reports a wrong argument without "error calling NAME:"; the executor does that itself.
        const typeError =
          e instanceof CallError && e.cause instanceof SemverError && /^wrong type/.test(e.cause.message);
        message = typeError ? (e.cause as Error).message : (e as Error).message;
      }
      assert.ok(message !== '', `expected an error like ${c.error}`);
      assert.ok(c.error.includes(message), `helm said ${JSON.stringify(c.error)}, we said ${JSON.stringify(message)}`);
    });
  }
});

describe('semver API', () => {
  // Orderings and verdicts below are the ones helm printed for the same inputs in sprig-semver.json.
  it('satisfies answers the kube-version idiom', () => {
    assert.equal(satisfies('>=1.21-0', 'v1.30.0-eks-036c24b'), true);
    assert.equal(satisfies('>=1.21.0', 'v1.30.0-eks-036c24b'), false);
  });
  it('parseConstraint keeps OR groups and their prerelease flag', () => {
    const cs = parseConstraint('>=1.2.3-0 <2 || 3.x');
    assert.equal(cs.groups.length, 2);
    assert.deepEqual(cs.containsPre, [true, false]);
    assert.deepEqual(
      cs.groups[0].map((c) => c.op),
      ['>=', '<'],
    );
  });
  it('compareVersions orders prereleases below releases', () => {
    assert.equal(compareVersions(parseVersion('1.0.0-rc.1'), parseVersion('1.0.0')), -1);
    assert.equal(compareVersions(parseVersion('v1.0.0+a'), parseVersion('1.0.0+b')), 0);
  });
  it('errors are SemverError with the input', () => {
    assert.throws(
      () => parseVersion('1.2.3-01'),
      (e: unknown) => e instanceof SemverError && e.input === '1.2.3-01',
    );
    assert.throws(
      () => parseConstraint('1.2.3-01'),
      (e: unknown) =>
        e instanceof SemverError && e.message === 'constraint parser error' && e.cause instanceof SemverError,
    );
  });
  it('the template value carries its Version', () => {
    const v = semverFuncs.semver.fn('v2.3.4-rc.1');
    assert.equal(versionOf(v)?.minor, 3n);
    assert.equal(versionOf('x'), undefined);
  });
});
