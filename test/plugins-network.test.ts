/**
 * Network access of WebAssembly post-renderers: the Go test plugin http-get (Extism's
 * `http_request` through the Go PDK) against a real HTTP server on 127.0.0.1, with and without
 * the caller's `allowedHosts` grant.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  invokePlugin,
  loadPlugin,
  parseManifests,
  PluginRunError,
  postRender,
  PostRenderError,
  WasmHost,
  type Plugin,
} from '../src/plugins/index.js';
import { hostAllowed, hostMatches, MAX_REDIRECTS, normalizeHostPattern } from '../src/plugins/http.js';
import { testPluginDir } from './plugins/build.js';

const host = new WasmHost({ maxWorkers: 2 });
const temps: string[] = [];
let plugin: Plugin;
/** small is http-get with plugin.yaml's memory.maxHttpResponseBytes set to 64. */
let small: Plugin;

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}
const seen: Seen[] = [];
const sockets = new Set<Socket>();
let hanging: Promise<void> | undefined;
let server: Server;
let port = 0;

before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = req.url ?? '/';
    const loop = /^\/loop\/(\d+)$/.exec(path);
    if (path === '/hello') res.end('  fetched-value\n');
    else if (path === '/redirect-localhost') res.writeHead(302, { location: `http://localhost:${port}/hello` }).end();
    else if (path === '/redirect-same') res.writeHead(307, { location: '/hello' }).end();
    else if (loop) res.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` }).end();
    else if (path === '/status500') res.writeHead(500).end('boom');
    else if (path === '/big-chunked') {
      res.write('x'.repeat(50));
      setTimeout(() => res.end('y'.repeat(50)), 20);
    } else if (path === '/big-length') res.end('z'.repeat(100));
    else if (path === '/hang') {
      // Never answer: the call's time limit must stop it.
      hanging = new Promise((resolve) => req.socket.once('close', () => resolve()));
    } else res.writeHead(404).end('not found');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;

  plugin = await loadPlugin(testPluginDir('http-get'));
  const dir = await mkdtemp(join(tmpdir(), 'capstan-http-get-'));
  temps.push(dir);
  await cp(testPluginDir('http-get'), dir, { recursive: true });
  const yaml = await readFile(join(dir, 'plugin.yaml'), 'utf8');
  await writeFile(
    join(dir, 'plugin.yaml'),
    yaml.replace('maxPages: 1024', 'maxPages: 1024\n    maxHttpResponseBytes: 64'),
  );
  small = await loadPlugin(dir);
  assert.equal(small.metadata.runtimeConfig.memory.maxHttpResponseBytes, 64);
});

after(async () => {
  await host.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

beforeEach(() => {
  seen.length = 0;
});

const manifests = `---
apiVersion: v1
kind: ConfigMap
metadata: {name: one}
---
apiVersion: v1
kind: Service
metadata: {name: two}
spec: {ports: [{port: 80}]}
`;
const url = (path: string) => `http://127.0.0.1:${port}${path}`;

type Obj = Record<string, unknown>;
const annotations = (o: Obj) => ((o.metadata as Obj).annotations ?? {}) as Obj;

function call(p: Plugin, path: string, allowedHosts?: string[], timeoutMs?: number) {
  return invokePlugin(
    p,
    { manifests, extraArgs: [] },
    { host, step: 'post-renderer', config: { url: url(path) }, allowedHosts, timeoutMs },
  );
}

async function refused(p: Promise<unknown>): Promise<PluginRunError> {
  const err = await p.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PluginRunError, String(err));
  return err;
}

