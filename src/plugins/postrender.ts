/**
 * postrender: Helm 4 `postrenderer/v1` plugins and the post-render pipeline.
 *
 * The message format (see docs/postrenderers.md): input `{"manifests": "<YAML stream>",
 * "extraArgs": [...]}`, output `{"manifests": "<YAML stream>"}`. Upstream Helm 4 marshals the
 * manifests field from a *bytes.Buffer and so sends `{}` (helm/helm#31832); Capstan sends the
 * string, which is what plugins expect.
 */
import { ManifestError, PluginRunError, PostRenderError } from './errors.js';
import { identity, invokePlugin, type InvokeOptions } from './invoke.js';
import type { Plugin } from './loader.js';
import {
  diffObjects,
  parseManifests,
  type ManifestObject,
  type ObjectChange,
  type ObjectRef,
  type ScopeResolver,
} from './manifests.js';
import { POSTRENDERER_V1 } from './metadata.js';
import { applyPatches, type Patch } from './patches.js';

/** PostRendererOptions are the limits and inputs of one WebAssembly post-renderer call. */
export interface PostRendererOptions extends Omit<InvokeOptions, 'step'> {
  /** extraArgs is the message's extraArgs (Helm's --post-renderer-args). */
  extraArgs?: string[];
  /** defaultNamespace is where namespaced objects without a namespace go (for change detection). */
  defaultNamespace?: string;
  /** scope resolves whether a kind is cluster-scoped (default: built-in kinds only). */
  scope?: ScopeResolver;
}

/** PostRenderResult is a post-renderer's output and what it changed about object identities. */
export interface PostRenderResult {
  manifests: string;
  /** changes lists moved namespaces, added cluster-scoped objects, added and removed objects. */
  changes: ObjectChange[];
  /** stdio is what the plugin printed (empty for built-in patches). */
  stdio: string;
  logs: string[];
  durationMs: number;
}

interface StepOutput extends PostRenderResult {
  refs: ObjectRef[];
  /** objects are parsed on the operator only when a later step needs them (patches). */
  objects?: ManifestObject[];
}

/** serializeObjects joins parsed objects back into one YAML stream, keeping their comments. */
export function serializeObjects(objects: ManifestObject[]): string {
  return objects
    .map((o) => {
      const text = o.source ?? o.doc.toString({ lineWidth: 0 }).replace(/^---(\s*\n|\s+)/, '');
      return `---\n${text}${text.endsWith('\n') ? '' : '\n'}`;
    })
    .join('');
}

function parseInput(text: string, what: string): ManifestObject[] {
  try {
    return parseManifests(text);
  } catch (err) {
    if (err instanceof ManifestError) throw new ManifestError(err.document, `${what}: ${err.detail}`, { cause: err });
    throw err;
  }
}

async function runWasm(
  plugin: Plugin,
  input: ObjectRef[],
  text: string,
  opts: PostRendererOptions,
): Promise<StepOutput> {
  const step = 'post-renderer';
  const started = performance.now();
  if (plugin.metadata.type !== POSTRENDERER_V1) {
    throw new PluginRunError(
      step,
      identity(plugin),
      'invalid',
      `plugin type is ${plugin.metadata.type}, not ${POSTRENDERER_V1}`,
    );
  }
  const res = await invokePlugin(
    plugin,
    { manifests: text, extraArgs: opts.extraArgs ?? [] },
    { ...opts, step, validateManifests: true },
  );
  // The worker validated the output and sent back its identities (validateManifests).
  const out = res.output as { manifests: string };
  const refs = res.refs ?? parseManifests(out.manifests).map((o) => o.ref);
  return {
    manifests: out.manifests,
    refs,
    changes: diffObjects(input, refs, opts),
    stdio: res.stdio,
    logs: res.logs,
    durationMs: performance.now() - started,
  };
}

/**
 * runPostRenderer runs one postrenderer/v1 plugin over a manifest stream. It throws a
 * PluginRunError (reason timeout, memory, exit, trap, output, crash or invalid) naming the plugin.
 *
 * ```ts
 * const { manifests, changes } = await runPostRenderer(plugin, rendered, { config: { label: 'team=a' }, timeoutMs: 2000 });
 * ```
 */
