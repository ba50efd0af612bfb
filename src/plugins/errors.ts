/**
 * errors: the error classes of the post-render step. Each carries the data a caller needs to
 * decide what to do (reason, limits, exit status, captured stderr) and keeps the underlying
 * error as `cause`.
 */

/** PluginIdentity names a plugin in messages: where it came from, its name and version. */
export interface PluginIdentity {
  source: string;
  name: string;
  version: string;
}

/** describePlugin formats a plugin for messages: `oci://r/p@sha256:… (name 1.2.3)`. */
export function describePlugin(p: PluginIdentity): string {
  return `${p.source} (${p.name} ${p.version})`;
}

/** PluginLoadError reports a plugin that cannot be used: bad archive, plugin.yaml or wasm. */
export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
  constructor(
    readonly source: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`loading plugin ${source}: ${detail}`, options);
  }
}

/**
 * PluginFailureReason says why a plugin call failed:
 * - `timeout`: it ran past its wall-clock limit and its worker was terminated;
 * - `memory`: it hit its memory cap (linear memory pages or Extism host memory);
 * - `exit`: it returned or exited with a non-zero status, or set an Extism error;
 * - `trap`: the wasm trapped (unreachable, out-of-bounds access, stack overflow);
 * - `output`: it succeeded but its output message or manifests are unusable;
 * - `crash`: the worker thread died for another reason;
 * - `invalid`: the call could not start (wrong plugin type, missing entry function, bad options).
 */
export type PluginFailureReason = 'timeout' | 'memory' | 'exit' | 'trap' | 'output' | 'crash' | 'invalid';

/** PluginRunError reports a failed plugin call; the message starts with the step and names the plugin. */
export class PluginRunError extends Error {
  override name = 'PluginRunError';
  /** exitCode is the plugin's status for reason `exit`. */
  readonly exitCode: number | undefined;
  /** stderr is what the plugin wrote to stderr/stdout (truncated), for diagnosis. */
  readonly stderr: string;
  /** logs are the plugin's Extism log lines (truncated). */
  readonly logs: string[];
  constructor(
    readonly step: string,
    readonly plugin: PluginIdentity,
    readonly reason: PluginFailureReason,
    detail: string,
    extra: { exitCode?: number; stderr?: string; logs?: string[]; cause?: unknown } = {},
  ) {
    super(`${step} ${describePlugin(plugin)}: ${detail}`, { cause: extra.cause });
    this.exitCode = extra.exitCode;
    this.stderr = extra.stderr ?? '';
    this.logs = extra.logs ?? [];
  }
}

/** ManifestError reports a manifest stream that is not a list of Kubernetes objects. */
export class ManifestError extends Error {
  override name = 'ManifestError';
  constructor(
    /** document is the 0-based index of the YAML document at fault, or -1 for the stream. */
    readonly document: number,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(document >= 0 ? `document ${document}: ${detail}` : detail, options);
  }
}

/** PatchError reports a built-in patch that cannot be applied. */
export class PatchError extends Error {
  override name = 'PatchError';
  constructor(
    /** patch is the index of the patch in its renderer's list. */
    readonly patch: number,
    /** object names the object being patched, when there is one: `apps/v1 Deployment ns/name`. */
    readonly object: string | undefined,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`patches[${patch}]${object ? ` on ${object}` : ''}: ${detail}`, options);
  }
}

/** PostRenderError wraps the failure of one step of a postRender pipeline, naming the step. */
export class PostRenderError extends Error {
  override name = 'PostRenderError';
  constructor(
    /** step is the index of the failing renderer in the pipeline. */
    readonly step: number,
    readonly detail: string,
    options: { cause: unknown },
  ) {
    super(`post-render step ${step}: ${detail}`, options);
  }
}
