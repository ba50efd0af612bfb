/**
 * render: the whole of `helm template` / `helm install`'s client side for a loaded chart —
 * dependency processing, values coalescing and schema validation (ToRenderValues), engine
 * rendering, NOTES.txt extraction, manifest splitting and sorting, hooks and CRDs kept apart —
 * and the exact text `helm template` prints.
 */
import type { GoFunc, GoMap } from '../gotemplate/value.js';
import { resolveCapabilities, type Capabilities, type CapabilitiesOptions } from './capabilities.js';
import { isCompatibleRange, missingDependencies, processDependencies } from './dependencies.js';
import { RenderError, renderChart, renderTopValues, type ReleaseOptions } from './engine.js';
import { sortManifests, type Hook, type Manifest } from './manifests.js';
import { validateAgainstSchema } from './schema.js';
import { chartFullPath, type Chart } from './types.js';
import { coalesceValues, type Warn } from './values.js';

/** TemplateError is a failure of `helm template`; `message` is what helm prints after `Error: `. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly step: 'install' | 'dependencies' | 'values' | 'render' | 'sort' | 'show-only',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

/** RenderOptions are the inputs of a render, with Helm's defaults. */
export interface RenderOptions {
  /** values are the user-supplied values (`-f`/`--set` merged), before coalescing. */
  values?: GoMap;
  release: ReleaseOptions;
  capabilities?: CapabilitiesOptions;
  skipSchemaValidation?: boolean;
  /** subNotes includes subcharts' NOTES.txt (`--render-subchart-notes`). */
  subNotes?: boolean;
  /** lookup is the `lookup` template function (offline by default, as in `helm template`). */
  lookup?: GoFunc;
  /** warn receives Helm's non-fatal warnings (coalescing, tags, import-values). */
  warn?: Warn;
}

/** CrdFile is one file from a chart's (or subchart's) crds/ directory. */
export interface CrdFile {
  /** filename is the path Helm prints after `# Source:` (`mychart/crds/x.yaml`). */
  filename: string;
  content: string;
}

/**
 * RenderedRelease is what the controller applies: ordinary manifests in install order, hooks
 * (sorted by kind; order by weight when running them), CRDs from crds/ (installed first, never
 * templated), NOTES.txt, plus the raw engine output and the coalesced values for the record.
 */
export interface RenderedRelease {
  manifests: Manifest[];
  hooks: Hook[];
  crds: CrdFile[];
  notes: string;
  /** files is engine.Render's output, keyed `mychart/templates/x.yaml`, NOTES.txt removed. */
  files: Record<string, string>;
  /** values are the coalesced values `.Values` saw. */
  values: GoMap;
  /** chart is the processed chart (dependencies resolved, aliases applied). */
  chart: Chart;
}

const NOTES_SUFFIX = 'NOTES.txt';

/** checkInstallable is action.checkIfInstallable. */
function checkInstallable(chart: Chart): void {
  const t = chart.metadata.type ?? '';
  if (t !== '' && t !== 'application') throw new TemplateError(`${t} charts are not installable`, 'install');
}

const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** validateReleaseName is chartutil.ValidateReleaseName. */
export function validateReleaseName(name: string): void {
  if (name === '' || name.length > 53 || !RELEASE_NAME.test(name)) {
    throw new TemplateError(
      `release name check failed: release name "${name}": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53`,
      'install',
    );
  }
}

function crdObjects(c: Chart): CrdFile[] {
  const out: CrdFile[] = [];
  for (const f of c.files) {
    if (f.name.startsWith('crds/') && /\.(ya?ml|json)$/i.test(f.name)) {
      out.push({ filename: chartFullPath(c) + '/' + f.name, content: new TextDecoder().decode(f.data) });
    }
  }
  for (const d of c.dependencies) out.push(...crdObjects(d));
  return out;
}

/**
 * preflight is what `helm install`/`template` check before rendering: the chart type is
 * installable and every Chart.yaml dependency is present in charts/.
 */
export function preflight(chart: Chart): void {
  checkInstallable(chart);
  const missing = missingDependencies(chart);
  if (chart.metadata.dependencies && missing.length > 0) {
    throw new TemplateError(
      'an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: ' +
        `found in Chart.yaml, but missing in charts/ directory: ${missing.join(', ')}`,
      'dependencies',
    );
  }
}

