/**
 * http: the HTTP client behind Extism's `http_request` kernel function, for plugin workers.
 *
 * The foreground Extism plugin runs the guest synchronously on the worker process's main thread,
 * and a host function must answer before it returns, while `fetch` is asynchronous. So requests
 * go to a helper thread (started on the first request that passes the grant check, one per worker
 * process) that performs the `fetch`; the main thread blocks on `Atomics.wait` until the thread
 * raises a flag in a SharedArrayBuffer and then takes the reply with `receiveMessageOnPort`. The
 * thread dies with the worker process: a call that overruns its time limit is stopped by killing
 * the process (host.ts), hanging request and all.
 *
 * Policy (the helper thread has none; every hop is checked here):
 * - only hosts granted by the caller (`allowedHosts`: exact hostnames or globs, matched against the
 *   URL's hostname; any port) are reachable; nothing is granted by default;
 * - only `http:` and `https:` URLs, without credentials in the URL;
 * - redirects are followed by the host, at most MAX_REDIRECTS, each target checked like the first;
 * - the response body is bounded (the caller's cap, at most MAX_HTTP_RESPONSE_BYTES).
 * Headers are never logged: they may carry credentials.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/** MAX_HTTP_RESPONSE_BYTES caps a response body whatever the plugin's memory budget. */
export const MAX_HTTP_RESPONSE_BYTES = 16 * 1024 * 1024;

/** MAX_REDIRECTS is how many redirects one request may follow. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Headers dropped when a redirect leaves the origin, as fetch does for Authorization. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** NetworkGrant is what a worker job carries about the network. */
export interface NetworkGrant {
  /** allowedHosts are the caller's grant: lower-case hostnames or globs (see hostAllowed). */
  allowedHosts: string[];
  /** requestedHosts are the plugin.yaml's runtimeConfig.allowedHosts, for messages only. */
  requestedHosts: string[];
  /** maxResponseBytes bounds one response body. */
  maxResponseBytes: number;
}

/** HttpError fails a plugin's HTTP call; `denied` names the host when the grant refused it. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly denied?: string,
  ) {
    super(message);
  }
}

/**
 * normalizeHostPattern checks one allowedHosts entry and returns it in lower case. An entry is a
 * hostname, an IP address (IPv6 in brackets, as URLs write it) or a glob where `*` matches any run
 * of characters and `?` one character: `*.example.com` matches `a.example.com` and
 * `a.b.example.com`, not `example.com`. No scheme, port or path.
 */
export function normalizeHostPattern(pattern: unknown): string {
  if (typeof pattern !== 'string' || pattern.trim() === '') throw new Error('must be a non-empty string');
  const p = pattern.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(p) || p.includes('/'))
    throw new Error('must be a hostname or a glob such as *.example.com, not a URL');
  if (/^\[[0-9a-f:.*?]+\]$/.test(p)) return p;
  if (p.includes(':')) throw new Error('must be a hostname without a port (any port of a granted host is allowed)');
  if (!/^[a-z0-9*?._-]+$/.test(p)) throw new Error('may contain only letters, digits, ".", "-", "_", "*" and "?"');
  return p;
}

const globs = new Map<string, RegExp>();

function globRegExp(pattern: string): RegExp {
  let re = globs.get(pattern);
  if (!re) {
    const body = [...pattern]
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 's');
    if (globs.size >= 1024) globs.clear();
    globs.set(pattern, re);
  }
  return re;
}

/** hostMatches reports whether a URL hostname matches one allowedHosts pattern (case-insensitive). */
export function hostMatches(hostname: string, pattern: string): boolean {
  const h = hostname.toLowerCase();
  const p = pattern.toLowerCase();
  return h === p || globRegExp(p).test(h);
}

/** hostAllowed reports whether any pattern grants the hostname. */
export function hostAllowed(hostname: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => hostMatches(hostname, p));
}

/** PluginHttpRequest is the guest's request: the JSON the PDKs send (`{url, method, headers}`) and the body. */
export interface PluginHttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
}

