/**
 * host: a pool of worker processes that run plugin calls. Each call gets a fresh instance of the
 * plugin in a worker; the pool keeps warm workers (modules compiled, the next instance ready) for
 * the next call. The parent holds the wall clock: a call that overruns has its worker killed, which stops
 * any wasm, even a loop with no calls out, and the pool starts another worker on demand. Calls
 * that find every worker busy wait in a FIFO queue; their time limit starts when they run.
 *
 * Workers are processes rather than threads so that nothing a plugin does, including crashing
 * V8, can take the operator down; the cost is one compile of each module per worker.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerJob, WorkerOutcome } from './worker.js';

/** WasmHostOptions configure a WasmHost; every field has a default. */
export interface WasmHostOptions {
  /** maxWorkers bounds concurrent plugin calls (default: max(2, available cores)). */
  maxWorkers?: number;
  /** workerHeapMb caps each worker's JS heap (default 256); wasm memory is capped separately. */
  workerHeapMb?: number;
}

/** CallRequest is one call: the memory-limited module (by key and bytes) and its inputs. */
export type CallRequest = Omit<WorkerJob, 'id' | 'wasm' | 'input' | 'outputFile'> & {
  wasm: Uint8Array;
  /** input is the input message's bytes (JSON). */
  input: Uint8Array;
};

/** CallOutcome is a worker's answer with the output message's bytes read. */
export type CallOutcome = Omit<WorkerOutcome, 'outputLength'> & {
  /** output is the output message's bytes (null: none was set, or see outputError). */
  output: Buffer | null;
};

/** CallResult is a worker's outcome, or the host's verdict when the worker did not answer. */
export type CallResult =
  | ({ verdict: 'answered' } & CallOutcome)
  | { verdict: 'timeout'; elapsedMs: number }
  | { verdict: 'crashed'; message: string; stderr: string };

/** MAX_MODULES_PER_WORKER recycles a worker once it has compiled this many distinct modules. */
const MAX_MODULES_PER_WORKER = 16;

/** MAX_CRASH_STDERR bounds the worker stderr kept for a crash report. */
const MAX_CRASH_STDERR = 16 * 1024;

interface Slot {
  child: ChildProcess;
  /** inFile and outFile carry this worker's messages (see WorkerJob.input). */
  inFile: string;
  outFile: string;
  /** ready is set when the worker has loaded and said so; calls (and their clocks) start then. */
  ready: boolean;
  busy: boolean;
  modules: Set<string>;
  stderr: string;
  settle?: (r: CallResult) => void;
}

interface Waiter {
  req: CallRequest;
  timeoutMs: number;
  resolve: (r: CallResult) => void;
}

/** LOADER_FLAGS are the node flags a worker inherits: those that decide how modules load. */
const LOADER_FLAGS = ['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C'];

function workerEntry(): { path: string; execArgv: string[] } {
  const ts = import.meta.url.endsWith('.ts');
  const path = fileURLToPath(new URL(ts ? './worker.ts' : './worker.js', import.meta.url));
  // Keep module loader flags (tsx under tests and benches) and their values; drop the rest
  // (test-runner flags, whose values would read as a script to run, and inspector flags).
  const inherited: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (LOADER_FLAGS.includes(a) && i + 1 < argv.length) inherited.push(a, argv[++i]!);
    else if (LOADER_FLAGS.some((f) => a.startsWith(`${f}=`))) inherited.push(a);
  }
  const loader = ts && !inherited.some((a) => a.includes('tsx')) ? ['--import', 'tsx'] : [];
  return { path, execArgv: [...inherited, ...loader, '--no-warnings'] };
}

