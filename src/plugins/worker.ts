/**
 * worker: the body of a plugin worker process. It runs one call at a time: instantiate the
 * (memory-limited) module with the Extism JS SDK in the foreground, call the entry function, send
 * back the status, output and captured stdio. The parent owns the clock and kills this process
 * when a call overruns; nothing here needs to be interruptible. Plugins run in a process, not a
 * thread, because a V8 crash must not take the operator down: Node 20 segfaults now and then
 * when a Go guest traps after running out of memory (see docs/postrenderers.md).
 *
 * Instantiation goes through a wrapper around `WebAssembly.instantiate` (installed for the
 * duration of `createPlugin`) so the host can:
 * - read the entry function's i32 result, which the SDK discards (Helm treats it as exit status);
 * - turn `proc_exit` into an exception that carries the code;
 * - capture stdout/stderr (fd 1 and 2), mirrored synchronously to this process's stderr so the
 *   parent still has them if the process dies;
 * - count Extism host allocations against the memory budget;
 * - supply the Extism kernel functions the SDK 1.0.3 lacks (`get_log_level`, `log_trace`,
 *   `http_headers`), which current PDKs import.
 *
 * The kernel's `http_request` and `http_status_code` (which the SDK disables in the foreground)
 * are host functions here, given the CallContext to read the request and store the response
 * body: requests go through http.ts under the job's network grant, and a refused or failed
 * request throws, which fails the call (as an Extism host function error does).
 */
import { writeSync } from 'node:fs';
import createPlugin, { type CallContext } from '@extism/extism';
import { httpRequest, HttpError, parseHttpRequest, type NetworkGrant } from './http.js';
import {
  setInstantiate,
  wasm,
  type WasmImports,
  type WasmInstance,
  type WasmMemory,
  type WasmModule,
} from './wasm-api.js';

/** WorkerJob is one call, sent by host.ts. */
export interface WorkerJob {
  id: number;
  /** moduleKey names the memory-limited module; the worker compiles each key once. */
  moduleKey: string;
  /** wasm is the memory-limited binary; sent only when the worker has not seen moduleKey. */
  wasm?: Uint8Array;
  entry: string;
  input: Uint8Array;
  config: Record<string, string>;
  /** allowedPaths maps guest paths to host directories (WASI preopens). */
  allowedPaths: Record<string, string>;
  /** hostMemoryBytes caps the bytes the plugin may hold in Extism host memory at once. */
  hostMemoryBytes: number;
  /** maxPages is the linear memory cap written into the module, used to classify failures. */
  maxPages: number;
  /** stdioBytes caps the captured stdout+stderr. */
  stdioBytes: number;
  /** network is the caller's grant; absent or empty allowedHosts: every HTTP request is refused. */
  network?: NetworkGrant;
}

/** WorkerOutcome is the answer to a WorkerJob. */
export interface WorkerOutcome {
  id: number;
  /**
   * kind: `returned` (status set), `exited` (proc_exit, status set), `trapped`, `host-memory`,
   * `network` (an HTTP request was refused or failed; error says why).
   */
  kind: 'returned' | 'exited' | 'trapped' | 'host-memory' | 'network' | 'setup';
  status: number;
  output: Uint8Array | null;
  /** error is the plugin's Extism error message, or the trap/setup message. */
  error: string | null;
  stdio: string;
  logs: string[];
  memoryPages: number;
  instantiateMs: number;
  callMs: number;
}

const MAX_LOG_LINES = 200;

class ProcExit {
  constructor(readonly code: number) {}
}

class HostMemoryExceeded {
  constructor(readonly requested: number) {}
}

// The host bounds how many modules a worker sees (it recycles the worker past a limit).
const modules = new Map<string, Promise<WasmModule>>();

function moduleFor(job: WorkerJob): Promise<WasmModule> {
  let m = modules.get(job.moduleKey);
  if (!m) {
    if (!job.wasm) throw new Error(`module ${job.moduleKey} was not sent`);
    m = wasm.compile(job.wasm);
    modules.set(job.moduleKey, m);
  }
  return m;
}