/**
 * prepare is ToRenderValuesWithSchemaValidation after ProcessDependencies: the processed
 * chart, its coalesced values and the capabilities. Throws TemplateError with Helm's messages.
 */
function prepare(chart: Chart, opts: RenderOptions): { chart: Chart; values: GoMap; caps: Capabilities; top: GoMap } {
  const warn = opts.warn ?? (() => {});
  const userValues = opts.values ?? {};
  let processed: Chart;
  try {
    processed = processDependencies(chart, userValues, warn);
  } catch (e) {
    throw new TemplateError(`chart dependencies processing failed: ${(e as Error).message}`, 'dependencies', {
      cause: e,
    });
  }
  const caps: Capabilities = resolveCapabilities(opts.capabilities);
  let values: GoMap;
  try {
    values = coalesceValues(processed, userValues, warn);
  } catch (e) {
    throw new TemplateError((e as Error).message, 'values', { cause: e });
  }
  if (!opts.skipSchemaValidation) {
    try {
      validateAgainstSchema(processed, values);
    } catch (e) {
      throw new TemplateError((e as Error).message, 'values', { cause: e });
    }
  }
  const top = renderTopValues(values, opts.release, caps);
  return { chart: processed, values, caps, top };
}

/** RENDER_FAILED_SUFFIX is what `helm template` appends when rendering (not loading) failed. */
export const DEBUG_HINT = '\n\nUse --debug flag to render out invalid YAML';

function renderResources(
  chart: Chart,
  caps: Capabilities,
  top: GoMap,
  opts: RenderOptions,
): { files: Record<string, string>; notes: string; hooks: Hook[]; manifests: Manifest[] } {
  const kv = chart.metadata.kubeVersion;
  if (kv) {
    const v = caps.kubeVersion.normalizedVersion;
    if (!isCompatibleRange(kv, v)) {
      throw new TemplateError(`chart requires kubeVersion: ${kv} which is incompatible with Kubernetes ${v}`, 'render');
    }
  }
  let files: Record<string, string>;
  try {
    files = renderChart(chart, top, { lookup: opts.lookup });
  } catch (e) {
    if (e instanceof RenderError) throw new TemplateError(e.message, 'render', { cause: e });
    throw e;
  }
  let notes = '';
  const rootNotes = chart.metadata.name + '/templates/' + NOTES_SUFFIX;
  for (const k of Object.keys(files)) {
    if (k.endsWith(NOTES_SUFFIX)) {
      if (opts.subNotes || k === rootNotes) {
        if (notes.length > 0) notes += '\n';
        notes += files[k];
      }
      delete files[k];
    }
  }
  let sorted;
  try {
    sorted = sortManifests(files);
  } catch (e) {
    throw new TemplateError((e as Error).message, 'sort', { cause: e });
  }
  return { files, notes, hooks: sorted.hooks, manifests: sorted.manifests };
}

/**
 * renderRelease renders a chart for installation: the separated result the controller applies.
 * It runs the same checks as `helm install` first (installable type, dependencies present,
 * release name). Errors are TemplateErrors whose message is Helm's (without `helm template`'s
 * --debug hint).
 */
export function renderRelease(chart: Chart, opts: RenderOptions): RenderedRelease {
  preflight(chart);
  validateReleaseName(opts.release.name);
  const { chart: processed, values, caps, top } = prepare(chart, opts);
  const r = renderResources(processed, caps, top, opts);
  return { ...r, crds: crdObjects(processed), values, chart: processed };
}

/**
 * renderFiles is Helm's engine.Render output for a chart: every rendered template keyed like
 * `mychart/templates/x.yaml` (NOTES.txt included, partials excluded), `<no value>` removed,
 * before splitting. Dependencies, values and schema are processed first, as `helm template` does.
 */
export function renderFiles(chart: Chart, opts: RenderOptions): Record<string, string> {
  const { chart: processed, top } = prepare(chart, opts);
  try {
    return renderChart(processed, top, { lookup: opts.lookup });
  } catch (e) {
    if (e instanceof RenderError) throw new TemplateError(e.message, 'render', { cause: e });
    throw e;
  }
}

