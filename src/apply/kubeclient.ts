/**
 * kubeclient: a thin Kubernetes REST client for what apply and the controller need beyond
 * @kubernetes/client-node's typed APIs: server-side apply with `fieldValidation=Strict`, dry-run and
 * `force`, any kind resolved through discovery, impersonation of a ServiceAccount, and API errors
 * that keep the server's Status (reason, causes) so conflicts can name the field and the manager.
 * Authentication and TLS come from a KubeConfig (client-node), so every kubeconfig form works.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

/** KubeObject is any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    deletionTimestamp?: string;
    managedFields?: ManagedFieldsEntry[];
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
  time?: string;
}

/** KubeApiError is a failed API request with the server's Status. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly reason: string,
    readonly status:
      | {
          message?: string;
          reason?: string;
          details?: { causes?: { reason?: string; message?: string; field?: string }[] };
        }
      | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeApiError';
  }
}

export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface ClientOptions {
  /** impersonate: the user to impersonate for every request (e.g. system:serviceaccount:ns:name). */
  impersonate?: string;
  /** timeoutMs for one request (default 30s). */
  timeoutMs?: number;
  /** onRequest observes every request (metrics): verb, duration in seconds, HTTP code (0 on network errors). */
  onRequest?: (verb: string, seconds: number, code: number) => void;
  /** limiter paces requests (client-go's QPS/burst); shared by clients made with withImpersonation. */
  limiter?: RateLimiter;
}

/**
 * RateLimiter is a token bucket like client-go's: `burst` requests at once, refilled at `qps` per
 * second. `take` resolves when a token is available.
 */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();
  private queue: (() => void)[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    readonly qps: number,
    readonly burst: number,
  ) {
    this.tokens = burst;
  }

  take(): Promise<void> {
    if (this.qps <= 0) return Promise.resolve();
    this.refill();
    if (this.tokens >= 1 && this.queue.length === 0) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((r) => {
      this.queue.push(r);
      this.schedule();
    });
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.refill();
        while (this.queue.length && this.tokens >= 1) {
          this.tokens -= 1;
          this.queue.shift()!();
        }
        if (this.queue.length) this.schedule();
      },
      Math.max(1, Math.ceil(1000 / this.qps)),
    );
  }
}