/** parseHttpRequest validates the request JSON a guest passes to `http_request`. */
export function parseHttpRequest(json: string, body: Uint8Array | null): PluginHttpRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new HttpError(`HTTP request is invalid: the request is not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null)
    throw new HttpError('HTTP request is invalid: the request must be a JSON object');
  const r = raw as { url?: unknown; method?: unknown; headers?: unknown; header?: unknown };
  if (typeof r.url !== 'string' || r.url === '') throw new HttpError('HTTP request is invalid: the request has no url');
  const method = r.method === undefined || r.method === null || r.method === '' ? 'GET' : r.method;
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method))
    throw new HttpError('HTTP request is invalid: the request method must be a word such as GET');
  const headers: Record<string, string> = {};
  const h = r.headers ?? r.header ?? {};
  if (typeof h !== 'object' || h === null || Array.isArray(h))
    throw new HttpError('HTTP request is invalid: the request headers must be an object of strings');
  for (const [k, v] of Object.entries(h)) {
    if (typeof v !== 'string')
      throw new HttpError('HTTP request is invalid: the request headers must be an object of strings');
    // The URL names the host that was granted; a Host header must not name another one.
    if (k.toLowerCase() !== 'host') headers[k] = v;
  }
  const m = method.toUpperCase();
  return { url: r.url, method: m, headers, body: m === 'GET' || m === 'HEAD' ? null : body };
}

/** HttpResult is the final response: status and body (no headers, see http_headers in worker.ts). */
export interface HttpResult {
  status: number;
  body: Uint8Array;
}

/** HttpLog receives one line per event; it never gets headers or bodies. */
export type HttpLog = (level: 'debug' | 'error', line: string) => void;

function deniedMessage(method: string, host: string, grant: NetworkGrant, redirectedFrom?: string): string {
  const granted = grant.allowedHosts.length
    ? `granted: ${grant.allowedHosts.join(', ')}`
    : 'nothing is granted: network is off by default';
  const requested = grant.requestedHosts.some((p) => hostMatches(host, p))
    ? `; plugin.yaml's runtimeConfig.allowedHosts asks for it, which grants nothing by itself`
    : '';
  return (
    `HTTP ${method} request to host "${host}"${redirectedFrom ? ` (redirected from "${redirectedFrom}")` : ''} ` +
    `was not allowed: allowedHosts must grant it (${granted})${requested}`
  );
}