/** TemplateOptions are `helm template`'s flags on top of {@link RenderOptions}. */
export interface TemplateOptions extends Omit<RenderOptions, 'release'> {
  releaseName: string;
  /** namespace defaults to "default". */
  namespace?: string;
  isUpgrade?: boolean;
  includeCrds?: boolean;
  skipTests?: boolean;
  noHooks?: boolean;
  /** showOnly are `--show-only` patterns (Go filepath.Match against `templates/x.yaml`). */
  showOnly?: string[];
}

function goMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else if (c === '[') {
      const j = pattern.indexOf(']', i + 2);
      if (j < 0) return false;
      let cls = pattern.slice(i + 1, j);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/[\\\]]/g, '\\$&');
      else cls = cls.replace(/[\\\]^]/g, '\\$&');
      re += '[' + cls + ']';
      i = j;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(re + '$', 's').test(name);
  } catch {
    return false;
  }
}

/**
 * template is `helm template NAME CHART` for a loaded chart: exactly the text helm prints on
 * stdout. On failure it throws a TemplateError whose message is what helm prints after `Error: `.
 *
 * @example process.stdout.write(template(await loadChart('podinfo.tgz'), { releaseName: 'rel', includeCrds: true }))
 */
export function template(chart: Chart, opts: TemplateOptions): string {
  return printTemplate(renderTemplate(chart, opts), opts);
}

/**
 * renderTemplate is the rendering half of {@link template}: the release `helm template` renders,
 * for a caller that transforms it (post-renderers) before {@link printTemplate}.
 */
export function renderTemplate(chart: Chart, opts: TemplateOptions): RenderedRelease {
  preflight(chart);
  validateReleaseName(opts.releaseName);
  const release: ReleaseOptions = {
    name: opts.releaseName,
    namespace: opts.namespace ?? 'default',
    revision: 1,
    isInstall: !opts.isUpgrade,
    isUpgrade: opts.isUpgrade ?? false,
  };
  const { chart: processed, values, caps, top } = prepare(chart, { ...opts, release });
  try {
    const r = renderResources(processed, caps, top, { ...opts, release });
    return { ...r, crds: crdObjects(processed), values, chart: processed };
  } catch (e) {
    if (e instanceof TemplateError) throw new TemplateError(e.message + DEBUG_HINT, e.step, { cause: e });
    throw e;
  }
}

/** printTemplate prints a rendered release as `helm template` does (CRDs, manifests, hooks, --show-only). */
export function printTemplate(r: RenderedRelease, opts: TemplateOptions): string {
  let manifestDoc = '';
  if (opts.includeCrds) {
    for (const crd of r.crds) manifestDoc += `---\n# Source: ${crd.filename}\n${crd.content}\n`;
  }
  for (const m of r.manifests) manifestDoc += `---\n# Source: ${m.name}\n${m.content}\n`;
  let out = goTrim(manifestDoc) + '\n';
  if (!opts.noHooks) {
    for (const h of r.hooks) {
      if (opts.skipTests && h.events.includes('test')) continue;
      out += `---\n# Source: ${h.path}\n${h.manifest}\n`;
    }
  }
  if (opts.showOnly && opts.showOnly.length > 0) return showOnly(out, opts.showOnly);
  return out;
}

function goTrim(s: string): string {
  return s.replace(/^[\t\n\v\f\r \u0085\u00a0]+|[\t\n\v\f\r \u0085\u00a0]+$/g, '');
}

const MANIFEST_NAME = /# Source: [^/]+\/(.+)/;

function showOnly(all: string, patterns: string[]): string {
  // SplitManifests keys sorted by their number: the documents in output order.
  const docs = splitForShowOnly(all);
  const chosen: string[] = [];
  for (const raw of patterns) {
    const f = raw.replace(/\\/g, '/');
    let missing = true;
    for (const m of docs) {
      const sub = MANIFEST_NAME.exec(m);
      if (!sub) continue;
      if (!goMatch(f, sub[1])) continue;
      chosen.push(m);
      missing = false;
    }
    if (missing) throw new TemplateError(`could not find template ${f} in chart`, 'show-only');
  }
  return chosen.map((m) => `---\n${m}\n`).join('');
}

function splitForShowOnly(s: string): string[] {
  const sep = /(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*/g;
  return goTrim(s)
    .split(sep)
    .filter((d) => d !== '')
    .map(goTrim);
}

export { RenderError };
