/**
 * oci-pull: the OCI chart source against a real registry (Debian's docker-registry, distribution
 * v2.8) on loopback, open (no auth), with a counting proxy in front for request counts and faults.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRegistry, type Registry } from '../src/devcluster/registry.js';
import {
  ARTIFACT_TYPE_HELM_PLUGIN,
  ChartCache,
  DigestMismatchError,
  MEDIA_TYPE_OCI_INDEX,
  NetworkError,
  NoMatchingVersionError,
  NotAChartError,
  NotFoundError,
  RegistryClient,
  RegistryHttpError,
  SizeLimitError,
  pullArtifact,
  pullChart,
  pushChart,
  pushPluginArtifact,
  resolveChart,
  type PushResult,
} from '../src/oci/index.js';
import { makeChart } from './support/registry-charts.js';
import { startRegistryProxy, type RegistryProxy } from './support/registry-proxy.js';

const sha = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const work = mkdtempSync(join(tmpdir(), 'capstan-oci-pull-'));
let dirs = 0;
const freshCache = (maxBytes?: number): ChartCache => new ChartCache({ dir: join(work, `cache-${dirs++}`), maxBytes });
const cacheFiles = (c: ChartCache): string[] =>
  existsSync(join(c.dir, 'blobs', 'sha256')) ? readdirSync(join(c.dir, 'blobs', 'sha256')) : [];

let reg: Registry;
let proxy: RegistryProxy;
const pushed = new Map<string, PushResult>();
const fast = { retryBaseMs: 10 };

before(async () => {
  reg = await startRegistry();
  proxy = await startRegistryProxy(reg.host);
  for (const v of ['1.2.0', '1.4.0', '1.4.7', '1.5.0-rc.1', '2.0.0', '2.1.0-beta.1']) {
    pushed.set(`demo:${v}`, await pushChart(await makeChart('demo', v), `${reg.ociBase}/charts`));
  }
});
after(async () => {
  await proxy?.close();
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('resolveChart', () => {
  const cases: Array<{
    name: string;
    ref: () => string;
    version?: string;
    want: { tag?: string; version?: string; digestOf?: string };
  }> = [
    {
      name: 'tag',
      ref: () => `${reg.ociBase}/charts/demo:1.4.0`,
      want: { tag: '1.4.0', version: '1.4.0', digestOf: 'demo:1.4.0' },
    },
    {
      name: 'digest only',
      ref: () => `${reg.ociBase}/charts/demo@${pushed.get('demo:2.0.0')!.digest}`,
      want: { digestOf: 'demo:2.0.0' },
    },
    {
      name: 'tag and digest that agree',
      ref: () => `${reg.ociBase}/charts/demo:1.2.0@${pushed.get('demo:1.2.0')!.digest}`,
      want: { tag: '1.2.0', digestOf: 'demo:1.2.0' },
    },
    {
      name: 'x range',
      ref: () => `${reg.ociBase}/charts/demo`,
      version: '1.x',
      want: { tag: '1.4.7', version: '1.4.7', digestOf: 'demo:1.4.7' },
    },
    {
      name: 'compound range',
      ref: () => `${reg.ociBase}/charts/demo`,
      version: '>=1.2 <1.4.5',
      want: { tag: '1.4.0', digestOf: 'demo:1.4.0' },
    },
    { name: 'tilde range', ref: () => `${reg.ociBase}/charts/demo`, version: '~1.4', want: { tag: '1.4.7' } },
    {
      name: 'prerelease only when the range asks',
      ref: () => `${reg.ociBase}/charts/demo`,
      version: '>=2.1.0-0',
      want: { tag: '2.1.0-beta.1' },
    },
    {
      name: 'no version: latest stable',
      ref: () => `${reg.ociBase}/charts/demo`,
      want: { tag: '2.0.0', digestOf: 'demo:2.0.0' },
    },
    {
      name: 'exact version as tag',
      ref: () => `${reg.ociBase}/charts/demo`,
      version: '1.2.0',
      want: { tag: '1.2.0', digestOf: 'demo:1.2.0' },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await resolveChart(c.ref(), { version: c.version });
      if (c.want.tag) assert.equal(r.tag, c.want.tag);
      if (c.want.version) assert.equal(r.version, c.want.version);
      if (c.want.digestOf) assert.equal(r.digest, pushed.get(c.want.digestOf)!.digest);
      assert.match(r.digest, /^sha256:[a-f0-9]{64}$/);
      assert.equal(r.tagMismatch, undefined);
    });
  }

  it('follows Link pagination of the tag list', async () => {
    const client = new RegistryClient({ tagPageSize: 2 });
    try {
      const tags = await client.listTags(proxy.host, 'charts/demo');
      assert.deepEqual([...tags].sort(), ['1.2.0', '1.4.0', '1.4.7', '1.5.0-rc.1', '2.0.0', '2.1.0-beta.1']);
      const r = await resolveChart(`oci://${proxy.host}/charts/demo`, { version: '^1', client });
      assert.equal(r.tag, '1.4.7');
    } finally {
      client.close();
    }
  });

  it('an exact version finds a tag spelled differently (v-prefix), like helm', async () => {
    const client = new RegistryClient();
    try {
      await pushChart(await makeChart('vtags', '0.0.1'), `${reg.ociBase}/charts`, { client });
      const src = await client.fetchManifest(reg.host, 'charts/vtags', '0.0.1');
      await client.putManifest(reg.host, 'charts/vtags', 'v3.0.0', src.bytes, src.mediaType);
      const r = await resolveChart(`${reg.ociBase}/charts/vtags`, { version: '3.0.0', client });
      assert.deepEqual([r.tag, r.version, r.digest], ['v3.0.0', '3.0.0', src.digest]);
    } finally {
      client.close();
    }
  });

  it('reports a tag that moved away from the pinned digest; the digest wins', async () => {
    const old = await pushChart(await makeChart('moving', '1.0.0'), `${reg.ociBase}/charts`);
    const moved = await pushChart(
      await makeChart('moving', '1.0.0', { 'NOTES.txt': 'republished\n' }),
      `${reg.ociBase}/charts`,
    );
    assert.notEqual(old.digest, moved.digest);
    const r = await resolveChart(`${reg.ociBase}/charts/moving:1.0.0@${old.digest}`);
    assert.equal(r.digest, old.digest);
    assert.deepEqual(r.tagMismatch, { tag: '1.0.0', tagDigest: moved.digest });
    const pulled = await pullChart(`${reg.ociBase}/charts/moving:1.0.0@${old.digest}`, { cache: freshCache() });
    assert.equal(pulled.digest, old.digest);
    assert.equal(sha(pulled.bytes), old.manifest.layers[0]!.digest);
  });

  const failures: Array<{ name: string; ref: () => string; version?: string; err: (e: unknown) => boolean }> = [
    {
      name: 'unknown tag',
      ref: () => `${reg.ociBase}/charts/demo:9.9.9`,
      err: (e) =>
        e instanceof NotFoundError && /^resolving chart oci:\/\/.*demo:9\.9\.9: manifest .*: not found/.test(e.message),
    },
    {
      name: 'unknown repository',
      ref: () => `${reg.ociBase}/charts/nothing`,
      version: '1.x',
      err: (e) => e instanceof NotFoundError && /NAME_UNKNOWN/.test(e.message),
    },
    {
      name: 'range without match',
      ref: () => `${reg.ociBase}/charts/demo`,
      version: '>=3',
      err: (e) => e instanceof NoMatchingVersionError && /no tag of .*charts\/demo matches >=3/.test(e.message),
    },
    {
      name: 'tag and range',
      ref: () => `${reg.ociBase}/charts/demo:1.2.0`,
      version: '1.x',
      err: (e) => e instanceof Error && /cannot be combined/.test(e.message),
    },
    {
      name: 'invalid range',
      ref: () => `${reg.ociBase}/charts/demo`,
      version: '>>1',
      err: (e) => e instanceof Error && /invalid version range/.test(e.message),
    },
  ];
  for (const f of failures)
    it(`fails: ${f.name}`, async () => assert.rejects(resolveChart(f.ref(), { version: f.version }), f.err));
});

describe('pullChart', () => {
  it('pulls by tag, verified, and caches manifest and archive', async () => {
    const cache = freshCache();
    const p = await pullChart(`${reg.ociBase}/charts/demo:1.4.7`, { cache });
    const want = pushed.get('demo:1.4.7')!;
    assert.equal(p.digest, want.digest);
    assert.equal(p.manifestDigest, want.digest);
    assert.equal(p.fromCache, false);
    assert.equal(sha(p.bytes), want.manifest.layers[0]!.digest);
    assert.deepEqual(readFileSync(p.path), Buffer.from(p.bytes));
    assert.deepEqual(
      cacheFiles(cache).sort(),
      [want.digest, want.manifest.layers[0]!.digest].map((d) => d.slice(7)).sort(),
    );
  });

  it('pulls a real corpus chart pushed with pushChart', async () => {
    const dir = '/work/shared/charts/podinfo';
    const tgz = readFileSync(
      join(
        dir,
        readdirSync(dir).find((f) => f.endsWith('.tgz'))!,
      ),
    );
    const r = await pushChart(tgz, `${reg.ociBase}/corpus`);
    const p = await pullChart(`${reg.ociBase}/corpus/podinfo`, { version: r.version, cache: freshCache() });
    assert.deepEqual(Buffer.from(p.bytes), tgz);
  });

  it('a cached digest costs zero registry requests (proxy count and registry access log)', async () => {
    const cache = freshCache();
    const ref = `oci://${proxy.host}/charts/demo@${pushed.get('demo:1.2.0')!.digest}`;
    proxy.reset();
    const first = await pullChart(ref, { cache });
    assert.equal(first.fromCache, false);
    assert.deepEqual(
      proxy.requests.map((r) => `${r.method} ${r.path.replace(/sha256:[a-f0-9]+/, 'DIGEST')}`),
      ['GET /v2/charts/demo/manifests/DIGEST', 'GET /v2/charts/demo/blobs/DIGEST'],
    );
    proxy.reset();
    const logBefore = reg.accessLog().length;
    const second = await pullChart(ref, { cache });
    assert.equal(second.fromCache, true);
    assert.deepEqual(Buffer.from(second.bytes), Buffer.from(first.bytes));
    assert.equal(proxy.requests.length, 0);
    assert.equal(reg.accessLog().length, logBefore);

    // tag+digest checks the tag (one HEAD) unless told not to.
    const tagged = `oci://${proxy.host}/charts/demo:1.2.0@${pushed.get('demo:1.2.0')!.digest}`;
    await pullChart(tagged, { cache });
    assert.deepEqual(
      proxy.requests.map((r) => r.method),
      ['HEAD'],
    );
    proxy.reset();
    const unverified = await pullChart(tagged, { cache, verifyTag: false });
    assert.equal(unverified.fromCache, true);
    assert.deepEqual(proxy.requests, []);
  });

  it('concurrent pulls of one digest share one download', async () => {
    const cache = freshCache();
    proxy.reset();
    const ref = `oci://${proxy.host}/charts/demo:2.0.0`;
    const results = await Promise.all([1, 2, 3, 4].map(() => pullChart(ref, { cache })));
    assert.equal(new Set(results.map((r) => r.digest)).size, 1);
    assert.equal(proxy.requests.filter((r) => r.path.includes('/blobs/')).length, 1);
  });

  it('rejects a blob corrupted in the registry storage, names both digests, caches nothing', async () => {
    const r = await pushChart(await makeChart('corrupt', '1.0.0'), `${reg.ociBase}/charts`);
    const layer = r.manifest.layers[0]!;
    const file = reg.blobPath(layer.digest);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff; // same size, different content
    writeFileSync(file, bytes);
    const cache = freshCache();
    await assert.rejects(pullChart(`${reg.ociBase}/charts/corrupt:1.0.0`, { cache }), (e: unknown) => {
      assert.ok(e instanceof DigestMismatchError);
      assert.equal(e.expected, layer.digest);
      assert.equal(e.actual, sha(bytes));
      assert.match(
        e.message,
        new RegExp(
          `^pulling chart oci://.*/charts/corrupt:1\\.0\\.0: blob ${layer.digest}: digest mismatch: expected ${layer.digest}, got ${sha(bytes)}$`,
        ),
      );
      return true;
    });
    assert.equal(await cache.get(layer.digest), undefined);
    assert.deepEqual(
      cacheFiles(cache).filter((f) => f.startsWith('.tmp') || f === layer.digest.slice(7)),
      [],
    );
  });

  it('rejects a truncated blob (size mismatch)', async () => {
    const r = await pushChart(await makeChart('truncated', '1.0.0'), `${reg.ociBase}/charts`);
    const layer = r.manifest.layers[0]!;
    const file = reg.blobPath(layer.digest);
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    const cache = freshCache();
    await assert.rejects(
      pullChart(`${reg.ociBase}/charts/truncated:1.0.0`, { cache, retries: 0 }),
      (e: unknown) => e instanceof DigestMismatchError && /size mismatch: expected \d+ bytes, got 100/.test(e.message),
    );
    assert.equal(await cache.get(layer.digest), undefined);
  });

  it('enforces the chart size cap before downloading', async () => {
    const cache = freshCache();
    proxy.reset();
    await assert.rejects(
      pullChart(`oci://${proxy.host}/charts/demo:1.4.0`, { cache, maxChartBytes: 100 }),
      (e: unknown) => e instanceof SizeLimitError && e.limit === 100 && /exceeds the limit of 100/.test(e.message),
    );
    assert.equal(proxy.requests.filter((r) => r.path.includes('/blobs/')).length, 0);
  });

  it('enforces the manifest size cap', async () => {
    await assert.rejects(
      pullChart(`${reg.ociBase}/charts/demo:1.4.0`, { cache: freshCache(), maxManifestBytes: 64 }),
      (e: unknown) =>
        e instanceof SizeLimitError &&
        /^pulling chart .*: manifest sha256:[a-f0-9]{64}: \d+ bytes exceeds the limit of 64/.test(e.message),
    );
  });

  it('refuses a non-chart artifact with a clear error', async () => {
    const plugin = await pushPluginArtifact(
      Buffer.from('not a chart'),
      `${reg.ociBase}/plugins`,
      'postrender',
      '1.0.0',
    );
    await assert.rejects(
      pullChart(`${reg.ociBase}/plugins/postrender:1.0.0`, { cache: freshCache() }),
      (e: unknown) => {
        assert.ok(e instanceof NotAChartError);
        assert.match(
          e.message,
          new RegExp(
            `^pulling chart .*/plugins/postrender:1\\.0\\.0: manifest ${plugin.digest}: not a Helm chart \\(config media type application/vnd.oci.empty.v1\\+json, artifactType ${ARTIFACT_TYPE_HELM_PLUGIN.replace(/[.+]/g, '\\$&')}\\)`,
          ),
        );
        return true;
      },
    );
  });

  it('follows an image index to the chart manifest', async () => {
    const chart = pushed.get('demo:1.4.0')!;
    const plugin = await pushPluginArtifact(
      Buffer.from('plugin bytes'),
      `${reg.ociBase}/charts`,
      'demo',
      '0.0.1-plugin',
    );
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_INDEX,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: plugin.digest,
          size: Buffer.byteLength(JSON.stringify(plugin.manifest)),
          artifactType: ARTIFACT_TYPE_HELM_PLUGIN,
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: chart.digest,
          size: Buffer.byteLength(JSON.stringify(chart.manifest)),
        },
      ],
    };
    const client = new RegistryClient();
    try {
      const indexDigest = await client.putManifest(
        reg.host,
        'charts/demo',
        'indexed',
        Buffer.from(JSON.stringify(index)),
        MEDIA_TYPE_OCI_INDEX,
      );
      const p = await pullChart(`${reg.ociBase}/charts/demo:indexed`, { cache: freshCache(), client });
      assert.equal(p.digest, indexDigest);
      assert.equal(p.manifestDigest, chart.digest);
      const a = await pullArtifact(`${reg.ociBase}/charts/demo:indexed`, {
        artifactType: ARTIFACT_TYPE_HELM_PLUGIN,
        cache: freshCache(),
        client,
      });
      assert.equal(a.manifestDigest, plugin.digest);
      assert.equal(Buffer.from(a.bytes).toString(), 'plugin bytes');
    } finally {
      client.close();
    }
  });
});

