/**
 * build: locates the test plugins, building them on first use with scripts/build-test-plugins.sh
 * (cached by content hash under $CAPSTAN_CACHE_DIR/plugins, so later runs cost ~0.2 s).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/build-test-plugins.sh', import.meta.url));
let dirs: Record<string, string> | undefined;

/** testPluginDir returns the directory (plugin.yaml + plugin.wasm) of a built test plugin. */
export function testPluginDir(name: string): string {
  if (!dirs) {
    const out = execFileSync('bash', [script], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 600_000,
    });
    dirs = Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => l.split('\t') as [string, string]),
    );
  }
  const dir = dirs[name];
  if (!dir) throw new Error(`no test plugin ${name} (have ${Object.keys(dirs).join(', ')})`);
  return dir;
}
