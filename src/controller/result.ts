/**
 * result: the reconcile contract. A reconciler gets a key (`namespace/name`) and returns a
 * ReconcileResult or throws. What the queue does with each outcome (see `worker.ts`):
 *
 * | outcome                         | queue                          | metric result |
 * |---------------------------------|--------------------------------|---------------|
 * | `{}`                            | forget                         | success       |
 * | `{ requeueAfterMs }`            | forget, then addAfter(delay)   | requeue       |
 * | throws `TerminalError`          | forget; nothing until a change | error         |
 * | throws anything else            | addRateLimited (backoff)       | error         |
 *
 * "Do not retry" is an error class (TerminalError: bad spec, bad chart, retries exhausted), never a
 * boolean. The reconciler writes the Stalled condition before throwing it.
 */

/** ReconcileAction labels what a reconcile did, for metrics and logs. */
export type ReconcileAction = 'install' | 'upgrade' | 'rollback' | 'uninstall' | 'drift' | 'noop' | 'test' | 'unlock';

export interface ReconcileResult {
  /** requeueAfterMs: reconcile this key again after this long (the release's interval, or a wait). */
  requeueAfterMs?: number;
  /** action: what this reconcile did. */
  action?: ReconcileAction;
}

/** TerminalError ends retries for the current generation: only a change starts work again. */
export class TerminalError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TerminalError';
  }
}
