/**
 * run: the test entry point. Finds the test files, starts ONE local control plane and the local
 * registries when integration tests are part of the run, hands their coordinates to every test file
 * through environment variables (see `env.ts`), runs node's test runner, and tears everything down
 * whatever the outcome.
 *
 * Usage: node --import tsx test/support/run.ts [unit|integration|all] [--only PATTERN]
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startCluster, type Cluster } from '../../src/devcluster/cluster.js';
import { startRegistry, type Registry } from '../../src/devcluster/registry.js';
import { ENV } from './env.js';

const root = join(import.meta.dirname, '..', '..');
const mode = (process.argv[2] ?? 'all') as 'unit' | 'integration' | 'all';
const onlyIdx = process.argv.indexOf('--only');
const only = onlyIdx > 0 ? process.argv[onlyIdx + 1] : undefined;

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const unit = mode === 'integration' ? [] : findTests(join(root, 'src'));
const integration = mode === 'unit' ? [] : findTests(join(root, 'test'));
const files = [...unit, ...integration].filter((f) => !only || f.includes(only));
if (files.length === 0) {
  console.error(`no test files for mode ${mode}${only ? ` matching ${only}` : ''}`);
  process.exit(1);
}

let cluster: Cluster | undefined;
const registries: Registry[] = [];
const env: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC' };
async function teardown() {
  await Promise.allSettled([cluster?.stop(), ...registries.map((r) => r.stop())]);
}
process.on('SIGINT', () => void teardown().then(() => process.exit(130)));
process.on('SIGTERM', () => void teardown().then(() => process.exit(143)));

let code = 1;
try {
  if (files.some((f) => f.startsWith(join(root, 'test')))) {
    const t0 = Date.now();
    const [c, open, basic] = await Promise.all([
      startCluster(),
      startRegistry({ auth: 'none' }),
      startRegistry({ auth: 'htpasswd' }),
    ]);
    cluster = c;
    registries.push(open, basic);
    Object.assign(env, {
      [ENV.kubeconfig]: c.kubeconfigPath,
      [ENV.binDir]: c.binDir,
      [ENV.registry]: open.host,
      [ENV.authRegistry]: basic.host,
      [ENV.authRegistryUser]: basic.username,
      [ENV.authRegistryPassword]: basic.password,
    });
    console.error(`[test] control plane and registries ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  console.error(`[test] running ${files.length} test files (${unit.length} unit, ${integration.length} integration)`);
  code = await new Promise<number>((res) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-reporter=spec',
        '--test-concurrency=1',
        ...files.map((f) => relative(root, f)),
      ],
      { cwd: root, env, stdio: 'inherit' },
    );
    child.on('exit', (c, sig) => res(c ?? (sig ? 1 : 0)));
  });
} catch (e) {
  console.error(`[test] setup failed: ${(e as Error).stack ?? e}`);
} finally {
  await teardown();
}
process.exit(code);
