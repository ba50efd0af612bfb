/**
 * gen-api-docs: writes docs/api.md, the HelmRelease API reference, from the CRD schema
 * (crds/helmreleases.helm.capstan.dev.yaml) for spec, and from the HelmReleaseStatus interface in
 * src/controller/types.ts (read with the TypeScript compiler) for status, whose CRD schema keeps
 * unknown fields. Fields the CRD leaves undescribed get the short notes in NOTES below; prefer
 * adding a description to the CRD, which then wins.
 *
 *   npx tsx scripts/gen-api-docs.ts           # rewrite docs/api.md
 *   npx tsx scripts/gen-api-docs.ts --check   # exit 1 when docs/api.md is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parse } from 'yaml';
import {
  API_VERSION,
  ConditionType,
  FINALIZER,
  KIND,
  REQUESTED_AT_ANNOTATION,
  ROLLBACK_ANNOTATION,
  WATCH_LABEL,
} from '../src/controller/types.js';

const root = join(import.meta.dirname, '..');
const CRD_PATH = 'crds/helmreleases.helm.capstan.dev.yaml';
const TYPES_PATH = 'src/controller/types.ts';
const OUT_PATH = 'docs/api.md';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

/** NOTES describe spec fields the CRD schema has no description for, keyed by dotted path. */
const NOTES: Record<string, string> = {
  'spec.interval': 'How often the release is checked for drift and the chart version re-resolved.',
  'spec.valuesFrom':
    'ConfigMaps/Secrets in the HelmRelease namespace whose values are merged in order, before `values`. Label them `' +
    WATCH_LABEL +
    '=true` to reconcile when they change.',
  'spec.chart.secretRef.name': 'Name of the Secret.',
  'spec.chart.certSecretRef.name': 'Name of the Secret.',
  'spec.valuesFrom[].kind': 'ConfigMap or Secret.',
  'spec.valuesFrom[].name': 'Name of the ConfigMap or Secret.',
  'spec.valuesFrom[].valuesKey': 'The data key holding a values YAML document.',
  'spec.valuesFrom[].optional': 'Tolerate a missing object or key instead of stalling.',
  'spec.dependsOn':
    'HelmReleases that must be Ready (for their current generation) before this one is reconciled. Cycles stall with reason DependencyCycle.',
  'spec.dependsOn[].name': 'Name of the HelmRelease depended on.',
  'spec.dependsOn[].namespace': 'Its namespace (default: this HelmRelease namespace).',
  'spec.install': 'Options of the first install.',
  'spec.install.crds':
    "What to do with the chart's crds/ directory: Skip, Create (only absent CRDs) or CreateReplace (apply all, never delete).",
  'spec.install.createNamespace': 'Create the target namespace when absent.',
  'spec.install.disableWait':
    'Do not wait for the objects to be Ready (kstatus Current) before marking the revision deployed.',
  'spec.install.disableHooks': 'Skip chart hooks.',
  'spec.install.remediation': 'What happens after a failed install.',
  'spec.install.remediation.strategy': 'uninstall: remove the failed release before retrying.',
  'spec.install.remediation.ignoreTestFailures': 'Do not count failed chart tests as a failure.',
  'spec.install.remediation.remediateLastFailure': 'Remediate also when the retries are exhausted.',
  'spec.upgrade': 'Options of upgrades (any change after the first install).',
  'spec.upgrade.crds': "What to do with the chart's crds/ directory on upgrade (Helm's default is Skip).",
  'spec.upgrade.disableWait': 'Do not wait for readiness.',
  'spec.upgrade.disableHooks': 'Skip chart hooks.',
  'spec.upgrade.forceConflicts': 'Take fields other field managers own (server-side apply force).',
  'spec.upgrade.forceReplace': 'Delete and recreate objects that cannot be updated in place.',
  'spec.upgrade.cleanupOnFail': 'Delete the objects a failed upgrade created.',
  'spec.upgrade.remediation': 'What happens after a failed upgrade.',
  'spec.upgrade.remediation.retries':
    'Retries after a failed upgrade (-1: unlimited; default 0: stall after the first failure).',
  'spec.upgrade.remediation.strategy': 'rollback to the last deployed revision, or uninstall.',
  'spec.upgrade.remediation.ignoreTestFailures': 'Do not count failed chart tests as a failure.',
  'spec.upgrade.remediation.remediateLastFailure': 'Remediate also when the retries are exhausted.',
  'spec.uninstall':
    'Options of the uninstall that deleting the HelmRelease triggers (the finalizer `' + FINALIZER + '`).',
  'spec.uninstall.keepHistory': 'Keep the release Secrets, marked uninstalled.',
  'spec.uninstall.disableHooks': 'Skip pre/post-delete hooks.',
  'spec.uninstall.disableWait': 'Do not wait for the objects to be gone.',
  'spec.uninstall.deletionPropagation': 'Propagation policy of the deletes.',
  'spec.test': 'Chart tests (helm test) after install and upgrade.',
  'spec.test.enable': 'Run the chart tests.',
  'spec.test.ignoreFailures': 'Report failed tests without failing the release.',
  'spec.test.timeout': 'Bound on the tests (default spec.timeout).',
  'spec.driftDetection': 'Comparison of the live objects with the last applied revision, at every interval.',
  'spec.driftDetection.mode': 'enabled: correct drift; warn: report it (event, status.drift); disabled: do not look.',
  'spec.driftDetection.ignore': 'Fields to leave out of the comparison.',
  'spec.driftDetection.ignore[].paths': 'JSON pointers (RFC 6901) of ignored fields, e.g. `/spec/replicas`.',
  'spec.driftDetection.ignore[].target': 'Objects the rule applies to (default: all of the release).',
  'spec.postRenderers':
    'Applied in order to the rendered manifests: a WebAssembly plugin or patches each (see docs/postrenderers.md).',
  'spec.postRenderers[].wasm': 'A WebAssembly post-renderer pulled from an OCI registry by digest.',
  'spec.postRenderers[].wasm.ref': 'oci:// reference of the plugin.',
  'spec.postRenderers[].wasm.digest': 'Its manifest digest.',
  'spec.postRenderers[].wasm.config': 'Configuration handed to the plugin.',
  'spec.postRenderers[].wasm.allowedHosts': 'Hosts the plugin may reach over HTTP (default none).',
  'spec.postRenderers[].wasm.timeout': 'Bound on one run of the plugin.',
  'spec.postRenderers[].wasm.memoryPages': 'Memory limit in 64 KiB WebAssembly pages.',
  'spec.postRenderers[].patches': 'Patches applied to matching objects.',
  'spec.postRenderers[].patches[].target': 'Objects the patch applies to (default: all).',
};

