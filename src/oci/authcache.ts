/**
 * authcache: what the client learned about registry authentication, shared between clients so a
 * controller that pulls every few minutes does not repeat the 401 round trip or the token fetch.
 * Entries are keyed by registry and by a fingerprint of the credentials in use (never the
 * credentials themselves), so different users never share a token.
 */
import { createHash } from 'node:crypto';
import type { Credentials } from './auth.js';

/** AuthScheme: how a registry asked to be authenticated. */
export type AuthScheme = { scheme: 'basic' } | { scheme: 'bearer'; realm: string; service?: string };

/** CachedToken: a bearer token and when to stop using it (ms since epoch). */
export interface CachedToken {
  value: string;
  expiresAt: number;
}

const MAX_TOKENS = 1024;

/** identityOf fingerprints credentials for cache keys (`anonymous` without any). */
export function identityOf(c: Credentials | undefined): string {
  if (!c) return 'anonymous';
  return createHash('sha256').update(`${c.username}\0${c.password}`).digest('hex').slice(0, 24);
}

/**
 * AuthCache holds auth schemes and bearer tokens. `AuthCache.shared` is the process-wide default
 * of every RegistryClient; pass `new AuthCache()` for an isolated one (tests that count tokens).
 */
export class AuthCache {
  static readonly shared = new AuthCache();
  private readonly schemes = new Map<string, AuthScheme>();
  private readonly tokens = new Map<string, CachedToken>();
  readonly inflight = new Map<string, Promise<CachedToken>>();

  scheme(registry: string, identity: string): AuthScheme | undefined {
    return this.schemes.get(`${registry}\0${identity}`);
  }

  setScheme(registry: string, identity: string, scheme: AuthScheme): void {
    this.schemes.set(`${registry}\0${identity}`, scheme);
  }

  /** token returns a token still valid now, or undefined. */
  token(key: string): CachedToken | undefined {
    const t = this.tokens.get(key);
    if (t && t.expiresAt > Date.now()) return t;
    if (t) this.tokens.delete(key);
    return undefined;
  }

  setToken(key: string, token: CachedToken): void {
    this.tokens.delete(key);
    this.tokens.set(key, token);
    if (this.tokens.size > MAX_TOKENS) {
      const now = Date.now();
      for (const [k, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(k);
      while (this.tokens.size > MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
    }
  }

  deleteToken(key: string): void {
    this.tokens.delete(key);
  }

  clear(): void {
    this.schemes.clear();
    this.tokens.clear();
  }
}
