/**
 * applier.test: reading release manifests into objects as Helm's kube client reads them
 * (sigs.k8s.io/yaml, YAML 1.1). The expected values are what helm v4.1.4 sends to the API server
 * for the same text (e.g. `defaultMode: 0755` arrives as 493).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplyError, parseManifest } from './applier.js';

test('parseManifest reads YAML 1.1 scalars as helm does', () => {
  const [cm, dep] = parseManifest(
    [
      '# Source: x/templates/a.yaml',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: a}',
      'data:',
      '  quoted: "yes"',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: d',
      'spec:',
      '  paused: yes',
      '  replicas: 0x3',
      '  template:',
      '    spec:',
      '      volumes:',
      '        - name: s',
      '          configMap: {name: a, defaultMode: 0755}',
    ].join('\n'),
  );
  assert.deepEqual(cm!.data, { quoted: 'yes' });
  const spec = dep!.spec as any;
  assert.equal(spec.paused, true);
  assert.equal(spec.replicas, 3);
  assert.equal(spec.template.spec.volumes[0].configMap.defaultMode, 493);
});

test('parseManifest drops empty documents and flattens Lists', () => {
  const objs = parseManifest(
    '---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n---\n',
  );
  assert.deepEqual(
    objs.map((o) => o.metadata?.name),
    ['a', 'b'],
  );
});

test('parseManifest names the source and the document on errors', () => {
  assert.throws(
    () =>
      parseManifest('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: Secret\n', 'web v3 manifest'),
    (e: unknown) =>
      e instanceof ApplyError &&
      e.message === 'web v3 manifest: document 2 is not a Kubernetes object (needs apiVersion, kind and metadata.name)',
  );
  assert.throws(
    () => parseManifest('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n b: c\n', 'templates/cm.yaml'),
    (e: unknown) =>
      e instanceof ApplyError &&
      /^templates\/cm\.yaml: error converting YAML to JSON: yaml: line \d+: /.test(e.message),
  );
});
