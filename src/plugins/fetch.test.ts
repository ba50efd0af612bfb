import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from 'tar';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginLoadError } from './errors.js';
import { fetchPlugin, PluginCache } from './fetch.js';
import { fixtureWasm } from './wasm-fixture.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const REF = 'oci://registry.example.com/plugins/fixture';

async function archive(): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-fetch-test-'));
  try {
    await writeFile(
      join(dir, 'plugin.yaml'),
      'apiVersion: v1\nname: fixture\nversion: 1.2.3\ntype: postrenderer/v1\nruntime: extism/v1\n',
    );
    await writeFile(join(dir, 'plugin.wasm'), fixtureWasm());
    const chunks: Buffer[] = [];
    for await (const c of create({ gzip: true, cwd: dir }, ['plugin.yaml', 'plugin.wasm'])) chunks.push(c as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('fetchPlugin names the plugin by ref@digest', async () => {
  const bytes = await archive();
  const p = await fetchPlugin(REF, DIGEST, async (ref, digest) => {
    assert.equal(ref, REF);
    assert.equal(digest, DIGEST);
    return bytes;
  });
  assert.equal(p.source, `${REF}@${DIGEST}`);
  assert.equal(p.metadata.version, '1.2.3');
});

test('fetchPlugin errors', async (t) => {
  await t.test('unpinned digest', () =>
    assert.rejects(
      fetchPlugin(REF, 'latest', async () => new Uint8Array()),
      (e: Error) =>
        e instanceof PluginLoadError && /digest must be sha256:<64 hex digits>, got "latest"/.test(e.message),
    ),
  );
  await t.test('fetcher failure keeps the cause', async () => {
    const cause = new Error('401 unauthorized');
    await assert.rejects(
      fetchPlugin(REF, DIGEST, async () => Promise.reject(cause)),
      (e: Error) => {
        assert.equal(e.message, `loading plugin ${REF}@${DIGEST}: fetching: 401 unauthorized`);
        assert.equal(e.cause, cause);
        return true;
      },
    );
  });
});

test('PluginCache fetches once per ref@digest and forgets failures', async () => {
  const bytes = await archive();
  let calls = 0;
  let fail = true;
  const cache = new PluginCache(
    async () => {
      calls++;
      if (fail) throw new Error('registry down');
      return bytes;
    },
    { maxEntries: 2 },
  );
  await assert.rejects(cache.get(REF, DIGEST), /registry down/);
  fail = false;
  const [a, b] = await Promise.all([cache.get(REF, DIGEST), cache.get(REF, DIGEST)]);
  assert.equal(a, b);
  assert.equal(calls, 2, 'one failed fetch, then one shared fetch');
  await cache.get(REF, `sha256:${'b'.repeat(64)}`);
  await cache.get(REF, `sha256:${'c'.repeat(64)}`);
  assert.equal(cache.size, 2, 'bounded');
  await cache.get(REF, DIGEST);
  assert.equal(calls, 5, 'the evicted entry is fetched again');
});
