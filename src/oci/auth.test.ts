import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  dockerConfigCredentials,
  localDockerCredentials,
  parseChallenges,
  type Challenge,
  type Credentials,
} from './auth.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('parseChallenges', () => {
  const cases: Array<[string, string, Challenge[]]> = [
    [
      'distribution bearer',
      'Bearer realm="http://127.0.0.1:4000/token",service="capstan-registry",scope="repository:charts/nginx:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'http://127.0.0.1:4000/token',
            service: 'capstan-registry',
            scope: 'repository:charts/nginx:pull',
          },
        },
      ],
    ],
    [
      'comma inside a quoted scope',
      'Bearer realm="https://auth.example/token",scope="repository:a/b:pull,push",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.example/token',
            scope: 'repository:a/b:pull,push',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    ['basic', 'Basic realm="capstan-registry"', [{ scheme: 'basic', params: { realm: 'capstan-registry' } }]],
    [
      'unquoted values and spaces',
      'Bearer realm=https://r/t, service=reg',
      [{ scheme: 'bearer', params: { realm: 'https://r/t', service: 'reg' } }],
    ],
    ['escaped quote', 'Basic realm="a \\"b\\""', [{ scheme: 'basic', params: { realm: 'a "b"' } }]],
    ['empty', '', []],
  ];
  for (const [name, header, want] of cases) it(name, () => assert.deepEqual(parseChallenges(header), want));
});

describe('dockerConfigCredentials', () => {
  const alice: Credentials = { username: 'alice', password: 's3:cr:et' };
  const cases: Array<[string, unknown, string, Credentials | undefined]> = [
    ['auth field, password with colons', { auths: { 'ghcr.io': { auth: b64('alice:s3:cr:et') } } }, 'ghcr.io', alice],
    [
      'username/password fields',
      { auths: { 'ghcr.io': { username: 'alice', password: 's3:cr:et' } } },
      'ghcr.io',
      alice,
    ],
    [
      'JSON text as in the Secret',
      JSON.stringify({ auths: { '127.0.0.1:5000': { auth: b64('alice:s3:cr:et') } } }),
      '127.0.0.1:5000',
      alice,
    ],
    [
      'key with scheme and path',
      { auths: { 'https://registry.example.com/v1/': { auth: b64('alice:s3:cr:et') } } },
      'registry.example.com',
      alice,
    ],
    [
      'docker hub alias',
      { auths: { 'https://index.docker.io/v1/': { auth: b64('alice:s3:cr:et') } } },
      'registry-1.docker.io',
      alice,
    ],
    ['port :443 is the default', { auths: { 'r.example:443': { auth: b64('alice:s3:cr:et') } } }, 'r.example', alice],
    ['legacy .dockercfg shape', { 'r.example': { auth: b64('alice:s3:cr:et') } }, 'r.example', alice],
    [
      'exact key wins over alias',
      { auths: { 'docker.io': { auth: b64('bob:x') }, 'registry-1.docker.io': { auth: b64('alice:s3:cr:et') } } },
      'registry-1.docker.io',
      alice,
    ],
    ['other host only', { auths: { 'ghcr.io': { auth: b64('alice:x') } } }, 'quay.io', undefined],
    [
      'different port is a different registry',
      { auths: { '127.0.0.1:5000': { auth: b64('alice:x') } } },
      '127.0.0.1:5001',
      undefined,
    ],
    [
      'entry without credentials (credsStore user)',
      { auths: { 'ghcr.io': {} }, credsStore: 'desktop' },
      'ghcr.io',
      undefined,
    ],
  ];
  for (const [name, doc, host, want] of cases)
    it(name, () => assert.deepEqual(dockerConfigCredentials(doc, host), want));

  it('rejects invalid JSON without echoing it', () => {
    assert.throws(
      () => dockerConfigCredentials('{"auths": {"h": {"auth": "c2VjcmV0"', 'h'),
      (err: Error) =>
        err.message.startsWith('reading docker config: invalid JSON') && !err.message.includes('c2VjcmV0'),
    );
  });
});

describe('localDockerCredentials', () => {
  it('reads DOCKER_CONFIG, then the helm registry config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'capstan-auth-'));
    try {
      mkdirSync(join(dir, 'docker'));
      writeFileSync(
        join(dir, 'docker', 'config.json'),
        JSON.stringify({ auths: { 'a.example': { auth: b64('docker:1') } } }),
      );
      writeFileSync(
        join(dir, 'helm.json'),
        JSON.stringify({ auths: { 'b.example': { username: 'helm', password: '2' } } }),
      );
      const env = { HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), HELM_REGISTRY_CONFIG: join(dir, 'helm.json') };
      assert.deepEqual(localDockerCredentials('a.example', env), { username: 'docker', password: '1' });
      assert.deepEqual(localDockerCredentials('b.example', env), { username: 'helm', password: '2' });
      assert.equal(localDockerCredentials('c.example', env), undefined);
      assert.equal(localDockerCredentials('a.example', { HOME: join(dir, 'nowhere') }), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
