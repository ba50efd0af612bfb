import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetadataError, parsePluginMetadata } from './metadata.js';

const base = 'apiVersion: v1\nname: add-label\nversion: 0.1.0\ntype: postrenderer/v1\nruntime: extism/v1\n';

test('parsePluginMetadata', async (t) => {
  const cases: {
    name: string;
    yaml: string;
    check?: (m: ReturnType<typeof parsePluginMetadata>) => void;
    error?: RegExp;
  }[] = [
    {
      name: 'minimal plugin gets Helm defaults',
      yaml: base,
      check: (m) => {
        assert.equal(m.runtimeConfig.entryFuncName, 'helm_plugin_main');
        assert.equal(m.runtimeConfig.memory.maxPages, 0);
        assert.equal(m.runtimeConfig.timeout, 0);
        assert.deepEqual(m.runtimeConfig.allowedHosts, []);
        assert.equal(m.runtimeConfig.fileSystem.createTempDir, false);
      },
    },
    {
      name: 'all runtimeConfig fields (Helm names)',
      yaml:
        base +
        'runtimeConfig:\n  memory: {maxPages: 64, maxHttpResponseBytes: 4096, maxVarBytes: 1024}\n  config: {label: "a=b", n: 3}\n' +
        '  allowedHosts: [example.com]\n  fileSystem: {createTempDir: true}\n  timeout: 2000\n  entryFuncName: run\n',
      check: (m) => {
        assert.deepEqual(m.runtimeConfig.memory, { maxPages: 64, maxHttpResponseBytes: 4096, maxVarBytes: 1024 });
        assert.deepEqual(m.runtimeConfig.config, { label: 'a=b', n: '3' });
        assert.deepEqual(m.runtimeConfig.allowedHosts, ['example.com']);
        assert.equal(m.runtimeConfig.fileSystem.createTempDir, true);
        assert.equal(m.runtimeConfig.timeout, 2000);
        assert.equal(m.runtimeConfig.entryFuncName, 'run');
      },
    },
    {
      name: 'test/v1 type is accepted (Helm conformance plugin)',
      yaml: base.replace('postrenderer/v1', 'test/v1'),
      check: (m) => assert.equal(m.type, 'test/v1'),
    },
    {
      name: 'legacy plugin without apiVersion',
      yaml: 'name: x\nversion: 1.0.0\ncommand: run.sh\n',
      error: /apiVersion: missing: legacy/,
    },
    {
      name: 'subprocess runtime',
      yaml: base.replace('extism/v1', 'subprocess'),
      error: /runtime: "subprocess" is not supported/,
    },
    { name: 'bad name', yaml: base.replace('add-label', 'add label'), error: /name: must match/ },
    { name: 'version not semver', yaml: base.replace('0.1.0', 'one'), error: /version: "one" is not valid semver/ },
    { name: 'missing type', yaml: base.replace('type: postrenderer/v1\n', ''), error: /type: is required/ },
    {
      name: 'typo in a limit is an error, not a lifted limit',
      yaml: base + 'runtimeConfig:\n  memory: {maxPage: 4}\n',
      error: /runtimeConfig\.memory\.maxPage: unknown field/,
    },
    {
      name: 'negative timeout',
      yaml: base + 'runtimeConfig:\n  timeout: -1\n',
      error: /runtimeConfig\.timeout: must be an integer/,
    },
    {
      name: 'host functions are refused',
      yaml: base + 'runtimeConfig:\n  hostFunctions: [kube_get]\n',
      error: /"kube_get" is not available/,
    },
    { name: 'not YAML', yaml: 'apiVersion: [v1', error: /not valid YAML/ },
    { name: 'duplicate keys', yaml: base + 'name: other\n', error: /not valid YAML/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      if (c.error) {
        assert.throws(
          () => parsePluginMetadata(c.yaml),
          (e: Error) => e instanceof MetadataError && c.error!.test(e.message) && e.message.startsWith('plugin.yaml'),
        );
      } else c.check!(parsePluginMetadata(c.yaml));
    });
  }
});
