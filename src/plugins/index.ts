/**
 * plugins: post-renderers for Capstan. Helm 4 `postrenderer/v1` plugins on the `extism/v1` runtime
 * run sandboxed in killable worker processes (no filesystem unless asked for a temp dir, no
 * network, memory and time capped); built-in patches (RFC 6902 and strategic merge) run in
 * process. `postRender` chains both kinds and reports identity changes (namespace moves,
 * cluster-scoped additions) instead of accepting them silently. See docs/postrenderers.md.
 *
 * ```ts
 * const plugin = await loadPlugin(tgzBytes, { source: 'oci://ghcr.io/acme/label@sha256:…' });
 * const { manifests, changes } = await postRender(rendered, [{ wasm: { plugin, config: { label: 'team=a' } } }]);
 * ```
 */
export {
  describePlugin,
  ManifestError,
  PatchError,
  PluginLoadError,
  PluginRunError,
  PostRenderError,
  type PluginFailureReason,
  type PluginIdentity,
} from './errors.js';
export { DIGEST_PATTERN, fetchPlugin, PluginCache, pluginSource, type PluginFetcher } from './fetch.js';
export { loadPluginRef, ociPluginFetcher, type OciFetcherOptions } from './oci.js';
export { defaultHost, WasmHost, type WasmHostOptions } from './host.js';
export { DEFAULT_TIMEOUT_MS, invokePlugin, type InvokeOptions, type InvokeResult } from './invoke.js';
export { applyJsonPatch, JsonPatchError, type JsonPatchOperation } from './jsonpatch.js';
export { DEFAULT_MAX_PAGES, loadPlugin, type LoadOptions, type Plugin } from './loader.js';
export {
  builtinScope,
  CLUSTER_SCOPED_KINDS,
  diffObjects,
  formatRef,
  parseManifests,
  type ManifestObject,
  type ObjectChange,
  type ObjectRef,
  type ScopeResolver,
} from './manifests.js';
export { MergePatchError, strategicMerge } from './merge.js';
export {
  DEFAULT_ENTRY_FUNCTION,
  MetadataError,
  parsePluginMetadata,
  POSTRENDERER_V1,
  type ExtismRuntimeConfig,
  type PluginMetadata,
} from './metadata.js';
export { applyPatches, type Patch, type PatchResult } from './patches.js';
export {
  postRender,
  runPostRenderer,
  serializeObjects,
  type PatchRenderer,
  type PipelineOptions,
  type PipelineResult,
  type PostRenderer,
  type PostRendererOptions,
  type PostRenderResult,
  type StepResult,
  type WasmRenderer,
} from './postrender.js';
export { compileTarget, parseSelector, SelectorError, type PatchTarget } from './selector.js';
export { annotateAndMerge, FILENAME_ANNOTATION, postRenderRelease, splitAndDeannotate } from './release.js';
