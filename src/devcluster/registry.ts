/**
 * registry: a real OCI registry (Debian's `docker-registry`, distribution v2.8) on loopback, for
 * tests and the demo. `startRegistry()` writes a config into a fresh temp dir, picks free ports,
 * starts `/usr/bin/docker-registry serve CONFIG` and waits until `/v2/` answers.
 *
 * Auth modes: `none` (open), `htpasswd` (bcrypt entries made with apache2-utils' `htpasswd`) and
 * `token` (distribution's `auth.token`, backed by the in-process token server of
 * `registry-token.ts`, whose signing certificate is made with the `openssl` CLI). `tls: true` serves
 * HTTPS with a certificate for 127.0.0.1 signed by a throwaway CA (`caPem`/`caFile`).
 *
 * Cleanup: `stop()` kills the registry and removes the temp dir. A process `exit` hook does the
 * same when a test forgets or throws, and a small shell watchdog kills the registry and removes the
 * dir when its stdin pipe from us closes, so even a SIGKILLed test runner leaves no orphan.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cluster.js';
import { startTokenServer, type TokenServer } from './registry-token.js';

/** REGISTRY_BINARY is Debian's distribution v2.8 package binary. */
export const REGISTRY_BINARY = process.env.CAPSTAN_REGISTRY_BINARY || '/usr/bin/docker-registry';

const STARTUP_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;

/** RegistryAuthMode selects how the registry authenticates clients. */
export type RegistryAuthMode = 'none' | 'htpasswd' | 'token';

/** StartRegistryOptions configures one registry instance. */
export interface StartRegistryOptions {
  auth?: RegistryAuthMode;
  /** tls serves HTTPS with a certificate for 127.0.0.1/localhost signed by a throwaway CA. */
  tls?: boolean;
  /** username/password of the one user (htpasswd and token modes); generated when absent. */
  username?: string;
  password?: string;
  /** tokenTtlSeconds: lifetime of bearer tokens in token mode (default 300). */
  tokenTtlSeconds?: number;
  /** unref: the registry does not keep this process alive; it is still stopped when the process exits. */
  unref?: boolean;
}

/** Registry is a running registry; `stop()` is idempotent. */
export interface Registry {
  /** pid of the docker-registry process. */
  pid: number;
  /** host is `127.0.0.1:PORT`, the part of `oci://HOST/…` references. */
  host: string;
  /** url is `http://127.0.0.1:PORT` (or https with `tls`). */
  url: string;
  /** ociBase is `oci://127.0.0.1:PORT`. */
  ociBase: string;
  auth: RegistryAuthMode;
  username: string;
  password: string;
  /** storageDir is the registry's filesystem storage root (tests corrupt blobs here). */
  storageDir: string;
  /** accessLogPath collects the registry's combined-format access log (one line per request). */
  accessLogPath: string;
  /** logPath collects the registry's own log (stderr). */
  logPath: string;
  /** caPem/caFile: the CA that signed the TLS certificate (tls only). */
  caPem?: string;
  caFile?: string;
  /** tokenServer: the token server (token mode only). */
  tokenServer?: TokenServer;
  /** blobPath returns the on-disk data file of a blob in the registry's storage. */
  blobPath(digest: string): string;
  /** accessLog returns the access log lines written so far. */
  accessLog(): string[];
  stop(): Promise<void>;
}

/** RegistryStartError: the registry process did not come up; carries the tail of its log. */
export class RegistryStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistryStartError';
  }
}

export { freePort };

function makeHtpasswd(username: string, password: string): string {
  try {
    return execFileSync('htpasswd', ['-Bbn', username, password], { encoding: 'utf8' }).trim() + '\n';
  } catch (err) {
    throw new Error('starting registry: htpasswd (Debian package apache2-utils) is required for auth=htpasswd', {
      cause: err,
    });
  }
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(`starting registry: openssl ${args[0]} failed`, { cause: err });
  }
}