async function run(job: WorkerJob): Promise<WorkerOutcome> {
  const module = await moduleFor(job);
  let memory: WasmMemory | undefined;
  let status: number | undefined;
  let stdio = '';
  let stdioFull = false;
  let hostBytes = 0;
  const logs: string[] = [];
  const decoder = new TextDecoder();
  const log = (level: string) => (msg: unknown) => {
    if (logs.length < MAX_LOG_LINES) logs.push(`${level}: ${String(msg)}`);
  };
  const logger = {
    trace: log('trace'),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    log: log('info'),
  } as unknown as Console;

  const captureStdio = (text: string) => {
    if (stdioFull) return;
    try {
      writeSync(2, text.slice(0, Math.max(0, job.stdioBytes - stdio.length)));
    } catch {
      // The parent reads this only if the process dies; losing it is not an error.
    }
    const room = job.stdioBytes - stdio.length;
    if (text.length > room) {
      stdio += text.slice(0, Math.max(0, room)) + '…';
      stdioFull = true;
    } else stdio += text;
  };

  const network: NetworkGrant = job.network ?? { allowedHosts: [], requestedHosts: [], maxResponseBytes: 0 };
  let httpStatus = 0;
  const httpFunctions = {
    http_request: (cc: CallContext, reqAddr: bigint, bodyAddr: bigint): bigint => {
      const reqBlock = cc.read(reqAddr);
      if (reqBlock === null) throw new HttpError('HTTP request is invalid: no request block at the given address');
      const bodyBlock = bodyAddr === 0n ? null : cc.read(bodyAddr);
      const req = parseHttpRequest(reqBlock.string(), bodyBlock ? bodyBlock.bytes().slice() : null);
      const res = httpRequest(req, network, (level, line) => logger[level](line));
      httpStatus = res.status;
      hostBytes += res.body.length;
      if (hostBytes > job.hostMemoryBytes) throw new HostMemoryExceeded(res.body.length);
      return cc.store(res.body);
    },
    http_status_code: (): number => httpStatus,
  };

  const wrapImports = (imports: WasmImports): WasmImports => {
    const env = { ...(imports['extism:host/env'] as Record<string, (...a: never[]) => unknown>) } as Record<
      string,
      (...a: any[]) => any
    >;
    const alloc = env.alloc!;
    const free = env.free!;
    const length = env.length!;
    env.alloc = (n: bigint) => {
      hostBytes += Number(n);
      if (hostBytes > job.hostMemoryBytes) throw new HostMemoryExceeded(Number(n));
      return alloc(n);
    };
    env.free = (addr: bigint) => {
      hostBytes -= Number(length(BigInt(addr)));
      return free(addr);
    };
    env.get_log_level ??= () => 0; // trace: the host decides what to keep.
    env.log_trace ??= (addr: bigint) => env.log_debug!(addr);
    env.http_headers ??= () => 0n;
    const wasi = { ...(imports['wasi_snapshot_preview1'] as Record<string, (...a: any[]) => any>) };
    const fdWrite = wasi.fd_write!;
    wasi.fd_write = (fd: number, iovs: number, iovsLen: number, nwritten: number) => {
      if ((fd !== 1 && fd !== 2) || !memory) return fdWrite(fd, iovs, iovsLen, nwritten);
      const view = new DataView(memory.buffer);
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view.getUint32(iovs + i * 8, true);
        const len = view.getUint32(iovs + i * 8 + 4, true);
        captureStdio(decoder.decode(new Uint8Array(memory.buffer, ptr, len)));
        total += len;
      }
      view.setUint32(nwritten, total, true);
      return 0;
    };
    wasi.proc_exit = (code: number) => {
      throw new ProcExit(code);
    };
    return { ...imports, 'extism:host/env': env, wasi_snapshot_preview1: wasi };
  };

  const patched = async (mod: WasmModule, imports: WasmImports = {}): Promise<WasmInstance> => {
    const instance = await original(mod, wrapImports(imports));
    memory = instance.exports.memory as WasmMemory;
    const exports: Record<string, unknown> = { ...instance.exports };
    const entry = instance.exports[job.entry];
    if (typeof entry === 'function') {
      exports[job.entry] = (...args: unknown[]) => {
        const r = (entry as (...a: unknown[]) => unknown)(...args);
        status = typeof r === 'number' ? r : 0;
        return r;
      };
    }
    return { exports: Object.freeze(exports) };
  };

  const base = { id: job.id, output: null, stdio: '', logs, memoryPages: 0, instantiateMs: 0, callMs: 0 };
  const t0 = performance.now();
  let plugin;
  const original = setInstantiate(patched);
  try {
    plugin = await createPlugin(
      { wasm: [{ module: module as never }] },
      {
        useWasi: true,
        config: job.config,
        allowedPaths: job.allowedPaths,
        logger,
        enableWasiOutput: false,
        functions: { 'extism:host/env': httpFunctions },
      },
    );
  } catch (err) {
    const outcome = classify(err);
    return { ...base, ...outcome, stdio, memoryPages: pages(memory), instantiateMs: performance.now() - t0 };
  } finally {
    setInstantiate(original);
  }
  const t1 = performance.now();
  try {
    if (!(await plugin.functionExists(job.entry))) {
      return {
        ...base,
        kind: 'setup',
        status: -1,
        error: `the module does not export a function ${JSON.stringify(job.entry)}`,
      };
    }
    let output: Uint8Array | null = null;
    let error: string | null = null;
    try {
      // A fresh copy: IPC hands us a Buffer view into a pool, and the SDK ignores byteOffset.
      const out = await plugin.call(job.entry, new Uint8Array(job.input));
      output = out ? out.bytes().slice() : null;
    } catch (err) {
      if (status === undefined) {
        const outcome = classify(err);
        return {
          ...base,
          ...outcome,
          stdio,
          memoryPages: pages(memory),
          instantiateMs: t1 - t0,
          callMs: performance.now() - t1,
        };
      }
      // The entry returned and set an Extism error: the SDK turns that into a throw.
      error = (err as Error).message.replace(/^Plugin-originated error: /, '');
    }
    const callMs = performance.now() - t1;
    return {
      ...base,
      kind: 'returned',
      status: status ?? 0,
      output,
      error,
      stdio,
      memoryPages: pages(memory),
      instantiateMs: t1 - t0,
      callMs,
    };
  } finally {
    await plugin.close().catch(() => {});
  }
}

