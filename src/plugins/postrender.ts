/**
 * postrender: Helm 4 `postrenderer/v1` plugins and the post-render pipeline.
 *
 * The message format (see docs/postrenderers.md): input `{"manifests": "<YAML stream>",
 * "extraArgs": [...]}`, output `{"manifests": "<YAML stream>"}`. Upstream Helm 4 marshals the
 * manifests field from a *bytes.Buffer and so sends `{}` (helm/helm#31832); Capstan sends the
 * string, which is what plugins expect.
 */
import { marshalYaml } from '../gotemplate/funcs/helm/goyaml.js';
import { ManifestError, PluginRunError, PostRenderError } from './errors.js';
import { decodeOutput, identity, invokePluginJson, type InvokeOptions } from './invoke.js';
import type { Plugin } from './loader.js';
import {
  diffObjects,
  matchDocuments,
  readManifests,
  type ManifestObject,
  type ObjectChange,
  type ObjectRef,
  type ScopeResolver,
} from './manifests.js';
import { POSTRENDERER_V1 } from './metadata.js';
import { applyPatches, type Patch } from './patches.js';

/** MANIFESTS_PREFIX starts a postrenderer/v1 message as JSON.stringify writes it. */
const MANIFESTS_PREFIX = Buffer.from('{"manifests":', 'utf8');

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
  /** objects are the output, parsed and validated. */
  objects: ManifestObject[];
}

/**
 * serializeObjects joins parsed objects back into one YAML stream: untouched objects as they were
 * written, changed ones as sigs.k8s.io/yaml writes them, after their leading comment.
 */
export function serializeObjects(objects: ManifestObject[]): string {
  return objects
    .map((o) => {
      const text = o.source ?? o.comment + marshalYaml(o.object);
      return `---\n${text}${text.endsWith('\n') ? '' : '\n'}`;
    })
    .join('');
}

function readInput(text: string, what: string): ManifestObject[] {
  return splitInput(() => readManifests(text), what);
}

function splitInput(split: () => ManifestObject[], what: string): ManifestObject[] {
  try {
    return split();
  } catch (err) {
    throw inputError(err, what);
  }
}

/** lazyInput reads the input's documents on first use; a failure throws InputUnreadable. */
function lazyInput(text: string, what: string, split?: () => ManifestObject[]): () => ManifestObject[] {
  let objects: ManifestObject[] | undefined;
  return () => {
    if (objects === undefined) {
      try {
        objects = split ? splitInput(split, what) : readInput(text, what);
      } catch (err) {
        throw new InputUnreadable(err);
      }
    }
    return objects;
  };
}

function inputError(err: unknown, what: string): unknown {
  if (err instanceof ManifestError) return new ManifestError(err.document, `${what}: ${err.detail}`, { cause: err });
  return err;
}

/** InputUnreadable carries an input parse error out of a step, to be thrown as it is. */
class InputUnreadable {
  constructor(readonly error: unknown) {}
}

/**
 * identityChanges compares a step's input and output. Documents passed through with the same text
 * are the same objects and are not read (the output keeps the input's objects for them); the
 * others are: an output document that is not a Kubernetes object throws its ManifestError, an
 * input one throws InputUnreadable.
 */
function identityChanges(
  before: ManifestObject[],
  after: ManifestObject[],
  opts: PostRendererOptions,
  inputWhat: string,
): { objects: ManifestObject[]; changes: ObjectChange[] } {
  const m = matchDocuments(before, after);
  const afterRefs = m.unmatchedAfter.map((o) => o.ref);
  let beforeRefs: ObjectRef[];
  try {
    beforeRefs = m.unmatchedBefore.map((o) => o.ref);
  } catch (err) {
    throw new InputUnreadable(inputError(err, inputWhat));
  }
  return { objects: m.after, changes: diffObjects(beforeRefs, afterRefs, opts) };
}

/**
 * runWasm runs one plugin call on `text`, whose documents `before` lists (called once the plugin
 * is running, so that splitting the input overlaps with it; it throws InputUnreadable). The
 * output is split into documents; those the plugin changed or added are read and validated, those
 * it returned as they were are not read again.
 */