/** STATUS_NOTES describe status fields that have no doc comment in types.ts. */
const STATUS_NOTES: Record<string, string> = {
  'HelmReleaseStatus.observedGeneration': 'The generation the conditions describe.',
  'HelmReleaseStatus.conditions': 'Ready, Reconciling, Stalled, Released, Remediated, TestSuccess (see Conditions).',
  'HelmReleaseStatus.releaseName': 'The Helm release name in use.',
  'HelmReleaseStatus.storageNamespace': 'Where the release Secrets are.',
  'HelmReleaseStatus.lastAttemptedRevision': 'What the last install/upgrade tried.',
  'HelmReleaseStatus.lastAppliedRevision': 'What the last successful install/upgrade deployed.',
  'HelmReleaseStatus.lastAttemptedGeneration': 'The generation of the last attempt.',
  'HelmReleaseStatus.lastHandledReconcileAt': `The last value of the \`${REQUESTED_AT_ANNOTATION}\` annotation acted upon.`,
  'HelmReleaseStatus.history': 'The newest release revisions first (at most 10).',
  'HelmReleaseStatus.inventory': 'The objects of the deployed revision.',
  'HelmReleaseStatus.readiness': 'kstatus counts of the objects and the first that are not Current.',
  'HelmReleaseStatus.drift': 'Drift found at the last check: how many objects and which fields.',
  'HelmReleaseStatus.failures': 'Consecutive failures for the current generation.',
  'HelmReleaseStatus.installFailures': 'Failed installs for the current generation.',
  'HelmReleaseStatus.upgradeFailures': 'Failed upgrades for the current generation.',
  'Revision.chartRef': 'spec.chart.ref.',
  'Revision.chartName': 'The chart name from Chart.yaml.',
  'Revision.version': 'The chart version.',
  'Revision.digest': 'The OCI manifest digest that was pulled.',
  'Revision.shortDigest': 'Its first 12 hex digits (printed by kubectl get).',
  'Revision.valuesChecksum': 'sha256 of the composed values.',
  'HistoryEntry.revision': 'Helm revision number.',
  'HistoryEntry.status': 'Helm status: deployed, superseded, failed, uninstalled, pending-*.',
  'InventoryEntry.group': 'API group (empty for the core group).',
  'InventoryEntry.version': 'API version.',
  'InventoryEntry.kind': 'Kind.',
  'InventoryEntry.name': 'Name.',
  'InventoryEntry.namespace': 'Empty for cluster-scoped objects.',
  'HistoryEntry.chartName': 'Chart name.',
  'HistoryEntry.chartVersion': 'Chart version.',
  'HistoryEntry.appVersion': "The chart's appVersion.",
  'HistoryEntry.digest': 'Chart digest.',
  'HistoryEntry.firstDeployed': 'When the release was first deployed.',
  'HistoryEntry.lastDeployed': 'When this revision was deployed.',
  'Condition.type': 'Condition type (see Conditions).',
  'Condition.status': 'True, False or Unknown.',
  'Condition.reason': 'CamelCase reason, e.g. InstallSucceeded, UpgradeFailed, Progressing.',
  'Condition.message': 'Human-readable details; names the object or field at fault.',
  'Condition.observedGeneration': 'The generation the condition was computed for.',
  'Condition.lastTransitionTime': 'When the status last changed.',
  'ReadinessSummary.counts': 'Objects per kstatus status (Current, InProgress, Failed, …).',
};