describe('hand-made chart manifests', () => {
  const variants: Array<{ name: string; layerType: string; prov: boolean }> = [
    { name: 'legacy chart layer type (application/tar+gzip)', layerType: 'application/tar+gzip', prov: false },
    {
      name: 'provenance layer recognised, not downloaded',
      layerType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip',
      prov: true,
    },
  ];
  for (const v of variants) {
    it(v.name, async () => {
      const client = new RegistryClient();
      try {
        const repo = `handmade/${v.prov ? 'prov' : 'legacy'}`;
        const tgz = await makeChart(v.prov ? 'prov' : 'legacy', '0.1.0');
        const config = Buffer.from('{"name":"x","version":"0.1.0","apiVersion":"v2"}');
        const prov = Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----\nfake\n');
        for (const b of [config, tgz, prov]) await client.uploadBlob(reg.host, repo, b);
        const layers = [{ mediaType: v.layerType, digest: sha(tgz), size: tgz.length }];
        if (v.prov)
          layers.push({
            mediaType: 'application/vnd.cncf.helm.chart.provenance.v1.prov',
            digest: sha(prov),
            size: prov.length,
          });
        const manifest = {
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: sha(config), size: config.length },
          layers,
        };
        const digest = await client.putManifest(
          reg.host,
          repo,
          '0.1.0',
          Buffer.from(JSON.stringify(manifest)),
          manifest.mediaType,
        );
        proxy.reset();
        const p = await pullChart(`oci://${proxy.host}/${repo}:0.1.0`, { cache: freshCache() });
        assert.equal(p.digest, digest);
        assert.deepEqual(Buffer.from(p.bytes), tgz);
        assert.equal(p.chartLayer.mediaType, v.layerType);
        assert.equal(p.provenance?.digest, v.prov ? sha(prov) : undefined);
        assert.equal(
          proxy.requests.filter((r) => r.path.includes('/blobs/')).length,
          1,
          'only the chart layer is downloaded',
        );
      } finally {
        client.close();
      }
    });
  }
});