export async function runPostRenderer(
  plugin: Plugin,
  manifests: string,
  opts: PostRendererOptions = {},
): Promise<PostRenderResult> {
  const input = parseInput(manifests, 'post-renderer input');
  const {
    objects: _objects,
    refs: _refs,
    ...result
  } = await runWasm(
    plugin,
    input.map((o) => o.ref),
    manifests,
    opts,
  );
  return result;
}

/** WasmRenderer is a pipeline step that runs a WebAssembly post-renderer. */
export interface WasmRenderer {
  wasm: { plugin: Plugin } & Omit<PostRendererOptions, 'defaultNamespace' | 'scope' | 'host'>;
}

/** PatchRenderer is a pipeline step of built-in patches (RFC 6902 or strategic merge). */
export interface PatchRenderer {
  patches: Patch[];
}

/** PostRenderer is one step of a postRender pipeline. */
export type PostRenderer = WasmRenderer | PatchRenderer;

/** PipelineOptions apply to every step. */
export interface PipelineOptions {
  defaultNamespace?: string;
  scope?: ScopeResolver;
  host?: InvokeOptions['host'];
}

/** StepResult reports one pipeline step. */
export interface StepResult {
  kind: 'wasm' | 'patches';
  /** name is the plugin (`name version`) or `patches`. */
  name: string;
  changes: ObjectChange[];
  stdio: string;
  logs: string[];
  durationMs: number;
  /** applied[i] counts the objects patch i matched (patch steps only). */
  applied?: number[];
}

/** PipelineResult is the final manifests, the net identity changes against the input, and each step. */
export interface PipelineResult {
  manifests: string;
  changes: ObjectChange[];
  steps: StepResult[];
}

/**
 * postRender runs post-renderers in order, each on the previous one's output. Errors are
 * PostRenderError naming the step, with the step's own error as cause.
 *
 * ```ts
 * await postRender(rendered, [
 *   { patches: [{ target: { kind: 'Deployment' }, patch: [{ op: 'add', path: '/spec/replicas', value: 2 }] }] },
 *   { wasm: { plugin, config: { image: 'busybox:1.36' } } },
 * ], { defaultNamespace: 'web' });
 * ```
 */
export async function postRender(
  manifests: string,
  renderers: PostRenderer[],
  opts: PipelineOptions = {},
): Promise<PipelineResult> {
  const original = parseInput(manifests, 'post-render input');
  let objects: ManifestObject[] | undefined = original;
  let refs = original.map((o) => o.ref);
  let text = manifests;
  const steps: StepResult[] = [];
  for (const [i, r] of renderers.entries()) {
    try {
      if ('wasm' in r) {
        const { plugin, ...callOpts } = r.wasm;
        const out = await runWasm(plugin, refs, text, { ...callOpts, ...opts });
        steps.push({
          kind: 'wasm',
          name: `${plugin.metadata.name} ${plugin.metadata.version}`,
          changes: out.changes,
          stdio: out.stdio,
          logs: out.logs,
          durationMs: out.durationMs,
        });
        objects = undefined;
        refs = out.refs;
        text = out.manifests;
      } else if ('patches' in r) {
        const started = performance.now();
        objects ??= parseInput(text, 'post-render step input');
        const res = applyPatches(objects, r.patches, opts.defaultNamespace);
        const after = res.objects.map((o) => o.ref);
        steps.push({
          kind: 'patches',
          name: 'patches',
          changes: diffObjects(refs, after, opts),
          stdio: '',
          logs: [],
          durationMs: performance.now() - started,
          applied: res.applied,
        });
        objects = res.objects;
        refs = after;
        text = serializeObjects(objects);
      } else {
        throw new TypeError('a post-renderer is { wasm: … } or { patches: … }');
      }
    } catch (err) {
      throw new PostRenderError(i, (err as Error).message, { cause: err });
    }
  }
  return {
    manifests: text,
    changes: diffObjects(
      original.map((o) => o.ref),
      refs,
      opts,
    ),
    steps,
  };
}
