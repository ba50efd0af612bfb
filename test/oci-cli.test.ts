/**
 * oci-cli: `capstan push` and `capstan pull` as users run them (the real CLI entry point in a
 * child process) against a real htpasswd registry, with credentials from flags and from a Docker
 * config file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startRegistry, type Registry } from '../src/devcluster/registry.js';
import { makeChart } from './support/registry-charts.js';

const exec = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'capstan-oci-cli-'));
const MAIN = new URL('../src/cli/main.ts', import.meta.url).pathname;
const REPO = new URL('..', import.meta.url).pathname;

async function capstan(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: join(work, 'home'),
        CAPSTAN_OCI_CACHE_DIR: join(work, 'cache'),
        ...env,
      },
      cwd: REPO,
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

let reg: Registry;
let chartFile: string;
let dockerDir: string;
before(async () => {
  reg = await startRegistry({ auth: 'htpasswd' });
  chartFile = join(work, 'clidemo-1.0.0.tgz');
  writeFileSync(chartFile, await makeChart('clidemo', '1.0.0'));
  dockerDir = join(work, 'docker');
  mkdirSync(dockerDir);
  writeFileSync(
    join(dockerDir, 'config.json'),
    JSON.stringify({
      auths: { [reg.host]: { auth: Buffer.from(`${reg.username}:${reg.password}`).toString('base64') } },
    }),
  );
});
after(async () => {
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('capstan push / pull', () => {
  let pushedDigest = '';

  it('push with --username/--password prints Pushed and Digest like helm', async () => {
    const r = await capstan(
      ['push', chartFile, `${reg.ociBase}/charts`, '--username', reg.username, '--password', reg.password],
      {},
    );
    assert.equal(r.code, 0, r.stderr);
    const m = new RegExp(
      `^Pushed: ${reg.host.replace(/\./g, '\\.')}/charts/clidemo:1\\.0\\.0\\nDigest: (sha256:[a-f0-9]{64})\\n$`,
    ).exec(r.stderr);
    assert.ok(m, r.stderr);
    pushedDigest = m[1]!;
  });

  it('pull with Docker config credentials and a version range writes NAME-VERSION.tgz', async () => {
    const dest = join(work, 'out');
    const r = await capstan(['pull', `${reg.ociBase}/charts/clidemo`, '--version', '1.x', '-d', dest], {
      DOCKER_CONFIG: dockerDir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `Pulled: ${reg.host}/charts/clidemo:1.0.0\nDigest: ${pushedDigest}\n`);
    assert.deepEqual(readFileSync(join(dest, 'clidemo-1.0.0.tgz')), readFileSync(chartFile));
  });

  it('pull without credentials fails with a clear error and exit 1', async () => {
    const r = await capstan(['pull', `${reg.ociBase}/charts/clidemo:1.0.0`, '-d', join(work, 'none')], {});
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error: pulling chart oci:\/\/127\.0\.0\.1:\d+\/charts\/clidemo:1\.0\.0: manifest .*: 401 authentication required and no credentials are configured for 127\.0\.0\.1:\d+\n$/,
    );
  });

  const usage: Array<[string, () => string[], RegExp]> = [
    ['push needs two arguments', () => ['push', chartFile], /^Error: requires 2 arguments/],
    [
      'push target must not carry a tag',
      () => ['push', chartFile, 'oci://127.0.0.1:1/charts:1.0.0'],
      /^Error: parsing reference .*push target must be oci:\/\/HOST\/REPO without tag or digest/,
    ],
    [
      'pull rejects a non-oci source',
      () => ['pull', 'https://charts.example/x'],
      /^Error: parsing reference .*scheme must be oci:\/\//,
    ],
    [
      'username without password',
      () => ['pull', 'oci://127.0.0.1:1/x', '--username', 'u'],
      /^Error: --username and --password go together/,
    ],
  ];
  for (const [name, args, want] of usage) {
    it(name, async () => {
      const r = await capstan(args(), {});
      assert.equal(r.code, 1);
      assert.match(r.stderr, want);
    });
  }
});
