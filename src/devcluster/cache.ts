/**
 * cache: where Capstan's development tooling keeps expensive, reusable artifacts (control plane
 * binaries, the helm oracle), outside any clone: `$CAPSTAN_CACHE_DIR`, else `~/.cache/capstan`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** cacheDir is the root of the development cache, shared by every clone on the machine. */
export function cacheDir(): string {
  return process.env.CAPSTAN_CACHE_DIR || join(homedir(), '.cache', 'capstan');
}