function makeTokenCert(dir: string): { keyPem: string; certPem: string; certFile: string } {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'token.key',
      '-out',
      'token.crt',
      '-days',
      '2',
      '-subj',
      '/CN=capstan-token-signer',
    ],
    dir,
  );
  return {
    keyPem: readFileSync(join(dir, 'token.key'), 'utf8'),
    certPem: readFileSync(join(dir, 'token.crt'), 'utf8'),
    certFile: join(dir, 'token.crt'),
  };
}

function makeTlsCert(dir: string): { caFile: string; certFile: string; keyFile: string } {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=capstan-test-ca',
    ],
    dir,
  );
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=127.0.0.1'],
    dir,
  );
  writeFileSync(join(dir, 'tls.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'tls.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'tls.crt',
      '-days',
      '2',
      '-extfile',
      'tls.ext',
    ],
    dir,
  );
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
}

// The YAML is written by hand: every value is a path, a port or a fixed word (JSON strings are valid YAML).
function registryConfig(o: {
  storageDir: string;
  port: number;
  auth: RegistryAuthMode;
  htpasswdFile?: string;
  token?: { realm: string; service: string; issuer: string; certFile: string };
  tls?: { certFile: string; keyFile: string };
}): string {
  const q = JSON.stringify;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(o.storageDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${q(`127.0.0.1:${o.port}`)}`,
    `  secret: ${q(randomBytes(16).toString('hex'))}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
  ];
  if (o.tls) lines.push('  tls:', `    certificate: ${q(o.tls.certFile)}`, `    key: ${q(o.tls.keyFile)}`);
  if (o.auth === 'htpasswd')
    lines.push('auth:', '  htpasswd:', '    realm: capstan-registry', `    path: ${q(o.htpasswdFile!)}`);
  if (o.auth === 'token') {
    const t = o.token!;
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${q(t.realm)}`,
      `    service: ${q(t.service)}`,
      `    issuer: ${q(t.issuer)}`,
      `    rootcertbundle: ${q(t.certFile)}`,
    );
  }
  return lines.join('\n') + '\n';
}

const live = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const kill of live) kill();
  });
}

async function waitReady(url: string, child: ChildProcess, caPem: string | undefined, logPath: string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const status = await new Promise<number>((resolve) => {
      const req = request(`${url}/v2/`, { method: 'GET', ca: caPem, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (err) => {
        lastErr = err;
        resolve(0);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.end();
    });
    if (status === 200 || status === 401) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const tail = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').slice(-20).join('\n') : '';
  throw new RegistryStartError(
    `starting registry at ${url}: not ready within ${STARTUP_TIMEOUT_MS}ms (exit ${child.exitCode ?? child.signalCode ?? 'none'})`,
    tail,
    { cause: lastErr },
  );
}

/**
 * startRegistry starts one registry on loopback and resolves once it serves `/v2/`.
 *
 * @example
 *   const reg = await startRegistry({ auth: 'htpasswd' });
 *   try { await pushChart(tgz, `${reg.ociBase}/charts`, { credentials: reg }); } finally { await reg.stop(); }
 */
export async function startRegistry(opts: StartRegistryOptions = {}): Promise<Registry> {
  if (!existsSync(REGISTRY_BINARY)) {
    throw new Error(`starting registry: ${REGISTRY_BINARY} not found (install the Debian package docker-registry)`);
  }
  const auth = opts.auth ?? 'none';
  const username = opts.username ?? 'capstan';
  const password = opts.password ?? randomBytes(12).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'capstan-registry-'));
  const storageDir = join(dir, 'storage');
  const accessLogPath = join(dir, 'access.log');
  const logPath = join(dir, 'registry.log');
  let tokenServer: TokenServer | undefined;
  let child: ChildProcess | undefined;
  let watchdog: ChildProcess | undefined;
  let killHook: (() => void) | undefined;

  const alive = (p: ChildProcess | undefined): p is ChildProcess =>
    Boolean(p?.pid) && p!.exitCode === null && p!.signalCode === null;
  const cleanupSync = (): void => {
    for (const p of [child, watchdog]) if (alive(p)) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const port = await freePort();
    const tls = opts.tls ? makeTlsCert(dir) : undefined;
    const caPem = tls ? readFileSync(tls.caFile, 'utf8') : undefined;
    let htpasswdFile: string | undefined;
    let token: { realm: string; service: string; issuer: string; certFile: string } | undefined;
    if (auth === 'htpasswd') {
      htpasswdFile = join(dir, 'htpasswd');
      writeFileSync(htpasswdFile, makeHtpasswd(username, password));
    } else if (auth === 'token') {
      const cert = makeTokenCert(dir);
      const service = 'capstan-registry';
      const issuer = 'capstan-token-server';
      tokenServer = await startTokenServer({
        issuer,
        service,
        keyPem: cert.keyPem,
        certPem: cert.certPem,
        username,
        password,
        tokenTtlSeconds: opts.tokenTtlSeconds,
      });
      token = { realm: tokenServer.realm, service, issuer, certFile: cert.certFile };
    }
    const configPath = join(dir, 'config.yml');
    writeFileSync(configPath, registryConfig({ storageDir, port, auth, htpasswdFile, token, tls }));

    const outFd = openSync(accessLogPath, 'a');
    const errFd = openSync(logPath, 'a');
    child = spawn(REGISTRY_BINARY, ['serve', configPath], { stdio: ['ignore', outFd, errFd] });
    if (opts.unref) child.unref();
    closeSync(outFd);
    closeSync(errFd);
    child.on('error', () => {
      /* surfaced by waitReady */
    });
    // Watchdog for a hard death of this process (SIGKILL skips exit hooks): a shell blocked in the
    // `read` builtin on a pipe from us; EOF means we are gone, so it kills the registry and removes
    // the temp dir. On a normal stop() we kill the watchdog first. Both are our children, so node
    // reaps them and no zombie is left behind.
    watchdog = spawn(
      'sh',
      ['-c', 'while read -r _; do :; done; kill "$0" 2>/dev/null; sleep 1; rm -rf "$1"', String(child.pid), dir],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    watchdog.on('error', () => {
      /* without a watchdog only the hard-kill case leaks */
    });
    child.unref();
    watchdog.unref();
    (watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
    killHook = cleanupSync;
    live.add(killHook);
    installExitHook();

    const scheme = tls ? 'https' : 'http';
    const host = `127.0.0.1:${port}`;
    const url = `${scheme}://${host}`;
    await waitReady(url, child, caPem, logPath);

    let stopped: Promise<void> | undefined;
    const proc = child;
    const dog = watchdog;
    const stop = (): Promise<void> => {
      stopped ??= (async () => {
        // The exit hook stays armed until everything is gone: a stop() cut short still cleans up.
        if (alive(dog)) {
          dog.ref();
          const gone = new Promise<void>((r) => dog.once('exit', () => r()));
          dog.kill('SIGKILL');
          await gone;
        }
        if (alive(proc)) {
          proc.ref();
          const exited = new Promise<void>((r) => proc.once('exit', () => r()));
          proc.kill('SIGTERM');
          const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
          await exited;
          clearTimeout(timer);
        }
        await tokenServer?.close();
        rmSync(dir, { recursive: true, force: true });
        if (killHook) live.delete(killHook);
      })();
      return stopped;
    };

    return {
      pid: proc.pid!,
      host,
      url,
      ociBase: `oci://${host}`,
      auth,
      username,
      password,
      storageDir,
      accessLogPath,
      logPath,
      caPem,
      caFile: tls?.caFile,
      tokenServer,
      blobPath: (digest: string) => {
        const [alg, hex] = digest.split(':');
        return join(storageDir, 'docker', 'registry', 'v2', 'blobs', alg!, hex!.slice(0, 2), hex!, 'data');
      },
      accessLog: () =>
        existsSync(accessLogPath) ? readFileSync(accessLogPath, 'utf8').split('\n').filter(Boolean) : [],
      stop,
    };
  } catch (err) {
    if (killHook) live.delete(killHook);
    cleanupSync();
    await tokenServer?.close();
    throw err;
  }
}