describe('pullArtifact', () => {
  it('an index without a chart is refused by pullChart with a clear error', async () => {
    const plugin = await pushPluginArtifact(Buffer.from('only a plugin'), `${reg.ociBase}/mixed`, 'only', '1.0.0');
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPE_OCI_INDEX,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: plugin.digest,
          size: Buffer.byteLength(JSON.stringify(plugin.manifest)),
          artifactType: ARTIFACT_TYPE_HELM_PLUGIN,
        },
      ],
    };
    const client = new RegistryClient();
    try {
      const d = await client.putManifest(
        reg.host,
        'mixed/only',
        'idx',
        Buffer.from(JSON.stringify(index)),
        MEDIA_TYPE_OCI_INDEX,
      );
      await assert.rejects(
        pullChart(`${reg.ociBase}/mixed/only:idx`, { client, cache: freshCache() }),
        (e: unknown) =>
          e instanceof NotAChartError && e.message.endsWith(`index ${d}: none of its 1 manifests is a Helm chart`),
      );
    } finally {
      client.close();
    }
  });

  it('pulls a Helm 4 plugin artifact by type and picks the NAME-VERSION.tgz layer', async () => {
    const archive = await makeChart('wasmplugin', '0.3.0');
    const r = await pushPluginArtifact(archive, `${reg.ociBase}/plugins`, 'wasmplugin', '0.3.0');
    const a = await pullArtifact(`${reg.ociBase}/plugins/wasmplugin`, {
      artifactType: ARTIFACT_TYPE_HELM_PLUGIN,
      version: '0.x',
      cache: freshCache(),
    });
    assert.equal(a.digest, r.digest);
    assert.equal(a.layer.annotations?.['org.opencontainers.image.title'], 'wasmplugin-0.3.0.tgz');
    assert.deepEqual(Buffer.from(a.bytes), archive);
  });

  it('refuses a chart when a plugin is asked for', async () => {
    await assert.rejects(
      pullArtifact(`${reg.ociBase}/charts/demo:1.2.0`, {
        artifactType: ARTIFACT_TYPE_HELM_PLUGIN,
        cache: freshCache(),
      }),
      (e: unknown) =>
        e instanceof NotAChartError &&
        /^pulling plugin .*: not a application\/vnd\.helm\.plugin\.v1\+json artifact \(found application\/vnd\.cncf\.helm\.config\.v1\+json\)/.test(
          e.message,
        ),
    );
  });
});

