/**
 * leader: leader election with a coordination.k8s.io/v1 Lease, as client-go's leaderelection does
 * it: acquire when the lease is free or expired (optimistic concurrency on resourceVersion), renew
 * every `renewMs`, give up leadership when a renewal cannot succeed before the lease would expire,
 * and release the lease on a clean shutdown so a standby takes over at once.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { KubeApiError, type KubeClient } from '../apply/kubeclient.js';

export interface LeaderOptions {
  namespace: string;
  name: string;
  /** identity of this process (default hostname_random). */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log?: (msg: string) => void;
  warn?: (msg: string) => void;
}

/** microTime formats a Date as metav1.MicroTime (RFC 3339 with exactly six fractional digits). */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

interface Lease {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export class LeaderElector {
  readonly identity: string;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private lease?: Lease;
  private leading = false;

  constructor(
    private readonly client: KubeClient,
    private readonly o: LeaderOptions,
  ) {
    this.identity = o.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
    this.leaseMs = o.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = o.renewDeadlineMs ?? 10_000;
    this.retryMs = o.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${this.o.namespace}/leases`;
    return name ? `${base}/${name}` : base;
  }

  /** tryAcquireOrRenew makes one attempt; true when this process holds the lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const spec = (prev?: Lease['spec']): Lease['spec'] => ({
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
      acquireTime: prev?.holderIdentity === this.identity ? prev.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions:
        (prev?.leaseTransitions ?? 0) + (prev?.holderIdentity && prev.holderIdentity !== this.identity ? 1 : 0),
    });
    let current: Lease | undefined;
    try {
      current = await this.client.request<Lease>('GET', this.path(this.o.name));
    } catch (e) {
      if (!(e instanceof KubeApiError && e.code === 404)) throw e;
    }
    if (!current) {
      try {
        this.lease = await this.client.request<Lease>('POST', this.path(), {
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: this.o.name, namespace: this.o.namespace },
            spec: spec(),
          },
        });
        return true;
      } catch (e) {
        if (e instanceof KubeApiError && e.code === 409) return false;
        throw e;
      }
    }
    const holder = current.spec.holderIdentity;
    const renewed = current.spec.renewTime ? Date.parse(current.spec.renewTime) : 0;
    const duration = (current.spec.leaseDurationSeconds ?? Math.ceil(this.leaseMs / 1000)) * 1000;
    if (holder && holder !== this.identity && renewed + duration > now.getTime()) return false;
    try {
      this.lease = await this.client.request<Lease>('PUT', this.path(this.o.name), {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { ...current.metadata },
          spec: spec(current.spec),
        },
      });
      return true;
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 409) return false;
      throw e;
    }
  }

  /**
   * run waits until this process leads, calls `onStartedLeading`, keeps renewing, and calls
   * `onStoppedLeading` when leadership is lost (the caller exits the process). Resolves when the
   * signal aborts (after releasing the lease).
   */
  async run(signal: AbortSignal, onStartedLeading: () => void, onStoppedLeading: () => void): Promise<void> {
    const sleep = (ms: number) =>
      new Promise<void>((r) => {
        const t = setTimeout(r, ms);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            r();
          },
          { once: true },
        );
      });
    while (!signal.aborted && !this.leading) {
      try {
        if (await this.tryAcquireOrRenew()) {
          this.leading = true;
          this.o.log?.(`acquired lease ${this.o.namespace}/${this.o.name} as ${this.identity}`);
          onStartedLeading();
          break;
        }
      } catch (e) {
        (this.o.warn ?? this.o.log)?.(`leader election: ${(e as Error).message}`);
      }
      await sleep(this.retryMs);
    }
    let lastRenew = Date.now();
    while (!signal.aborted && this.leading) {
      await sleep(this.retryMs);
      if (signal.aborted) break;
      try {
        if (await this.tryAcquireOrRenew()) lastRenew = Date.now();
        else throw new Error('lease taken by another holder');
      } catch (e) {
        if (Date.now() - lastRenew > this.renewDeadlineMs || (e as Error).message.includes('another holder')) {
          this.leading = false;
          this.o.log?.(`lost lease ${this.o.namespace}/${this.o.name}: ${(e as Error).message}`);
          onStoppedLeading();
          return;
        }
      }
    }
    if (this.leading) await this.release();
  }

  /** release gives the lease up so a standby can take over immediately. */
  async release(): Promise<void> {
    if (!this.leading || !this.lease) return;
    this.leading = false;
    try {
      await this.client.request('PUT', this.path(this.o.name), {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { ...this.lease.metadata },
          spec: { ...this.lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(new Date()) },
        },
      });
      this.o.log?.(`released lease ${this.o.namespace}/${this.o.name}`);
    } catch (e) {
      this.o.log?.(`releasing lease: ${(e as Error).message}`);
    }
  }
}
