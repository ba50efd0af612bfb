import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManifestError } from './errors.js';
import { diffObjects, matchDocuments, parseManifests, readManifests, type ObjectRef } from './manifests.js';

test('parseManifests', async (t) => {
  const cases: { name: string; yaml: string; want?: string[]; error?: RegExp }[] = [
    {
      name: 'a helm stream with Source comments and empty documents',
      yaml: '---\n# Source: web/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n---\n# Source: web/templates/empty.yaml\n\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n',
      want: ['v1 Service /web', 'apps/v1 Deployment prod/web'],
    },
    { name: 'empty stream', yaml: '', want: [] },
    {
      name: 'invalid YAML names the document',
      yaml: 'apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\nmetadata: {name: [x\n',
      error: /^document 1: not valid YAML/,
    },
    { name: 'a scalar document', yaml: 'hello\n', error: /^document 0: is a string, not a Kubernetes object/ },
    { name: 'a list document', yaml: '- a\n', error: /is a list, not a Kubernetes object/ },
    { name: 'no apiVersion', yaml: 'kind: A\nmetadata: {name: a}\n', error: /^document 0: has no apiVersion/ },
    { name: 'no kind', yaml: 'apiVersion: v1\nmetadata: {name: a}\n', error: /\(v1\) has no kind/ },
    {
      name: 'no name',
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a-}\n',
      error: /\(v1 ConfigMap\) has no metadata\.name/,
    },
    {
      name: 'namespace not a string',
      yaml: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: [x]}\n',
      error: /metadata\.namespace is not a string/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      if (c.error)
        assert.throws(
          () => parseManifests(c.yaml),
          (e: Error) => e instanceof ManifestError && c.error!.test(e.message),
        );
      else
        assert.deepEqual(
          parseManifests(c.yaml).map((o) => `${o.ref.apiVersion} ${o.ref.kind} ${o.ref.namespace}/${o.ref.name}`),
          c.want,
        );
    });
  }
});

const ref = (apiVersion: string, kind: string, name: string, namespace = ''): ObjectRef => ({
  apiVersion,
  kind,
  name,
  namespace,
});

test('diffObjects', async (t) => {
  const svc = ref('v1', 'Service', 'web');
  const dep = ref('apps/v1', 'Deployment', 'web', 'prod');
  const cases: { name: string; before: ObjectRef[]; after: ObjectRef[]; defaultNamespace?: string; want: unknown[] }[] =
    [
      { name: 'unchanged', before: [svc, dep], after: [svc, dep], want: [] },
      {
        name: 'explicit release namespace is not a move',
        before: [svc],
        after: [{ ...svc, namespace: 'prod' }],
        defaultNamespace: 'prod',
        want: [],
      },
      {
        name: 'namespace moved',
        before: [svc, dep],
        after: [svc, { ...dep, namespace: 'kube-system' }],
        want: [
          { type: 'namespace-changed', object: { ...dep, namespace: 'kube-system' }, from: 'prod', to: 'kube-system' },
        ],
      },
      {
        name: 'namespace set on an object that had none',
        before: [svc],
        after: [{ ...svc, namespace: 'other' }],
        defaultNamespace: 'prod',
        want: [{ type: 'namespace-changed', object: { ...svc, namespace: 'other' }, from: 'prod', to: 'other' }],
      },
      {
        name: 'cluster-scoped object added',
        before: [svc],
        after: [svc, ref('rbac.authorization.k8s.io/v1', 'ClusterRole', 'admin-ish')],
        want: [
          { type: 'cluster-scoped-added', object: ref('rbac.authorization.k8s.io/v1', 'ClusterRole', 'admin-ish') },
        ],
      },
      {
        name: 'apiVersion bump of the same group is not a change',
        before: [ref('autoscaling/v1', 'HorizontalPodAutoscaler', 'h')],
        after: [ref('autoscaling/v2', 'HorizontalPodAutoscaler', 'h')],
        want: [],
      },
      {
        name: 'namespaced object added and another removed',
        before: [svc, dep],
        after: [svc, ref('v1', 'ConfigMap', 'extra')],
        want: [
          { type: 'added', object: ref('v1', 'ConfigMap', 'extra') },
          { type: 'removed', object: dep },
        ],
      },
      {
        name: 'namespace on a cluster-scoped object is ignored',
        before: [ref('v1', 'Namespace', 'n')],
        after: [ref('v1', 'Namespace', 'n', 'x')],
        want: [],
      },
    ];
  for (const c of cases) {
    await t.test(c.name, () =>
      assert.deepEqual(diffObjects(c.before, c.after, { defaultNamespace: c.defaultNamespace }), c.want),
    );
  }
  await t.test('a scope resolver from discovery marks CRDs cluster-scoped', () => {
    const crd = ref('example.com/v1', 'Cluster', 'c');
    const scope = (group: string, kind: string) => (group === 'example.com' && kind === 'Cluster' ? true : undefined);
    assert.deepEqual(diffObjects([], [crd], { scope }), [{ type: 'cluster-scoped-added', object: crd }]);
    assert.deepEqual(diffObjects([], [crd]), [{ type: 'added', object: crd }]);
  });
});

test('readManifests reads a document only when it is used', () => {
  const stream = `---
# Source: a.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
# only a comment
---
kind: [
---
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: ns}
`;
  const docs = readManifests(stream); // the broken third document does not stop the split
  assert.equal(docs.length, 3);
  assert.equal(docs[0]!.comment, '# Source: a.yaml\n');
  assert.deepEqual(docs[0]!.ref, { apiVersion: 'v1', kind: 'ConfigMap', name: 'a', namespace: '' });
  assert.deepEqual(docs[2]!.object, parseManifests(docs[2]!.source!)[0]!.object);
  assert.equal(docs[1]!.source, 'kind: [\n');
  assert.throws(
    () => docs[1]!.ref,
    (e: unknown) => e instanceof ManifestError && e.document === 2 && /not valid YAML/.test(e.message),
  );
  // Streams with other markers are read at once, as parseManifests does.
  assert.throws(() => readManifests('%YAML 1.1\n---\nkind: [\n'), ManifestError);
});

test('matchDocuments pairs documents by text, in place first, and keeps the input objects', () => {
  const doc = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;
  const before = readManifests(['a', 'b', 'c', 'c'].map((n) => `---\n${doc(n)}`).join(''));
  const after = readManifests(
    [doc('b'), doc('a', 'data: {x: "1"}\n'), doc('c'), doc('c'), doc('d')].map((d) => `---\n${d}`).join(''),
  );
  const m = matchDocuments(before, after);
  assert.equal(m.after.length, 5);
  assert.equal(m.after[0], before[1]); // b, moved
  assert.equal(m.after[2], before[2]); // c in place
  assert.equal(m.after[3], before[3]); // the second c
  assert.equal(m.after[1], after[1]); // a, changed
  assert.deepEqual(
    m.unmatchedAfter.map((o) => o.ref.name),
    ['a', 'd'],
  );
  assert.deepEqual(
    m.unmatchedBefore.map((o) => o.ref.name),
    ['a'],
  );
  // A dropped duplicate is unmatched on its own.
  const one = matchDocuments(before, readManifests(`---\n${doc('c')}`));
  assert.deepEqual(
    one.unmatchedBefore.map((o) => o.ref.name),
    ['a', 'b', 'c'],
  );
});
