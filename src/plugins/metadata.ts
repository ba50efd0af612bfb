/**
 * metadata: parsing and validation of a Helm 4 `plugin.yaml` (apiVersion v1) for the
 * `extism/v1` runtime. Field names and meanings follow Helm's internal/plugin MetadataV1 and
 * RuntimeConfigExtismV1; validation is stricter than Helm's (unknown fields are errors) because a
 * typo in a limit should not silently lift the limit.
 */
import { parse as parseYaml } from 'yaml';
import semver from 'semver';

/** PLUGIN_NAME_PATTERN is Helm's rule for plugin names. */
export const PLUGIN_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/** EXTISM_V1 is the only runtime Capstan runs; `subprocess` plugins would execute host binaries. */
export const EXTISM_V1 = 'extism/v1';

/** POSTRENDERER_V1 is the plugin type whose messages carry manifests. */
export const POSTRENDERER_V1 = 'postrenderer/v1';

/** DEFAULT_ENTRY_FUNCTION is the export Helm calls when runtimeConfig.entryFuncName is empty. */
export const DEFAULT_ENTRY_FUNCTION = 'helm_plugin_main';

/** ExtismRuntimeConfig is runtimeConfig for `runtime: extism/v1`, with Helm's field names. */
export interface ExtismRuntimeConfig {
  memory: {
    /** maxPages caps linear memory, in 64 KiB pages; 0 means the host default. */
    maxPages: number;
    maxHttpResponseBytes: number;
    maxVarBytes: number;
  };
  /** config is passed to the plugin as Extism config (pdk.GetConfig). */
  config: Record<string, string>;
  /** allowedHosts are the hosts the plugin asks to reach; the caller must also grant them. */
  allowedHosts: string[];
  fileSystem: {
    /** createTempDir maps a fresh host temp dir to /tmp for the duration of one call. */
    createTempDir: boolean;
  };
  /** timeout in milliseconds; 0 means the host default. */
  timeout: number;
  /** hostFunctions must be empty: Capstan provides no host functions beyond Extism's. */
  hostFunctions: string[];
  entryFuncName: string;
}

/** PluginMetadata is a validated plugin.yaml. */
export interface PluginMetadata {
  apiVersion: 'v1';
  name: string;
  version: string;
  type: string;
  runtime: typeof EXTISM_V1;
  sourceURL?: string;
  /** config is the type-specific configuration (free-form in Helm). */
  config: Record<string, unknown>;
  runtimeConfig: ExtismRuntimeConfig;
}

const TOP_LEVEL_FIELDS = new Set([
  'apiVersion',
  'name',
  'version',
  'type',
  'runtime',
  'sourceURL',
  'config',
  'runtimeConfig',
]);
const RUNTIME_FIELDS = new Set([
  'memory',
  'config',
  'allowedHosts',
  'fileSystem',
  'timeout',
  'hostFunctions',
  'entryFuncName',
]);
const MEMORY_FIELDS = new Set(['maxPages', 'maxHttpResponseBytes', 'maxVarBytes']);
const FS_FIELDS = new Set(['createTempDir']);

/** MetadataError is thrown by parsePluginMetadata; the message starts with `plugin.yaml`. */
export class MetadataError extends Error {
  override name = 'MetadataError';
  constructor(
    readonly field: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`plugin.yaml${field ? `: ${field}` : ''}: ${detail}`, options);
  }
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkFields(obj: Record<string, unknown>, allowed: Set<string>, where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k)) throw new MetadataError(where ? `${where}.${k}` : k, 'unknown field');
  }
}

