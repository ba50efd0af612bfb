import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchVersion, tagToVersion, versionToTag } from './pull.js';

describe('tagToVersion', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['plain', '1.2.3', '1.2.3'],
    ['build metadata written with underscore', '1.2.3_build.7', '1.2.3+build.7'],
    ['leading v', 'v2.0.1', '2.0.1'],
    ['major.minor', '1.4', '1.4.0'],
    ['prerelease', '2.0.0-rc.1', '2.0.0-rc.1'],
    ['not a version', 'latest', undefined],
    ['sha-like tag', 'sha256-abc.sig', undefined],
  ];
  for (const [name, tag, want] of cases) it(name, () => assert.equal(tagToVersion(tag), want));
  it('versionToTag writes + as _', () => assert.equal(versionToTag('1.0.0+meta.1'), '1.0.0_meta.1'));
});

describe('matchVersion', () => {
  const tags = [
    '1.2.0',
    '1.4.0',
    '1.4.7',
    '1.5.0-rc.1',
    '2.0.0',
    '2.1.0-beta.1',
    '6.0.0',
    '6.7.1',
    '6.7.1_build.2',
    'v6.9.0',
    'latest',
    '7.0.0-alpha.1',
  ];
  const cases: Array<[string, string, string | undefined]> = [
    ['x range takes the highest match', '6.x', 'v6.9.0'],
    ['compound range', '>=1.2 <2', '1.4.7'],
    ['tilde', '~1.4', '1.4.7'],
    ['caret', '^1.2.0', '1.4.7'],
    ['prerelease excluded by a plain range', '>=2.0.0 <3', '2.0.0'],
    ['prerelease allowed when the range names one on the same tuple', '>=2.1.0-beta.0 <3', '2.1.0-beta.1'],
    ['star is latest stable', '*', 'v6.9.0'],
    ['exact version through a range', '6.7.1', '6.7.1'],
    ['no match', '>=8', undefined],
  ];
  for (const [name, range, want] of cases) it(name, () => assert.equal(matchVersion(tags, range)?.tag, want));
  it('build metadata tag is found by its version', () =>
    assert.deepEqual(matchVersion(['6.7.1_build.2'], '6.7.x'), { tag: '6.7.1_build.2', version: '6.7.1+build.2' }));
});
