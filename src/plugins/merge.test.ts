import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { MergePatchError, strategicMerge } from './merge.js';

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web, tier: front}
  finalizers: [a]
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.25
          env: [{name: A, value: "1"}, {name: B, value: "2"}]
          ports: [{containerPort: 80, name: http}]
          volumeMounts: [{name: data, mountPath: /data}]
        - name: log
          image: busybox
      tolerations: [{key: a, operator: Exists}]
`;

type Obj = Record<string, unknown>;
const base = () => parse(deployment) as Obj;
const podSpec = (o: Obj | undefined) => ((o!.spec as Obj).template as Obj).spec as Obj;
const containers = (o: Obj | undefined) => podSpec(o).containers as Obj[];

test('strategicMerge', async (t) => {
  const cases: { name: string; patch: string; check?: (o: Obj | undefined) => void; error?: RegExp }[] = [
    {
      name: 'maps merge and scalars replace',
      patch: 'spec: {replicas: 3}\nmetadata: {labels: {team: a}}',
      check: (o) => {
        assert.equal((o!.spec as Obj).replicas, 3);
        assert.deepEqual((o!.metadata as Obj).labels, { app: 'web', tier: 'front', team: 'a' });
      },
    },
    {
      name: 'null deletes a key',
      patch: 'metadata: {labels: {tier: null}}',
      check: (o) => assert.deepEqual((o!.metadata as Obj).labels, { app: 'web' }),
    },
    {
      name: 'containers merge by name, keeping the others',
      patch: 'spec: {template: {spec: {containers: [{name: web, image: "nginx:1.27"}]}}}',
      check: (o) => {
        assert.deepEqual(
          containers(o).map((c) => [c.name, c.image]),
          [
            ['web', 'nginx:1.27'],
            ['log', 'busybox'],
          ],
        );
        assert.equal((containers(o)[0]!.env as Obj[]).length, 2, 'unmentioned fields of the item are kept');
      },
    },
    {
      name: 'a new container is appended (sidecar injection)',
      patch: 'spec: {template: {spec: {containers: [{name: proxy, image: envoy}]}}}',
      check: (o) =>
        assert.deepEqual(
          containers(o).map((c) => c.name),
          ['web', 'log', 'proxy'],
        ),
    },
    {
      name: 'nested merge lists: env by name, ports by containerPort, volumeMounts by mountPath',
      patch:
        'spec: {template: {spec: {containers: [{name: web, env: [{name: B, value: "3"}, {name: C, value: "4"}], ports: [{containerPort: 80, protocol: TCP}], volumeMounts: [{mountPath: /data, readOnly: true}]}]}}}',
      check: (o) => {
        const web = containers(o)[0]!;
        assert.deepEqual(web.env, [
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
          { name: 'C', value: '4' },
        ]);
        assert.deepEqual(web.ports, [{ containerPort: 80, name: 'http', protocol: 'TCP' }]);
        assert.deepEqual(web.volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }]);
      },
    },
    {
      name: '$patch: delete removes a list item',
      patch: 'spec: {template: {spec: {containers: [{name: log, $patch: delete}]}}}',
      check: (o) =>
        assert.deepEqual(
          containers(o).map((c) => c.name),
          ['web'],
        ),
    },
    {
      name: '$patch: replace on a list',
      patch: 'spec: {template: {spec: {containers: [{$patch: replace}, {name: only, image: x}]}}}',
      check: (o) => assert.deepEqual(containers(o), [{ name: 'only', image: 'x' }]),
    },
    {
      name: '$patch: replace on a map',
      patch: 'metadata: {labels: {$patch: replace, fresh: "yes"}}',
      check: (o) => assert.deepEqual((o!.metadata as Obj).labels, { fresh: 'yes' }),
    },
    {
      name: '$patch: delete on the object deletes it',
      patch: '$patch: delete',
      check: (o) => assert.equal(o, undefined),
    },
    {
      name: 'lists without a merge key replace (tolerations)',
      patch: 'spec: {template: {spec: {tolerations: [{key: b, operator: Exists}]}}}',
      check: (o) => assert.deepEqual(podSpec(o).tolerations, [{ key: 'b', operator: 'Exists' }]),
    },
    {
      name: 'finalizers merge as a set',
      patch: 'metadata: {finalizers: [a, b]}',
      check: (o) => assert.deepEqual((o!.metadata as Obj).finalizers, ['a', 'b']),
    },
    {
      name: 'merge-list item without its key',
      patch: 'spec: {template: {spec: {containers: [{image: x}]}}}',
      error: /\/spec\/template\/spec\/containers\/0: list item has no merge key \(name\)/,
    },
    {
      name: 'unknown directive',
      patch: 'metadata: {$patch: squash}',
      error: /\/metadata: unknown directive \$patch: "squash"/,
    },
    {
      name: 'unsupported $ directive',
      patch: 'spec: {$retainKeys: [replicas]}',
      error: /\/spec\/\$retainKeys: directive is not supported/,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const input = base();
      if (c.error)
        assert.throws(
          () => strategicMerge(input, parse(c.patch) as Obj),
          (e: Error) => e instanceof MergePatchError && c.error!.test(e.message),
        );
      else c.check!(strategicMerge(input, parse(c.patch) as Obj));
      assert.deepEqual(input, base(), 'input is not modified');
    });
  }
});