function checkUrl(raw: string, redirect?: { base: URL; method: string }): URL {
  const what = redirect
    ? `HTTP ${redirect.method} request to host "${redirect.base.hostname}" failed: redirect`
    : 'HTTP request is invalid: url';
  let url: URL;
  try {
    url = redirect ? new URL(raw, redirect.base) : new URL(raw);
  } catch {
    throw new HttpError(`${what} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new HttpError(`${what} must be http: or https:, not ${url.protocol}`);
  if (url.username || url.password) throw new HttpError(`${what} must not carry credentials`);
  return url;
}

/**
 * httpRequest performs a guest's request synchronously under the grant, following redirects to
 * granted hosts. It throws HttpError for a refused host, a transport failure, too many redirects
 * or a body over the cap; HTTP error statuses are results, as in Extism.
 */
export function httpRequest(req: PluginHttpRequest, grant: NetworkGrant, log: HttpLog): HttpResult {
  let url = checkUrl(req.url);
  let { method, body } = req;
  let headers = req.headers;
  let from: string | undefined;
  for (let redirects = 0; ; redirects++) {
    if (!hostAllowed(url.hostname, grant.allowedHosts)) {
      const msg = deniedMessage(method, url.hostname, grant, from);
      log('error', `http: ${msg}`);
      throw new HttpError(msg, url.hostname);
    }
    let reply: ThreadReply;
    try {
      reply = fetchThread().roundTrip({
        url: url.href,
        method,
        headers,
        body,
        maxBytes: grant.maxResponseBytes,
      });
    } catch (err) {
      throw new HttpError(`HTTP ${method} request to host "${url.hostname}" failed: ${(err as Error).message}`);
    }
    if (!reply.ok) {
      log('error', `http: ${method} ${url.hostname} failed: ${reply.error}`);
      throw new HttpError(`HTTP ${method} request to host "${url.hostname}" failed: ${reply.error}`);
    }
    const bytes = new Uint8Array(reply.body);
    log('debug', `http: ${method} ${url.hostname} -> ${reply.status}, ${bytes.length} bytes`);
    if (!REDIRECT_STATUSES.has(reply.status) || reply.location === null) return { status: reply.status, body: bytes };
    if (redirects === MAX_REDIRECTS) {
      log('error', `http: ${method} ${url.hostname}: more than ${MAX_REDIRECTS} redirects`);
      throw new HttpError(
        `HTTP ${method} request to host "${url.hostname}" failed: more than ${MAX_REDIRECTS} redirects`,
      );
    }
    const next = checkUrl(reply.location, { base: url, method });
    if (reply.status === 303 || ((reply.status === 301 || reply.status === 302) && method === 'POST')) {
      if (method !== 'HEAD') method = 'GET';
      body = null;
    }
    if (next.origin !== url.origin)
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())));
    from = url.hostname;
    url = next;
  }
}

interface ThreadRequest {
  id: number;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | null;
  maxBytes: number;
}

type ThreadReply =
  | { id: number; ok: true; status: number; location: string | null; body: ArrayBuffer }
  | { id: number; ok: false; error: string };

/**
 * THREAD_SOURCE is the helper thread (plain JavaScript, evaluated by the Worker: it must not
 * depend on the TypeScript loader). It performs one fetch per message without following
 * redirects, reads at most maxBytes of body, posts the reply, then sets the flag to the request id.
 */
const THREAD_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { port, flag } = workerData;
const signal = new Int32Array(flag);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
function reply(msg, transfer) {
  port.postMessage(msg, transfer || []);
  Atomics.store(signal, 0, msg.id);
  Atomics.notify(signal, 0);
}
function describe(err) {
  let text = err && err.message ? String(err.message) : String(err);
  const cause = err && err.cause;
  if (cause) text += ': ' + (cause.message ? String(cause.message) : String(cause));
  return text;
}
async function perform(req) {
  const res = await fetch(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body || undefined,
    redirect: 'manual',
  });
  const location = res.headers.get('location');
  if (REDIRECTS.has(res.status) && location !== null) {
    if (res.body) await res.body.cancel().catch(() => {});
    return { id: req.id, ok: true, status: res.status, location, body: new ArrayBuffer(0) };
  }
  const tooLarge = { id: req.id, ok: false, error: 'response body exceeds ' + req.maxBytes + ' bytes' };
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > req.maxBytes) {
    if (res.body) await res.body.cancel().catch(() => {});
    return tooLarge;
  }
  const chunks = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > req.maxBytes) return tooLarge; // leaving the loop cancels the stream
      chunks.push(chunk);
    }
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return { id: req.id, ok: true, status: res.status, location: null, body: body.buffer };
}
port.on('message', (req) => {
  perform(req).then(
    (msg) => reply(msg, msg.ok ? [msg.body] : []),
    (err) => reply({ id: req.id, ok: false, error: describe(err) }),
  );
});
`;

class FetchThread {
  readonly #flag = new Int32Array(new SharedArrayBuffer(4));
  readonly #port: MessagePort;
  readonly #worker: Worker;
  #nextId = 1;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(THREAD_SOURCE, {
      eval: true,
      execArgv: [], // no TypeScript loader, no heap flags meant for the wasm host
      workerData: { port: port2, flag: this.#flag.buffer },
      transferList: [port2],
    });
    // An idle thread must not keep the worker process alive.
    this.#worker.unref();
    this.#worker.on('error', () => {
      thread = undefined;
    });
    this.#worker.on('exit', () => {
      thread = undefined;
    });
  }

  /** roundTrip sends one request and blocks until the thread answers. */
  roundTrip(req: Omit<ThreadRequest, 'id'>): ThreadReply {
    const id = this.#nextId++;
    this.#port.postMessage({ ...req, id });
    // No time limit here: a request that never ends is stopped with the whole worker process.
    for (let seen = Atomics.load(this.#flag, 0); seen !== id; seen = Atomics.load(this.#flag, 0))
      Atomics.wait(this.#flag, 0, seen);
    for (;;) {
      // The thread posts the reply before it raises the flag, so it is normally here already.
      const got = receiveMessageOnPort(this.#port);
      if (got === undefined) {
        Atomics.wait(this.#flag, 0, id, 1); // sleep 1 ms
        continue;
      }
      const reply = got.message as ThreadReply;
      if (reply.id === id) return reply;
    }
  }
}

let thread: FetchThread | undefined;

function fetchThread(): FetchThread {
  thread ??= new FetchThread();
  return thread;
}