test('without a grant the request is refused and never sent (plugin.yaml does not grant)', async () => {
  // http-get's plugin.yaml asks for 127.0.0.1; that alone grants nothing.
  assert.deepEqual(plugin.metadata.runtimeConfig.allowedHosts, ['127.0.0.1']);
  const err = await postRender(manifests, [{ wasm: { plugin, config: { url: url('/hello') } } }], { host }).then(
    () => assert.fail('expected a failure'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof PostRenderError, String(err));
  const cause = err.cause;
  assert.ok(cause instanceof PluginRunError, String(cause));
  assert.equal(cause.reason, 'trap');
  assert.match(
    cause.message,
    /^post-renderer .*\(http-get 0\.1\.0\): plugin's HTTP GET request to host "127\.0\.0\.1" was not allowed: allowedHosts must grant it \(nothing is granted: network is off by default\); plugin\.yaml's runtimeConfig\.allowedHosts asks for it, which grants nothing by itself$/,
  );
  assert.ok(
    cause.logs.some((l) =>
      /^error: .*request to host "127\.0\.0\.1" was not allowed: allowedHosts must grant it/.test(l),
    ),
    cause.logs.join('\n'),
  );
  assert.deepEqual(seen, []);
});

test('a granted host is reached: the body lands in every object and the server sees one GET', async () => {
  const r = await postRender(
    manifests,
    [{ wasm: { plugin, config: { url: url('/hello') }, allowedHosts: ['127.0.0.1'] } }],
    { host },
  );
  const out = parseManifests(r.manifests).map((o) => o.object);
  assert.equal(out.length, 2);
  for (const o of out) assert.equal(annotations(o)['capstan.dev/fetched'], 'fetched-value', String(o.kind));
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.method, 'GET');
  assert.equal(seen[0]!.url, '/hello');
  assert.equal(seen[0]!.headers['x-capstan-test'], 'http-get');
  assert.equal(seen[0]!.headers.host, `127.0.0.1:${port}`);
  // Method, host, status and size are logged at debug level; headers never are.
  const logs = r.steps[0]!.logs;
  assert.ok(logs.includes('debug: http: GET 127.0.0.1 -> 200, 16 bytes'), `logs: ${logs.join('\n')}`);
  assert.doesNotMatch(logs.join('\n') + r.steps[0]!.stdio, /x-capstan-test/i);
});

test('a grant of other hosts refuses the request', async () => {
  const err = await refused(call(plugin, '/hello', ['example.com', '*.example.org']));
  assert.equal(err.reason, 'trap');
  assert.match(
    err.message,
    /request to host "127\.0\.0\.1" was not allowed: allowedHosts must grant it \(granted: example\.com, \*\.example\.org\)/,
  );
  assert.deepEqual(seen, []);
});

test('redirects are followed only to granted hosts, at most 5', async (t) => {
  await t.test('to a host that is not granted: refused after the first hop', async () => {
    const err = await refused(call(plugin, '/redirect-localhost', ['127.0.0.1']));
    assert.match(
      err.message,
      /HTTP GET request to host "localhost" \(redirected from "127\.0\.0\.1"\) was not allowed: allowedHosts must grant it \(granted: 127\.0\.0\.1\)/,
    );
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/redirect-localhost'],
    );
  });
  await t.test('on a granted host: followed', async () => {
    const r = await call(plugin, '/redirect-same', ['127.0.0.1']);
    const out = parseManifests((r.output as { manifests: string }).manifests).map((o) => o.object);
    assert.equal(annotations(out[0]!)['capstan.dev/fetched'], 'fetched-value');
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/redirect-same', '/hello'],
    );
  });
  await t.test('more than 5: refused', async () => {
    const err = await refused(call(plugin, '/loop/0', ['127.0.0.1']));
    assert.match(err.message, /request to host "127\.0\.0\.1" failed: more than 5 redirects/);
    assert.equal(seen.length, MAX_REDIRECTS + 1);
  });
});

test('responses: error statuses reach the plugin, bodies are capped, only http(s)', async (t) => {
  await t.test("HTTP 500 is the plugin's to handle (http-get fails with it)", async () => {
    const err = await refused(call(plugin, '/status500', ['127.0.0.1']));
    assert.equal(err.reason, 'exit');
    assert.match(
      err.message,
      /plugin returned status 1: GET http:\/\/127\.0\.0\.1:\d+\/status500: HTTP status 500: boom$/,
    );
  });
  for (const path of ['/big-length', '/big-chunked']) {
    await t.test(`a body over maxHttpResponseBytes (${path})`, async () => {
      const err = await refused(call(small, path, ['127.0.0.1']));
      assert.equal(err.reason, 'trap');
      assert.match(err.message, /request to host "127\.0\.0\.1" failed: response body exceeds 64 bytes$/);
    });
  }
  await t.test('a file: URL is refused whatever the grant', async () => {
    const err = await refused(
      invokePlugin(
        plugin,
        { manifests, extraArgs: [] },
        { host, config: { url: 'file:///etc/passwd' }, allowedHosts: ['*'] },
      ),
    );
    assert.match(err.message, /HTTP request is invalid: url must be http: or https:, not file:/);
  });
});