async function runWasm(
  plugin: Plugin,
  beforeOf: () => ManifestObject[],
  text: string,
  opts: PostRendererOptions,
  inputWhat: string,
  textJson?: string,
): Promise<StepOutput> {
  const step = 'post-renderer';
  const started = performance.now();
  const fail = (detail: string, extra: ConstructorParameters<typeof PluginRunError>[4]) =>
    new PluginRunError(step, identity(plugin), 'output', detail, extra);
  if (plugin.metadata.type !== POSTRENDERER_V1) {
    throw new PluginRunError(
      step,
      identity(plugin),
      'invalid',
      `plugin type is ${plugin.metadata.type}, not ${POSTRENDERER_V1}`,
    );
  }
  // The message is written here rather than by invokePlugin so that output which is this
  // message's manifests field, byte for byte, is recognised without decoding it.
  const json = textJson ?? JSON.stringify(text);
  const rest = `,"extraArgs":${JSON.stringify(opts.extraArgs ?? [])}}`;
  const p = MANIFESTS_PREFIX.length;
  const n = Buffer.byteLength(json, 'utf8');
  const input = Buffer.allocUnsafe(p + n + Buffer.byteLength(rest, 'utf8')); // every byte is written below
  MANIFESTS_PREFIX.copy(input, 0);
  input.write(json, p, 'utf8');
  input.write(rest, p + n, 'utf8');
  const manifestsJson = input.subarray(p, p + n);
  const call = invokePluginJson(plugin, input, { ...opts, step });
  let before: ManifestObject[];
  try {
    before = beforeOf();
  } catch (err) {
    call.catch(() => undefined); // the input's error is the one to report
    throw err;
  }
  const res = await call;
  const extra = { stderr: res.stdio, logs: res.logs };
  const out = res.outputJson;
  // The input message itself (a plugin that echoes it), or `{"manifests":` the same string `}`.
  const unchanged =
    out.equals(input) ||
    (out.length === MANIFESTS_PREFIX.length + manifestsJson.length + 1 &&
      out[out.length - 1] === 0x7d && // }
      out.subarray(0, MANIFESTS_PREFIX.length).equals(MANIFESTS_PREFIX) &&
      out.subarray(MANIFESTS_PREFIX.length, out.length - 1).equals(manifestsJson));
  const msg = unchanged ? { manifests: text } : decodeOutput(plugin, res, { step });
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg))
    throw fail('output message must be a JSON object', extra);
  const manifests = (msg as { manifests?: unknown }).manifests;
  if (typeof manifests !== 'string') {
    throw fail(
      `output message field "manifests" must be a YAML string, got ${manifests === undefined ? 'nothing' : JSON.stringify(manifests).slice(0, 60)}`,
      extra,
    );
  }
  let read: { objects: ManifestObject[]; changes: ObjectChange[] };
  try {
    // Output that is its input, byte for byte, is the input's documents.
    read =
      manifests === text
        ? { objects: before, changes: [] }
        : identityChanges(before, readManifests(manifests), opts, inputWhat);
  } catch (err) {
    if (err instanceof InputUnreadable) throw err;
    throw fail(`output manifests: ${(err as Error).message}`, { ...extra, cause: err });
  }
  return {
    manifests,
    ...read,
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
  try {
    const input = lazyInput(manifests, 'post-renderer input');
    const { objects: _objects, ...result } = await runWasm(plugin, input, manifests, opts, 'post-renderer input');
    return result;
  } catch (err) {
    throw err instanceof InputUnreadable ? err.error : err;
  }
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
  /**
   * documents returns the input's documents as readManifests splits them, for a caller that keeps
   * them too; it is called once the first plugin is running, and at most once.
   */
  documents?: () => ManifestObject[];
  /** manifestsJson is JSON.stringify(manifests), for a caller that has it (a large stream costs ms to encode). */
  manifestsJson?: string;
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
  /** input are the input's documents, in order (read only where a step needed them). */
  input: ManifestObject[];
  /**
   * objects are the final manifests' documents, each with its text while steps kept it verbatim;
   * a document passed through untouched is the input's own object (and is read only if used).
   */
  objects: ManifestObject[];
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
  // Documents are read when a step needs them (see runWasm); what passes through untouched is not.
  // The input is split into documents while the first plugin runs.
  const { documents, manifestsJson, ...stepOpts } = opts;
  const original = lazyInput(manifests, 'post-render input', documents);
  let objects: ManifestObject[] | undefined; // undefined: the input's, not yet split
  const current = () => objects ?? original();
  let text = manifests;
  const steps: StepResult[] = [];
  for (const [i, r] of renderers.entries()) {
    try {
      if ('wasm' in r) {
        const { plugin, ...callOpts } = r.wasm;
        const out = await runWasm(
          plugin,
          current,
          text,
          { ...callOpts, ...stepOpts },
          'post-render input',
          text === manifests ? manifestsJson : undefined,
        );
        steps.push({
          kind: 'wasm',
          name: `${plugin.metadata.name} ${plugin.metadata.version}`,
          changes: out.changes,
          stdio: out.stdio,
          logs: out.logs,
          durationMs: out.durationMs,
        });
        objects = out.objects;
        text = out.manifests;
      } else if ('patches' in r) {
        const started = performance.now();
        let res;
        try {
          res = applyPatches(current(), r.patches, opts.defaultNamespace);
        } catch (err) {
          // A patch reads every document: one that is not an object is the input's fault.
          if (err instanceof ManifestError) throw new InputUnreadable(inputError(err, 'post-render input'));
          throw err;
        }
        steps.push({
          kind: 'patches',
          name: 'patches',
          changes: identityChanges(current(), res.objects, opts, 'post-render input').changes,
          stdio: '',
          logs: [],
          durationMs: performance.now() - started,
          applied: res.applied,
        });
        objects = res.objects;
        text = serializeObjects(objects);
      } else {
        throw new TypeError('a post-renderer is { wasm: … } or { patches: … }');
      }
    } catch (err) {
      if (err instanceof InputUnreadable) throw err.error;
      throw new PostRenderError(i, (err as Error).message, { cause: err });
    }
  }
  let changes: ObjectChange[];
  let input: ManifestObject[];
  try {
    input = original();
    objects ??= input;
    changes = objects === input ? [] : identityChanges(input, objects, opts, 'post-render input').changes;
  } catch (err) {
    throw err instanceof InputUnreadable ? err.error : err;
  }
  return { manifests: text, input, objects, changes, steps };
}
