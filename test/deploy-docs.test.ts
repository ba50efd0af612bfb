/**
 * deploy-docs: the operator-facing docs stay in step with the code they describe: docs/api.md is
 * what scripts/gen-api-docs.ts generates from the CRD, docs/operations.md lists every controller
 * flag, metric and alert, the Flux migration maps every spec field, and the Argo CD health check
 * reads the conditions the reconciler writes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Metrics } from '../src/controller/metrics.js';
import { ConditionType, REQUESTED_AT_ANNOTATION } from '../src/controller/types.js';
import { generate } from '../scripts/gen-api-docs.js';

const root = join(import.meta.dirname, '..');
const doc = (name: string) => readFileSync(join(root, 'docs', name), 'utf8');

describe('docs', () => {
  it('docs/api.md is what scripts/gen-api-docs.ts generates (run it after changing the CRD)', () => {
    assert.equal(doc('api.md'), generate());
  });

  it('docs/api.md documents every spec field of the CRD', () => {
    const crd = parse(readFileSync(join(root, 'crds/helmreleases.helm.capstan.dev.yaml'), 'utf8'));
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    const api = doc('api.md');
    for (const field of Object.keys(spec)) assert.match(api, new RegExp(`^\\| \`${field}\` \\|`, 'm'), field);
  });

  it('docs/operations.md lists every controller flag with its environment variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'controller', '--help'], {
      encoding: 'utf8',
      cwd: root,
    });
    assert.equal(r.status, 0, r.stderr);
    const flags = [...r.stdout.matchAll(/^\s+(?:-\w, )?--([a-z][a-z-]*)/gm)]
      .map((m) => m[1])
      .filter((f) => f !== 'help');
    assert.ok(flags.length >= 15, `${flags.length} flags`);
    const ops = doc('operations.md');
    for (const f of flags) {
      const env = `CAPSTAN_${f.toUpperCase().replace(/-/g, '_')}`;
      assert.match(ops, new RegExp(`^\\| \`--${f}\` \\| \`${env}\``, 'm'), `--${f} / ${env}`);
    }
  });

  it('docs/operations.md lists every Capstan metric and every alert', async () => {
    const ops = doc('operations.md');
    const metrics = (await new Metrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((m) => m.name);
    for (const m of metrics) assert.match(ops, new RegExp(`^\\| \`${m}\` \\|`, 'm'), m);
    const rule = parse(readFileSync(join(root, 'deploy/monitoring/prometheusrule.yaml'), 'utf8'));
    for (const g of rule.spec.groups)
      for (const r of g.rules) assert.match(ops, new RegExp(`^\\| \`${r.alert}\` \\|`, 'm'), r.alert);
    assert.ok(ops.includes(REQUESTED_AT_ANNOTATION));
    assert.ok(ops.includes('sharding.helm.capstan.dev/key=shard1'));
  });

  it('docs/migration-from-flux.md maps every top-level spec field', () => {
    const crd = parse(readFileSync(join(root, 'crds/helmreleases.helm.capstan.dev.yaml'), 'utf8'));
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    const mig = doc('migration-from-flux.md');
    for (const field of Object.keys(spec)) assert.ok(mig.includes(`spec.${field}`), `spec.${field}`);
  });

  it('docs/argocd.md has the health check for helm.capstan.dev_HelmRelease reading Ready, Stalled and Reconciling', () => {
    const argo = doc('argocd.md');
    const lua = argo.split('resource.customizations.health.helm.capstan.dev_HelmRelease: |\n')[1]?.split('```')[0];
    assert.ok(lua, 'the argocd-cm key and its Lua');
    for (const t of [ConditionType.Ready, ConditionType.Stalled, ConditionType.Reconciling])
      assert.ok(lua.includes(`condition("${t}")`), t);
    for (const s of ['Healthy', 'Progressing', 'Degraded', 'Suspended'])
      assert.ok(lua.includes(`hs.status = "${s}"`), s);
    assert.ok(lua.includes('observedGeneration'), 'compares the observed generation');
    // Balanced blocks: every function/if/for opens one `end`.
    const code = lua.replace(/"[^"\n]*"/g, '""').replace(/--.*$/gm, '');
    const opens = (code.match(/\b(function|if|for)\b/g) ?? []).length;
    const ends = (code.match(/\bend\b/g) ?? []).length;
    assert.equal(ends, opens, 'each block is closed');
  });
});

describe('README', () => {
  it('the post-renderer example uses only fields the CRD defines', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Post-renderers'));
    const example = parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]!);
    const crd = parse(readFileSync(join(root, 'crds/helmreleases.helm.capstan.dev.yaml'), 'utf8'));
    const schema = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    const walk = (value: unknown, s: any, path: string): void => {
      if (s['x-kubernetes-preserve-unknown-fields'] || s.additionalProperties) return; // free-form
      if (Array.isArray(value)) {
        assert.equal(s.type, 'array', `${path} is a list in the CRD`);
        value.forEach((v, i) => walk(v, s.items, `${path}[${i}]`));
      } else if (value !== null && typeof value === 'object') {
        assert.equal(s.type, 'object', `${path} is an object in the CRD`);
        for (const [k, v] of Object.entries(value)) {
          assert.ok(s.properties?.[k], `${path}.${k} is a field of the CRD`);
          walk(v, s.properties[k], `${path}.${k}`);
        }
      } else {
        assert.equal(
          typeof value === 'number' ? 'integer' : typeof value,
          s.type === 'number' ? 'integer' : s.type,
          path,
        );
        if (s.enum) assert.ok(s.enum.includes(value), `${path}: ${String(value)} is one of ${s.enum.join(', ')}`);
        if (s.pattern) assert.match(String(value), new RegExp(s.pattern), path);
      }
    };
    assert.ok(example.spec.postRenderers.length >= 2);
    walk(example.spec, schema, 'spec');
  });
});
