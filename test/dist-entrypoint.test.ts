/**
 * dist-entrypoint: the compiled `dist/` runs the way the container image runs it. There is no
 * Docker engine here, so the Dockerfile is checked statically (scripts/check-dockerfile.sh) and its
 * ENTRYPOINT + CMD are executed from the repository root (the image's WORKDIR layout: package.json,
 * dist/, crds/, node_modules/), with the Deployment's own arguments, against the test cluster.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { freePort } from '../src/devcluster/cluster.js';
import { pushTestChart, webChart } from './support/charts.js';
import { testCluster, testRegistries, type TestCluster } from './support/env.js';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name), ext) : ext.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** ensureBuilt runs `npm run build` when dist/ is missing or older than a source file. */
function ensureBuilt(): void {
  const main = join(root, 'dist', 'cli', 'main.js');
  const newest = Math.max(...files(join(root, 'src'), /(?<!\.test)\.ts$/).map((f) => statSync(f).mtimeMs));
  if (existsSync(main) && statSync(main).mtimeMs >= newest) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', timeout: 600_000 });
  assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/** imageCommand is the Dockerfile's ENTRYPOINT followed by its CMD (both exec form). */
function imageCommand(): { entrypoint: string[]; cmd: string[] } {
  const text = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const last = (instr: string) => {
    const lines = text.split('\n').filter((l) => l.startsWith(`${instr} `));
    return JSON.parse(lines[lines.length - 1].slice(instr.length + 1)) as string[];
  };
  return { entrypoint: last('ENTRYPOINT'), cmd: last('CMD') };
}

/** run executes the image's entrypoint with `args` from the repository root, as WORKDIR /app. */
function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { entrypoint } = imageCommand();
  const [bin, ...rest] = entrypoint;
  assert.equal(bin, 'node');
  return spawnSync(process.execPath, [...rest, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

describe('dist/ as the image runs it', () => {
  before(() => ensureBuilt());

  it('capstan controller --help lists every flag, exit 0', () => {
    const { cmd } = imageCommand();
    assert.deepEqual(cmd, ['controller']);
    const r = run([...cmd, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage:\n {2}capstan controller \[flags\]/);
    for (const flag of [
      '--kubeconfig',
      '--leader-elect',
      '--metrics-address',
      '--cache-dir',
      '--namespaces',
      '--watch-label-selector',
      '--graceful-shutdown-timeout',
    ]) {
      assert.ok(r.stdout.includes(flag), `${flag} in --help`);
    }
  });

  it('--version prints the package version', () => {
    const r = run(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^capstan v${pkg.version.replace(/\./g, '\\.')} `));
  });

  it('an unknown command fails with a message and exit 1', () => {
    const r = run(['no-such-command']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown command "no-such-command"/);
  });

  it('needs only production dependencies (what npm ci --omit=dev installs in the image)', () => {
    // Follow relative imports from the entry point and every command module; collect bare specifiers.
    const seen = new Set<string>();
    const bare = new Map<string, string>();
    const queue = [join(root, 'dist/cli/main.js'), ...files(join(root, 'dist/cli/commands'), /\.js$/)];
    const spec =
      /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire(?:\.resolve)?\(\s*['"`]([^'"`$]+)/gm;
    while (queue.length) {
      const f = queue.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      for (const m of readFileSync(f, 'utf8').matchAll(spec)) {
        const s = m[1] ?? m[2] ?? m[3] ?? m[4];
        if (s.startsWith('.')) queue.push(resolve(dirname(f), s));
        else if (!s.startsWith('node:') && !builtinModules.includes(s))
          bare.set(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0], f);
      }
    }
    assert.ok(seen.size > 20, `followed ${seen.size} modules`);
    assert.ok(bare.has('@kubernetes/client-node'));
    for (const [name, from] of bare) {
      assert.ok(
        pkg.dependencies[name],
        `${name} (imported by ${from.slice(root.length + 1)}) is not a production dependency`,
      );
    }
  });

  describe('a real start with the Deployment arguments', () => {
    let cluster: TestCluster;
    let work: string;
    let proc: ReturnType<typeof spawn> | undefined;
    before(async () => {
      cluster = await testCluster();
      cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(root, 'crds')]);
      cluster.kubectl(['wait', '--for=condition=Established', 'crd/helmreleases.helm.capstan.dev', '--timeout=60s']);
      work = mkdtempSync(join(tmpdir(), 'capstan-dist-'));
    });
    after(async () => {
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc!.once('exit', r));
        proc.kill('SIGKILL');
        await gone;
      }
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('becomes the leader, serves /healthz /readyz /metrics on the metrics address, reconciles, and exits 0 on SIGTERM', async () => {
      const deployment = parse(readFileSync(join(root, 'deploy/manager/deployment.yaml'), 'utf8'));
      const container = deployment.spec.template.spec.containers[0];
      const port = await freePort();
      const id = randomBytes(3).toString('hex');
      const ns = cluster.namespace('dist');
      // The Deployment's args, with the loopback port and a writable cache instead of the pod's volume.
      const args: string[] = container.args.map((a: string) =>
        a.startsWith('--metrics-address=')
          ? `--metrics-address=127.0.0.1:${port}`
          : a.startsWith('--cache-dir=')
            ? `--cache-dir=${join(work, 'cache')}`
            : a,
      );
      assert.equal(args[0], 'controller');
      const { entrypoint } = imageCommand();
      const logPath = join(work, 'controller.log');
      const out = openSync(logPath, 'a');
      proc = spawn(
        process.execPath,
        [
          ...entrypoint.slice(1),
          ...args,
          `--kubeconfig=${cluster.kubeconfigPath}`,
          `--watch-label-selector=test.capstan.dev/controller=${id}`,
        ],
        // POD_NAMESPACE as the downward API sets it: the Lease goes there.
        { cwd: root, stdio: ['ignore', out, out], env: { ...process.env, POD_NAMESPACE: ns, HOME: work } },
      );
      const base = `http://127.0.0.1:${port}`;
      let ready = false;
      for (let i = 0; i < 300 && !ready && proc.exitCode === null; i++) {
        try {
          ready = (await fetch(`${base}/readyz`)).status === 200;
        } catch {
          /* not up yet */
        }
        if (!ready) await sleep(200);
      }
      assert.ok(ready, `not ready:\n${readFileSync(logPath, 'utf8').slice(-2000)}`);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /^capstan_leader 1$/m);
      assert.match(metrics, /^capstan_workqueue_depth \d+$/m);
      const lease = JSON.parse(cluster.kubectl(['get', 'lease', 'capstan-leader', '-n', ns, '-o', 'json']));
      assert.ok(lease.spec.holderIdentity, 'holds the Lease in POD_NAMESPACE');
      // Logs are JSON lines (--log-format=json), as a log pipeline expects.
      const firstLine = readFileSync(logPath, 'utf8').split('\n')[0];
      assert.doesNotThrow(() => JSON.parse(firstLine), firstLine);

      const registry = (await testRegistries()).open;
      const chart = await pushTestChart(registry, 'dist', 'web', '1.0.0', webChart());
      cluster.kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'helm.capstan.dev/v1alpha1',
          kind: 'HelmRelease',
          metadata: { name: 'web', namespace: ns, labels: { 'test.capstan.dev/controller': id } },
          spec: { interval: '1m', timeout: '30s', chart: { ref: chart.ref, digest: chart.digest } },
        }),
      );
      cluster.kubectl(['wait', '--for=condition=Ready', 'helmrelease/web', '-n', ns, '--timeout=90s']);

      const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(readFileSync(logPath, 'utf8'), /"msg":"stopped"/);
    });
  });
});

