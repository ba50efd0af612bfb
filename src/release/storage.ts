/**
 * storage: Helm-compatible release storage in Secrets (Helm's "secrets" driver), with history,
 * locking through pending statuses and maxHistory pruning. Records are decoded on demand and never
 * cached, so memory stays flat however many releases there are.
 */
import { ApiException, type CoreV1Api, type V1Secret } from '@kubernetes/client-node';
import { decodeRecord, encodeRecord, recordDigest, secretName, type ReleaseRecord } from './record.js';

/** StoredRelease is a record together with what identifies its stored form. */
export interface StoredRelease {
  record: ReleaseRecord;
  /** digest of the stored `release` value (see recordDigest). */
  digest: string;
  secretName: string;
}

export class StorageError extends Error {
  constructor(
    message: string,
    readonly release: string,
    readonly namespace: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}

const RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

/** ReleaseStorage reads and writes one namespace's Helm release Secrets. */
export class ReleaseStorage {
  constructor(
    private readonly core: CoreV1Api,
    readonly namespace: string,
  ) {}

  /** history returns every stored revision of a release, oldest first. */
  async history(release: string): Promise<StoredRelease[]> {
    let list;
    try {
      list = await this.core.listNamespacedSecret({
        namespace: this.namespace,
        labelSelector: `owner=helm,name=${release}`,
      });
    } catch (e) {
      throw new StorageError(
        `listing release ${release} history in ${this.namespace}: ${apiMessage(e)}`,
        release,
        this.namespace,
        { cause: e },
      );
    }
    const out: StoredRelease[] = [];
    for (const s of list.items) {
      if (s.type && s.type !== RELEASE_SECRET_TYPE) continue;
      const stored = fromSecret(s);
      if (stored && stored.record.name === release) out.push(stored);
    }
    return out.sort((a, b) => a.record.version - b.record.version);
  }

  /** last returns the newest revision, or undefined when the release does not exist. */
  async last(release: string): Promise<StoredRelease | undefined> {
    const h = await this.history(release);
    return h[h.length - 1];
  }

  /** get returns one revision, or undefined. */
  async get(release: string, version: number): Promise<StoredRelease | undefined> {
    try {
      const s = await this.core.readNamespacedSecret({ name: secretName(release, version), namespace: this.namespace });
      return fromSecret(s);
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return undefined;
      throw new StorageError(`reading release ${release} v${version}: ${apiMessage(e)}`, release, this.namespace, {
        cause: e,
      });
    }
  }

  /** create stores a new revision; fails if that revision exists (another writer got there first). */
  async create(rec: ReleaseRecord): Promise<StoredRelease> {
    const body = toSecret(rec, this.namespace);
    try {
      await this.core.createNamespacedSecret({ namespace: this.namespace, body });
    } catch (e) {
      throw new StorageError(
        `storing release ${rec.name} v${rec.version}: ${apiMessage(e)}`,
        rec.name,
        this.namespace,
        { cause: e },
      );
    }
    return { record: rec, digest: recordDigest(body.stringData!.release), secretName: body.metadata!.name! };
  }

  /** update rewrites an existing revision (status changes, hook results). */
  async update(rec: ReleaseRecord): Promise<StoredRelease> {
    const body = toSecret(rec, this.namespace);
    try {
      await this.core.replaceNamespacedSecret({ name: body.metadata!.name!, namespace: this.namespace, body });
    } catch (e) {
      throw new StorageError(
        `updating release ${rec.name} v${rec.version}: ${apiMessage(e)}`,
        rec.name,
        this.namespace,
        { cause: e },
      );
    }
    return { record: rec, digest: recordDigest(body.stringData!.release), secretName: body.metadata!.name! };
  }

  /** delete removes one revision (missing is fine). */
  async delete(release: string, version: number): Promise<void> {
    try {
      await this.core.deleteNamespacedSecret({ name: secretName(release, version), namespace: this.namespace });
    } catch (e) {
      if (e instanceof ApiException && e.code === 404) return;
      throw new StorageError(`deleting release ${release} v${version}: ${apiMessage(e)}`, release, this.namespace, {
        cause: e,
      });
    }
  }

  /**
   * prune keeps at most `max` revisions (0: unlimited), deleting the oldest first but never the
   * newest deployed one, as Helm's history limit does.
   */
  async prune(release: string, max: number): Promise<number> {
    if (!max || max <= 0) return 0;
    const h = await this.history(release);
    if (h.length <= max) return 0;
    const lastDeployed = [...h].reverse().find((r) => r.record.info.status === 'deployed')?.record.version;
    let excess = h.length - max;
    let removed = 0;
    for (const r of h) {
      if (excess <= 0) break;
      if (r.record.version === lastDeployed) continue;
      await this.delete(release, r.record.version);
      excess--;
      removed++;
    }
    return removed;
  }
}

function toSecret(rec: ReleaseRecord, namespace: string): V1Secret & { stringData: { release: string } } {
  const labels: Record<string, string> = {
    ...(rec.labels ?? {}),
    name: rec.name,
    owner: 'helm',
    status: rec.info.status,
    version: String(rec.version),
    modifiedAt: String(Math.floor(Date.now() / 1000)),
  };
  // Helm keeps the value base64 in data; stringData lets the API server do the outer encoding.
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: RELEASE_SECRET_TYPE,
    metadata: { name: secretName(rec.name, rec.version), namespace, labels },
    stringData: { release: encodeRecord(rec) },
  };
}

function fromSecret(s: V1Secret): StoredRelease | undefined {
  const data = s.data?.release;
  if (!data) return undefined;
  const value = Buffer.from(data, 'base64').toString('utf8');
  return { record: decodeRecord(value), digest: recordDigest(value), secretName: s.metadata?.name ?? '' };
}

/** apiMessage extracts the API server's message from a client error without leaking request data. */
export function apiMessage(e: unknown): string {
  if (e instanceof ApiException) {
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      if (body?.message) return `${body.message} (HTTP ${e.code})`;
    } catch {
      /* fall through */
    }
    return `HTTP ${e.code}`;
  }
  return (e as Error)?.message ?? String(e);
}
