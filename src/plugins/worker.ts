/**
 * worker: the body of a plugin worker process. It runs one call at a time on a fresh instance of
 * the (memory-limited) module: the guest's `extism:host/env` imports are Capstan's kernel
 * (kernel.ts: the memory functions are wasm, so the hot calls never enter JavaScript) plus the
 * host functions written here; `wasi_snapshot_preview1` is Node's WASI with no preopens unless the
 * job grants a temp dir. The parent owns the clock and kills this process when a call overruns;
 * nothing here needs to be interruptible. Plugins run in a process, not a thread, because a V8
 * crash must not take the operator down: Node 20 segfaults now and then when a Go guest traps
 * after running out of memory (see docs/postrenderers.md).
 *
 * What the host adds around the guest:
 * - the entry function's i32 result is the exit status (as in Helm), and `proc_exit` becomes an
 *   exception carrying its code;
 * - stdout/stderr (fd 1 and 2) are captured, mirrored synchronously to this process's stderr so
 *   the parent still has them if the process dies;
 * - the kernel's heap (input, blocks the guest allocates, HTTP bodies, variables) is capped by
 *   the job's host memory budget;
 * - `http_request`/`http_status_code` go through http.ts under the job's network grant; a refused
 *   or failed request throws, which fails the call (as an Extism host function error does);
 * - after a call, the next instance of the same module is made ready while the worker is idle
 *   (wasm instantiation and the guest runtime's `_initialize`), so a call starts on a warm one.
 *   Instances are never reused: each call gets its own.
 */
import { closeSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { devNull } from 'node:os';
import { WASI } from 'node:wasi';
import { httpRequest, HttpError, parseHttpRequest, type NetworkGrant } from './http.js';
import { Kernel, MEMORY_FUNCTIONS, type HostFunction } from './kernel.js';
import { wasm, type WasmInstance, type WasmMemory, type WasmModule } from './wasm-api.js';

/** WorkerJob is one call, sent by host.ts. */
export interface WorkerJob {
  id: number;
  /** moduleKey names the memory-limited module; the worker compiles each key once. */
  moduleKey: string;
  /** wasm is the memory-limited binary; sent only when the worker has not seen moduleKey. */
  wasm?: Uint8Array;
  entry: string;
  /**
   * input is the file holding the input message (JSON, written by the host) and its length; the
   * worker reads it straight into the call's input. Messages travel through files in the host's
   * private directory (tmpfs when it has room, see host.ts): a 500 KB release through the IPC
   * channel costs ten times as much.
   */
  input: { file: string; length: number };
  /** outputFile is where the worker writes the output message's bytes. */
  outputFile: string;
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
  /** outputLength is the length of the output message written to the job's outputFile; -1: none. */
  outputLength: number;
  /** outputError says why there is no output message although the plugin set an output. */
  outputError?: string;
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

/** nullFds: stdin reads EOF; WASI output to fds other than 1 and 2 goes nowhere. */
let nullFds: { stdin: number; stdout: number } | undefined;

/** CallState is what one instance's host functions read and record; the job fills it in. */
interface CallState {
  job: WorkerJob | undefined;
  memory: WasmMemory | undefined;
  stdio: string;
  stdioFull: boolean;
  logs: string[];
  vars: Map<string, Uint8Array>;
  varBytes: number;
  httpStatus: number;
}

/** Instance is a ready guest: instantiated, initialized, not yet called. */
interface Instance {
  moduleKey: string;
  state: CallState;
  kernel: Kernel;
  exports: Record<string, unknown>;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function captureStdio(state: CallState, limit: number, text: string): void {
  if (state.stdioFull) return;
  try {
    writeSync(2, text.slice(0, Math.max(0, limit - state.stdio.length)));
  } catch {
    // The parent reads this only if the process dies; losing it is not an error.
  }
  const room = limit - state.stdio.length;
  if (text.length > room) {
    state.stdio += text.slice(0, Math.max(0, room)) + '…';
    state.stdioFull = true;
  } else state.stdio += text;
}

/**
 * instantiate makes a ready instance of the job's module. `job` supplies what instantiation
 * needs (module, preopens, stdio limit); the call's own inputs are read from the state later.
 */
async function instantiate(job: WorkerJob): Promise<Instance> {
  const module = await moduleFor(job);
  const state: CallState = {
    job,
    memory: undefined,
    stdio: '',
    stdioFull: false,
    logs: [],
    vars: new Map(),
    varBytes: 0,
    httpStatus: 0,
  };
  const kernel = await Kernel.create((requested) => {
    throw new HostMemoryExceeded(Number(requested));
  });
  const current = () => state.job!;
  const log = (level: string) => (p: bigint) => {
    if (state.logs.length >= MAX_LOG_LINES) return;
    const bytes = kernel.read(p);
    state.logs.push(`${level}: ${bytes ? decoder.decode(bytes) : ''}`);
  };
  const readString = (p: bigint) => {
    const bytes = kernel.read(p);
    return bytes === null ? null : decoder.decode(bytes);
  };
  const host: Record<HostFunction, (...a: any[]) => unknown> = {
    config_get: (p: bigint): bigint => {
      const key = readString(p);
      const config = current().config;
      if (key === null || !Object.hasOwn(config, key)) return 0n;
      return kernel.store(encoder.encode(config[key]));
    },
    var_get: (p: bigint): bigint => {
      const key = readString(p);
      const value = key === null ? undefined : state.vars.get(key);
      return value === undefined ? 0n : kernel.store(value);
    },
    var_set: (p: bigint, v: bigint): void => {
      const key = readString(p);
      if (key === null) return;
      state.varBytes -= state.vars.get(key)?.length ?? 0;
      state.vars.delete(key);
      if (v === 0n) return;
      const value = kernel.read(v) ?? new Uint8Array();
      state.varBytes += value.length;
      if (state.varBytes > current().hostMemoryBytes) throw new HostMemoryExceeded(value.length);
      state.vars.set(key, value);
    },
    log_trace: log('trace'),
    log_debug: log('debug'),
    log_info: log('info'),
    log_warn: log('warn'),
    log_error: log('error'),
    get_log_level: () => 0, // trace: the host decides what to keep.
    http_request: (reqAddr: bigint, bodyAddr: bigint): bigint => {
      const reqText = readString(reqAddr);
      if (reqText === null) throw new HttpError('HTTP request is invalid: no request block at the given address');
      const body = bodyAddr === 0n ? null : kernel.read(bodyAddr);
      const req = parseHttpRequest(reqText, body);
      const network: NetworkGrant = current().network ?? { allowedHosts: [], requestedHosts: [], maxResponseBytes: 0 };
      const res = httpRequest(req, network, (level, line) => {
        if (state.logs.length < MAX_LOG_LINES) state.logs.push(`${level}: ${line}`);
      });
      state.httpStatus = res.status;
      return kernel.store(res.body);
    },
    http_status_code: (): number => state.httpStatus,
    http_headers: (): bigint => 0n,
  };
  const env: Record<string, unknown> = { ...host };
  for (const name of MEMORY_FUNCTIONS) env[name] = kernel.exports[name];

  nullFds ??= { stdin: openSync(devNull, 'r'), stdout: openSync(devNull, 'w') };
  const wasi = new WASI({
    version: 'preview1',
    args: [],
    env: {},
    preopens: job.allowedPaths,
    stdin: nullFds.stdin,
    stdout: nullFds.stdout,
    stderr: nullFds.stdout,
  });
  const wasiImport = { ...(wasi.wasiImport as Record<string, (...a: any[]) => any>) };
  const fdWrite = wasiImport.fd_write!;
  wasiImport.fd_write = (fd: number, iovs: number, iovsLen: number, nwritten: number) => {
    const memory = state.memory;
    if ((fd !== 1 && fd !== 2) || !memory) return fdWrite(fd, iovs, iovsLen, nwritten);
    const view = new DataView(memory.buffer);
    let total = 0;
    for (let i = 0; i < iovsLen; i++) {
      const ptr = view.getUint32(iovs + i * 8, true);
      const len = view.getUint32(iovs + i * 8 + 4, true);
      captureStdio(state, current().stdioBytes, decoder.decode(new Uint8Array(memory.buffer, ptr, len)));
      total += len;
    }
    view.setUint32(nwritten, total, true);
    return 0;
  };
  wasiImport.proc_exit = (code: number) => {
    throw new ProcExit(code);
  };

  const instance: WasmInstance = await wasm.instantiate(module, {
    'extism:host/env': env,
    wasi_snapshot_preview1: wasiImport,
    env: {},
  });
  const exports = instance.exports;
  const memory = exports.memory as WasmMemory | undefined;
  if (!memory) throw new SetupError('the module does not export a memory');
  state.memory = memory;
  // As the Extism SDKs do: a reactor's _initialize runs once (through WASI, which requires it);
  // a command only gets WASI's memory set up; a Haskell guest's runtime starts with hs_init.
  const w = wasi as unknown as { initialize(i: unknown): void; start(i: unknown): void };
  if (typeof exports._initialize === 'function')
    w.initialize({ exports: { memory, _initialize: exports._initialize } });
  else w.start({ exports: { memory, _start: () => {} } });
  if (typeof exports.hs_init === 'function') (exports.hs_init as () => void)();
  return { moduleKey: job.moduleKey, state, kernel, exports };
}

class SetupError extends Error {}

/**
 * callGuest calls the guest's entry in a frame of its own and hands back what it returned or
 * threw. Keep it this small: under Node 20, a Go guest trapping after memory.grow failed has been
 * seen to leave garbage in the locals of the JavaScript frame that catches the trap.
 */
function callGuest(entry: () => unknown): { returned: unknown } | { thrown: unknown } {
  try {
    return { returned: entry() };
  } catch (thrown) {
    return { thrown };
  }
}

/** spare is the next instance, made while idle after a call (only for jobs with no preopens). */
let spare: { moduleKey: string; instance: Promise<Instance> } | undefined;

function takeInstance(job: WorkerJob): Promise<Instance> {
  const s = spare;
  spare = undefined;
  if (s && s.moduleKey === job.moduleKey && Object.keys(job.allowedPaths).length === 0) return s.instance;
  s?.instance.catch(() => undefined);
  return instantiate(job);
}

function prepareSpare(job: WorkerJob): void {
  if (Object.keys(job.allowedPaths).length > 0) return;
  const next = { ...job, wasm: undefined };
  const instance = instantiate(next);
  instance.catch(() => undefined); // surfaced when taken
  spare = { moduleKey: job.moduleKey, instance };
}

async function run(job: WorkerJob): Promise<WorkerOutcome> {
  const base = {
    id: job.id,
    outputLength: -1,
    stdio: '',
    logs: [] as string[],
    memoryPages: 0,
    instantiateMs: 0,
    callMs: 0,
  };
  const t0 = performance.now();
  let inst: Instance;
  try {
    inst = await takeInstance(job);
  } catch (err) {
    if (err instanceof SetupError)
      return { ...base, kind: 'setup', status: -1, error: err.message, instantiateMs: performance.now() - t0 };
    return { ...base, ...classify(err), instantiateMs: performance.now() - t0 };
  }
  const { state, kernel, exports } = inst;
  state.job = job;
  const t1 = performance.now();
  const outcome = (o: Pick<WorkerOutcome, 'kind' | 'status' | 'error'> & Partial<WorkerOutcome>): WorkerOutcome => ({
    ...base,
    stdio: state.stdio,
    logs: state.logs,
    memoryPages: pages(state.memory),
    instantiateMs: t1 - t0,
    callMs: performance.now() - t1,
    ...o,
  });
  const entry = exports[job.entry];
  if (typeof entry !== 'function') {
    return outcome({
      kind: 'setup',
      status: -1,
      error: `the module does not export a function ${JSON.stringify(job.entry)}`,
      callMs: 0,
    });
  }
  try {
    kernel.beginWith(job.input.length, job.hostMemoryBytes, (into) => readInput(job.input.file, into));
  } catch (err) {
    if (err instanceof SetupError || (err as NodeJS.ErrnoException).syscall !== undefined)
      return outcome({ kind: 'setup', status: -1, error: `reading the input message: ${(err as Error).message}` });
    return outcome(classify(err));
  }
  const called = callGuest(entry as () => unknown);
  if ('thrown' in called) return outcome(classify(called.thrown));
  const status = typeof called.returned === 'number' ? called.returned : 0;
  // An error set with error_set fails the call, whatever the status (as the Extism SDKs do).
  const error = kernel.error();
  let outputLength = -1;
  let outputError: string | undefined;
  try {
    const out = error === null ? kernel.outputView() : null;
    // An empty output is no message.
    if (out !== null && out.length > 0) {
      writeFileSync(job.outputFile, out);
      outputLength = out.length;
    }
  } catch (err) {
    outputError =
      err instanceof RangeError
        ? `output_set named bytes the plugin does not have: ${err.message}`
        : `writing the output message: ${(err as Error).message}`;
  }
  return outcome({ kind: 'returned', status, outputLength, outputError, error });
}

/** readInput fills `into` with the input file's bytes. */
function readInput(file: string, into: Uint8Array): void {
  const fd = openSync(file, 'r');
  try {
    let at = 0;
    while (at < into.length) {
      const n = readSync(fd, into, at, into.length - at, at);
      if (n === 0) throw new SetupError(`input message file ${file} is shorter than ${into.length} bytes`);
      at += n;
    }
  } finally {
    closeSync(fd);
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
    (outcome) => {
      // Make the next instance while idle, once the answer is written (a large one goes out in
      // pieces as the pipe drains, which needs this event loop); not after a trap: the host
      // retires this worker.
      const next = outcome.kind === 'returned' || outcome.kind === 'exited';
      process.send!(outcome, undefined, {}, () => {
        if (next) setImmediate(() => prepareSpare(job));
      });
    },
    (err: unknown) => {
      process.send!({
        id: job.id,
        kind: 'setup',
        status: -1,
        outputLength: -1,
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