/** WasmHost runs plugin calls in killable worker processes. Create one per process (see defaultHost). */
export class WasmHost {
  readonly #maxWorkers: number;
  readonly #heapMb: number;
  readonly #slots = new Set<Slot>();
  readonly #queue: Waiter[] = [];
  #nextId = 1;
  #nextSlot = 1;
  /** #dir is the private directory of message files, made with the first worker. */
  #dir: string | undefined;
  readonly #removeDir = () => {
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
  };
  #closed = false;

  constructor(opts: WasmHostOptions = {}) {
    this.#maxWorkers = Math.max(1, opts.maxWorkers ?? Math.max(2, availableParallelism()));
    this.#heapMb = opts.workerHeapMb ?? 256;
  }

  /** size reports the live workers, how many are busy and how many calls wait, for metrics and tests. */
  get size(): { workers: number; busy: number; queued: number } {
    let busy = 0;
    for (const s of this.#slots) if (s.busy) busy++;
    return { workers: this.#slots.size, busy, queued: this.#queue.length };
  }

  /** call runs one plugin call with a wall-clock limit; it never rejects for plugin behaviour. */
  call(req: CallRequest, timeoutMs: number): Promise<CallResult> {
    if (this.#closed) return Promise.resolve({ verdict: 'crashed', message: 'plugin host is closed', stderr: '' });
    return new Promise((resolve) => {
      this.#queue.push({ req, timeoutMs, resolve });
      this.#dispatch();
    });
  }

  /** close kills every worker; queued and running calls resolve as crashed. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#queue.splice(0)) w.resolve({ verdict: 'crashed', message: 'plugin host closed', stderr: '' });
    const exits = [...this.#slots].map((s) => {
      s.settle?.({ verdict: 'crashed', message: 'plugin host closed', stderr: '' });
      return this.#kill(s);
    });
    this.#slots.clear();
    await Promise.all(exits);
    this.#removeDir();
    process.off('exit', this.#removeDir);
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      const slot = [...this.#slots].find((s) => s.ready && !s.busy);
      if (!slot) {
        const starting = [...this.#slots].filter((s) => !s.ready).length;
        if (starting < this.#queue.length && this.#slots.size < this.#maxWorkers) this.#spawn();
        return;
      }
      this.#run(slot, this.#queue.shift()!);
    }
  }

  #spawn(): Slot {
    const { path, execArgv } = workerEntry();
    const child = fork(path, [], {
      execArgv: [...execArgv, `--max-old-space-size=${this.#heapMb}`],
      // The worker uses no relative paths; its own directory lets a development loader
      // (`--import tsx`) resolve whatever the operator's working directory is.
      cwd: dirname(path),
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { PATH: process.env.PATH ?? '', NODE_ENV: process.env.NODE_ENV ?? '' }, // no credentials
    });
    if (this.#dir === undefined) {
      this.#dir = mkdtempSync(join(messageDirRoot(), 'capstan-wasm-'));
      // A host that is never closed (the process-wide one) still leaves nothing behind.
      process.once('exit', this.#removeDir);
    }
    const n = this.#nextSlot++;
    const slot: Slot = {
      child,
      inFile: join(this.#dir, `${n}.in.json`),
      outFile: join(this.#dir, `${n}.out.json`),
      ready: false,
      busy: false,
      modules: new Set(),
      stderr: '',
    };
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      if (slot.stderr.length < MAX_CRASH_STDERR) slot.stderr += d;
    });
    child.on('message', (msg: WorkerOutcome | { ready: true }) => {
      if ('ready' in msg) {
        slot.ready = true;
        this.#dispatch();
      } else slot.settle?.({ verdict: 'answered', ...readOutput(slot, msg) });
    });
    child.on('error', (err) => {
      this.#retire(slot);
      slot.settle?.({ verdict: 'crashed', message: `plugin worker failed: ${err.message}`, stderr: slot.stderr });
    });
    child.on('exit', (code, signal) => {
      this.#retire(slot);
      if (!slot.ready && !this.#closed && !slot.settle) {
        // A worker that dies while starting fails the oldest waiting call rather than looping.
        const w = this.#queue.shift();
        setImmediate(() =>
          w?.resolve({
            verdict: 'crashed',
            message: `plugin worker process failed to start (code ${code}, ${signal ?? 'no signal'})`,
            stderr: slot.stderr,
          }),
        );
      }
      // stderr may still be in the pipe: give it a turn before reporting.
      setImmediate(() =>
        slot.settle?.({
          verdict: 'crashed',
          message: `plugin worker process ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`,
          stderr: slot.stderr,
        }),
      );
    });
    // A new worker is wanted by a queued call: it stays referenced until it goes idle.
    this.#slots.add(slot);
    return slot;
  }

  #kill(slot: Slot): Promise<void> {
    if (slot.child.exitCode !== null || slot.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      slot.child.ref(); // keep the event loop alive until the exit is seen
      slot.child.once('exit', () => resolve());
      slot.child.kill('SIGKILL');
    });
  }

  #retire(slot: Slot): void {
    if (!this.#slots.delete(slot)) return;
    rmSync(slot.inFile, { force: true });
    rmSync(slot.outFile, { force: true });
    if (!this.#closed) queueMicrotask(() => this.#dispatch());
  }

  #run(slot: Slot, w: Waiter): void {
    slot.busy = true;
    slot.stderr = '';
    slot.child.ref();
    (slot.child.channel as { ref?: () => void } | undefined)?.ref?.();
    const id = this.#nextId++;
    const started = performance.now();
    const timer = setTimeout(() => {
      // Retire first so the settle below cannot hand the dying worker the next call.
      this.#retire(slot);
      void this.#kill(slot);
      settle({ verdict: 'timeout', elapsedMs: performance.now() - started });
    }, w.timeoutMs);
    const settle = (r: CallResult) => {
      if (r.verdict === 'answered' && r.id !== id) return;
      clearTimeout(timer);
      slot.settle = undefined;
      slot.busy = false;
      // A worker whose guest trapped is not trusted with another call: V8 has been seen to
      // crash later in a process where a Go guest trapped out of memory (see worker.ts).
      const trapped = r.verdict === 'answered' && (r.kind === 'trapped' || r.kind === 'host-memory');
      if (this.#slots.has(slot) && (trapped || slot.modules.size >= MAX_MODULES_PER_WORKER)) {
        this.#retire(slot);
        void this.#kill(slot);
      }
      w.resolve(r);
      this.#dispatch();
      if (this.#slots.has(slot) && !slot.busy) {
        // Idle workers must not keep the operator (or a test) alive.
        slot.child.unref();
        (slot.child.channel as { unref?: () => void } | undefined)?.unref?.();
      }
    };
    slot.settle = settle;
    const { wasm, input, ...rest } = w.req;
    try {
      writeFileSync(slot.inFile, input);
    } catch (err) {
      settle({ verdict: 'crashed', message: `writing the input message: ${(err as Error).message}`, stderr: '' });
      return;
    }
    const job: WorkerJob = {
      ...rest,
      id,
      input: { file: slot.inFile, length: input.length },
      outputFile: slot.outFile,
    };
    if (!slot.modules.has(w.req.moduleKey)) {
      job.wasm = wasm;
      slot.modules.add(w.req.moduleKey);
    }
    slot.child.send(job);
  }
}

/**
 * messageDirRoot is where message files go: /dev/shm (tmpfs: they never touch a disk) when it
 * has room for large releases (a container's default is only 64 MiB), else the temp directory.
 */
function messageDirRoot(): string {
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= 256 * 1024 * 1024) return '/dev/shm';
  } catch {
    // no /dev/shm
  }
  return tmpdir();
}

/** readOutput reads the output message a worker wrote. */
function readOutput(slot: Slot, msg: WorkerOutcome): CallOutcome {
  const { outputLength, ...rest } = msg;
  if (outputLength < 0) return { ...rest, output: null };
  try {
    const bytes = readFileSync(slot.outFile);
    if (bytes.length !== outputLength) throw new Error(`${bytes.length} bytes, expected ${outputLength}`);
    return { ...rest, output: bytes };
  } catch (err) {
    return { ...rest, output: null, outputError: `reading the output message: ${(err as Error).message}` };
  }
}

let shared: WasmHost | undefined;

/** defaultHost is the process-wide WasmHost used when a caller passes none. */
export function defaultHost(): WasmHost {
  shared ??= new WasmHost();
  return shared;
}
