/**
 * chart-api: the library entry point (`capstan`'s src/index.ts) on the fixture charts —
 * loadChart from a path or bytes, template() against helm's golden output, renderFiles (engine
 * output before splitting, helm's error text) and renderRelease (what the controller applies).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadChart, renderFiles, renderRelease, template, TemplateError } from '../src/index.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'charts');
const golden = (id: string, ext: 'out' | 'err') => readFileSync(join(dir, 'golden', `${id}.${ext}`), 'utf8');

test('template() on a chart loaded from archive bytes prints what helm prints', async () => {
  const chart = await loadChart(readFileSync(join(dir, 'shop-1.4.2.tgz')));
  assert.equal(template(chart, { releaseName: 'rel', namespace: 'shop', includeCrds: true }), golden('shop-tgz', 'out'));
});

test('renderFiles returns engine output per template, NOTES.txt included, partials and library templates excluded', async () => {
  const chart = await loadChart(join(dir, 'shop'));
  const files = renderFiles(chart, { release: { name: 'rel', namespace: 'shop' } });
  assert.deepEqual(Object.keys(files).sort(), [
    'shop/charts/cache/templates/deployment.yaml',
    'shop/charts/primary/templates/NOTES.txt',
    'shop/charts/primary/templates/statefulset.yaml',
    'shop/templates/NOTES.txt',
    'shop/templates/configmap.yaml',
    'shop/templates/deployment.yaml',
    'shop/templates/hooks.yaml',
    'shop/templates/ingress.yaml',
    'shop/templates/secret.yaml',
    'shop/templates/service.yaml',
    'shop/templates/tests/test-connection.yaml',
  ]);
  assert.equal(files['shop/templates/NOTES.txt'], 'Thank you for installing shop 1.4.2.\nYour release is named rel.\n');
  assert.equal(files['shop/templates/ingress.yaml'], '\n', 'disabled: only the newline after {{- end }}');
  // The document text equals helm's output for the same template.
  assert.ok(golden('shop-no-crds', 'out').includes(files['shop/templates/service.yaml'].trim()));
});

test('renderFiles throws helm engine error text (without the CLI hint)', async () => {
  const chart = await loadChart(join(dir, 'errors'));
  const want = golden('errors-nilpointer', 'err');
  const msg = want.slice(want.indexOf('Error: ') + 'Error: '.length).replace(/\n\nUse --debug flag to render out invalid YAML\n$/, '');
  assert.throws(
    () => renderFiles(chart, { values: { mode: 'nilpointer' }, release: { name: 'r', namespace: 'default' } }),
    (e: unknown) => e instanceof TemplateError && e.step === 'render' && e.message === msg,
  );
});

test('renderRelease separates manifests, hooks, CRDs and notes for the controller', async () => {
  const chart = await loadChart(join(dir, 'shop'));
  const r = renderRelease(chart, { release: { name: 'rel', namespace: 'shop', isInstall: true } });
  assert.deepEqual(
    r.crds.map((c) => c.filename),
    ['shop/crds/widgets.yaml', 'shop/charts/cache/crds/cachepolicies.yaml'],
  );
  assert.deepEqual(
    r.hooks.map((h) => `${h.kind}/${h.name}:${h.events.join('+')}:${h.weight}`),
    ['ServiceAccount/rel-shop-hooks:pre-install:-10', 'Pod/rel-shop-test:test:0', 'Job/rel-shop-migrate:pre-install+pre-upgrade:-5'],
  );
  assert.deepEqual(
    r.manifests.map((m) => `${m.head.kind ?? ''}/${m.head.metadata?.name ?? ''}`),
    ['Secret/rel-shop-files', 'ConfigMap/rel-shop-config', 'Service/rel-shop', 'Deployment/rel-cache', 'Deployment/rel-shop', 'StatefulSet/rel-primary', '/'],
  );
  assert.equal(r.notes, 'Thank you for installing shop 1.4.2.\nYour release is named rel.\n');
  assert.equal(r.values.replicaCount, 2);
  assert.deepEqual(
    r.chart.dependencies.map((d) => d.metadata.name),
    ['common', 'primary', 'cache'],
  );
});
