/**
 * invoke: one call of an extism/v1 plugin with Helm's JSON message protocol: the input message is
 * JSON, the entry function (default `helm_plugin_main`) returns an i32 exit status, and on status
 * 0 the output is the JSON output message. Everything a plugin can do wrong ends as a
 * PluginRunError naming the plugin, with its stderr and Extism error message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginRunError, type PluginIdentity } from './errors.js';
import { defaultHost, type WasmHost } from './host.js';
import { MAX_HTTP_RESPONSE_BYTES, normalizeHostPattern } from './http.js';
import { DEFAULT_MAX_PAGES, limitedWasm, type Plugin } from './loader.js';
import { mib, WASM_PAGE_BYTES } from './wasm-binary.js';

/** DEFAULT_TIMEOUT_MS limits a call when neither caller nor plugin.yaml sets a timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** MAX_STDIO_BYTES bounds the stdout/stderr kept from one call. */
export const MAX_STDIO_BYTES = 16 * 1024;

/** InvokeOptions are the caller's limits and inputs; they override plugin.yaml's runtimeConfig. */
export interface InvokeOptions {
  /** config is merged over runtimeConfig.config and readable with the PDK's GetConfig. */
  config?: Record<string, string>;
  /** timeoutMs is the wall-clock limit (default: runtimeConfig.timeout, else DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** memoryPages caps linear memory in 64 KiB pages (default: runtimeConfig.memory.maxPages, else DEFAULT_MAX_PAGES). */
  memoryPages?: number;
  /**
   * allowedHosts grants the plugin HTTP access (Extism's `http_request`) to these hosts: exact
   * hostnames or globs such as `*.example.com`, matched against the URL's hostname. Network is off
   * unless granted here: plugin.yaml's runtimeConfig.allowedHosts only asks, it grants nothing.
   * See "Network" in docs/postrenderers.md.
   */
  allowedHosts?: string[];
  /** host runs the call (default: the process-wide host). */
  host?: WasmHost;
  /** step names the operation in messages (default `plugin`; runPostRenderer uses `post-renderer`). */
  step?: string;
}

/** InvokeResult is a successful call: the decoded output message and what the plugin printed. */
export interface InvokeResult extends RawInvokeResult {
  output: unknown;
}

/** RawInvokeResult is a successful call with its output message as bytes (JSON, not yet decoded). */
export interface RawInvokeResult {
  outputJson: Buffer;
  stdio: string;
  logs: string[];
  /** memoryPages is the plugin's linear memory size when it returned. */
  memoryPages: number;
  instantiateMs: number;
  callMs: number;
}

