import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, JsonPatchError, parsePointer } from './jsonpatch.js';

const doc = () => ({
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'a/b': 'x', 'm~n': 'y' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
});

test('applyJsonPatch (RFC 6902)', async (t) => {
  const cases: { name: string; ops: unknown; want?: (d: ReturnType<typeof doc>) => unknown; error?: RegExp }[] = [
    {
      name: 'replace a scalar',
      ops: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
      want: (d) => ((d.spec.replicas = 3), d),
    },
    {
      name: 'add a map key',
      ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }],
      want: (d) => ((d.metadata.labels = { app: 'web', tier: 'front' } as never), d),
    },
    {
      name: 'append with "-"',
      ops: [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'side', image: 'busybox' } }],
      want: (d) => (d.spec.template.spec.containers.push({ name: 'side', image: 'busybox' }), d),
    },
    {
      name: 'insert at an index',
      ops: [{ op: 'add', path: '/spec/template/spec/containers/0', value: { name: 'init', image: 'busybox' } }],
      want: (d) => (d.spec.template.spec.containers.unshift({ name: 'init', image: 'busybox' }), d),
    },
    {
      name: 'remove',
      ops: [{ op: 'remove', path: '/metadata/labels/app' }],
      want: (d) => ((d.metadata.labels = {} as never), d),
    },
    {
      name: 'escaped tokens ~1 and ~0',
      ops: [
        { op: 'remove', path: '/metadata/annotations/a~1b' },
        { op: 'remove', path: '/metadata/annotations/m~0n' },
      ],
      want: (d) => ((d.metadata.annotations = {} as never), d),
    },
    {
      name: 'move',
      ops: [{ op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/name' }],
      want: (d) => ((d.metadata.labels = { name: 'web' } as never), d),
    },
    {
      name: 'copy',
      ops: [{ op: 'copy', from: '/metadata/name', path: '/metadata/labels/name' }],
      want: (d) => ((d.metadata.labels = { app: 'web', name: 'web' } as never), d),
    },
    {
      name: 'test passes then replace',
      ops: [
        { op: 'test', path: '/spec/replicas', value: 1 },
        { op: 'replace', path: '/spec/replicas', value: 2 },
      ],
      want: (d) => ((d.spec.replicas = 2), d),
    },
    { name: 'replace the whole document', ops: [{ op: 'replace', path: '', value: { a: 1 } }], want: () => ({ a: 1 }) },
    {
      name: 'test fails and names the operation',
      ops: [
        { op: 'add', path: '/x', value: 1 },
        { op: 'test', path: '/spec/replicas', value: 5 },
      ],
      error: /^operation 1 \(test \/spec\/replicas\): test failed: value is 1$/,
    },
    {
      name: 'replace of a missing path',
      ops: [{ op: 'replace', path: '/spec/paused', value: true }],
      error: /operation 0 \(replace \/spec\/paused\): path does not exist/,
    },
    {
      name: 'remove of a missing key',
      ops: [{ op: 'remove', path: '/metadata/labels/nope' }],
      error: /path does not exist/,
    },
    {
      name: 'index out of bounds',
      ops: [{ op: 'add', path: '/spec/template/spec/containers/5', value: {} }],
      error: /index 5 is out of bounds/,
    },
    {
      name: 'leading zero index',
      ops: [{ op: 'remove', path: '/spec/template/spec/containers/01' }],
      error: /"01" is not an array index/,
    },
    {
      name: 'add under a missing parent',
      ops: [{ op: 'add', path: '/spec/strategy/type', value: 'Recreate' }],
      error: /path does not exist \(no "strategy"\)/,
    },
    {
      name: 'move into own child',
      ops: [{ op: 'move', from: '/spec', path: '/spec/inner' }],
      error: /cannot move a value into one of its children/,
    },
    { name: 'unknown op', ops: [{ op: 'merge', path: '/a' }], error: /operation 0: unknown op "merge"/ },
    { name: 'add without value', ops: [{ op: 'add', path: '/a' }], error: /value is required/ },
    { name: 'pointer without slash', ops: [{ op: 'remove', path: 'spec' }], error: /must start with "\/"/ },
    { name: 'not a list', ops: { op: 'add' }, error: /must be a list of operations/ },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const input = doc();
      if (c.error) {
        assert.throws(
          () => applyJsonPatch(input, c.ops),
          (e: Error) => e instanceof JsonPatchError && c.error!.test(e.message),
        );
      } else {
        assert.deepEqual(applyJsonPatch(input, c.ops), c.want!(doc()));
      }
      assert.deepEqual(input, doc(), 'input is not modified');
    });
  }
});

test('parsePointer', () => {
  assert.deepEqual(parsePointer(''), []);
  assert.deepEqual(parsePointer('/a~1b/~0c/'), ['a/b', '~c', '']);
  assert.throws(() => parsePointer('/a~2'), /bad escape/);
});
