/**
 * capstan: the library entry point. Load a chart, render it exactly like Helm 4.1.4's
 * `helm template`, or get the separated result (manifests, hooks, CRDs, notes) the controller
 * applies.
 *
 * @example
 * import { loadChart, template } from 'capstan';
 * const chart = await loadChart('./podinfo-6.14.1.tgz');
 * process.stdout.write(template(chart, { releaseName: 'rel', namespace: 'ns1', includeCrds: true }));
 */
export { loadChart, loadChartSync, loadArchive, loadDir, loadFiles, ChartLoadError, ChartValidationError } from './chart/loader.js';
export { ArchiveError, MAX_DECOMPRESSED_CHART_SIZE, MAX_DECOMPRESSED_FILE_SIZE, MAX_ARCHIVE_ENTRIES } from './chart/archive.js';
export type { Chart, ChartFile, Metadata, Dependency, Maintainer, ImportValue } from './chart/types.js';
export {
  renderFiles,
  renderRelease,
  template,
  preflight,
  validateReleaseName,
  TemplateError,
  RenderError,
  type RenderOptions,
  type TemplateOptions,
  type RenderedRelease,
  type CrdFile,
} from './chart/render.js';
export type { ReleaseOptions } from './chart/engine.js';
export { sortManifests, splitManifests, INSTALL_ORDER, UNINSTALL_ORDER, type Manifest, type Hook, type HookEvent } from './chart/manifests.js';
export {
  resolveCapabilities,
  parseKubeVersion,
  DEFAULT_KUBE_VERSION,
  DEFAULT_API_VERSIONS,
  HELM_VERSION,
  type CapabilitiesOptions,
  type Capabilities,
} from './chart/capabilities.js';
export { coalesceValues, mergeMaps, loadValues, ValuesError } from './chart/values.js';
export { mergeValueOptions, ValueOptionsError, type ValueOptions } from './chart/valueopts.js';
export { parseInto, parseIntoString, parseJson, parseIntoFile, parseLiteralInto, StrvalsError } from './chart/strvals.js';
export { validateAgainstSchema, SchemaValidationError, SchemaCompileError } from './chart/schema.js';
export { processDependencies } from './chart/dependencies.js';