const CONDITIONS: [string, string][] = [
  [
    ConditionType.Ready,
    'True when the last action succeeded and every object of the release is Current (kstatus). False with the reason of the failure or of the wait (InstallFailed, UpgradeFailed, ObjectFailed, Progressing, DependencyNotReady, ArtifactFailed, …). The message says which object is not ready and why.',
  ],
  [
    ConditionType.Reconciling,
    'True while Capstan works towards the spec: an action running, objects becoming ready, a retry scheduled (reason ProgressingWithRetry). Removed once Ready.',
  ],
  [
    ConditionType.Stalled,
    'True when Capstan stopped trying for the current generation: invalid spec or chart (ChartPullFailed, RenderFailed, ValuesNotFound, InvalidSpec, DependencyCycle), retries exhausted (InstallFailed, UpgradeFailed), or a write the cluster refused without storing a revision. Nothing happens until the spec changes or the `' +
      REQUESTED_AT_ANNOTATION +
      '` annotation gets a new value. Ready is False with the same reason.',
  ],
  [
    ConditionType.Released,
    'Outcome of the last install/upgrade (InstallSucceeded, UpgradeSucceeded, InstallFailed, UpgradeFailed).',
  ],
  [ConditionType.Remediated, 'Set after a remediation: RollbackSucceeded, RollbackFailed, UninstallSucceeded.'],
  [ConditionType.TestSuccess, 'Outcome of the chart tests, when spec.test.enable is set.'],
];

const code = (s: unknown) => '`' + String(s) + '`';
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

