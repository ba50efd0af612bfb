/**
 * client: the OCI distribution API over node:http/node:https. One `RegistryClient` talks to any
 * number of registries and keeps, per registry, what it learned about authentication (basic, or a
 * bearer token per scope reused until it expires and refreshed on 401).
 *
 * Every request has an idle timeout; 429, 5xx and connection errors are retried with exponential
 * backoff and jitter (honouring `Retry-After`), 4xx never (auth errors included). HTTPS is the
 * default; plain HTTP is used for loopback registries unless `plainHttp: false`, or anywhere with
 * `plainHttp: true`. A custom CA bundle and an explicit "skip TLS verification" are per client.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Transform, type TransformCallback } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { pipeline } from 'node:stream/promises';
import { dockerConfigCredentials, parseChallenges, type Credentials } from './auth.js';
import { AuthCache, identityOf, type CachedToken } from './authcache.js';
import {
  AuthenticationError,
  DigestMismatchError,
  NetworkError,
  NotFoundError,
  OciError,
  RegistryHttpError,
  SizeLimitError,
} from './errors.js';
import { MANIFEST_ACCEPT, type Descriptor } from './mediatypes.js';
import { isDigest, isLoopbackHost } from './reference.js';

/** DEFAULT_TIMEOUT_MS: idle time after which a request is abandoned (no bytes either way). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** DEFAULT_RETRIES: extra attempts after the first for retryable failures. */
export const DEFAULT_RETRIES = 3;
/** DEFAULT_MAX_MANIFEST_BYTES: manifests and indexes larger than this are refused (4 MiB, as distribution). */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_RETRY_AFTER_MS = 30_000;
const MAX_REDIRECTS = 5;
const MAX_TAG_PAGES = 1000;
const MAX_ERROR_BODY = 64 * 1024;
const DEFAULT_TOKEN_TTL_S = 60;
const USER_AGENT = 'capstan/0.1';

/** RegistryClientOptions: defaults are filled once in the constructor. */
export interface RegistryClientOptions {
  /** credentials for every registry, or a lookup by `host[:port]` (e.g. bound to dockerConfigCredentials). */
  credentials?: Credentials | ((registry: string) => Credentials | undefined);
  /**
   * dockerConfigJson: a Docker config document (the decoded `.dockerconfigjson` of a
   * `kubernetes.io/dockerconfigjson` Secret, as text or parsed); used when `credentials` is unset.
   */
  dockerConfigJson?: unknown;
  /** plainHttp: true → HTTP everywhere; false → HTTPS everywhere; undefined → HTTP for loopback only. */
  plainHttp?: boolean;
  /** ca: PEM bundle of extra trusted CAs (added to node's bundled roots). */
  ca?: string | Buffer;
  /** insecureSkipTlsVerify: accept any server certificate. Explicit opt-in only. */
  insecureSkipTlsVerify?: boolean;
  timeoutMs?: number;
  retries?: number;
  /** retryBaseMs: first backoff delay, doubled per attempt (default 250). */
  retryBaseMs?: number;
  maxManifestBytes?: number;
  /** tagPageSize: `n` for tag list pages (default 1000). */
  tagPageSize?: number;
  userAgent?: string;
  /** authCache: where learned schemes and tokens live (default: AuthCache.shared, process-wide). */
  authCache?: AuthCache;
  /** onResponse is called for every HTTP exchange (metrics, tests). URLs carry no credentials. */
  onResponse?: (event: { method: string; url: string; status: number; attempt: number }) => void;
}

type Scope = 'pull' | 'push';

interface RequestSpec {
  method: string;
  registry: string;
  /** path starts with `/v2/`, or is an absolute URL (upload locations, redirects). */
  path: string;
  repository: string;
  scope: Scope;
  headers?: Record<string, string>;
  body?: Buffer;
  /** okStatuses: statuses returned to the caller instead of raising. */
  ok: number[];
  /** what: the object named in error messages, e.g. `manifest sha256:…`. */
  what: string;
}

type Token = CachedToken;

