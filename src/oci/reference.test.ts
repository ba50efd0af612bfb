import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidReferenceError } from './errors.js';
import { formatReference, isLoopbackHost, parseReference, type OciReference } from './reference.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('parseReference', () => {
  const ok: Array<[string, string, OciReference]> = [
    [
      'tag',
      'oci://ghcr.io/stefanprodan/charts/podinfo:6.7.1',
      { registry: 'ghcr.io', repository: 'stefanprodan/charts/podinfo', tag: '6.7.1' },
    ],
    [
      'no tag',
      'oci://registry-1.docker.io/bitnamicharts/nginx',
      { registry: 'registry-1.docker.io', repository: 'bitnamicharts/nginx' },
    ],
    [
      'port and digest',
      `oci://127.0.0.1:5000/charts/nginx@${D}`,
      { registry: '127.0.0.1:5000', repository: 'charts/nginx', digest: D },
    ],
    [
      'tag and digest',
      `oci://localhost:5000/a/b:1.2.3@${D}`,
      { registry: 'localhost:5000', repository: 'a/b', tag: '1.2.3', digest: D },
    ],
    [
      'build metadata as underscore',
      'oci://h.example/c:1.0.0_build.5',
      { registry: 'h.example', repository: 'c', tag: '1.0.0_build.5' },
    ],
    ['scheme optional', 'h.example:443/x/y:v1', { registry: 'h.example:443', repository: 'x/y', tag: 'v1' }],
    ['ipv6 host', 'oci://[::1]:5000/x:1', { registry: '[::1]:5000', repository: 'x', tag: '1' }],
    ['separators', 'oci://h/a.b/c__d/e-f--g:t', { registry: 'h', repository: 'a.b/c__d/e-f--g', tag: 't' }],
  ];
  for (const [name, input, want] of ok) {
    it(name, () => {
      assert.deepEqual(parseReference(input), want);
      assert.equal(formatReference(parseReference(input)), input.startsWith('oci://') ? input : `oci://${input}`);
    });
  }

  const bad: Array<[string, string, RegExp]> = [
    ['other scheme', 'https://h/x:1', /scheme must be oci/],
    ['no repository', 'oci://h.example', /missing repository/],
    ['empty repository with tag', 'oci://h.example/:1', /missing repository/],
    ['uppercase repository', 'oci://h/Charts/x', /invalid repository path component "Charts"/],
    ['bad tag', 'oci://h/x:-bad', /invalid tag "-bad"/],
    ['range is not a tag', 'oci://h/x:>=1.0', /invalid tag/],
    ['short digest', 'oci://h/x@sha256:abc', /invalid digest/],
    ['unsupported digest algorithm', `oci://h/x@sha512:${'a'.repeat(128)}`, /invalid digest/],
    ['double slash', 'oci://h//x', /invalid repository path component ""/],
  ];
  for (const [name, input, want] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => parseReference(input),
        (err: unknown) =>
          err instanceof InvalidReferenceError && want.test(err.message) && err.message.startsWith('parsing reference'),
      );
    });
  }
});

describe('isLoopbackHost', () => {
  const cases: Array<[string, boolean]> = [
    ['127.0.0.1:5000', true],
    ['localhost', true],
    ['[::1]:5000', true],
    ['127.10.0.3', true],
    ['ghcr.io', false],
    ['10.0.0.1:5000', false],
    ['localhost.example.com', false],
  ];
  for (const [host, want] of cases) it(host, () => assert.equal(isLoopbackHost(host), want));
});
