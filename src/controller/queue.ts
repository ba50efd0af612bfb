/**
 * queue: the work queue between watches and reconcilers, with controller-runtime's semantics. A key
 * is queued at most once; a key being processed is never handed to a second worker (if it is added
 * meanwhile it is marked dirty and queued again when done); failures back off exponentially per
 * key with jitter; `addAfter` schedules a key. Workers pull with `get()` and report with `done()`.
 */

export interface QueueOptions {
  /** baseDelayMs: first retry delay (default 1s). */
  baseDelayMs?: number;
  /** maxDelayMs: cap on the per-key backoff (default 5 minutes). */
  maxDelayMs?: number;
  /** onChange observes depth changes and adds, for metrics. */
  metrics?: {
    depth?: (n: number) => void;
    add?: () => void;
    retry?: () => void;
  };
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly base: number;
  private readonly max: number;

  constructor(private readonly opts: QueueOptions = {}) {
    this.base = opts.baseDelayMs ?? 1000;
    this.max = opts.maxDelayMs ?? 300_000;
  }

  /** add queues a key now (deduplicated). */
  add(key: string): void {
    if (this.shuttingDown) return;
    this.opts.metrics?.add?.();
    const t = this.timers.get(key);
    if (t) {
      clearTimeout(t.timer);
      this.timers.delete(key);
    }
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    const w = this.waiters.shift();
    if (w) {
      this.queued.delete(key);
      this.processing.set(key, Date.now());
      w(key);
    } else {
      this.queue.push(key);
    }
    this.opts.metrics?.depth?.(this.queue.length);
  }

  /** addAfter queues a key after a delay; an earlier pending schedule for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { at, timer });
  }

  /** addRateLimited re-queues a failed key after its exponential backoff (with ±10% jitter). */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min(this.max, this.base * 2 ** n) * (0.9 + Math.random() * 0.2);
    this.opts.metrics?.retry?.();
    this.addAfter(key, delay);
    return delay;
  }

  /** forget resets a key's backoff (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** retries is how many times in a row the key has failed. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** get waits for the next key; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.set(key, Date.now());
      this.opts.metrics?.depth?.(this.queue.length);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((r) => this.waiters.push(r));
  }

  /** done marks a key processed; if it was added meanwhile it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /** longestRunningSeconds is how long the oldest in-flight key has been processed. */
  longestRunningSeconds(): number {
    let oldest = Infinity;
    for (const t of this.processing.values()) oldest = Math.min(oldest, t);
    return oldest === Infinity ? 0 : (Date.now() - oldest) / 1000;
  }

  get depth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  /** shutdown stops handing out keys and cancels scheduled ones. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }
}
