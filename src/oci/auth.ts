/**
 * auth: where registry credentials come from and how the registry asks for them.
 *
 * Sources: a `kubernetes.io/dockerconfigjson` payload (the controller passes the decoded JSON of
 * the Secret's `.dockerconfigjson`), and, for the CLI, the local Docker config
 * (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`) and Helm's registry config
 * (`$HELM_REGISTRY_CONFIG`, else `~/.config/helm/registry/config.json`). Entries under `auths` hold
 * either `auth` (base64 `user:password`) or `username`/`password`. Credential helpers
 * (`credsStore`, `credHelpers`) are not consulted.
 *
 * Challenges: `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Credentials for one registry. Never logged. */
export interface Credentials {
  username: string;
  password: string;
}

/** Challenge is one parsed `WWW-Authenticate` challenge; scheme is lowercased. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** parseChallenges reads a `WWW-Authenticate` header value (one or more challenges). */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  const re =
    /\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s+|$)|\s*,?\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/y;
  let pos = 0;
  let current: Challenge | undefined;
  while (pos < header.length) {
    re.lastIndex = pos;
    const m = re.exec(header);
    if (!m || m[0] === '') break;
    pos = re.lastIndex;
    if (m[2] !== undefined) {
      if (!current) break;
      current.params[m[2].toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[4] ?? '');
    } else if (m[1] !== undefined) {
      // A bare word followed by `=` is a parameter of a token68 form we do not use; a word is a new scheme.
      current = { scheme: m[1].toLowerCase(), params: {} };
      out.push(current);
    }
  }
  return out;
}

function normalizeRegistryKey(key: string): string {
  let k = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  return k.toLowerCase();
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

function sameRegistry(key: string, host: string): boolean {
  const a = normalizeRegistryKey(key);
  const b = host.toLowerCase();
  if (a === b) return true;
  // An entry for host:443 serves host, and the Docker Hub has several names.
  if (a.replace(/:443$/, '') === b.replace(/:443$/, '')) return true;
  return DOCKER_HUB_ALIASES.has(a) && DOCKER_HUB_ALIASES.has(b);
}

function entryCredentials(entry: unknown): Credentials | undefined {
  if (!entry || typeof entry !== 'object') return undefined;
  const e = entry as Record<string, unknown>;
  if (typeof e.auth === 'string' && e.auth !== '') {
    const decoded = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
  }
  if (typeof e.username === 'string' && e.username !== '' && typeof e.password === 'string')
    return { username: e.username, password: e.password };
  return undefined;
}

/**
 * dockerConfigCredentials finds the credentials for `host` (`host[:port]`) in a Docker config
 * document: the decoded `.dockerconfigjson` of a `kubernetes.io/dockerconfigjson` Secret, or a
 * `~/.docker/config.json`. Accepts the JSON text or the parsed object, and the legacy `.dockercfg`
 * shape (entries at the top level). Returns undefined when no entry matches.
 *
 * @example
 *   dockerConfigCredentials(secret.data['.dockerconfigjson'] decoded, 'ghcr.io')
 */
export function dockerConfigCredentials(json: unknown, host: string): Credentials | undefined {
  let doc: unknown = json;
  if (typeof json === 'string' || json instanceof Uint8Array) {
    const text = typeof json === 'string' ? json : Buffer.from(json).toString('utf8');
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new Error(`reading docker config: invalid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!doc || typeof doc !== 'object') return undefined;
  const d = doc as Record<string, unknown>;
  const auths = d.auths && typeof d.auths === 'object' ? (d.auths as Record<string, unknown>) : d;
  // Exact key first, then any equivalent spelling (scheme, path, :443, Docker Hub aliases).
  for (const exact of [true, false]) {
    for (const [key, entry] of Object.entries(auths)) {
      if (exact ? normalizeRegistryKey(key) !== host.toLowerCase() : !sameRegistry(key, host)) continue;
      const c = entryCredentials(entry);
      if (c) return c;
    }
  }
  return undefined;
}

/** localConfigPaths lists the files `localDockerCredentials` reads, in order. */
export function localConfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || homedir();
  const docker = env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(home, '.docker', 'config.json');
  const helm =
    env.HELM_REGISTRY_CONFIG || join(env.XDG_CONFIG_HOME || join(home, '.config'), 'helm', 'registry', 'config.json');
  return [docker, helm];
}

/** localDockerCredentials reads the local Docker (then Helm registry) config for `host`; used by the CLI. */
export function localDockerCredentials(host: string, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  for (const path of localConfigPaths(env)) {
    if (!existsSync(path)) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    let c: Credentials | undefined;
    try {
      c = dockerConfigCredentials(text, host);
    } catch (err) {
      throw new Error(
        `reading docker config ${path}: ${(err as Error).message.replace(/^reading docker config: /, '')}`,
        { cause: err },
      );
    }
    if (c) return c;
  }
  return undefined;
}