/** identity returns the PluginIdentity of a plugin for messages. */
export function identity(plugin: Plugin): PluginIdentity {
  return { source: plugin.source, name: plugin.metadata.name, version: plugin.metadata.version };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function tail(s: string, n = 2000): string {
  const t = s.trim();
  return t.length > n ? `…${t.slice(-n)}` : t;
}

/**
 * invokePlugin calls a plugin of any type with a JSON input message and returns its decoded
 * output message. It is the shared core of runPostRenderer and the conformance tests.
 */
export async function invokePlugin(plugin: Plugin, message: unknown, opts: InvokeOptions = {}): Promise<InvokeResult> {
  const res = await invokePluginJson(plugin, Buffer.from(JSON.stringify(message) ?? 'null', 'utf8'), opts);
  return { ...res, output: decodeOutput(plugin, res, opts) };
}

/** decodeOutput decodes a call's output message, failing as the call does (reason `output`). */
export function decodeOutput(plugin: Plugin, res: RawInvokeResult, opts: Pick<InvokeOptions, 'step'> = {}): unknown {
  try {
    return JSON.parse(res.outputJson.toString('utf8'));
  } catch (err) {
    throw new PluginRunError(
      opts.step ?? 'plugin',
      identity(plugin),
      'output',
      `output message is not JSON: ${(err as Error).message}`,
      { stderr: res.stdio, logs: res.logs },
    );
  }
}

/**
 * invokePluginJson is invokePlugin with the input message already encoded as JSON, returning the
 * output message's bytes undecoded (a caller may recognise them without parsing).
 */
export async function invokePluginJson(
  plugin: Plugin,
  input: Uint8Array,
  opts: InvokeOptions = {},
): Promise<RawInvokeResult> {
  const rc = plugin.metadata.runtimeConfig;
  const step = opts.step ?? 'plugin';
  const id = identity(plugin);
  const fail = (reason: ConstructorParameters<typeof PluginRunError>[2], detail: string, extra = {}) =>
    new PluginRunError(step, id, reason, detail, extra);

  const timeoutMs = opts.timeoutMs ?? (rc.timeout || DEFAULT_TIMEOUT_MS);
  const maxPages = opts.memoryPages ?? (rc.memory.maxPages || DEFAULT_MAX_PAGES);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw fail('invalid', `timeoutMs must be a positive integer, got ${timeoutMs}`);
  if (!Number.isInteger(maxPages) || maxPages <= 0 || maxPages > 65536) {
    throw fail('invalid', `memoryPages must be an integer in 1..65536, got ${maxPages}`);
  }
  if (opts.allowedHosts !== undefined && !Array.isArray(opts.allowedHosts))
    throw fail('invalid', 'allowedHosts must be a list of hostnames');
  const allowedHosts: string[] = [];
  for (const [i, h] of (opts.allowedHosts ?? []).entries()) {
    try {
      allowedHosts.push(normalizeHostPattern(h));
    } catch (err) {
      throw fail('invalid', `allowedHosts[${i}] ${JSON.stringify(h)}: ${(err as Error).message}`);
    }
  }
  let wasm: Uint8Array;
  try {
    wasm = limitedWasm(plugin, maxPages);
  } catch (err) {
    throw fail('memory', (err as Error).message, { cause: err });
  }

  let tempDir: string | undefined;
  const allowedPaths: Record<string, string> = {};
  if (rc.fileSystem.createTempDir) {
    tempDir = await mkdtemp(join(tmpdir(), `capstan-plugin-${plugin.metadata.name}-`));
    allowedPaths['/tmp'] = tempDir;
  }
  const host = opts.host ?? defaultHost();
  let result;
  try {
    result = await host.call(
      {
        moduleKey: `${plugin.wasmDigest}/${maxPages}`,
        wasm,
        entry: rc.entryFuncName,
        input,
        config: { ...rc.config, ...opts.config },
        allowedPaths,
        hostMemoryBytes: maxPages * WASM_PAGE_BYTES,
        maxPages,
        stdioBytes: MAX_STDIO_BYTES,
        network: {
          allowedHosts,
          requestedHosts: rc.allowedHosts.map((h) => h.toLowerCase()),
          // plugin.yaml may lower the cap (maxHttpResponseBytes), never raise it.
          maxResponseBytes: Math.min(
            MAX_HTTP_RESPONSE_BYTES,
            maxPages * WASM_PAGE_BYTES,
            rc.memory.maxHttpResponseBytes || Infinity,
          ),
        },
      },
      timeoutMs,
    );
  } finally {
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  }

  if (result.verdict === 'timeout') {
    throw fail('timeout', `plugin exceeded its ${formatMs(timeoutMs)} time limit and was stopped`);
  }
  if (result.verdict === 'crashed') {
    const extra = { stderr: result.stderr };
    // A Go guest out of memory can crash V8 itself (see worker.ts); its stderr still says why.
    if (/out of memory|memory allocation of \d+ bytes failed|heap out of memory/i.test(result.stderr)) {
      throw fail(
        'memory',
        `plugin exceeded its memory limit of ${maxPages} pages (${mib(maxPages)}) and its worker died (${result.message.replace(/^plugin worker /, '')}); stderr: ${tail(result.stderr, 300)}`,
        extra,
      );
    }
    throw fail('crash', `${result.message}${result.stderr ? `; stderr: ${tail(result.stderr)}` : ''}`, extra);
  }
  const extra = { stderr: result.stdio, logs: result.logs };
  const said = [result.error, tail(result.stdio)].filter(Boolean).join('; stderr: ');
  // Go's runtime reports a failed memory.grow as "out of memory" and exits 2; Rust's as an abort.
  const nearCap = result.memoryPages + 128 >= maxPages;
  const oomText = /out of memory|memory allocation of \d+ bytes failed/i.test(result.stdio + (result.error ?? ''));
  const memoryDetail = `plugin exceeded its memory limit of ${maxPages} pages (${mib(maxPages)})`;

  switch (result.kind) {
    case 'setup':
      throw fail('invalid', result.error ?? 'plugin could not start', extra);
    case 'host-memory':
      throw fail('memory', `${memoryDetail}: ${result.error}`, extra);
    case 'network':
      // The failing http_request call aborts the guest, as an Extism host function error does.
      throw fail('trap', `plugin's ${result.error ?? 'HTTP request failed'}`, extra);
    case 'trapped':
      if (nearCap || oomText) throw fail('memory', `${memoryDetail}: ${result.error}`, extra);
      throw fail(
        'trap',
        `plugin crashed: ${result.error}${result.stdio ? `; stderr: ${tail(result.stdio)}` : ''}`,
        extra,
      );
    case 'exited':
      if (result.status !== 0 || result.output === null) {
        if (oomText && nearCap)
          throw fail('memory', `${memoryDetail}; stderr: ${tail(result.stdio)}`, { ...extra, exitCode: result.status });
        throw fail('exit', `plugin exited with status ${result.status}${said ? `: ${said}` : ''}`, {
          ...extra,
          exitCode: result.status,
        });
      }
      break;
    case 'returned':
      if (result.status !== 0 || result.error !== null) {
        throw fail('exit', `plugin returned status ${result.status}${said ? `: ${said}` : ''}`, {
          ...extra,
          exitCode: result.status,
        });
      }
      break;
  }
  if (result.outputError !== undefined) throw fail('output', result.outputError, extra);
  if (result.output === null) throw fail('output', 'plugin returned status 0 but no output message', extra);
  return {
    outputJson: result.output,
    stdio: result.stdio,
    logs: result.logs,
    memoryPages: result.memoryPages,
    instantiateMs: result.instantiateMs,
    callMs: result.callMs,
  };
}