/** Manifest is a fetched manifest: its verified digest, media type and exact bytes. */
export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** safeUrl drops userinfo and the query string (upload URLs carry state, token realms may carry secrets). */
function safeUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function parseRetryAfter(v: string | undefined): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function readBody(res: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = Number(header(res.headers, 'content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    res.destroy();
    throw new SizeLimitError(`${what}: ${declared} bytes exceeds the limit of ${limit}`, limit, declared);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    n += chunk.length;
    if (n > limit) {
      res.destroy();
      throw new SizeLimitError(`${what}: more than ${limit} bytes`, limit, n);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function errorCodes(body: Buffer): { codes: string[]; detail: string } {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> };
    const errs = doc.errors ?? [];
    return {
      codes: errs.map((e) => e.code ?? '').filter(Boolean),
      detail: errs.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; '),
    };
  } catch {
    return { codes: [], detail: body.toString('utf8').slice(0, 200).trim() };
  }
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/**
 * RegistryClient speaks the OCI distribution API. It is safe to share between concurrent pulls;
 * `close()` releases its keep-alive sockets.
 *
 * @example
 *   const client = new RegistryClient({ credentials: { username, password } });
 *   const tags = await client.listTags('127.0.0.1:5000', 'charts/nginx');
 */
export class RegistryClient {
  private readonly opts: Required<
    Omit<RegistryClientOptions, 'credentials' | 'dockerConfigJson' | 'plainHttp' | 'ca' | 'onResponse' | 'authCache'>
  > &
    Pick<RegistryClientOptions, 'credentials' | 'dockerConfigJson' | 'plainHttp' | 'ca' | 'onResponse'>;
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  /** auth: schemes and tokens learned so far (shared between clients unless one is passed). */
  private readonly auth: AuthCache;

  constructor(options: RegistryClientOptions = {}) {
    this.opts = {
      timeoutMs: DEFAULT_TIMEOUT_MS,
      retries: DEFAULT_RETRIES,
      retryBaseMs: 250,
      maxManifestBytes: DEFAULT_MAX_MANIFEST_BYTES,
      tagPageSize: 1000,
      userAgent: USER_AGENT,
      insecureSkipTlsVerify: false,
      // An option passed as `undefined` keeps its default.
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RegistryClientOptions),
    };
    this.auth = options.authCache ?? AuthCache.shared;
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 8 });
    this.httpsAgent = new HttpsAgent({
      keepAlive: true,
      maxSockets: 8,
      ca: this.opts.ca ? [...rootCertificates, this.opts.ca.toString()] : undefined,
      rejectUnauthorized: !this.opts.insecureSkipTlsVerify,
    });
  }

  /** close releases pooled connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** baseUrl is `http(s)://registry` according to the plain-HTTP policy. */
  baseUrl(registry: string): string {
    const plain = this.opts.plainHttp ?? isLoopbackHost(registry);
    // `docker.io` names the Docker Hub, whose API lives at registry-1.docker.io.
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    return `${plain ? 'http' : 'https'}://${host}`;
  }

  private credentialsFor(registry: string): Credentials | undefined {
    const c = this.opts.credentials;
    if (c === undefined && this.opts.dockerConfigJson !== undefined)
      return dockerConfigCredentials(this.opts.dockerConfigJson, registry);
    return typeof c === 'function' ? c(registry) : c;
  }

  // send performs one HTTP exchange and resolves with the response head (body unread).
  private send(method: string, url: URL, headers: Record<string, string>, body?: Buffer): Promise<IncomingMessage> {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const agent = url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          headers: {
            'User-Agent': this.opts.userAgent,
            ...headers,
            ...(body ? { 'Content-Length': String(body.length) } : {}),
          },
          agent,
        },
        // The request's idle timeout keeps applying while the response body streams (the socket
        // stays with the request until the body ends), so a stalled download is abandoned too.
        (res) => resolve(res),
      );
      req.setTimeout(this.opts.timeoutMs, () =>
        req.destroy(new Error(`no data for ${this.opts.timeoutMs}ms (timed out after ${this.opts.timeoutMs}ms)`)),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  private backoff(attempt: number): number {
    const base = this.opts.retryBaseMs * 2 ** attempt;
    return Math.min(MAX_RETRY_AFTER_MS, base / 2 + Math.random() * base);
  }

  private identity(registry: string): string {
    return identityOf(this.credentialsFor(registry));
  }

  private scopeOf(spec: RequestSpec): string {
    return `repository:${spec.repository}:${spec.scope === 'push' ? 'pull,push' : 'pull'}`;
  }

  private tokenKey(spec: RequestSpec): string {
    return `${spec.registry}\0${this.identity(spec.registry)}\0${this.scopeOf(spec)}`;
  }

  private authorization(spec: RequestSpec): string | undefined {
    const known = this.auth.scheme(spec.registry, this.identity(spec.registry));
    if (!known) return undefined;
    if (known.scheme === 'basic') {
      const c = this.credentialsFor(spec.registry);
      return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
    }
    const t = this.auth.token(this.tokenKey(spec));
    return t ? `Bearer ${t.value}` : undefined;
  }

  /**
   * request runs one API call with auth, retries and error mapping. Statuses in `spec.ok` come back
   * to the caller with the body unread; anything else raises.
   */
  private async request(spec: RequestSpec): Promise<IncomingMessage> {
    const url = new URL(spec.path.startsWith('/') ? `${this.baseUrl(spec.registry)}${spec.path}` : spec.path);
    let authRetries = 0;
    let sentFreshToken = false;
    for (let attempt = 0; ; attempt++) {
      const headers = { ...spec.headers };
      const authz = this.authorization(spec);
      if (authz) headers.Authorization = authz;
      let res: IncomingMessage;
      try {
        res = await this.send(spec.method, url, headers, spec.body);
      } catch (err) {
        if (attempt < this.opts.retries) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw new NetworkError(
          `${spec.what}: ${spec.method} ${safeUrl(url)}: ${(err as Error).message} (after ${attempt + 1} attempts)`,
          spec.method,
          safeUrl(url),
          { cause: err },
        );
      }
      const status = res.statusCode ?? 0;
      this.opts.onResponse?.({ method: spec.method, url: safeUrl(url), status, attempt });
      if (spec.ok.includes(status)) return res;

      if (status === 401 && authRetries < 2) {
        const challenge = header(res.headers, 'www-authenticate') ?? '';
        res.resume();
        const handled = await this.handleChallenge(spec, challenge, Boolean(authz), sentFreshToken);
        if (handled) {
          authRetries++;
          sentFreshToken = handled === 'token';
          attempt--; // an auth round trip is not a retry
          continue;
        }
        throw await this.authFailure(spec, url, status, Boolean(authz), undefined);
      }
      if (RETRYABLE_STATUS.has(status) && attempt < this.opts.retries) {
        const wait = parseRetryAfter(header(res.headers, 'retry-after'));
        res.resume();
        await sleep(Math.min(MAX_RETRY_AFTER_MS, wait ?? this.backoff(attempt)));
        continue;
      }
      const body = await readBody(res, MAX_ERROR_BODY, spec.what).catch(() => Buffer.alloc(0));
      if (status === 401 || status === 403) throw await this.authFailure(spec, url, status, Boolean(authz), body);
      const { codes, detail } = errorCodes(body);
      if (status === 404)
        throw new NotFoundError(
          `${spec.what}: not found (${spec.method} ${safeUrl(url)}: 404${detail ? ` ${detail}` : ''})`,
          spec.method,
          safeUrl(url),
          codes,
        );
      throw new RegistryHttpError(
        `${spec.what}: ${spec.method} ${safeUrl(url)}: unexpected status ${status}${detail ? `: ${detail}` : ''}`,
        status,
        spec.method,
        safeUrl(url),
        codes,
      );
    }
  }

  private async authFailure(
    spec: RequestSpec,
    url: URL,
    status: number,
    sentAuth: boolean,
    body: Buffer | undefined,
  ): Promise<AuthenticationError> {
    const { codes, detail } = body ? errorCodes(body) : { codes: [], detail: '' };
    const creds = this.credentialsFor(spec.registry);
    const why =
      status === 403
        ? 'access denied'
        : !creds
          ? `authentication required and no credentials are configured for ${spec.registry}`
          : sentAuth
            ? `credentials for ${spec.registry} were rejected`
            : 'authentication required';
    return new AuthenticationError(
      `${spec.what}: ${spec.method} ${safeUrl(url)}: ${status} ${why}${detail ? ` (${detail})` : ''}`,
      status,
      spec.method,
      safeUrl(url),
      codes,
    );
  }

  // handleChallenge learns from a 401 what to send next time; resolves with what changed, or undefined to give up.
  private async handleChallenge(
    spec: RequestSpec,
    header: string,
    sentAuth: boolean,
    sentFreshToken: boolean,
  ): Promise<'basic' | 'token' | undefined> {
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer?.params.realm) {
      if (sentFreshToken) return undefined; // a token fetched for this very request was refused
      this.auth.setScheme(spec.registry, this.identity(spec.registry), {
        scheme: 'bearer',
        realm: bearer.params.realm,
        service: bearer.params.service,
      });
      const key = this.tokenKey(spec);
      this.auth.deleteToken(key);
      const ours = this.scopeOf(spec);
      const theirs = bearer.params.scope;
      const scope = theirs && theirs !== ours ? `${ours} ${theirs}` : ours;
      await this.fetchToken(spec, key, bearer.params.realm, bearer.params.service, scope);
      return 'token';
    }
    if (basic) {
      if (sentAuth || !this.credentialsFor(spec.registry)) return undefined;
      this.auth.setScheme(spec.registry, this.identity(spec.registry), { scheme: 'basic' });
      return 'basic';
    }
    return undefined;
  }

  private fetchToken(
    spec: RequestSpec,
    key: string,
    realm: string,
    service: string | undefined,
    scope: string,
  ): Promise<Token> {
    const inflight = this.auth.inflight.get(key);
    if (inflight) return inflight;
    const p = this.doFetchToken(spec, key, realm, service, scope).finally(() => this.auth.inflight.delete(key));
    this.auth.inflight.set(key, p);
    return p;
  }

  private async doFetchToken(
    spec: RequestSpec,
    key: string,
    realm: string,
    service: string | undefined,
    scope: string,
  ): Promise<Token> {
    let url: URL;
    try {
      url = new URL(realm);
    } catch (err) {
      throw new OciError(`${spec.what}: bearer challenge from ${spec.registry} has an invalid realm`, { cause: err });
    }
    if (service) url.searchParams.set('service', service);
    for (const s of scope.split(' ')) if (s) url.searchParams.append('scope', s);
    const creds = this.credentialsFor(spec.registry);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (creds) headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    for (let attempt = 0; ; attempt++) {
      let res: IncomingMessage;
      try {
        res = await this.send('GET', url, headers);
      } catch (err) {
        if (attempt < this.opts.retries) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw new NetworkError(
          `${spec.what}: fetching token from ${safeUrl(url)}: ${(err as Error).message}`,
          'GET',
          safeUrl(url),
          { cause: err },
        );
      }
      const status = res.statusCode ?? 0;
      this.opts.onResponse?.({ method: 'GET', url: safeUrl(url), status, attempt });
      if (RETRYABLE_STATUS.has(status) && attempt < this.opts.retries) {
        const wait = parseRetryAfter(header(res.headers, 'retry-after'));
        res.resume();
        await sleep(Math.min(MAX_RETRY_AFTER_MS, wait ?? this.backoff(attempt)));
        continue;
      }
      const body = await readBody(res, MAX_ERROR_BODY, `${spec.what}: token response`);
      if (status === 401 || status === 403) {
        const why = creds
          ? `credentials for ${spec.registry} were rejected by the token server`
          : `the token server requires credentials and none are configured for ${spec.registry}`;
        throw new AuthenticationError(
          `${spec.what}: fetching token from ${safeUrl(url)}: ${status} ${why}`,
          status,
          'GET',
          safeUrl(url),
          errorCodes(body).codes,
        );
      }
      if (status !== 200)
        throw new RegistryHttpError(
          `${spec.what}: fetching token from ${safeUrl(url)}: unexpected status ${status}`,
          status,
          'GET',
          safeUrl(url),
          errorCodes(body).codes,
        );
      let doc: { token?: string; access_token?: string; expires_in?: number; issued_at?: string };
      try {
        doc = JSON.parse(body.toString('utf8')) as typeof doc;
      } catch (err) {
        throw new OciError(`${spec.what}: fetching token from ${safeUrl(url)}: response is not JSON`, { cause: err });
      }
      const value = doc.token || doc.access_token;
      if (!value) throw new OciError(`${spec.what}: fetching token from ${safeUrl(url)}: response has no token`);
      const ttl = doc.expires_in && doc.expires_in > 0 ? doc.expires_in : DEFAULT_TOKEN_TTL_S;
      const issued = doc.issued_at ? Date.parse(doc.issued_at) : NaN;
      const start = Number.isNaN(issued) ? Date.now() : Math.min(Date.now(), issued);
      // Renew a little early: a tenth of the lifetime, at most 10s.
      const token = { value, expiresAt: start + ttl * 1000 - Math.min(10_000, ttl * 100) };
      this.auth.setToken(key, token);
      return token;
    }
  }

  /**
   * listTags returns every tag of a repository, following `Link: <…>; rel="next"` pagination.
   */
  async listTags(registry: string, repository: string): Promise<string[]> {
    const tags: string[] = [];
    let path = `/v2/${repository}/tags/list?n=${this.opts.tagPageSize}`;
    for (let page = 0; page < MAX_TAG_PAGES; page++) {
      const res = await this.request({
        method: 'GET',
        registry,
        path,
        repository,
        scope: 'pull',
        ok: [200],
        what: `tags of ${registry}/${repository}`,
        headers: { Accept: 'application/json' },
      });
      const link = header(res.headers, 'link');
      const body = await readBody(res, this.opts.maxManifestBytes, `tags of ${registry}/${repository}`);
      let doc: { tags?: string[] | null };
      try {
        doc = JSON.parse(body.toString('utf8')) as typeof doc;
      } catch (err) {
        throw new OciError(`tags of ${registry}/${repository}: response is not JSON`, { cause: err });
      }
      tags.push(...(doc.tags ?? []));
      const next = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
      if (!next) return tags;
      const nextUrl = new URL(next[1]!, `${this.baseUrl(registry)}${path}`);
      path = `${nextUrl.pathname}${nextUrl.search}`;
    }
    throw new OciError(`tags of ${registry}/${repository}: more than ${MAX_TAG_PAGES} pages`);
  }

  /**
   * resolveManifestDigest asks for a tag's manifest digest with HEAD (falling back to GET when the
   * registry sends no `Docker-Content-Digest`).
   */
  async resolveManifestDigest(registry: string, repository: string, tag: string): Promise<string> {
    const what = `manifest ${registry}/${repository}:${tag}`;
    const res = await this.request({
      method: 'HEAD',
      registry,
      path: `/v2/${repository}/manifests/${tag}`,
      repository,
      scope: 'pull',
      ok: [200],
      what,
      headers: { Accept: MANIFEST_ACCEPT },
    });
    res.resume();
    const digest = header(res.headers, 'docker-content-digest');
    if (digest && isDigest(digest)) return digest;
    return (await this.fetchManifest(registry, repository, tag)).digest;
  }

  /**
   * fetchManifest GETs a manifest or index by tag or digest, within the size cap, and verifies its
   * digest: against the requested digest, or the registry's `Docker-Content-Digest` for a tag.
   */
  async fetchManifest(registry: string, repository: string, reference: string): Promise<FetchedManifest> {
    const what = `manifest ${isDigest(reference) ? reference : `${registry}/${repository}:${reference}`}`;
    const res = await this.request({
      method: 'GET',
      registry,
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      scope: 'pull',
      ok: [200],
      what,
      headers: { Accept: MANIFEST_ACCEPT },
    });
    const claimed = header(res.headers, 'docker-content-digest');
    const mediaTypeHeader = (header(res.headers, 'content-type') ?? '').split(';')[0]!.trim();
    const bytes = await readBody(res, this.opts.maxManifestBytes, what);
    const actual = sha256(bytes);
    const expected = isDigest(reference) ? reference : claimed && isDigest(claimed) ? claimed : undefined;
    if (expected && expected !== actual)
      throw new DigestMismatchError(`${what}: digest mismatch: expected ${expected}, got ${actual}`, expected, actual);
    let mediaType = mediaTypeHeader;
    try {
      const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: string };
      if (doc.mediaType) mediaType = doc.mediaType;
    } catch (err) {
      throw new OciError(`${what}: not JSON`, { cause: err });
    }
    return { digest: actual, mediaType, bytes };
  }

  /**
   * downloadBlob streams a blob into `dest`, following redirects (credentials are not forwarded to
   * another origin), verifying size and sha256 as bytes arrive. On any failure `dest` is removed.
   */
  async downloadBlob(
    registry: string,
    repository: string,
    desc: Descriptor,
    dest: string,
    maxBytes: number,
  ): Promise<void> {
    const what = `blob ${desc.digest}`;
    if (desc.size > maxBytes)
      throw new SizeLimitError(`${what}: ${desc.size} bytes exceeds the limit of ${maxBytes}`, maxBytes, desc.size);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.downloadOnce(registry, repository, desc, dest, what);
        return;
      } catch (err) {
        await rm(dest, { force: true });
        // A connection that dropped mid-body is retried as a whole; integrity and HTTP errors are final.
        // (request() has already retried failures before the response; don't multiply its budget.)
        const retryable = !(err instanceof OciError);
        if (!retryable || attempt >= this.opts.retries) {
          if (err instanceof OciError) throw err;
          throw new NetworkError(
            `${what}: ${(err as Error).message}`,
            'GET',
            `${this.baseUrl(registry)}/v2/${repository}/blobs/${desc.digest}`,
            { cause: err },
          );
        }
        await sleep(this.backoff(attempt));
      }
    }
  }

  private async downloadOnce(
    registry: string,
    repository: string,
    desc: Descriptor,
    dest: string,
    what: string,
  ): Promise<void> {
    let res = await this.request({
      method: 'GET',
      registry,
      path: `/v2/${repository}/blobs/${desc.digest}`,
      repository,
      scope: 'pull',
      ok: [200, 301, 302, 303, 307, 308],
      what,
    });
    let origin = new URL(this.baseUrl(registry)).origin;
    for (let hops = 0; res.statusCode !== 200; hops++) {
      const location = header(res.headers, 'location');
      res.resume();
      if (!location || hops >= MAX_REDIRECTS)
        throw new OciError(
          `${what}: ${location ? `more than ${MAX_REDIRECTS} redirects` : `redirect ${res.statusCode} without Location`}`,
        );
      const target = new URL(location, `${origin}/v2/${repository}/blobs/${desc.digest}`);
      if (target.origin === origin) {
        res = await this.request({
          method: 'GET',
          registry,
          path: target.href,
          repository,
          scope: 'pull',
          ok: [200, 301, 302, 303, 307, 308],
          what,
        });
      } else {
        // Another origin (object storage, CDN): the signed URL is the credential; ours stays home.
        res = await this.fetchForeign(target, what);
        origin = target.origin;
      }
    }
    const hash = createHash('sha256');
    let size = 0;
    const verify = new Transform({
      transform(chunk: Buffer, _enc, cb: TransformCallback) {
        size += chunk.length;
        if (size > desc.size) {
          cb(
            new DigestMismatchError(
              `${what}: size mismatch: expected ${desc.size} bytes, got more than that`,
              desc.digest,
              'unknown',
              desc.size,
              size,
            ),
          );
          return;
        }
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    await pipeline(res, verify, createWriteStream(dest, { mode: 0o644 }));
    const actual = `sha256:${hash.digest('hex')}`;
    if (size !== desc.size)
      throw new DigestMismatchError(
        `${what}: size mismatch: expected ${desc.size} bytes, got ${size}`,
        desc.digest,
        actual,
        desc.size,
        size,
      );
    if (actual !== desc.digest)
      throw new DigestMismatchError(
        `${what}: digest mismatch: expected ${desc.digest}, got ${actual}`,
        desc.digest,
        actual,
        desc.size,
        size,
      );
  }

  private async fetchForeign(url: URL, what: string): Promise<IncomingMessage> {
    for (let attempt = 0; ; attempt++) {
      let res: IncomingMessage;
      try {
        res = await this.send('GET', url, {});
      } catch (err) {
        if (attempt < this.opts.retries) {
          await sleep(this.backoff(attempt));
          continue;
        }
        throw new NetworkError(`${what}: GET ${safeUrl(url)}: ${(err as Error).message}`, 'GET', safeUrl(url), {
          cause: err,
        });
      }
      const status = res.statusCode ?? 0;
      this.opts.onResponse?.({ method: 'GET', url: safeUrl(url), status, attempt });
      if ([200, 301, 302, 303, 307, 308].includes(status)) return res;
      res.resume();
      if (RETRYABLE_STATUS.has(status) && attempt < this.opts.retries) {
        await sleep(
          Math.min(MAX_RETRY_AFTER_MS, parseRetryAfter(header(res.headers, 'retry-after')) ?? this.backoff(attempt)),
        );
        continue;
      }
      throw new RegistryHttpError(
        `${what}: GET ${safeUrl(url)}: unexpected status ${status}`,
        status,
        'GET',
        safeUrl(url),
        [],
      );
    }
  }

  /** fetchBlobBytes reads a small blob (a config) into memory, verified, within `maxBytes`. */
  async fetchBlobBytes(registry: string, repository: string, desc: Descriptor, maxBytes: number): Promise<Buffer> {
    const what = `blob ${desc.digest}`;
    if (desc.size > maxBytes)
      throw new SizeLimitError(`${what}: ${desc.size} bytes exceeds the limit of ${maxBytes}`, maxBytes, desc.size);
    const res = await this.request({
      method: 'GET',
      registry,
      path: `/v2/${repository}/blobs/${desc.digest}`,
      repository,
      scope: 'pull',
      ok: [200],
      what,
    });
    const bytes = await readBody(res, maxBytes, what);
    const actual = sha256(bytes);
    if (bytes.length !== desc.size || actual !== desc.digest) {
      throw new DigestMismatchError(
        `${what}: digest mismatch: expected ${desc.digest} (${desc.size} bytes), got ${actual} (${bytes.length} bytes)`,
        desc.digest,
        actual,
        desc.size,
        bytes.length,
      );
    }
    return bytes;
  }

  /** blobExists tells whether the repository already has a blob (so a push can skip it). */
  async blobExists(registry: string, repository: string, digest: string): Promise<boolean> {
    const res = await this.request({
      method: 'HEAD',
      registry,
      path: `/v2/${repository}/blobs/${digest}`,
      repository,
      scope: 'push',
      ok: [200, 404],
      what: `blob ${digest}`,
    });
    res.resume();
    return res.statusCode === 200;
  }

  /** uploadBlob pushes a blob monolithically: POST to open an upload, PUT with `?digest=`. */
  async uploadBlob(
    registry: string,
    repository: string,
    bytes: Buffer,
    digest = sha256(bytes),
  ): Promise<Descriptor & { mediaType: '' }> {
    const what = `uploading blob ${digest} to ${registry}/${repository}`;
    const start = await this.request({
      method: 'POST',
      registry,
      path: `/v2/${repository}/blobs/uploads/`,
      repository,
      scope: 'push',
      ok: [202],
      what,
      body: Buffer.alloc(0),
    });
    start.resume();
    const location = header(start.headers, 'location');
    if (!location) throw new OciError(`${what}: registry returned no upload Location`);
    const url = new URL(location, `${this.baseUrl(registry)}/v2/${repository}/blobs/uploads/`);
    url.searchParams.set('digest', digest);
    const put = await this.request({
      method: 'PUT',
      registry,
      path: url.href,
      repository,
      scope: 'push',
      ok: [201],
      what,
      body: bytes,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    put.resume();
    const got = header(put.headers, 'docker-content-digest');
    if (got && got !== digest) throw new DigestMismatchError(`${what}: registry stored ${got}`, digest, got);
    return { mediaType: '', digest, size: bytes.length };
  }

  /** putManifest uploads a manifest under a tag (or digest) and returns its digest. */
  async putManifest(
    registry: string,
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<string> {
    const digest = sha256(bytes);
    const what = `pushing manifest ${digest} to ${registry}/${repository}:${reference}`;
    const res = await this.request({
      method: 'PUT',
      registry,
      path: `/v2/${repository}/manifests/${reference}`,
      repository,
      scope: 'push',
      ok: [201],
      what,
      body: bytes,
      headers: { 'Content-Type': mediaType },
    });
    res.resume();
    const got = header(res.headers, 'docker-content-digest');
    if (got && got !== digest) throw new DigestMismatchError(`${what}: registry computed ${got}`, digest, got);
    return digest;
  }
}