test('a server that never answers: the call times out, nothing is left behind, the host goes on', async () => {
  const started = performance.now();
  const err = await refused(call(plugin, '/hang', ['127.0.0.1'], 1500));
  assert.equal(err.reason, 'timeout');
  assert.match(err.message, /plugin exceeded its 1500ms time limit and was stopped$/);
  assert.ok(performance.now() - started < 10_000);
  assert.deepEqual(
    seen.map((s) => s.url),
    ['/hang'],
  );
  // The worker process (and its fetch thread) is gone, so the server sees the connection close.
  assert.ok(hanging, 'the server got the request');
  await Promise.race([
    hanging,
    new Promise((_, reject) => setTimeout(() => reject(new Error('the hanging connection was not closed')), 5000)),
  ]);
  const r = await call(plugin, '/hello', ['127.0.0.1']);
  const out = parseManifests((r.output as { manifests: string }).manifests).map((o) => o.object);
  assert.equal(annotations(out[1]!)['capstan.dev/fetched'], 'fetched-value');
});

test('allowedHosts patterns', async (t) => {
  await t.test('exact names, case-insensitive', () => {
    assert.ok(hostMatches('example.com', 'example.com'));
    assert.ok(hostMatches('Example.COM', 'example.com'));
    assert.ok(!hostMatches('www.example.com', 'example.com'));
    assert.ok(!hostMatches('example.co', 'example.com'));
    // "." is literal.
    assert.ok(!hostMatches('aexample.com', 'a.example.com'));
    assert.ok(hostMatches('127.0.0.1', '127.0.0.1'));
    assert.ok(!hostMatches('127.0.0.10', '127.0.0.1'));
    assert.ok(hostMatches('[::1]', '[::1]'));
  });
  await t.test('globs', () => {
    assert.ok(hostMatches('a.example.com', '*.example.com'));
    assert.ok(hostMatches('a.b.example.com', '*.example.com'));
    assert.ok(!hostMatches('example.com', '*.example.com'));
    assert.ok(!hostMatches('evilexample.com', '*.example.com'));
    assert.ok(!hostMatches('a.example.com.evil.io', '*.example.com'));
    assert.ok(hostMatches('api-1.example.com', 'api-?.example.com'));
    assert.ok(!hostMatches('api-10.example.com', 'api-?.example.com'));
    assert.ok(hostMatches('anything.at.all', '*'));
    assert.ok(hostMatches('10.0.0.7', '10.0.0.*'));
  });
  await t.test('a list grants what any entry matches; an empty list grants nothing', () => {
    assert.ok(hostAllowed('charts.example.com', ['example.org', '*.example.com']));
    assert.ok(!hostAllowed('example.net', ['example.org', '*.example.com']));
    assert.ok(!hostAllowed('example.com', []));
  });
  await t.test('entries are checked and normalized', () => {
    assert.equal(normalizeHostPattern(' Charts.Example.COM '), 'charts.example.com');
    assert.equal(normalizeHostPattern('*.example.com'), '*.example.com');
    assert.equal(normalizeHostPattern('[::1]'), '[::1]');
    assert.throws(() => normalizeHostPattern('https://example.com'), /not a URL/);
    assert.throws(() => normalizeHostPattern('example.com/path'), /not a URL/);
    assert.throws(() => normalizeHostPattern('example.com:8443'), /without a port/);
    assert.throws(() => normalizeHostPattern(''), /non-empty string/);
    assert.throws(() => normalizeHostPattern(42), /non-empty string/);
    assert.throws(() => normalizeHostPattern('exa mple.com'), /may contain only/);
  });
});