function nonNegativeInt(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new MetadataError(field, `must be an integer between 0 and ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw new MetadataError(field, 'must be a list of strings');
  return v as string[];
}

function stringMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isMap(v)) throw new MetadataError(field, 'must be a map of strings');
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    // Helm decodes into map[string]string, which accepts any scalar.
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
    else throw new MetadataError(`${field}.${k}`, 'must be a string');
  }
  return out;
}

/** parseRuntimeConfig validates an extism/v1 runtimeConfig and fills Helm's zero values. */
export function parseRuntimeConfig(raw: unknown): ExtismRuntimeConfig {
  const rc = raw ?? {};
  if (!isMap(rc)) throw new MetadataError('runtimeConfig', 'must be a map');
  checkFields(rc, RUNTIME_FIELDS, 'runtimeConfig');
  const mem = rc.memory ?? {};
  if (!isMap(mem)) throw new MetadataError('runtimeConfig.memory', 'must be a map');
  checkFields(mem, MEMORY_FIELDS, 'runtimeConfig.memory');
  const fs = rc.fileSystem ?? {};
  if (!isMap(fs)) throw new MetadataError('runtimeConfig.fileSystem', 'must be a map');
  checkFields(fs, FS_FIELDS, 'runtimeConfig.fileSystem');
  if (fs.createTempDir !== undefined && typeof fs.createTempDir !== 'boolean') {
    throw new MetadataError('runtimeConfig.fileSystem.createTempDir', 'must be a boolean');
  }
  const hostFunctions = stringList(rc.hostFunctions, 'runtimeConfig.hostFunctions');
  if (hostFunctions.length > 0) {
    throw new MetadataError(
      'runtimeConfig.hostFunctions',
      `host function ${JSON.stringify(hostFunctions[0])} is not available: Capstan provides no host functions beyond Extism's`,
    );
  }
  const entry = rc.entryFuncName ?? '';
  if (typeof entry !== 'string') throw new MetadataError('runtimeConfig.entryFuncName', 'must be a string');
  return {
    memory: {
      maxPages: nonNegativeInt(mem.maxPages, 'runtimeConfig.memory.maxPages', 65536),
      maxHttpResponseBytes: nonNegativeInt(mem.maxHttpResponseBytes, 'runtimeConfig.memory.maxHttpResponseBytes'),
      maxVarBytes: nonNegativeInt(mem.maxVarBytes, 'runtimeConfig.memory.maxVarBytes'),
    },
    config: stringMap(rc.config, 'runtimeConfig.config'),
    allowedHosts: stringList(rc.allowedHosts, 'runtimeConfig.allowedHosts'),
    fileSystem: { createTempDir: fs.createTempDir === true },
    timeout: nonNegativeInt(rc.timeout, 'runtimeConfig.timeout'),
    hostFunctions,
    entryFuncName: entry || DEFAULT_ENTRY_FUNCTION,
  };
}

/**
 * parsePluginMetadata parses and validates plugin.yaml text.
 *
 * ```ts
 * parsePluginMetadata('apiVersion: v1\nname: x\nversion: 0.1.0\ntype: postrenderer/v1\nruntime: extism/v1\n')
 * ```
 */
export function parsePluginMetadata(text: string): PluginMetadata {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    throw new MetadataError('', `not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!isMap(raw)) throw new MetadataError('', 'must be a map');
  if (raw.apiVersion !== 'v1') {
    throw new MetadataError(
      'apiVersion',
      raw.apiVersion === undefined
        ? 'missing: legacy (apiVersion-less) plugins are subprocess plugins, which Capstan does not run'
        : `must be "v1", got ${JSON.stringify(raw.apiVersion)}`,
    );
  }
  checkFields(raw, TOP_LEVEL_FIELDS, '');
  const { name, version, type, runtime } = raw;
  if (typeof name !== 'string' || !PLUGIN_NAME_PATTERN.test(name)) {
    throw new MetadataError('name', `must match ${PLUGIN_NAME_PATTERN.source}, got ${JSON.stringify(name)}`);
  }
  if (typeof version !== 'string' || version === '') throw new MetadataError('version', 'is required');
  if (!semver.valid(version)) throw new MetadataError('version', `${JSON.stringify(version)} is not valid semver`);
  if (typeof type !== 'string' || type === '') throw new MetadataError('type', 'is required');
  if (typeof runtime !== 'string' || runtime === '') throw new MetadataError('runtime', 'is required');
  if (runtime !== EXTISM_V1) {
    throw new MetadataError(
      'runtime',
      `${JSON.stringify(runtime)} is not supported: Capstan runs only ${EXTISM_V1} plugins`,
    );
  }
  if (raw.sourceURL !== undefined && typeof raw.sourceURL !== 'string')
    throw new MetadataError('sourceURL', 'must be a string');
  if (raw.config !== undefined && raw.config !== null && !isMap(raw.config))
    throw new MetadataError('config', 'must be a map');
  const md: PluginMetadata = {
    apiVersion: 'v1',
    name,
    version,
    type,
    runtime: EXTISM_V1,
    config: (raw.config as Record<string, unknown> | undefined) ?? {},
    runtimeConfig: parseRuntimeConfig(raw.runtimeConfig),
  };
  if (typeof raw.sourceURL === 'string') md.sourceURL = raw.sourceURL;
  return md;
}