function typeOf(s: Schema): string {
  if (s.type === 'array') return `[]${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object' && !s.properties && s['x-kubernetes-preserve-unknown-fields']) return 'object (free form)';
  return s.type ?? 'any';
}

function constraints(s: Schema): string[] {
  const c: string[] = [];
  if (s.enum) c.push(`one of ${s.enum.map(code).join(', ')}`);
  if (s.default !== undefined) c.push(`default ${code(JSON.stringify(s.default))}`);
  if (s.pattern) c.push(`pattern ${code(s.pattern)}`);
  if (s.format) c.push(`format ${s.format}`);
  if (s.minimum !== undefined) c.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) c.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined) c.push(`min length ${s.minLength}`);
  if (s.maxLength !== undefined) c.push(`max length ${s.maxLength}`);
  if (s.maxItems !== undefined) c.push(`at most ${s.maxItems} items`);
  return c;
}

/** objectTables renders one table per object in the schema tree, depth first, in schema order. */
function objectTables(path: string, s: Schema, out: string[]): void {
  const obj = s.type === 'array' ? s.items : s;
  if (!obj?.properties) return;
  const own = s.type === 'array' ? `${path}[]` : path;
  out.push(`### ${code(own)}`, '');
  const desc = s.description ?? NOTES[path];
  if (desc) out.push(desc, '');
  for (const v of obj['x-kubernetes-validations'] ?? [])
    out.push(`Validation: ${v.message ?? v.rule} (${code(v.rule)}).`, '');
  out.push('| field | type | required | description | constraints |', '|---|---|---|---|---|');
  const nested: [string, Schema][] = [];
  for (const [name, child] of Object.entries(obj.properties)) {
    const p = `${own}.${name}`;
    const inner = child.type === 'array' ? child.items : child;
    const hasTable = !!inner?.properties;
    const d = child.description ?? NOTES[p] ?? '';
    const link = hasTable
      ? ` See [${code(child.type === 'array' ? `${p}[]` : p)}](#${anchor(child.type === 'array' ? `${p}[]` : p)}).`
      : '';
    const rules = (child['x-kubernetes-validations'] ?? []).map((v) => `rule: ${v.message ?? v.rule}`);
    out.push(
      `| ${code(name)} | ${cell(typeOf(child))} | ${obj.required?.includes(name) ? 'yes' : ''} | ${cell(d + link)} | ${cell([...constraints(child), ...rules].join('; '))} |`,
    );
    if (hasTable) nested.push([p, child]);
  }
  out.push('');
  for (const [p, child] of nested) objectTables(p, child, out);
}

/** anchor is GitHub's heading anchor for a heading made of one code span. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

/** statusTables reads interfaces from types.ts and renders HelmReleaseStatus and the types it uses. */
function statusTables(out: string[]): void {
  const text = readFileSync(join(root, TYPES_PATH), 'utf8');
  const sf = ts.createSourceFile(TYPES_PATH, text, ts.ScriptTarget.ES2022, true);
  const interfaces = new Map<string, ts.InterfaceDeclaration>();
  sf.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n)) interfaces.set(n.name.text, n);
  });
  const queue = ['HelmReleaseStatus'];
  const done = new Set<string>();
  while (queue.length) {
    const name = queue.shift()!;
    if (done.has(name)) continue;
    done.add(name);
    const decl = interfaces.get(name);
    if (!decl) continue;
    out.push(`### ${name}`, '');
    out.push('| field | type | description |', '|---|---|---|');
    for (const m of decl.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const field = m.name.getText(sf);
      const typeText = m.type.getText(sf).replace(/\s+/g, ' ');
      const doc = ts
        .getJSDocCommentsAndTags(m)
        .map((d) => (typeof d.comment === 'string' ? d.comment : ''))
        .join(' ')
        .replace(new RegExp(`^${field}(:| is| are)? (the )?`), '');
      const desc = (doc ? doc[0].toUpperCase() + doc.slice(1) : STATUS_NOTES[`${name}.${field}`]) ?? '';
      for (const ref of typeText.match(/\b[A-Z][A-Za-z]+\b/g) ?? [])
        if (interfaces.has(ref) && !done.has(ref)) queue.push(ref);
      out.push(`| ${code(field)}${m.questionToken ? '' : ' (always set)'} | ${cell(code(typeText))} | ${cell(desc)} |`);
    }
    out.push('');
  }
}