describe('retries and timeouts', () => {
  it('retries 503 and 429 (honouring Retry-After) and succeeds', async () => {
    proxy.reset();
    proxy.inject({ status: 503, match: /manifests/, times: 2 });
    proxy.inject({ status: 429, headers: { 'Retry-After': '1' }, match: /blobs/ });
    const started = Date.now();
    const p = await pullChart(`oci://${proxy.host}/charts/demo:1.4.7`, { cache: freshCache(), ...fast });
    assert.equal(p.digest, pushed.get('demo:1.4.7')!.digest);
    assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
    assert.deepEqual(
      proxy.requests.map((r) => `${r.method} ${r.path.split('/')[4]} ${r.status}`),
      [
        'HEAD manifests 503',
        'HEAD manifests 503',
        'HEAD manifests 200',
        'GET manifests 200',
        'GET blobs 429',
        'GET blobs 200',
      ],
    );
  });

  it('retries dropped connections', async () => {
    proxy.reset();
    proxy.inject({ status: 'drop', match: /blobs/, times: 2 });
    const p = await pullChart(`oci://${proxy.host}/charts/demo:1.4.0`, { cache: freshCache(), ...fast });
    assert.equal(p.digest, pushed.get('demo:1.4.0')!.digest);
    assert.equal(proxy.requests.filter((r) => r.path.includes('/blobs/')).length, 3);
  });

  it('abandons a download that stalls mid-body and retries it', async () => {
    proxy.reset();
    proxy.inject({ status: 'stall', match: /blobs/ });
    const cache = freshCache();
    const p = await pullChart(`oci://${proxy.host}/charts/demo:1.2.0`, { cache, timeoutMs: 300, ...fast });
    assert.equal(sha(p.bytes), pushed.get('demo:1.2.0')!.manifest.layers[0]!.digest);
    assert.deepEqual(
      proxy.requests.filter((r) => r.path.includes('/blobs/')).map((r) => r.status),
      [-2, 200],
    );
    assert.deepEqual(
      cacheFiles(cache).filter((f) => f.startsWith('.tmp')),
      [],
    );
  });

  it('gives up after the retry budget with the last status', async () => {
    proxy.reset();
    proxy.inject({ status: 502, times: 10 });
    await assert.rejects(
      pullChart(`oci://${proxy.host}/charts/demo:1.4.0`, { cache: freshCache(), retries: 2, ...fast }),
      (e: unknown) => e instanceof RegistryHttpError && e.status === 502 && e.transient,
    );
    assert.equal(proxy.requests.length, 3);
    proxy.reset();
  });

  it('does not retry a 4xx', async () => {
    proxy.reset();
    proxy.inject({ status: 400 });
    await assert.rejects(
      pullChart(`oci://${proxy.host}/charts/demo:1.4.0`, { cache: freshCache(), ...fast }),
      (e: unknown) => e instanceof RegistryHttpError && e.status === 400 && !e.transient,
    );
    assert.equal(proxy.requests.length, 1);
  });

  it('times out a registry that never answers', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      await assert.rejects(
        resolveChart(`oci://127.0.0.1:${port}/charts/demo:1.0.0`, { timeoutMs: 200, retries: 1, ...fast }),
        (e: unknown) => e instanceof NetworkError && /no data for 200ms.*\(after 2 attempts\)/.test(e.message),
      );
      assert.ok(Date.now() - started < 5000);
    } finally {
      silent.close();
    }
  });
});