describe('Dockerfile', () => {
  it('scripts/check-dockerfile.sh passes on the Dockerfile', () => {
    const r = spawnSync('bash', [join(root, 'scripts/check-dockerfile.sh'), join(root, 'Dockerfile')], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    for (const rule of ['pinned', 'multistage', 'user', 'deps', 'no-build', 'health', 'entrypoint', 'context']) {
      assert.match(r.stdout, new RegExp(`^ok +${rule} `, 'm'), `rule ${rule}`);
    }
  });

  it('scripts/check-dockerfile.sh catches each broken rule', () => {
    const good = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const cases: { name: string; edit: (s: string) => string; rule: string }[] = [
      {
        name: 'unpinned base image',
        edit: (s) => s.replace(/ARG NODE_IMAGE=\S+/, 'ARG NODE_IMAGE=node:lts-slim'),
        rule: 'pinned',
      },
      { name: 'implicit latest', edit: (s) => s.replace(/ARG NODE_IMAGE=\S+/, 'ARG NODE_IMAGE=node'), rule: 'pinned' },
      { name: 'single stage', edit: (s) => s.replace(/COPY --from=build \S+ /, 'COPY '), rule: 'multistage' },
      { name: 'runs as root', edit: (s) => s.replace(/^USER .*$/m, 'USER root'), rule: 'user' },
      { name: 'no USER', edit: (s) => s.replace(/^USER .*$/m, ''), rule: 'user' },
      {
        name: 'dev dependencies in the runtime stage',
        edit: (s) => s.replace('npm ci --omit=dev', 'npm ci'),
        rule: 'deps',
      },
      {
        name: 'compiles in the runtime stage',
        edit: (s) => s.replace(/^CMD .*$/m, '$&\nRUN npm run build'),
        rule: 'no-build',
      },
      {
        name: 'build tools in the runtime stage',
        edit: (s) => s.replace(/^USER .*$/m, 'RUN apt-get update && apt-get install -y build-essential python3\n$&'),
        rule: 'no-build',
      },
      {
        name: 'shell-form entrypoint',
        edit: (s) => s.replace(/^ENTRYPOINT .*$/m, 'ENTRYPOINT node dist/cli/main.js'),
        rule: 'entrypoint',
      },
      { name: 'wrong command', edit: (s) => s.replace(/^CMD .*$/m, 'CMD ["template"]'), rule: 'entrypoint' },
      {
        name: 'no health check or probes note',
        edit: (s) => s.replace(/^HEALTHCHECK[\s\S]*?\n(?=ENTRYPOINT)/m, '').replace(/probes/g, 'checks'),
        rule: 'health',
      },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'capstan-dockerfile-'));
    try {
      writeFileSync(join(dir, '.dockerignore'), readFileSync(join(root, '.dockerignore')));
      for (const c of cases) {
        const edited = c.edit(good);
        assert.notEqual(edited, good, `${c.name}: the edit applies`);
        writeFileSync(join(dir, 'Dockerfile'), edited);
        const r = spawnSync('bash', [join(root, 'scripts/check-dockerfile.sh'), join(dir, 'Dockerfile')], {
          encoding: 'utf8',
        });
        assert.equal(r.status, 1, `${c.name}: exit 1\n${r.stdout}`);
        assert.match(r.stdout, new RegExp(`^FAIL +${c.rule} `, 'm'), `${c.name}: rule ${c.rule} fails\n${r.stdout}`);
      }
      writeFileSync(join(dir, 'Dockerfile'), good);
      writeFileSync(join(dir, '.dockerignore'), 'README.md\n');
      const r = spawnSync('bash', [join(root, 'scripts/check-dockerfile.sh'), join(dir, 'Dockerfile')], {
        encoding: 'utf8',
      });
      assert.match(r.stdout, /^FAIL +context /m, 'a .dockerignore that lets node_modules in');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
