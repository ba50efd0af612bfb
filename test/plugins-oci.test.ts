/**
 * WebAssembly post-renderers pulled from a registry: a test plugin is pushed as a Helm 4 plugin
 * artifact (layer NAME-VERSION.tgz) to a local registry and fetched through ociPluginFetcher,
 * pinned by digest.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { startRegistry, type Registry } from '../src/devcluster/registry.js';
import { ChartCache, pushPluginArtifact } from '../src/oci/index.js';
import {
  ociPluginFetcher,
  parseManifests,
  PluginCache,
  PluginLoadError,
  runPostRenderer,
  WasmHost,
} from '../src/plugins/index.js';

import { templateCommand } from '../src/cli/commands/template.js';
import { testPluginDir } from './plugins/build.js';
import { writeChart } from './support/charts.js';

let registry: Registry;
let cacheDir: string;
const host = new WasmHost({ maxWorkers: 1 });

before(async () => {
  registry = await startRegistry({ auth: 'none' });
  cacheDir = await mkdtemp(join(tmpdir(), 'capstan-plugins-oci-'));
});
after(async () => {
  await host.close();
  await registry?.stop();
  await rm(cacheDir, { recursive: true, force: true });
});

async function push(name: string, version: string): Promise<{ ref: string; digest: string }> {
  const chunks: Buffer[] = [];
  for await (const c of create({ gzip: true, cwd: testPluginDir(name), portable: true }, [
    'plugin.yaml',
    'plugin.wasm',
  ]))
    chunks.push(c as Buffer);
  const r = await pushPluginArtifact(
    new Uint8Array(Buffer.concat(chunks)),
    `${registry.ociBase}/plugins`,
    name,
    version,
  );
  return { ref: `${registry.ociBase}/plugins/${name}`, digest: r.digest };
}

const manifests = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: "1"}\n';

test('a plugin artifact pinned by digest is pulled, loaded once and run', async () => {
  const { ref, digest } = await push('add-label', '0.1.0');
  let pulls = 0;
  const fetcher = ociPluginFetcher({ cache: new ChartCache({ dir: cacheDir }) });
  const cache = new PluginCache(async (r, d) => {
    pulls++;
    return fetcher(r, d);
  });
  const plugin = await cache.get(ref, digest);
  assert.equal(plugin.source, `${ref}@${digest}`);
  assert.equal(plugin.metadata.name, 'add-label');
  const again = await cache.get(ref, digest);
  assert.equal(again, plugin);
  assert.equal(pulls, 1);
  const r = await runPostRenderer(plugin, manifests, { host, config: { label: 'pulled=ok' } });
  assert.equal(
    (parseManifests(r.manifests)[0]!.object.metadata as { labels: Record<string, string> }).labels.pulled,
    'ok',
  );
});

test('a digest the registry does not have is a load error naming ref@digest', async () => {
  const { ref } = await push('noop', '1.0.0');
  const missing = `sha256:${'0'.repeat(64)}`;
  const cache = new PluginCache(ociPluginFetcher({ cache: new ChartCache({ dir: cacheDir }) }));
  await assert.rejects(cache.get(ref, missing), (e: Error) => {
    assert.ok(e instanceof PluginLoadError);
    assert.ok(e.message.startsWith(`loading plugin ${ref}@${missing}: fetching: `), e.message);
    return true;
  });
});

test('capstan template --post-renderer pulls an oci:// plugin pinned by digest, and refuses an unpinned one', async () => {
  const { ref, digest } = await push('add-label', '0.1.0');
  const chart = writeChart('cm', '1.0.0', { 'templates/cm.yaml': manifests });
  const run = async (plugin: string) => {
    let stdout = '';
    let stderr = '';
    const code = await templateCommand(['rel', chart, '--post-renderer', plugin], {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
    });
    return { code, stdout, stderr };
  };
  const ok = await run(`${ref}@${digest}`);
  assert.equal(ok.code, 0, ok.stderr);
  const [cm] = parseManifests(ok.stdout);
  assert.equal((cm!.object.metadata as { labels: Record<string, string> }).labels['capstan.dev/post-rendered'], 'true');
  assert.match(ok.stdout, /^# Source: cm\/templates\/cm\.yaml$/m);
  const unpinned = await run(`${ref}:0.1.0`);
  assert.equal(unpinned.code, 1);
  assert.match(unpinned.stderr, /^Error: --post-renderer .*: an oci:\/\/ plugin must be pinned by digest/);
});
