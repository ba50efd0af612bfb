/**
 * manifests tests: SplitManifests and SortManifests as releaseutil defines them (separator regex
 * `(?:^|\s*\n)---\s*`, documents trimmed, files in path order, install order by kind, unknown
 * kinds last and alphabetical, hooks by annotation with unknown hook types dropped).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INSTALL_ORDER, ManifestSortError, sortByKind, sortManifests, splitManifests } from './manifests.js';

const SPLIT: { name: string; input: string; want: string[] }[] = [
  { name: 'two documents', input: 'a: 1\n---\nb: 2\n', want: ['a: 1', 'b: 2'] },
  // The next three were checked against helm template: a separator whose newline was eaten by the
  // previous match stays in the document.
  { name: 'leading separator then blank document', input: '---\n\n---\na: 1\n---   \n\n', want: ['---\na: 1'] },
  { name: 'two separators in a row', input: 'kind: A\n---\n---\nkind: B\n', want: ['kind: A', '---\nkind: B'] },
  { name: 'separator with trailing text stays on the next document', input: 'a: 1\n--- # c\nb: 2', want: ['a: 1', '# c\nb: 2'] },
  { name: 'indented --- inside a block scalar is not a separator', input: 'a: |\n  x\n  ---\n  y\n', want: ['a: |\n  x\n  ---\n  y'] },
  { name: 'comment-only document is kept', input: '# just a comment\n---\nkind: A', want: ['# just a comment', 'kind: A'] },
];

for (const c of SPLIT) {
  test(`splitManifests: ${c.name}`, () => assert.deepEqual(splitManifests(c.input), c.want));
}

test('sortManifests: files in path order, kinds in install order, unknown kinds last alphabetically, stable', () => {
  const files = {
    'c/templates/z.yaml': 'kind: Deployment\nmetadata:\n  name: d1\n---\nkind: Zeta\n---\nkind: Alpha\n',
    'c/templates/a.yaml': 'kind: Service\nmetadata:\n  name: s\n---\nkind: Namespace\n---\nkind: Deployment\nmetadata:\n  name: d0\n',
    'c/templates/_helpers.tpl': 'kind: Secret\n',
    'c/templates/empty.yaml': '  \n',
  };
  const { manifests, hooks } = sortManifests(files);
  assert.deepEqual(hooks, []);
  assert.deepEqual(
    manifests.map((m) => `${m.name}:${m.head.kind}:${m.head.metadata?.name ?? ''}`),
    ['c/templates/a.yaml:Namespace:', 'c/templates/a.yaml:Service:s', 'c/templates/a.yaml:Deployment:d0', 'c/templates/z.yaml:Deployment:d1', 'c/templates/z.yaml:Alpha:', 'c/templates/z.yaml:Zeta:'],
  );
});

test('sortManifests: hooks with events, weight and policies; unknown hook types are dropped', () => {
  const files = {
    'c/templates/hooks.yaml': [
      'kind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install, Pre-Upgrade\n    helm.sh/hook-weight: "-5"\n    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded',
      'kind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test-success',
      'kind: ConfigMap\nmetadata:\n  name: old\n  annotations:\n    helm.sh/hook: crd-install',
      'kind: ServiceAccount\nmetadata:\n  name: sa\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: abc',
      'kind: ConfigMap\nmetadata:\n  name: plain\n  annotations:\n    other: x',
    ].join('\n---\n'),
  };
  const { manifests, hooks } = sortManifests(files);
  assert.deepEqual(
    manifests.map((m) => m.head.metadata?.name),
    ['plain'],
  );
  assert.deepEqual(
    hooks.map((h) => [h.kind, h.name, h.events, h.weight, h.deletePolicies]),
    [
      ['ServiceAccount', 'sa', ['pre-install'], 0, []],
      ['Pod', 't', ['test'], 0, []],
      ['Job', 'migrate', ['pre-install', 'pre-upgrade'], -5, ['before-hook-creation', 'hook-succeeded']],
    ],
  );
});

test('sortManifests: a document that is not YAML names its template', () => {
  assert.throws(
    () => sortManifests({ 'c/templates/bad.yaml': 'kind: [unclosed\n' }),
    (e: unknown) => e instanceof ManifestSortError && e.path === 'c/templates/bad.yaml' && e.message.startsWith('YAML parse error on c/templates/bad.yaml: '),
  );
});

test('sortByKind keeps INSTALL_ORDER for every known kind', () => {
  const kinds = [...INSTALL_ORDER].reverse();
  assert.deepEqual(sortByKind(kinds, (k) => k), [...INSTALL_ORDER]);
});
