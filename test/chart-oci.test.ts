/**
 * chart-oci: `capstan template NAME oci://…` against a local registry holding a chart pushed by
 * the real helm; the output must equal helm's for the same archive.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { templateCommand } from '../src/cli/commands/template.js';
import { helmBinary } from '../src/devcluster/oracle.js';
import { REGISTRY_BINARY, startRegistry, type Registry } from '../src/devcluster/registry.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'charts');
const haveRegistry = existsSync(REGISTRY_BINARY);
let registry: Registry | undefined;
let home: string;

before(async () => {
  if (!haveRegistry) return;
  registry = await startRegistry({ auth: 'none' });
  home = mkdtempSync(join(tmpdir(), 'capstan-oci-helm-'));
  execFileSync(helmBinary(), ['push', join(dir, 'shop-1.4.2.tgz'), `${registry.ociBase}/charts`, '--plain-http'], {
    env: { ...process.env, HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') },
    stdio: 'ignore',
  });
});

after(async () => {
  await registry?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('capstan template renders an oci:// chart like helm renders the same archive', { skip: haveRegistry ? false : `no ${REGISTRY_BINARY}` }, async () => {
  let stdout = '';
  let stderr = '';
  const code = await templateCommand(['rel', `${registry!.ociBase}/charts/shop`, '--version', '1.4.2', '-n', 'shop', '--include-crds'], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.equal(stdout, readFileSync(join(dir, 'golden', 'shop-tgz.out'), 'utf8'));
});
