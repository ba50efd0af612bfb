import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { PluginLoadError } from './errors.js';
import { loadPlugin } from './loader.js';
import { fixtureWasm } from './wasm-fixture.js';

const YAML = 'apiVersion: v1\nname: fixture\nversion: 0.1.0\ntype: postrenderer/v1\nruntime: extism/v1\n';

async function tgz(
  files: Record<string, string | Uint8Array>,
  opts: { link?: [string, string] } = {},
): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-loader-test-'));
  try {
    for (const [name, body] of Object.entries(files)) {
      await mkdir(join(dir, name, '..'), { recursive: true });
      await writeFile(join(dir, name), body);
    }
    if (opts.link) await symlink(opts.link[1], join(dir, opts.link[0]));
    const chunks: Buffer[] = [];
    const entries = [
      ...new Set([...Object.keys(files), ...(opts.link ? [opts.link[0]] : [])].map((f) => f.split('/')[0]!)),
    ];
    const stream = create({ gzip: true, cwd: dir, portable: true }, entries);
    for await (const c of stream) chunks.push(c as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('loadPlugin from archives', async (t) => {
  const good = fixtureWasm();
  const cases: {
    name: string;
    archive: () => Promise<Uint8Array>;
    error?: RegExp;
    check?: (p: Awaited<ReturnType<typeof loadPlugin>>) => void;
  }[] = [
    {
      name: 'files at the archive root',
      archive: () => tgz({ 'plugin.yaml': YAML, 'plugin.wasm': good }),
      check: (p) => {
        assert.equal(p.metadata.name, 'fixture');
        assert.match(p.wasmDigest, /^sha256:[0-9a-f]{64}$/);
        assert.match(p.source, /^sha256:/);
      },
    },
    {
      name: 'files under one top-level directory (helm plugin package layout)',
      archive: () => tgz({ 'fixture/plugin.yaml': YAML, 'fixture/plugin.wasm': good, 'fixture/README.md': 'hi' }),
      check: (p) => assert.equal(p.metadata.version, '0.1.0'),
    },
    { name: 'no plugin.wasm', archive: () => tgz({ 'plugin.yaml': YAML }), error: /archive has no plugin\.wasm/ },
    { name: 'no plugin.yaml', archive: () => tgz({ 'plugin.wasm': good }), error: /archive has no plugin\.yaml/ },
    { name: 'not an archive', archive: async () => new TextEncoder().encode('hello'), error: /reading archive/ },
    {
      name: 'symlinks are refused',
      archive: () => tgz({ 'plugin.yaml': YAML, 'plugin.wasm': good }, { link: ['evil', '/etc/passwd'] }),
      error: /entry evil is a SymbolicLink/,
    },
    {
      name: 'subprocess plugins are refused',
      archive: () => tgz({ 'plugin.yaml': YAML.replace('extism/v1', 'subprocess'), 'plugin.wasm': good }),
      error: /plugin\.yaml: runtime: "subprocess" is not supported/,
    },
    {
      name: 'missing entry function',
      archive: () => tgz({ 'plugin.yaml': YAML, 'plugin.wasm': fixtureWasm({ entry: 'main' }) }),
      error: /does not export the entry function "helm_plugin_main"/,
    },
    {
      name: 'configured entry function',
      archive: () =>
        tgz({
          'plugin.yaml': YAML + 'runtimeConfig:\n  entryFuncName: main\n',
          'plugin.wasm': fixtureWasm({ entry: 'main' }),
        }),
      check: (p) => assert.equal(p.metadata.runtimeConfig.entryFuncName, 'main'),
    },
    {
      name: 'host functions beyond Extism are refused',
      archive: () => tgz({ 'plugin.yaml': YAML, 'plugin.wasm': fixtureWasm({ importEnv: 'kube_get' }) }),
      error: /imports env\.kube_get \(function\); Capstan provides only WASI preview 1 and the Extism kernel/,
    },
    {
      name: 'memory not exported',
      archive: () => tgz({ 'plugin.yaml': YAML, 'plugin.wasm': fixtureWasm({ exportMemory: false }) }),
      error: /does not export its memory/,
    },
    {
      name: 'needs more memory than plugin.yaml allows',
      archive: () =>
        tgz({
          'plugin.yaml': YAML + 'runtimeConfig:\n  memory: {maxPages: 4}\n',
          'plugin.wasm': fixtureWasm({ minPages: 8 }),
        }),
      error: /needs 8 pages \(0\.50 MiB\) of memory to start, more than the limit of 4 pages/,
    },
    {
      name: 'invalid wasm',
      archive: () =>
        tgz({ 'plugin.yaml': YAML, 'plugin.wasm': new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99, 1, 0]) }),
      error: /plugin\.wasm: /,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const bytes = await c.archive();
      if (c.error) {
        await assert.rejects(loadPlugin(bytes), (e: Error) => {
          assert.ok(e instanceof PluginLoadError, e.message);
          assert.match(e.message, /^loading plugin sha256:[0-9a-f]{64}: /);
          assert.match(e.message, c.error!);
          return true;
        });
      } else c.check!(await loadPlugin(bytes));
    });
  }
});

test('loadPlugin from a directory names it by path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'capstan-loader-test-'));
  try {
    await writeFile(join(dir, 'plugin.yaml'), YAML);
    await assert.rejects(
      loadPlugin(dir),
      /^PluginLoadError: loading plugin .*: reading plugin\.wasm \(the extism\/v1 binary\)/,
    );
    await writeFile(join(dir, 'plugin.wasm'), fixtureWasm());
    const p = await loadPlugin(dir);
    assert.equal(p.source, dir);
    const named = await loadPlugin(dir, { source: 'oci://example.com/p@sha256:abc' });
    assert.equal(named.source, 'oci://example.com/p@sha256:abc');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
