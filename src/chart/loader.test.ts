/**
 * loader tests: chart directories (with .helmignore, symlinks, v1 requirements.yaml), Chart.yaml
 * validation messages as Helm's Metadata.Validate writes them, `.Files` and glob matching.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { GO_METHODS, type GoFunc } from '../gotemplate/value.js';
import { globRegExp, makeFiles } from './files.js';
import { IgnoreRules } from './helmignore.js';
import { ChartLoadError, loadDir, loadFiles } from './loader.js';

const root = mkdtempSync(join(tmpdir(), 'capstan-loader-'));
after(() => rmSync(root, { recursive: true, force: true }));

function writeTree(dir: string, files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const enc = (s: string) => new TextEncoder().encode(s);

test('loadDir honours .helmignore and the templates/ dotfile default, and walks in name order', () => {
  const dir = writeTree(join(root, 'web'), {
    'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    '.helmignore': '# comment\n*.bak\nsecret/\n/top-only.txt\n',
    'values.yaml': 'a: 1\n',
    'templates/b.yaml': 'b',
    'templates/a.yaml': 'a',
    'templates/.hidden.yaml': 'x',
    'files/x.bak': 'ignored',
    'files/top-only.txt': 'kept: the rule is anchored to the root',
    'top-only.txt': 'ignored',
    'secret/key': 'ignored dir',
    'charts/db/Chart.yaml': 'apiVersion: v2\nname: db\nversion: 1.0.0\n',
    'charts/db/templates/s.yaml': 's',
  });
  const c = loadDir(dir);
  assert.deepEqual(
    c.templates.map((t) => t.name),
    ['templates/a.yaml', 'templates/b.yaml'],
  );
  assert.deepEqual(
    c.files.map((f) => f.name),
    ['.helmignore', 'files/top-only.txt'],
  );
  assert.equal(c.dependencies[0].metadata.name, 'db');
  assert.deepEqual(
    c.dependencies[0].templates.map((t) => t.name),
    ['templates/s.yaml'],
  );
});

test('loadDir refuses a symlink leaving the chart but follows one inside it', () => {
  const dir = writeTree(join(root, 'links'), {
    'Chart.yaml': 'apiVersion: v2\nname: links\nversion: 0.1.0\n',
    'files/real.txt': 'real',
  });
  symlinkSync(join(dir, 'files/real.txt'), join(dir, 'files/inside.txt'));
  assert.equal(new TextDecoder().decode(loadDir(dir).files.find((f) => f.name === 'files/inside.txt')!.data), 'real');
  symlinkSync('/etc/hostname', join(dir, 'files/outside.txt'));
  assert.throws(() => loadDir(dir), (e: unknown) => e instanceof ChartLoadError && /files\/outside.txt" is a symbolic link that points outside/.test(e.message));
});

const INVALID: { name: string; chartYaml: string; message: string }[] = [
  { name: 'missing name', chartYaml: 'apiVersion: v2\nversion: 1.0.0\n', message: 'validation: chart.metadata.name is required' },
  { name: 'missing version', chartYaml: 'apiVersion: v2\nname: x\n', message: 'validation: chart.metadata.version is required' },
  { name: 'bad version', chartYaml: 'apiVersion: v2\nname: x\nversion: one\n', message: 'validation: chart.metadata.version "one" is invalid' },
  { name: 'bad type', chartYaml: 'apiVersion: v2\nname: x\nversion: 1.0.0\ntype: plugin\n', message: 'validation: chart.metadata.type must be application or library' },
  { name: 'name with a slash', chartYaml: 'apiVersion: v2\nname: a/b\nversion: 1.0.0\n', message: 'validation: chart.metadata.name "a/b" is invalid' },
  {
    name: 'bad alias',
    chartYaml: 'apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n- name: db\n  alias: my.db\n',
    message: 'validation: dependency "db" has disallowed characters in the alias',
  },
  {
    name: 'duplicate alias',
    chartYaml: 'apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n- name: db\n- name: other\n  alias: db\n',
    message: 'validation: more than one dependency with name or alias "db"',
  },
];

for (const c of INVALID) {
  test(`Chart.yaml validation: ${c.name}`, () => {
    assert.throws(() => loadFiles([{ name: 'Chart.yaml', data: enc(c.chartYaml) }]), { message: c.message });
  });
}

test('missing Chart.yaml and apiVersion defaulting', () => {
  assert.throws(() => loadFiles([{ name: 'values.yaml', data: enc('a: 1') }]), { message: 'Chart.yaml file is missing' });
  const v1 = loadFiles([
    { name: 'Chart.yaml', data: enc('name: old\nversion: 1.0.0\n') },
    { name: 'requirements.yaml', data: enc('dependencies:\n- name: db\n  version: 1.x\n') },
  ]);
  assert.equal(v1.metadata.apiVersion, 'v1');
  assert.deepEqual(v1.metadata.dependencies?.map((d) => d.name), ['db']);
  assert.deepEqual(v1.files.map((f) => f.name), ['requirements.yaml']);
});

test('.Files: Get, GetBytes, Lines, Glob, AsConfig, AsSecrets', () => {
  const files = makeFiles([
    { name: 'files/a.conf', data: enc('x=1\n') },
    { name: 'files/sub/b.conf', data: enc('y=2\n') },
    { name: 'README.md', data: enc('l1\nl2\n') },
  ]);
  const m = (files as any)[GO_METHODS] as Record<string, GoFunc>;
  assert.equal(m.Get.fn('files/a.conf'), 'x=1\n');
  assert.equal(m.Get.fn('nope'), '');
  assert.deepEqual(m.Lines.fn('README.md'), ['l1', 'l2']);
  assert.deepEqual(m.Lines.fn('nope'), []);
  assert.deepEqual(Object.keys(m.Glob.fn('files/*') as object), ['files/a.conf']);
  assert.deepEqual(Object.keys(m.Glob.fn('files/**') as object), ['files/a.conf', 'files/sub/b.conf']);
  const conf = m.Glob.fn('files/**.conf') as any;
  assert.equal((conf[GO_METHODS] as Record<string, GoFunc>).AsConfig.fn(), 'a.conf: |\n  x=1\nb.conf: |\n  y=2');
  assert.equal((conf[GO_METHODS] as Record<string, GoFunc>).AsSecrets.fn(), 'a.conf: eD0xCg==\nb.conf: eT0yCg==');
});

test('glob syntax: classes, negation, alternatives', () => {
  const cases: [string, string, boolean][] = [
    ['*.yaml', 'a.yaml', true],
    ['*.yaml', 'd/a.yaml', false],
    ['**.yaml', 'd/a.yaml', true],
    ['f?le', 'file', true],
    ['[ab].txt', 'b.txt', true],
    ['[!ab].txt', 'b.txt', false],
    ['{x,y}/*', 'y/z', true],
  ];
  for (const [g, name, want] of cases) assert.equal(globRegExp(g).test(name), want, `${g} vs ${name}`);
});

test('.helmignore rules: negation, dir-only, anchored, ** refused', () => {
  const r = IgnoreRules.parse('*.tmp\n!important.tmp\nbuild/\n');
  assert.equal(r.ignore('a.tmp', false), true);
  assert.equal(r.ignore('build', true), true);
  assert.equal(r.ignore('build', false), true, 'a negation rule ignores every non-matching path (helm quirk)');
  assert.throws(() => IgnoreRules.parse('**/x'), /double-star/);
});

test('capabilities: --api-versions add to helm defaults; a cluster-discovered set replaces them', async () => {
  const { resolveCapabilities, DEFAULT_API_VERSIONS } = await import('./capabilities.js');
  assert.deepEqual(resolveCapabilities({ apiVersions: ['x.io/v1'] }).apiVersions, [...DEFAULT_API_VERSIONS, 'x.io/v1']);
  assert.deepEqual(resolveCapabilities({ apiVersions: ['v1', 'apps/v1'], fromCluster: true }).apiVersions, ['v1', 'apps/v1']);
  assert.deepEqual(resolveCapabilities({ kubeVersion: 'v1.33.4-gke.1200' }).kubeVersion, {
    version: 'v1.33.4-gke.1200',
    normalizedVersion: 'v1.33.4',
    major: '1',
    minor: '33',
  });
});