/** splitApiVersion splits "apps/v1" into group "apps" and version "v1" ("v1" is the core group). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** KubeClient talks to one API server as one identity. Discovery results are shared per client. */
export class KubeClient {
  private readonly server: URL;
  private readonly base: RequestOptions;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private discovery = new Map<string, Promise<ApiResource[]>>();

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly opts: ClientOptions = {},
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig: no current cluster');
    this.server = new URL(cluster.server);
    this.base = {};
    this.headers = {};
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    if (opts.impersonate) this.headers['Impersonate-User'] = opts.impersonate;
  }

  /** withImpersonation returns a client for the same server acting as another user. */
  withImpersonation(user: string | undefined): KubeClient {
    if (!user) return this;
    const c = new KubeClient(this.kubeConfig, { ...this.opts, impersonate: user });
    return c;
  }

  /** request performs one API call and returns the parsed JSON body (undefined for empty bodies). */
  async request<T = any>(
    method: string,
    path: string,
    opts: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string } = {},
  ): Promise<T> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const reqOpts: RequestOptions = { ...this.base, method, headers: { ...this.headers, Accept: 'application/json' } };
    await this.kubeConfig.applyToHTTPSOptions(reqOpts as any);
    const headers = reqOpts.headers as Record<string, string>;
    if (this.opts.impersonate) headers['Impersonate-User'] = this.opts.impersonate;
    let payload: Buffer | undefined;
    if (opts.body !== undefined) {
      payload = Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
      headers['Content-Type'] = opts.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    await this.opts.limiter?.take();
    const started = process.hrtime.bigint();
    const verb = verbOf(method, path);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = send(url, reqOpts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          this.opts.onRequest?.(verb, Number(process.hrtime.bigint() - started) / 1e9, code);
          const text = Buffer.concat(chunks).toString('utf8');
          let body: any;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          if (code >= 200 && code < 300) return resolve(body as T);
          const msg = body?.message ?? (text.slice(0, 300) || res.statusMessage || 'no message');
          reject(new KubeApiError(`${method} ${url.pathname}: ${msg} (HTTP ${code})`, code, body?.reason ?? '', body));
        });
        res.on('error', reject);
      });
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new Error(`${method} ${url.pathname}: timed out after ${this.timeoutMs}ms`)),
      );
      req.on('error', (e) => {
        this.opts.onRequest?.(verb, Number(process.hrtime.bigint() - started) / 1e9, 0);
        reject(e);
      });
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** resources lists a group version's API resources (cached until invalidated). */
  private resources(apiVersion: string): Promise<ApiResource[]> {
    let p = this.discovery.get(apiVersion);
    if (!p) {
      const { group, version } = splitApiVersion(apiVersion);
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
      p = this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>('GET', path).then((r) =>
        r.resources
          .filter((x) => !x.name.includes('/'))
          .map((x) => ({ group, version, kind: x.kind, plural: x.name, namespaced: x.namespaced })),
      );
      p.catch(() => this.discovery.delete(apiVersion));
      this.discovery.set(apiVersion, p);
    }
    return p;
  }

  /** resourceFor resolves a kind through discovery; a miss refreshes once (new CRDs appear). */
  async resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    let r: ApiResource | undefined;
    try {
      r = (await this.resources(apiVersion)).find((x) => x.kind === kind);
    } catch (e) {
      if (!(e instanceof KubeApiError && e.code === 404)) throw e;
    }
    if (!r) {
      this.discovery.delete(apiVersion);
      try {
        r = (await this.resources(apiVersion)).find((x) => x.kind === kind);
      } catch (e) {
        if (!(e instanceof KubeApiError && e.code === 404)) throw e;
      }
    }
    if (!r)
      throw new KubeApiError(`no matches for kind "${kind}" in version "${apiVersion}"`, 404, 'NotFound', undefined);
    return r;
  }

  /** invalidateDiscovery forgets cached discovery (after installing CRDs). */
  invalidateDiscovery(): void {
    this.discovery.clear();
  }

  /** collectionPath is the REST path of a kind's collection in a namespace (or cluster-wide). */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const r = await this.resourceFor(apiVersion, kind);
    const prefix = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    return r.namespaced && namespace ? `${prefix}/namespaces/${namespace}/${r.plural}` : `${prefix}/${r.plural}`;
  }

  async objectPath(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<string> {
    return `${await this.collectionPath(apiVersion, kind, namespace)}/${encodeURIComponent(name)}`;
  }

  /** apply server-side applies an object (fieldValidation=Strict) and returns the server's result. */
  async apply(
    obj: KubeObject,
    o: { fieldManager: string; force?: boolean; dryRun?: boolean; subresource?: string },
  ): Promise<KubeObject> {
    let path = await this.objectPath(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (o.subresource) path += `/${o.subresource}`;
    return this.request('PATCH', path, {
      query: {
        fieldManager: o.fieldManager,
        force: o.force ? 'true' : undefined,
        fieldValidation: 'Strict',
        dryRun: o.dryRun ? 'All' : undefined,
      },
      body: obj,
      contentType: 'application/apply-patch+yaml',
    });
  }

  /** get returns the object, or undefined when it does not exist. */
  async get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<KubeObject | undefined> {
    try {
      return await this.request('GET', await this.objectPath(apiVersion, kind, namespace, name));
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return undefined;
      throw e;
    }
  }

  /** delete deletes an object; returns false when it was already gone. */
  async delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background',
  ): Promise<boolean> {
    try {
      await this.request('DELETE', await this.objectPath(apiVersion, kind, namespace, name), {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy },
      });
      return true;
    } catch (e) {
      if (e instanceof KubeApiError && e.code === 404) return false;
      throw e;
    }
  }

  /** list lists a kind, optionally in one namespace and by label selector. */
  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    const r = await this.request<{ items: KubeObject[] }>(
      'GET',
      await this.collectionPath(apiVersion, kind, namespace),
      {
        query: { labelSelector },
      },
    );
    return r.items.map((i) => ({ ...i, apiVersion, kind }));
  }
}

const VERBS: Record<string, string> = { GET: 'get', PATCH: 'patch', POST: 'create', PUT: 'update', DELETE: 'delete' };

/** verbOf names a request for metrics: GETs of collections are "list", the rest by method. */
function verbOf(method: string, path: string): string {
  if (method === 'GET' && !/\/namespaces\/[^/]+\/[^/]+\/[^/]+$/.test(path) && /\/[a-z0-9.-]+s$/.test(path))
    return 'list';
  return VERBS[method] ?? method.toLowerCase();
}
