/**
 * deploy-monitoring: deploy/monitoring/ parses, renders with kubectl's kustomize, selects the
 * metrics Service of deploy/manager/, and every metric its alerts and dashboard query is one the
 * controller exports (the registry of src/controller/metrics.ts, default Node metrics included).
 * The ServiceMonitor and PrometheusRule CRDs are not in the test cluster, so nothing is applied.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { Metrics } from '../src/controller/metrics.js';
import { ensureBinaries } from '../src/devcluster/cluster.js';

const root = join(import.meta.dirname, '..');
const dir = join(root, 'deploy', 'monitoring');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

let exported: Map<string, string>;

/** metricNames finds the metric names a PromQL expression uses (ours and the Node process ones). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:capstan|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]);
}

/** known says whether a queried series exists: a metric, or a histogram's _bucket/_sum/_count. */
function known(name: string): boolean {
  if (exported.has(name)) return true;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  return !!m && exported.get(m[1]) === 'histogram';
}

function dashboardExprs(): { panel: string; expr: string }[] {
  const dash = JSON.parse(read('grafana-dashboard.json'));
  return dash.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => ({ panel: p.title, expr: t.expr })));
}

function ruleExprs(): { alert: string; expr: string; rule: any }[] {
  const rule = parse(read('prometheusrule.yaml'));
  return rule.spec.groups.flatMap((g: any) =>
    g.rules.map((r: any) => ({ alert: r.alert ?? r.record, expr: String(r.expr), rule: r })),
  );
}

before(async () => {
  const m = new Metrics();
  exported = new Map((await m.registry.getMetricsAsJSON()).map((x) => [x.name, String(x.type)]));
});

describe('deploy/monitoring', () => {
  it('every file parses and kubectl kustomize renders a ServiceMonitor, a PrometheusRule and the dashboard ConfigMap', () => {
    for (const f of ['kustomization.yaml', 'servicemonitor.yaml', 'prometheusrule.yaml']) {
      for (const d of parseAllDocuments(read(f))) assert.deepEqual(d.errors, [], f);
    }
    const kubectl = join(ensureBinaries(), 'kubectl');
    const r = spawnSync(kubectl, ['kustomize', dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const objs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    assert.deepEqual(objs.map((o) => o.kind).sort(), ['ConfigMap', 'PrometheusRule', 'ServiceMonitor']);
    for (const o of objs) assert.equal(o.metadata.namespace, 'capstan-system');
    const cm = objs.find((o) => o.kind === 'ConfigMap');
    assert.equal(cm.metadata.labels.grafana_dashboard, '1');
    assert.equal(JSON.parse(cm.data['capstan.json']).uid, 'capstan-controller');
  });

  it('the ServiceMonitor selects the metrics Service and its named port', () => {
    const sm = parse(read('servicemonitor.yaml'));
    const svc = parse(readFileSync(join(root, 'deploy', 'manager', 'service.yaml'), 'utf8'));
    for (const [k, v] of Object.entries(sm.spec.selector.matchLabels))
      assert.equal(svc.metadata.labels[k], v, `Service label ${k}`);
    assert.ok(sm.spec.namespaceSelector.matchNames.includes(svc.metadata.namespace));
    assert.deepEqual(
      sm.spec.endpoints.map((e: any) => e.port),
      svc.spec.ports.map((p: any) => p.name),
    );
    assert.equal(sm.spec.endpoints[0].path, '/metrics');
    assert.equal(sm.spec.endpoints[0].honorLabels, true, 'per-release namespace labels survive the scrape');
  });

  it('has the alerts operations relies on, each with a severity and a summary', () => {
    const rules = ruleExprs();
    const byName = new Map(rules.map((r) => [r.alert, r]));
    const expect: [string, RegExp, string?][] = [
      ['CapstanReleaseNotReady', /capstan_release_ready\)? == 0/, '15m'],
      ['CapstanReconcileErrors', /capstan_reconcile_total\{result="error"\}/],
      ['CapstanWorkqueueBackingUp', /capstan_workqueue_depth/],
      ['CapstanReconcileStuck', /capstan_workqueue_longest_running_seconds/],
      ['CapstanControllerDown', /absent\(up\{job="capstan-controller-metrics"\}/],
    ];
    for (const [name, expr, forDuration] of expect) {
      const r = byName.get(name);
      assert.ok(r, `alert ${name}`);
      assert.match(r.expr, expr, name);
      if (forDuration) assert.equal(r.rule.for, forDuration, `${name} for`);
    }
    for (const r of rules) {
      assert.match(r.rule.labels?.severity ?? '', /^(warning|critical)$/, `${r.alert} severity`);
      assert.ok(r.rule.annotations?.summary, `${r.alert} summary`);
    }
    // The job label Prometheus Operator gives a ServiceMonitor target is the Service's name.
    const svc = parse(readFileSync(join(root, 'deploy', 'manager', 'service.yaml'), 'utf8'));
    for (const r of rules)
      for (const m of r.expr.matchAll(/job="([^"]+)"/g)) assert.equal(m[1], svc.metadata.name, r.alert);
  });

  it('every metric an alert or a dashboard panel queries is exported by the controller', () => {
    const queries = [
      ...ruleExprs().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
      ...dashboardExprs().map((d) => ({ where: `panel ${d.panel}`, expr: d.expr })),
    ];
    assert.ok(queries.length > 20, `${queries.length} queries`);
    const used = new Set<string>();
    for (const q of queries) {
      for (const name of metricNames(q.expr)) {
        assert.ok(known(name), `${q.where}: ${name} is not a metric of src/controller/metrics.ts`);
        used.add(name.replace(/_(bucket|sum|count)$/, ''));
      }
    }
    // The dashboard covers each of Capstan's own metrics.
    const ours = [...exported.keys()].filter((n) => n.startsWith('capstan_'));
    assert.deepEqual(
      ours.filter((n) => !used.has(n)),
      [],
      'metrics no panel or alert shows',
    );
  });

  it('the checker itself rejects an unknown metric (a renamed series would be caught)', () => {
    assert.equal(known('capstan_reconcile_total'), true);
    assert.equal(known('capstan_reconcile_duration_seconds_bucket'), true);
    assert.equal(known('capstan_release_ready_bucket'), false, 'a gauge has no buckets');
    assert.equal(known('capstan_reconciles_total'), false);
    assert.deepEqual(metricNames('sum(rate(capstan_reconcile_total{result="error"}[5m])) / up'), [
      'capstan_reconcile_total',
    ]);
  });
});
