/**
 * oci-registry: the local registry harness itself (src/devcluster/registry.ts): each auth mode
 * serves the distribution API, and no registry process or temp dir outlives its owner, whether it
 * calls stop(), throws, or is SIGKILLed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startRegistry, type RegistryAuthMode } from '../src/devcluster/registry.js';

const REPO = new URL('..', import.meta.url).pathname;
const REGISTRY_MODULE = new URL('../src/devcluster/registry.ts', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'capstan-oci-registry-'));
after(() => rmSync(work, { recursive: true, force: true }));

// processesMentioning lists the pids whose command line contains `needle` (the registry's temp dir).
function processesMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(needle)) out.push(Number(name));
    } catch {
      /* exited */
    }
  }
  return out;
}

async function eventually(check: () => boolean, ms = 8000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

// runChild starts a node process that starts a registry, prints its temp dir, then does `then`.
function runChild(
  then: 'throw' | 'hang',
  env: Record<string, string> = {},
): Promise<{ dir: string; kill: () => void; exited: Promise<number | null> }> {
  const script = join(work, `child-${then}-${Date.now()}.mts`);
  writeFileSync(
    script,
    `import { startRegistry } from ${JSON.stringify(REGISTRY_MODULE)};
const reg = await startRegistry({ auth: 'htpasswd' });
process.stdout.write(JSON.stringify({ dir: reg.storageDir.replace(/\\/storage$/, '') }) + '\\n');
${then === 'throw' ? "setTimeout(() => { throw new Error('test failed'); }, 50);" : 'setInterval(() => undefined, 1000);'}
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n') && line)
        resolve({ dir: (JSON.parse(line) as { dir: string }).dir, kill: () => child.kill('SIGKILL'), exited });
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code} before reporting`)));
  });
}

describe('startRegistry', () => {
  const modes: RegistryAuthMode[] = ['none', 'htpasswd', 'token'];
  for (const auth of modes) {
    it(`auth=${auth}: serves /v2/ with the right challenge, stop() cleans up`, async () => {
      const reg = await startRegistry({ auth });
      const dir = join(reg.storageDir, '..');
      const res = await fetch(`${reg.url}/v2/`);
      const challenge = res.headers.get('www-authenticate') ?? '';
      if (auth === 'none') assert.equal(res.status, 200);
      else assert.equal(res.status, 401);
      if (auth === 'htpasswd') assert.match(challenge, /^Basic realm="capstan-registry"/);
      if (auth === 'token')
        assert.match(challenge, new RegExp(`^Bearer realm="${reg.tokenServer!.realm}",service="capstan-registry"`));
      assert.ok(reg.accessLog().some((l) => l.includes('"GET /v2/ HTTP/1.1"')));
      assert.ok(processesMentioning(dir).length > 0);
      await reg.stop();
      await reg.stop();
      assert.deepEqual(processesMentioning(dir), []);
      assert.equal(existsSync(dir), false);
    });
  }

  it('a process that throws leaves no registry and no temp dir (exit hook)', async () => {
    const child = await runChild('throw');
    assert.notEqual(await child.exited, 0);
    assert.ok(await eventually(() => processesMentioning(child.dir).length === 0), 'registry gone');
    assert.equal(existsSync(child.dir), false);
  });

  it('a SIGKILLed process leaves no registry and no temp dir (stdin watchdog)', async () => {
    const child = await runChild('hang');
    assert.ok(processesMentioning(child.dir).length > 0);
    child.kill();
    await child.exited;
    assert.ok(await eventually(() => processesMentioning(child.dir).length === 0), 'registry gone');
    assert.ok(await eventually(() => !existsSync(child.dir)), 'temp dir removed');
  });

  it('a registry that cannot start fails with its log and leaves nothing behind', async () => {
    const privateTmp = mkdtempSync(join(work, 'tmp-'));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import(${JSON.stringify(REGISTRY_MODULE)}).then(m => m.startRegistry()).then(() => process.exit(0), (e) => { console.log(e.name + ': ' + e.message); process.exit(3); })`,
      ],
      {
        cwd: REPO,
        env: { ...process.env, CAPSTAN_REGISTRY_BINARY: '/bin/false', TMPDIR: privateTmp },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 3);
    assert.match(out, /^RegistryStartError: starting registry at http:\/\/127\.0\.0\.1:\d+: not ready/);
    assert.deepEqual(
      readdirSync(privateTmp).filter((f) => f.startsWith('capstan-registry-')),
      [],
      'temp dir removed',
    );
  });
});
