/**
 * host: a pool of worker threads that run plugin calls. Each call gets a fresh instance of the
 * plugin in a worker; the pool keeps warm workers (the SDK loaded, compiled code shared) for the
 * next call. The parent holds the wall clock: a call that overruns has its worker terminated,
 * which stops any wasm, even a loop with no calls out, and the pool replaces the worker. Calls
 * that find every worker busy wait in a FIFO queue; their time limit starts when they run.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { WorkerJob, WorkerOutcome } from './worker.js';

/** WasmHostOptions configure a WasmHost; every field has a default. */
export interface WasmHostOptions {
  /** maxWorkers bounds concurrent plugin calls (default: max(2, available cores)). */
  maxWorkers?: number;
  /** workerHeapMb caps each worker's JS heap (default 256); wasm memory is capped separately. */
  workerHeapMb?: number;
}

/** CallRequest is what host.call needs besides the clock. */
export type CallRequest = Omit<WorkerJob, 'id'>;

/** CallResult is a worker's outcome, or the host's verdict when the worker did not answer. */
export type CallResult =
  | ({ verdict: 'answered' } & WorkerOutcome)
  | { verdict: 'timeout'; elapsedMs: number }
  | { verdict: 'crashed'; message: string; outOfMemory: boolean };

interface Slot {
  worker: Worker;
  busy: boolean;
  settle?: (r: CallResult) => void;
}

interface Waiter {
  req: CallRequest;
  timeoutMs: number;
  resolve: (r: CallResult) => void;
}

function newWorker(options: WorkerOptions): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url), options);
  // Under tsx (tests, benches) the worker is TypeScript too, and tsx's loader hooks do not reach
  // worker threads by themselves: register them in the worker before importing it.
  const url = new URL('./worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

/** WasmHost runs plugin calls in killable worker threads. Create one per process (see defaultHost). */
export class WasmHost {
  readonly #maxWorkers: number;
  readonly #heapMb: number;
  readonly #slots = new Set<Slot>();
  readonly #queue: Waiter[] = [];
  #nextId = 1;
  #closed = false;

  constructor(opts: WasmHostOptions = {}) {
    this.#maxWorkers = Math.max(1, opts.maxWorkers ?? Math.max(2, availableParallelism()));
    this.#heapMb = opts.workerHeapMb ?? 256;
  }

  /** size reports the live workers and how many are busy, for metrics and tests. */
  get size(): { workers: number; busy: number; queued: number } {
    let busy = 0;
    for (const s of this.#slots) if (s.busy) busy++;
    return { workers: this.#slots.size, busy, queued: this.#queue.length };
  }

  /** call runs one plugin call with a wall-clock limit; it never rejects for plugin behaviour. */
  call(req: CallRequest, timeoutMs: number): Promise<CallResult> {
    if (this.#closed) return Promise.resolve({ verdict: 'crashed', message: 'plugin host is closed', outOfMemory: false });
    return new Promise((resolve) => {
      this.#queue.push({ req, timeoutMs, resolve });
      this.#dispatch();
    });
  }

  /** close terminates every worker; queued calls resolve as crashed. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const w of this.#queue.splice(0)) w.resolve({ verdict: 'crashed', message: 'plugin host closed', outOfMemory: false });
    await Promise.all(
      [...this.#slots].map((s) => {
        s.settle?.({ verdict: 'crashed', message: 'plugin host closed', outOfMemory: false });
        return s.worker.terminate();
      }),
    );
    this.#slots.clear();
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      let slot = [...this.#slots].find((s) => !s.busy);
      if (!slot && this.#slots.size < this.#maxWorkers) slot = this.#spawn();
      if (!slot) return;
      this.#run(slot, this.#queue.shift()!);
    }
  }

  #spawn(): Slot {
    const worker = newWorker({
      resourceLimits: { maxOldGenerationSizeMb: this.#heapMb, maxYoungGenerationSizeMb: 32 },
      stdout: true, // the SDK must not write to our stdout; plugin stdio is captured in-thread
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    const slot: Slot = { worker, busy: false };
    worker.on('message', (msg: WorkerOutcome) => slot.settle?.({ verdict: 'answered', ...msg }));
    worker.on('error', (err: Error & { code?: string }) => {
      this.#retire(slot);
      slot.settle?.({
        verdict: 'crashed',
        message: err.message,
        outOfMemory: err.code === 'ERR_WORKER_OUT_OF_MEMORY',
      });
    });
    worker.on('exit', (code) => {
      this.#retire(slot);
      slot.settle?.({ verdict: 'crashed', message: `plugin worker exited with code ${code}`, outOfMemory: false });
    });
    worker.unref();
    this.#slots.add(slot);
    return slot;
  }

  #retire(slot: Slot): void {
    if (this.#slots.delete(slot) && !this.#closed) queueMicrotask(() => this.#dispatch());
  }

  #run(slot: Slot, w: Waiter): void {
    slot.busy = true;
    slot.worker.ref();
    const id = this.#nextId++;
    const started = performance.now();
    const timer = setTimeout(() => {
      // Retire first so the settle below cannot hand the dying worker the next call.
      this.#retire(slot);
      void slot.worker.terminate();
      settle({ verdict: 'timeout', elapsedMs: performance.now() - started });
    }, w.timeoutMs);
    const settle = (r: CallResult) => {
      if (r.verdict === 'answered' && r.id !== id) return;
      clearTimeout(timer);
      slot.settle = undefined;
      slot.busy = false;
      if (this.#slots.has(slot)) slot.worker.unref();
      w.resolve(r);
      this.#dispatch();
    };
    slot.settle = settle;
    const job: WorkerJob = { ...w.req, id };
    // The module is shared with the worker (compiled code is not copied); the input is copied.
    slot.worker.postMessage(job);
  }
}

let shared: WasmHost | undefined;

/** defaultHost is the process-wide WasmHost used when a caller passes none. */
export function defaultHost(): WasmHost {
  shared ??= new WasmHost();
  return shared;
}
