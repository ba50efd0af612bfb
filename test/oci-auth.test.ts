/**
 * oci-auth: registry authentication against real registries on loopback: basic auth (htpasswd)
 * and the bearer token flow (distribution's `auth.token` with our token server), credentials from
 * a dockerconfigjson payload, and the errors users see when credentials are missing or wrong.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRegistry, type Registry } from '../src/devcluster/registry.js';
import {
  AuthCache,
  AuthenticationError,
  ChartCache,
  RegistryClient,
  dockerConfigCredentials,
  pullChart,
  pushChart,
  resolveChart,
  type Credentials,
  type PushResult,
} from '../src/oci/index.js';
import { makeChart } from './support/registry-charts.js';
import { startRegistryProxy, type RegistryProxy } from './support/registry-proxy.js';

const work = mkdtempSync(join(tmpdir(), 'capstan-oci-auth-'));
let dirs = 0;
const freshCache = (): ChartCache => new ChartCache({ dir: join(work, `cache-${dirs++}`) });
after(() => rmSync(work, { recursive: true, force: true }));
const creds = (r: Registry): Credentials => ({ username: r.username, password: r.password });

describe('basic auth (htpasswd)', () => {
  let reg: Registry;
  let proxy: RegistryProxy;
  let chart: PushResult;
  before(async () => {
    reg = await startRegistry({ auth: 'htpasswd' });
    proxy = await startRegistryProxy(reg.host);
    chart = await pushChart(await makeChart('private', '1.0.0'), `${reg.ociBase}/charts`, { credentials: creds(reg) });
  });
  after(async () => {
    await proxy?.close();
    await reg?.stop();
  });

  it('pulls with the right credentials, sending them up front after the first challenge', async () => {
    const client = new RegistryClient({ credentials: creds(reg), authCache: new AuthCache() });
    try {
      proxy.reset();
      const p = await pullChart(`oci://${proxy.host}/charts/private:1.0.0`, { client, cache: freshCache() });
      assert.equal(p.digest, chart.digest);
      assert.deepEqual(
        proxy.requests.map((r) => `${r.method} ${r.status} ${r.authorized}`),
        ['HEAD 401 false', 'HEAD 200 true', 'GET 200 true', 'GET 200 true'],
      );
    } finally {
      client.close();
    }
  });

  it('takes credentials from a kubernetes.io/dockerconfigjson payload', async () => {
    const secret = JSON.stringify({
      auths: { [`http://${reg.host}`]: { auth: Buffer.from(`${reg.username}:${reg.password}`).toString('base64') } },
    });
    const p = await pullChart(`${reg.ociBase}/charts/private:1.0.0`, {
      credentials: (host) => dockerConfigCredentials(secret, host),
      cache: freshCache(),
    });
    assert.equal(p.digest, chart.digest);
    const q = await pullChart(`${reg.ociBase}/charts/private:1.0.0`, { dockerConfigJson: secret, cache: freshCache() });
    assert.equal(q.digest, chart.digest);
  });

  const failures: Array<{ name: string; credentials?: () => Credentials; message: RegExp; requests: number }> = [
    {
      name: 'no credentials: 401 with a clear error, no retry',
      message:
        /^pulling chart oci:\/\/.*private:1\.0\.0: manifest .*: HEAD http:\/\/.*: 401 authentication required and no credentials are configured for 127\.0\.0\.1:\d+/,
      requests: 1,
    },
    {
      name: 'wrong password: rejected once, no retry',
      credentials: () => ({ username: reg.username, password: 'wrong-password-123' }),
      message: /401 credentials for 127\.0\.0\.1:\d+ were rejected/,
      requests: 2,
    },
  ];
  for (const f of failures) {
    it(f.name, async () => {
      proxy.reset();
      await assert.rejects(
        pullChart(`oci://${proxy.host}/charts/private:1.0.0`, {
          credentials: f.credentials?.(),
          cache: freshCache(),
          retryBaseMs: 10,
        }),
        (e: unknown) => {
          assert.ok(e instanceof AuthenticationError, String(e));
          assert.equal(e.status, 401);
          assert.equal(e.transient, false);
          assert.match(e.message, f.message);
          assert.ok(
            !e.message.includes('wrong-password-123') && !e.message.includes(reg.password),
            'no secret in the message',
          );
          return true;
        },
      );
      assert.equal(proxy.requests.length, f.requests);
    });
  }

  it('follows blob redirects: same origin with credentials, another origin without them', async () => {
    const layer = chart.manifest.layers[0]!;
    const blob = readFileSync(reg.blobPath(layer.digest));
    const seen: Array<{ path: string; authorization?: string }> = [];
    const storage = createServer((req, res) => {
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(blob);
    });
    await new Promise<void>((r) => storage.listen(0, '127.0.0.1', () => r()));
    const storageUrl = `http://127.0.0.1:${(storage.address() as AddressInfo).port}/bucket/blob?signature=s3cr3t`;
    try {
      proxy.reset();
      proxy.inject({
        status: 307,
        headers: { Location: `/v2/charts/private/blobs/${layer.digest}?hop=1` },
        match: /blobs\/sha256:[a-f0-9]+$/,
      });
      proxy.inject({ status: 307, headers: { Location: storageUrl }, match: /hop=1/ });
      const p = await pullChart(`oci://${proxy.host}/charts/private:1.0.0`, {
        credentials: creds(reg),
        cache: freshCache(),
      });
      assert.deepEqual(Buffer.from(p.bytes), blob);
      const blobHops = proxy.requests.filter((r) => r.path.includes('/blobs/'));
      assert.deepEqual(
        blobHops.map((r) => [r.status, r.authorized]),
        [
          [307, true],
          [307, true],
        ],
      );
      assert.deepEqual(seen, [{ path: '/bucket/blob?signature=s3cr3t', authorization: undefined }]);
    } finally {
      storage.close();
    }
  });

  it('push without credentials fails with a clear error', async () => {
    await assert.rejects(
      pushChart(await makeChart('private', '2.0.0'), `${reg.ociBase}/charts`),
      (e: unknown) =>
        e instanceof AuthenticationError &&
        /^pushing chart to oci:\/\/.*\/charts: blob sha256:.*: 401 authentication required and no credentials/.test(
          e.message,
        ),
    );
  });
});

describe('bearer token flow', () => {
  let reg: Registry;
  let charts: PushResult[];
  before(async () => {
    reg = await startRegistry({ auth: 'token' });
    const client = new RegistryClient({ credentials: creds(reg) });
    try {
      charts = [];
      for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0'])
        charts.push(await pushChart(await makeChart('tokened', v), `${reg.ociBase}/charts`, { client }));
    } finally {
      client.close();
    }
  });
  after(() => reg?.stop());

  it('gets a token through the challenge and reuses it until it expires', async () => {
    const client = new RegistryClient({ credentials: creds(reg), authCache: new AuthCache() });
    try {
      const before = reg.tokenServer!.issued;
      const a = await pullChart(`${reg.ociBase}/charts/tokened`, { version: '~1.0', client, cache: freshCache() });
      assert.equal(a.digest, charts[0]!.digest);
      assert.equal(reg.tokenServer!.issued, before + 1);
      const b = await pullChart(`${reg.ociBase}/charts/tokened:1.1.0`, { client, cache: freshCache() });
      assert.equal(b.digest, charts[1]!.digest);
      assert.equal(reg.tokenServer!.issued, before + 1, 'token reused');
    } finally {
      client.close();
    }
  });

  it('shares tokens between clients through the process-wide AuthCache, per credentials', async () => {
    const ts = reg.tokenServer!;
    await pullChart(`${reg.ociBase}/charts/tokened:1.0.0`, { credentials: creds(reg), cache: freshCache() });
    const issued = ts.issued;
    const again = await pullChart(`${reg.ociBase}/charts/tokened:1.1.0`, {
      credentials: creds(reg),
      cache: freshCache(),
    });
    assert.equal(again.digest, charts[1]!.digest);
    assert.equal(ts.issued, issued, 'a new client reused the shared token');
    await assert.rejects(
      pullChart(`${reg.ociBase}/charts/tokened:1.1.0`, {
        credentials: { username: reg.username, password: 'other' },
        cache: freshCache(),
      }),
      AuthenticationError,
      'other credentials do not get the cached token',
    );
  });

  it('refreshes the token when the registry refuses it (401) and carries on', async () => {
    const ts = reg.tokenServer!;
    // distribution accepts tokens up to 60s past `exp`: this one is refused ~3s from now, while the client believes 1h.
    ts.setTokenTtl(-57, 3600);
    const client = new RegistryClient({ credentials: creds(reg), authCache: new AuthCache() });
    try {
      await pullChart(`${reg.ociBase}/charts/tokened:1.2.0`, { client, cache: freshCache() });
      const issued = ts.issued;
      ts.setTokenTtl(300);
      await new Promise((r) => setTimeout(r, 4500));
      const p = await pullChart(`${reg.ociBase}/charts/tokened:1.3.0`, { client, cache: freshCache() });
      assert.equal(p.digest, charts[3]!.digest);
      assert.equal(ts.issued, issued + 1, 'one refresh');
    } finally {
      ts.setTokenTtl(300);
      client.close();
    }
  });

  const failures: Array<{ name: string; credentials?: () => Credentials; message: RegExp }> = [
    {
      name: 'anonymous: the token server wants credentials',
      message:
        /^resolving chart .*: manifest .*: fetching token from http:\/\/127\.0\.0\.1:\d+\/token: 401 the token server requires credentials and none are configured/,
    },
    {
      name: 'wrong password: rejected by the token server',
      credentials: () => ({ username: reg.username, password: 'not-the-password' }),
      message: /401 credentials for 127\.0\.0\.1:\d+ were rejected by the token server/,
    },
  ];
  for (const f of failures) {
    it(f.name, async () => {
      const denied = reg.tokenServer!.denied;
      await assert.rejects(
        resolveChart(`${reg.ociBase}/charts/tokened:1.0.0`, {
          credentials: f.credentials?.(),
          retryBaseMs: 10,
          authCache: new AuthCache(),
        }),
        (e: unknown) => {
          assert.ok(e instanceof AuthenticationError, String(e));
          assert.match(e.message, f.message);
          assert.ok(!e.message.includes('not-the-password'));
          return true;
        },
      );
      assert.equal(reg.tokenServer!.denied, denied + 1, 'asked the token server once, no retry');
    });
  }
});