export function generate(): string {
  const crd = parse(readFileSync(join(root, CRD_PATH), 'utf8'));
  const version = crd.spec.versions.find((v: any) => v.storage) ?? crd.spec.versions[0];
  const schema: Schema = version.schema.openAPIV3Schema;
  const out: string[] = [
    '<!-- Generated by scripts/gen-api-docs.ts from crds/helmreleases.helm.capstan.dev.yaml and src/controller/types.ts. Do not edit; run `npx tsx scripts/gen-api-docs.ts`. -->',
    '',
    `# HelmRelease API reference (${API_VERSION})`,
    '',
    schema.description ?? '',
    '',
    `| | |`,
    `|---|---|`,
    `| group | ${code(crd.spec.group)} |`,
    `| version | ${code(version.name)} |`,
    `| kind | ${code(KIND)} (list: ${code(crd.spec.names.listKind)}) |`,
    `| scope | ${crd.spec.scope} |`,
    `| names | ${[crd.spec.names.plural, crd.spec.names.singular, ...(crd.spec.names.shortNames ?? [])].map(code).join(', ')}; categories ${(crd.spec.names.categories ?? []).map(code).join(', ')} |`,
    `| subresources | ${Object.keys(version.subresources ?? {})
      .map(code)
      .join(', ')} |`,
    '',
    '## Example',
    '',
    '```yaml',
    `apiVersion: ${API_VERSION}`,
    `kind: ${KIND}`,
    'metadata:',
    '  name: podinfo',
    '  namespace: apps',
    'spec:',
    '  interval: 10m',
    '  timeout: 5m',
    '  serviceAccountName: apps-deployer   # tenant mode: every write acts as this ServiceAccount',
    '  chart:',
    '    ref: oci://ghcr.io/stefanprodan/charts/podinfo',
    '    version: "6.x"                    # or digest: sha256:… (wins over version)',
    '  values:',
    '    replicaCount: 2',
    '  valuesFrom:',
    '    - kind: ConfigMap',
    '      name: podinfo-values',
    '  upgrade:',
    '    remediation:',
    '      retries: 3',
    '```',
    '',
    '## Metadata Capstan reads and writes',
    '',
    '| name | kind | meaning |',
    '|---|---|---|',
    `| ${code(REQUESTED_AT_ANNOTATION)} | annotation on the HelmRelease | A new value (any string, usually a timestamp) requests an immediate reconcile and resets the failure counts, also of a Stalled release. The value handled last is in ${code('status.lastHandledReconcileAt')}. |`,
    `| ${code(ROLLBACK_ANNOTATION)} | annotation on the HelmRelease | A new value (a revision, or ${code('REVISION/any-nonce')} to repeat a request) rolls the release back to that Helm revision with Helm's rollback semantics (a new revision with the old manifest, rollback hooks run). The rolled-back release is kept until the spec changes; an unknown revision makes the release Stalled. The value handled last is in ${code('status.lastHandledRollback')}. |`,
    `| ${code(WATCH_LABEL + '=true')} | label on a ConfigMap/Secret | Changes to it trigger reconciles of the HelmReleases whose ${code('valuesFrom')} names it. |`,
    `| ${code(FINALIZER)} | finalizer on the HelmRelease | Added on the first reconcile; deleting the HelmRelease uninstalls the release first (unless ${code('spec.suspend')}). |`,
    '',
    '## Printer columns',
    '',
    '| column | JSONPath |',
    '|---|---|',
    ...(version.additionalPrinterColumns ?? []).map((c: any) => `| ${c.name} | ${cell(code(c.jsonPath))} |`),
    '',
    '## Spec',
    '',
  ];
  objectTables('spec', schema.properties!.spec, out);
  out.push('## Status', '', 'Written by the controller (server-side apply on the status subresource).', '');
  statusTables(out);
  out.push(
    '## Conditions',
    '',
    'Conditions follow the kstatus conventions, so `kubectl wait --for=condition=Ready`, Argo CD (docs/argocd.md) and Flux health checks can read them. Each carries `observedGeneration`.',
    '',
  );
  out.push('| type | meaning |', '|---|---|');
  for (const [t, m] of CONDITIONS) out.push(`| ${code(t)} | ${cell(m)} |`);
  out.push('');
  return out.join('\n');
}

const isMain = process.argv[1] && import.meta.filename === process.argv[1];
if (isMain) {
  const text = generate();
  const path = join(root, OUT_PATH);
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      /* missing */
    }
    if (current !== text) {
      process.stderr.write(`${OUT_PATH} is out of date: run npx tsx scripts/gen-api-docs.ts\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${OUT_PATH}\n`);
  }
}
