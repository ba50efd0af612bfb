import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { PatchError, PostRenderError } from './errors.js';
import { parseManifests } from './manifests.js';
import { postRender, type PostRenderer } from './postrender.js';

const chart = `---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  ports: [{port: 80, targetPort: http}]
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.25
---
# Source: web/templates/worker.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
  labels: {app: worker}
spec:
  template:
    spec:
      containers: [{name: worker, image: busybox}]
`;

type Obj = Record<string, unknown>;
const byName = (text: string, kind: string, name: string) =>
  parseManifests(text).find((o) => o.ref.kind === kind && o.ref.name === name)?.object as Obj | undefined;

test('postRender with built-in patches', async (t) => {
  const cases: {
    name: string;
    renderers: PostRenderer[];
    check?: (r: Awaited<ReturnType<typeof postRender>>) => void;
    error?: RegExp;
  }[] = [
    {
      name: 'JSON 6902 patch on a label-selected target',
      renderers: [
        {
          patches: [
            {
              target: { kind: 'Deployment', labelSelector: 'app=web' },
              patch: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
            },
          ],
        },
      ],
      check: (r) => {
        assert.equal((byName(r.manifests, 'Deployment', 'web')!.spec as Obj).replicas, 3);
        assert.equal((byName(r.manifests, 'Deployment', 'worker')!.spec as Obj).replicas, undefined);
        assert.deepEqual(r.steps[0]!.applied, [1]);
        assert.deepEqual(r.changes, []);
      },
    },
    {
      name: 'JSON 6902 patch as YAML text',
      renderers: [
        {
          patches: [
            { target: { kind: 'Service' }, patch: '- op: add\n  path: /metadata/annotations\n  value: {team: a}\n' },
          ],
        },
      ],
      check: (r) =>
        assert.deepEqual((byName(r.manifests, 'Service', 'web')!.metadata as Obj).annotations, { team: 'a' }),
    },
    {
      name: 'merge patch naming its own target injects a sidecar',
      renderers: [
        {
          patches: [
            {
              patch:
                'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker}\nspec: {template: {spec: {containers: [{name: proxy, image: envoy}]}}}',
            },
          ],
        },
      ],
      check: (r) => {
        const spec = ((byName(r.manifests, 'Deployment', 'worker')!.spec as Obj).template as Obj).spec as Obj;
        assert.deepEqual(
          (spec.containers as Obj[]).map((c) => c.name),
          ['worker', 'proxy'],
        );
      },
    },
    {
      name: 'merge patch with a target applies to every match and keeps names',
      renderers: [
        {
          patches: [
            { target: { kind: 'Deployment' }, patch: { metadata: { name: 'ignored', labels: { team: 'a' } } } },
          ],
        },
      ],
      check: (r) => {
        for (const n of ['web', 'worker'])
          assert.equal(((byName(r.manifests, 'Deployment', n)!.metadata as Obj).labels as Obj).team, 'a');
        assert.deepEqual(r.steps[0]!.applied, [2]);
      },
    },
    {
      name: 'untouched documents keep their Source comments; patched ones too',
      renderers: [
        { patches: [{ target: { kind: 'Service' }, patch: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] }] },
      ],
      check: (r) => {
        assert.match(r.manifests, /# Source: web\/templates\/service\.yaml\napiVersion: v1\nkind: Service/);
        assert.ok(
          r.manifests.includes(chart.slice(chart.indexOf('# Source: web/templates/worker.yaml'))),
          'untouched documents are kept byte for byte',
        );
        assert.equal(parse(r.manifests.split('---\n')[1]!).metadata.labels.x, 'y');
      },
    },
    {
      name: 'a namespace move is reported, not hidden',
      renderers: [
        {
          patches: [
            {
              target: { kind: 'Deployment', name: 'worker' },
              patch: [{ op: 'add', path: '/metadata/namespace', value: 'kube-system' }],
            },
          ],
        },
      ],
      check: (r) => {
        assert.equal(r.changes.length, 1);
        assert.deepEqual(r.changes[0], {
          type: 'namespace-changed',
          object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker', namespace: 'kube-system' },
          from: 'prod',
          to: 'kube-system',
        });
        assert.deepEqual(r.steps[0]!.changes, r.changes);
      },
    },
    {
      name: 'an object deleted by $patch: delete is reported as removed',
      renderers: [{ patches: [{ patch: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n$patch: delete\n' }] }],
      check: (r) => {
        assert.equal(byName(r.manifests, 'Service', 'web'), undefined);
        assert.deepEqual(
          r.changes.map((c) => c.type),
          ['removed'],
        );
      },
    },
    {
      name: 'steps run in order on the previous output',
      renderers: [
        {
          patches: [
            { target: { kind: 'Service' }, patch: [{ op: 'add', path: '/metadata/labels/step', value: 'one' }] },
          ],
        },
        {
          patches: [
            {
              target: { kind: 'Service', labelSelector: 'step=one' },
              patch: [{ op: 'replace', path: '/metadata/labels/step', value: 'two' }],
            },
          ],
        },
      ],
      check: (r) => {
        assert.equal(((byName(r.manifests, 'Service', 'web')!.metadata as Obj).labels as Obj).step, 'two');
        assert.deepEqual(
          r.steps.map((s) => s.applied),
          [[1], [1]],
        );
      },
    },
    {
      name: 'explicit target matching nothing is not an error',
      renderers: [{ patches: [{ target: { kind: 'Ingress' }, patch: [{ op: 'remove', path: '/spec' }] }] }],
      check: (r) => assert.deepEqual(r.steps[0]!.applied, [0]),
    },
    {
      name: 'implicit target must exist',
      renderers: [
        { patches: [{ patch: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec: {replicas: 2}' }] },
      ],
      error: /^post-render step 0: patches\[0\]: no object Deployment api to patch$/,
    },
    {
      name: 'failing operation names step, patch and object',
      renderers: [
        { patches: [] },
        {
          patches: [
            { target: { kind: 'Service' }, patch: [{ op: 'replace', path: '/spec/clusterIP', value: 'None' }] },
          ],
        },
      ],
      error:
        /^post-render step 1: patches\[0\] on v1 Service web: operation 0 \(replace \/spec\/clusterIP\): path does not exist/,
    },
    {
      name: 'JSON 6902 without target',
      renderers: [{ patches: [{ patch: [{ op: 'remove', path: '/spec' }] }] }],
      error: /patches\[0\]: a JSON 6902 patch needs a target/,
    },
    {
      name: 'patch that is a scalar',
      renderers: [{ patches: [{ patch: 'just text' }] }],
      error: /must be a list of JSON 6902 operations or a merge document/,
    },
    {
      name: 'patch that is not YAML',
      renderers: [{ patches: [{ patch: 'a: [' }] }],
      error: /patch is not YAML or JSON/,
    },
    {
      name: 'a bad selector',
      renderers: [{ patches: [{ target: { labelSelector: 'a in ()' }, patch: {} }] }],
      error: /patches\[0\]: target: selector "a in \(\)": empty value/,
    },
    {
      name: 'a patch that breaks object identity is rejected by validation',
      renderers: [{ patches: [{ target: { kind: 'Service' }, patch: [{ op: 'remove', path: '/metadata/name' }] }] }],
      error: /^post-render step 0: /,
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const run = postRender(chart, c.renderers, { defaultNamespace: 'prod' });
      if (c.error) {
        await assert.rejects(run, (e: Error) => {
          assert.ok(e instanceof PostRenderError, e.message);
          assert.match(e.message, c.error!);
          return true;
        });
      } else c.check!(await run);
    });
  }
});

test('postRender names invalid input when a step reads it, and leaves documents no step reads unread', async () => {
  const patch = { target: { kind: 'Service' }, patch: [{ op: 'add' as const, path: '/x', value: 1 }] };
  // A patch step reads every document.
  await assert.rejects(
    postRender('kind: [\n', [{ patches: [patch] }]),
    /^ManifestError: document 0: post-render input: not valid YAML/,
  );
  // A stream with directives is read at once.
  await assert.rejects(postRender('%YAML 1.1\n---\nkind: [\n', []), /post-render input: not valid YAML/);
  // Passed through untouched, a document is not read here: applying a release reads every
  // document before it applies any (controller/release.ts), and fails there.
  const r = await postRender(`${chart}---\nkind: [\n`, []);
  assert.equal(r.manifests, `${chart}---\nkind: [\n`);
  assert.deepEqual(r.changes, []);
  assert.throws(() => r.objects.at(-1)!.ref, /document \d+: not valid YAML/);
});

test('PatchError carries the patch index and object', async () => {
  const err = await postRender(chart, [
    {
      patches: [
        {},
        { target: { kind: 'Service' }, patch: [{ op: 'test', path: '/spec/ports/0/port', value: 81 }] },
      ] as never,
    },
  ]).catch((e: PostRenderError) => e.cause as PatchError);
  assert.ok(err instanceof PatchError);
});