describe('TLS', () => {
  let tls: Registry;
  before(async () => {
    tls = await startRegistry({ tls: true });
  });
  after(() => tls?.stop());

  it('uses HTTPS with a custom CA bundle, refuses an unknown CA, and skips verification only when asked', async () => {
    const chart = await makeChart('secure', '1.0.0');
    const r = await pushChart(chart, `${tls.ociBase}/charts`, { plainHttp: false, ca: tls.caPem });
    const p = await pullChart(`${tls.ociBase}/charts/secure:1.0.0`, {
      plainHttp: false,
      ca: tls.caPem,
      cache: freshCache(),
    });
    assert.equal(p.digest, r.digest);
    await assert.rejects(
      resolveChart(`${tls.ociBase}/charts/secure:1.0.0`, { plainHttp: false, retries: 0 }),
      (e: unknown) => e instanceof NetworkError && /certificate/i.test(e.message),
    );
    const insecure = await resolveChart(`${tls.ociBase}/charts/secure:1.0.0`, {
      plainHttp: false,
      insecureSkipTlsVerify: true,
    });
    assert.equal(insecure.digest, r.digest);
  });
});

describe('cache bound', () => {
  it('evicts old archives when the cache exceeds its bound', async () => {
    const a = pushed.get('demo:1.2.0')!;
    const b = pushed.get('demo:2.0.0')!;
    const size = a.manifest.layers[0]!.size;
    const cache = freshCache(size + b.manifest.layers[0]!.size + 500);
    await pullChart(`${reg.ociBase}/charts/demo@${a.digest}`, { cache });
    await new Promise((r) => setTimeout(r, 20));
    await pullChart(`${reg.ociBase}/charts/demo@${b.digest}`, { cache });
    assert.ok(cache.totalBytes() <= cache.maxBytes);
    assert.equal((await cache.get(b.manifest.layers[0]!.digest)) !== undefined, true);
    assert.equal(statSync(cache.dir).isDirectory(), true);
    assert.equal(await cache.get(a.manifest.layers[0]!.digest), undefined, 'oldest archive evicted');
  });
});
