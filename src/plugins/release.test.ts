/**
 * release.test: Helm 4's annotateAndMerge / splitAndDeannotate around the post-renderers
 * (pkg/action/action.go in helm v4.1.4): files sorted by name, partials and empty files skipped,
 * every document annotated with its file, the output grouped back by that annotation, documents
 * without one named `generated-by-postrender-N.yaml`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortManifests, splitManifests } from '../chart/manifests.js';
import type { RenderedRelease } from '../chart/render.js';
import { parseYamlDocuments } from '../chart/yaml.js';
import { parseManifests } from './manifests.js';
import {
  annotateAndMerge,
  annotateDocuments,
  annotateFiles,
  FILENAME_ANNOTATION,
  postRenderRelease,
  splitAndDeannotate,
} from './release.js';

const files = {
  'web/templates/svc.yaml':
    '# Source: web/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  ports:\n  - port: 80\n',
  'web/templates/_helpers.tpl': 'not: a manifest',
  'web/templates/empty.yaml': '\n  \n',
  'web/templates/cm.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    keep: "1"\ndata:\n  mode: "0755"\n---apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n',
};

const objects = (text: string) => parseYamlDocuments(text).filter((d) => d !== null) as any[];

test('annotateAndMerge annotates every document with its file, in file-name order', () => {
  const merged = annotateAndMerge(files);
  const docs = objects(merged);
  assert.deepEqual(
    docs.map((d) => [d.metadata.name, d.metadata.annotations[FILENAME_ANNOTATION]]),
    [
      ['a', 'web/templates/cm.yaml'],
      ['b', 'web/templates/cm.yaml'],
      ['web', 'web/templates/svc.yaml'],
    ],
  );
  // Existing annotations are kept; the rest of each document is untouched.
  assert.equal(docs[0].metadata.annotations.keep, '1');
  assert.equal(docs[0].data.mode, '0755');
  assert.match(merged, /# Source: web\/templates\/svc\.yaml\napiVersion: v1\n/);
  // Block-style metadata gets the annotation as a line; flow style is rewritten.
  assert.match(
    merged,
    /\nmetadata:\n {2}annotations:\n {4}postrenderer\.helm\.sh\/postrender-filename: "web\/templates\/svc\.yaml"\n {2}name: web\n/,
  );
  assert.match(
    merged,
    /\n {2}annotations:\n {4}postrenderer\.helm\.sh\/postrender-filename: "web\/templates\/cm\.yaml"\n {4}keep: "1"\n/,
  );
});

test('a no-op post-renderer gives back the rendered documents, text for text', () => {
  const back = splitAndDeannotate(parseManifests(annotateAndMerge(files)));
  assert.deepEqual(Object.keys(back).sort(), ['web/templates/cm.yaml', 'web/templates/svc.yaml']);
  assert.deepEqual(splitManifests(back['web/templates/svc.yaml']!), splitManifests(files['web/templates/svc.yaml']));
  const cm = splitManifests(back['web/templates/cm.yaml']!);
  assert.equal(cm[0], splitManifests(files['web/templates/cm.yaml'].split('---')[0]!)[0]);
  // The flow-style document was rewritten; its object is the same without the annotation.
  assert.deepEqual(objects(cm[1]!), [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }]);
});

test('splitAndDeannotate handles documents a post-renderer rewrote, added or left unannotated', () => {
  const rewritten = [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  annotations: {"postrenderer.helm.sh/postrender-filename": web/templates/svc.yaml}',
    '  name: web',
    '---',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: added',
    '---',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  annotations:',
    '    x: z',
    `    ${FILENAME_ANNOTATION}: web/templates/cm.yaml`,
    '  name: a',
  ].join('\n');
  const back = splitAndDeannotate(parseManifests(rewritten));
  assert.deepEqual(Object.keys(back).sort(), [
    'generated-by-postrender-1.yaml',
    'web/templates/cm.yaml',
    'web/templates/svc.yaml',
  ]);
  assert.deepEqual(objects(back['web/templates/svc.yaml']!), [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } },
  ]);
  assert.deepEqual(objects(back['web/templates/cm.yaml']!), [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { annotations: { x: 'z' }, name: 'a' } },
  ]);
  assert.equal(back['generated-by-postrender-1.yaml'], 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: added');
});

test('an annotations key left empty is removed, as kyaml does', () => {
  const doc = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n  labels:\n    a: b\n  name: c';
  const merged = annotateAndMerge({ 'x/templates/c.yaml': doc });
  assert.match(
    merged,
    /\n {2}annotations:\n {4}postrenderer\.helm\.sh\/postrender-filename: "x\/templates\/c\.yaml"\n {2}labels:\n/,
  );
  assert.equal(
    splitAndDeannotate(parseManifests(merged))['x/templates/c.yaml'],
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    a: b\n  name: c',
  );
});

test('a rendered document that is not YAML is an error naming its file', () => {
  assert.throws(
    () => annotateAndMerge({ 'x/templates/bad.yaml': 'kind: A\nmetadata: {name: a}\nb: c: d\n' }),
    /^Error: parsing x\/templates\/bad\.yaml: error converting YAML to JSON: yaml: .*mapping values are not allowed/,
  );
});

test('what annotateDocuments knows of a document is what splitAndDeannotate makes of it; the stream and its JSON agree', async () => {
  const { readdirSync, readFileSync, existsSync } = await import('node:fs');
  const corpus = new URL('../../../shared/charts/', import.meta.url).pathname;
  // Tricky layouts of our own, then every golden `helm template` output of the shared corpus,
  // split back into its files at the `# Source:` lines.
  const sets: Record<string, string>[] = [
    files,
    {
      'x/templates/a.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  # a comment\n\n  name: a\n  annotations:\n    one: "1"\n\n    two: "2"\ndata: {}\n',
      'x/templates/b.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n  name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: c\n    labels: {a: b}\ndata:\n  k: |\n    text\n\n\n',
    },
  ];
  if (existsSync(corpus)) {
    for (const chart of readdirSync(corpus)) {
      if (!existsSync(`${corpus}${chart}/`) || chart.includes('.')) continue;
      for (const g of readdirSync(`${corpus}${chart}`).filter((f) => f.startsWith('golden-'))) {
        const set: Record<string, string> = {};
        for (const part of readFileSync(`${corpus}${chart}/${g}`, 'utf8').split(/^---\n(?=# Source: )/m)) {
          const m = /^# Source: (.*)\n/.exec(part);
          if (m) set[m[1]!] = (set[m[1]!] ?? '') + `---\n${part}`;
        }
        sets.push(set);
      }
    }
  }
  let withPlain = 0;
  let fromFiles = 0;
  for (const set of sets) {
    const docs = annotateDocuments(set);
    // The release a pipeline that changes nothing gives back (postRenderRelease takes it from
    // what each file's annotation knows, when it can) is what regrouping the documents gives.
    const rendered = { files: set, ...sortManifests(set) } as unknown as RenderedRelease;
    const back = await postRenderRelease(rendered, [], { includeHooks: true, namespace: 'ns' });
    const input = parseManifests(annotateAndMerge(set));
    const docOf = new Map(input.map((o, i) => [o, docs[i]!]));
    const regrouped = sortManifests(splitAndDeannotate(input, (o) => docOf.get(o)));
    assert.deepEqual({ manifests: back.rendered.manifests, hooks: back.rendered.hooks }, regrouped);
    if (annotateFiles(set).parts.every((p) => p.docs.every((d) => d.plain !== undefined))) fromFiles++;
    // Twice: the second time from the cache, which must give the same.
    for (let i = 0; i < 2; i++) {
      const all = annotateFiles(set);
      assert.deepEqual(all.docs, docs);
      assert.equal(all.stream, docs.map((d) => `---\n${d.text}\n`).join(''));
      assert.equal(all.json, JSON.stringify(all.stream));
    }
    const objs = parseManifests(docs.map((d) => `---\n${d.text}\n`).join(''));
    assert.equal(objs.length, docs.length);
    const byObject = new Map(objs.map((o, i) => [o, docs[i]!]));
    withPlain += docs.filter((d) => d.plain !== undefined).length;
    assert.deepEqual(
      splitAndDeannotate(objs, (o) => byObject.get(o)),
      splitAndDeannotate(objs, (o) => ({ file: byObject.get(o)!.file })),
    );
  }
  assert.ok(withPlain > 100, `only ${withPlain} documents had a known plain text`);
  assert.ok(
    fromFiles >= sets.length / 2,
    `only ${fromFiles} of ${sets.length} releases were regrouped from their files`,
  );
});

test('a document with CR line breaks is rewritten with the annotation, and comes back as the same object', () => {
  const doc = 'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\ndata:\r\n  a: "1"\r\n';
  const merged = annotateAndMerge({ 'x/templates/crlf.yaml': doc });
  assert.ok(!merged.includes('\r'), JSON.stringify(merged));
  assert.deepEqual(objects(merged), [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'crlf', annotations: { [FILENAME_ANNOTATION]: 'x/templates/crlf.yaml' } },
      data: { a: '1' },
    },
  ]);
  const back = splitAndDeannotate(parseManifests(merged));
  assert.deepEqual(objects(back['x/templates/crlf.yaml']!), objects(doc));
});
