/**
 * events: Kubernetes Events on HelmReleases, aggregated rather than flooding: the same reason and
 * message on the same object within the aggregation window bumps `count` and `lastTimestamp` of
 * the existing Event instead of creating a new one. Messages never carry secret values.
 */
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../apply/kubeclient.js';
import type { HelmRelease } from './types.js';

const AGGREGATION_WINDOW_MS = 10 * 60_000;
const MAX_TRACKED = 4096;

export class EventRecorder {
  private readonly recent = new Map<string, { name: string; namespace: string; count: number; at: number }>();

  constructor(
    private readonly client: KubeClient,
    private readonly component = 'capstan',
    private readonly onError?: (e: unknown) => void,
  ) {}

  /** event records a Normal or Warning event on a HelmRelease; never throws. */
  async event(hr: HelmRelease, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const msg = message.length > 1024 ? message.slice(0, 1021) + '...' : message;
    const key = `${hr.metadata.uid}/${type}/${reason}/${msg}`;
    const now = new Date();
    const prev = this.recent.get(key);
    try {
      if (prev && now.getTime() - prev.at < AGGREGATION_WINDOW_MS) {
        prev.count++;
        prev.at = now.getTime();
        await this.client.request('PATCH', `/api/v1/namespaces/${prev.namespace}/events/${prev.name}`, {
          body: { count: prev.count, lastTimestamp: now.toISOString() },
          contentType: 'application/merge-patch+json',
        });
        return;
      }
      const name = `${hr.metadata.name}.${randomBytes(8).toString('hex')}`;
      await this.client.request('POST', `/api/v1/namespaces/${hr.metadata.namespace}/events`, {
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace: hr.metadata.namespace },
          involvedObject: {
            apiVersion: hr.apiVersion,
            kind: hr.kind,
            name: hr.metadata.name,
            namespace: hr.metadata.namespace,
            uid: hr.metadata.uid,
            resourceVersion: hr.metadata.resourceVersion,
          },
          reason,
          message: msg,
          type,
          count: 1,
          firstTimestamp: now.toISOString(),
          lastTimestamp: now.toISOString(),
          source: { component: this.component },
          reportingComponent: this.component,
        },
      });
      this.recent.set(key, { name, namespace: hr.metadata.namespace, count: 1, at: now.getTime() });
      if (this.recent.size > MAX_TRACKED) this.recent.delete(this.recent.keys().next().value!);
    } catch (e) {
      this.recent.delete(key);
      this.onError?.(e);
    }
  }
}
