/**
 * postrender-helm: `capstan template --post-renderer` against helm v4.1.4's `helm template
 * --post-renderer` on the shared chart corpus, both with a post-renderer that changes nothing
 * (helm: a subprocess postrenderer/v1 plugin running `cat`; Capstan: the echo WebAssembly plugin —
 * helm's own WebAssembly post-renderers receive `{}`, helm/helm#31832). Both sides annotate every
 * template document with its file, post-render, split by the annotation and sort again, so the
 * outputs must list the same objects from the same `# Source:` files in the same order. Helm
 * rewrites every document with kyaml; Capstan keeps the rendered text, so documents are compared
 * as parsed objects. Cases whose output is random (generated certificates) are left out.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { splitManifests } from '../src/chart/manifests.js';
import { parseYaml } from '../src/chart/yaml.js';
import { templateCommand } from '../src/cli/commands/template.js';
import { helmBinary } from '../src/devcluster/oracle.js';
import { testPluginDir } from './plugins/build.js';

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'charts');
const present = existsSync(join(corpus, 'cases.json'));

interface CorpusCase {
  id: string;
  helmArgs: string[];
  golden: string | null;
  nondeterministicLines: number[];
}

const home = mkdtempSync(join(tmpdir(), 'capstan-helm-pr-'));
after(() => rmSync(home, { recursive: true, force: true }));
mkdirSync(join(home, 'plugins', 'cat'), { recursive: true });
writeFileSync(
  join(home, 'plugins', 'cat', 'plugin.yaml'),
  'apiVersion: v1\nname: cat\nversion: 0.1.0\ntype: postrenderer/v1\nruntime: subprocess\nruntimeConfig:\n  platformCommand:\n    - command: cat\n',
);
const env = {
  ...process.env,
  HELM_PLUGINS: join(home, 'plugins'),
  HELM_CONFIG_HOME: join(home, 'config'),
  HELM_CACHE_HOME: join(home, 'cache'),
  HELM_DATA_HOME: join(home, 'data'),
};

/** documents lists a template output as (source file, object) pairs, in order. */
function documents(out: string): Array<{ source: string; object: unknown }> {
  return splitManifests(out).flatMap((doc) => {
    const source = /^# Source: (.+)$/m.exec(doc)?.[1] ?? '';
    const object = parseYaml(doc);
    return object === null ? [] : [{ source, object }];
  });
}

const cases: CorpusCase[] = present
  ? (JSON.parse(readFileSync(join(corpus, 'cases.json'), 'utf8')).cases as CorpusCase[]).filter(
      (c) => c.golden && c.nondeterministicLines.length === 0,
    )
  : [];

test('the corpus has cases to compare', { skip: present ? false : `no corpus at ${corpus}` }, () => {
  assert.ok(cases.length >= 10, `${cases.length} deterministic cases`);
});

for (const c of cases) {
  test(`helm and capstan post-render ${c.id} to the same objects from the same files`, async () => {
    const helm = spawnSync(helmBinary(), [...c.helmArgs, '--post-renderer', 'cat'], {
      cwd: corpus,
      env,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    assert.equal(helm.status, 0, helm.stderr);
    let stdout = '';
    let stderr = '';
    const cwd = process.cwd();
    process.chdir(corpus);
    try {
      const code = await templateCommand([...c.helmArgs.slice(1), '--post-renderer', testPluginDir('echo')], {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stderr += s),
      });
      assert.equal(code, 0, stderr);
    } finally {
      process.chdir(cwd);
    }
    const want = documents(helm.stdout);
    const got = documents(stdout);
    assert.ok(want.length > 0);
    assert.deepEqual(
      got.map((d) => d.source),
      want.map((d) => d.source),
      'same files in the same order',
    );
    assert.deepEqual(got, want);
  });
}
