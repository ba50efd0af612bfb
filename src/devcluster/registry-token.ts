/**
 * registry-token: a small, real token server for distribution's `auth.token` mode, used by tests
 * and the demo. It speaks the Docker/OCI token protocol: `GET /token?service=…&scope=…` with HTTP
 * basic credentials returns `{ token, access_token, expires_in, issued_at }`, where the token is a
 * JWT (RS256) whose header carries the signing certificate in `x5c`; the registry trusts it because
 * the same certificate is its `rootcertbundle`.
 */
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** TokenServerOptions: who may log in and how long tokens live. */
export interface TokenServerOptions {
  /** issuer must equal the registry's `auth.token.issuer`. */
  issuer: string;
  /** service must equal the registry's `auth.token.service`. */
  service: string;
  /** keyPem and certPem: the signing key and its certificate (PEM); the certificate is the registry's root bundle. */
  keyPem: string;
  certPem: string;
  username: string;
  password: string;
  /** tokenTtlSeconds: lifetime of issued tokens (default 300). Tests use short lifetimes to exercise refresh. */
  tokenTtlSeconds?: number;
  /** anonymousPull: grant `pull` without credentials (default false: anonymous requests get 401). */
  anonymousPull?: boolean;
}

/** TokenServer is a running token server; `issued` counts the tokens it handed out. */
export interface TokenServer {
  /** realm is the URL the registry advertises in its Bearer challenge. */
  realm: string;
  issued: number;
  /** denied counts token requests refused for bad or missing credentials. */
  denied: number;
  /**
   * setTokenTtl changes the lifetime of tokens issued from now on. `advertisedSeconds` (default:
   * the same) is the `expires_in` told to clients; a larger value makes clients hold on to tokens
   * the registry already refuses, which is how tests exercise refresh-on-401.
   */
  setTokenTtl(seconds: number, advertisedSeconds?: number): void;
  close(): Promise<void>;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function parseScopes(scopes: string[]): Access[] {
  const out: Access[] = [];
  for (const s of scopes) {
    for (const one of s.split(' ')) {
      // repository:name/with/slashes:pull,push (name may contain a port-less path, never a colon)
      const first = one.indexOf(':');
      const last = one.lastIndexOf(':');
      if (first < 0 || last === first) continue;
      out.push({
        type: one.slice(0, first),
        name: one.slice(first + 1, last),
        actions: one
          .slice(last + 1)
          .split(',')
          .filter(Boolean),
      });
    }
  }
  return out;
}

function checkBasic(req: IncomingMessage, username: string, password: string): 'ok' | 'none' | 'bad' {
  const h = req.headers.authorization;
  if (!h) return 'none';
  const m = /^Basic\s+(.+)$/i.exec(h);
  if (!m) return 'bad';
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return 'bad';
  return decoded.slice(0, i) === username && decoded.slice(i + 1) === password ? 'ok' : 'bad';
}

/** startTokenServer listens on a free loopback port and issues signed tokens to valid users. */
export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const key = createPrivateKey(opts.keyPem);
  const certDer = new X509Certificate(opts.certPem).raw;
  let ttl = opts.tokenTtlSeconds ?? 300;
  let advertised = ttl;
  const state = { issued: 0, denied: 0 };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://token.local');
    if (url.pathname !== '/token' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    const auth = checkBasic(req, opts.username, opts.password);
    const requested = parseScopes(url.searchParams.getAll('scope'));
    if (auth === 'bad' || (auth === 'none' && !opts.anonymousPull)) {
      state.denied++;
      res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Basic realm="capstan-token"' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
      return;
    }
    const granted = requested
      .filter((a) => a.type === 'repository')
      .map((a) => ({
        ...a,
        actions:
          auth === 'ok' ? a.actions.filter((x) => x === 'pull' || x === 'push') : a.actions.filter((x) => x === 'pull'),
      }));
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: opts.issuer,
      sub: auth === 'ok' ? opts.username : '',
      aud: url.searchParams.get('service') ?? opts.service,
      exp: now + ttl,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access: granted,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), key);
    const token = `${signingInput}.${b64url(signature)}`;
    state.issued++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        token,
        access_token: token,
        expires_in: advertised,
        issued_at: new Date(now * 1000).toISOString(),
      }),
    );
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    get issued() {
      return state.issued;
    },
    get denied() {
      return state.denied;
    },
    setTokenTtl(seconds: number, advertisedSeconds?: number) {
      ttl = seconds;
      advertised = advertisedSeconds ?? seconds;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