function pages(memory: WasmMemory | undefined): number {
  return memory ? memory.buffer.byteLength / 65536 : 0;
}

function classify(err: unknown): Pick<WorkerOutcome, 'kind' | 'status' | 'error'> {
  if (err instanceof ProcExit) return { kind: 'exited', status: err.code, error: null };
  if (err instanceof HttpError) return { kind: 'network', status: -1, error: err.message };
  if (err instanceof HostMemoryExceeded) {
    return {
      kind: 'host-memory',
      status: -1,
      error: `Extism host memory allocation of ${err.requested} bytes refused`,
    };
  }
  const e = err as Error;
  const name = e?.constructor?.name ?? 'Error';
  return {
    kind: 'trapped',
    status: -1,
    error: `${name === 'RuntimeError' ? 'wasm trap' : name}: ${e?.message ?? String(err)}`,
  };
}

process.on('message', (job: WorkerJob) => {
  run(job).then(
    (outcome) => process.send!(outcome),
    (err: unknown) => {
      process.send!({
        id: job.id,
        kind: 'setup',
        status: -1,
        output: null,
        error: `host worker failed: ${(err as Error)?.stack ?? String(err)}`,
        stdio: '',
        logs: [],
        memoryPages: 0,
        instantiateMs: 0,
        callMs: 0,
      } satisfies WorkerOutcome);
    },
  );
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
