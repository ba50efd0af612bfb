/**
 * oci-interop: Capstan's push and pull against the real helm v4 (the oracle) through a real
 * registry: helm pulls what pushChart pushed, pullChart pulls what `helm push` pushed, and the
 * config blob pushChart writes is byte-identical to helm's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startRegistry, type Registry } from '../src/devcluster/registry.js';
import { helmBinary } from '../src/devcluster/oracle.js';
import {
  ChartCache,
  MEDIA_TYPE_HELM_CHART,
  MEDIA_TYPE_HELM_CONFIG,
  RegistryClient,
  chartConfigJson,
  pullChart,
  pushChart,
  readChartMetadata,
} from '../src/oci/index.js';
import { corpusCharts } from './support/registry-charts.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'capstan-oci-interop-'));
let dirs = 0;
const fresh = (): string => {
  const d = join(work, `d${dirs++}`);
  mkdirSync(d);
  return d;
};
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(work, 'helm-cache'),
  HELM_CONFIG_HOME: join(work, 'helm-config'),
  HELM_DATA_HOME: join(work, 'helm-data'),
  HELM_REGISTRY_CONFIG: join(work, 'helm-registry.json'),
};
async function helm(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(helmBinary(), args, { env: helmEnv, timeout: 120_000 });
}

const charts = corpusCharts();
let open: Registry;
let basic: Registry;
before(async () => {
  [open, basic] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd' })]);
});
after(async () => {
  await Promise.all([open?.stop(), basic?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

describe('helm pulls what pushChart pushed', () => {
  for (const c of charts) {
    it(c.name, async () => {
      const tgz = readFileSync(c.path);
      const r = await pushChart(tgz, `${open.ociBase}/capstan`);
      const dest = fresh();
      const { stdout, stderr } = await helm(
        'pull',
        `${open.ociBase}/capstan/${r.name}`,
        '--version',
        r.version,
        '--plain-http',
        '-d',
        dest,
      );
      assert.match(stdout + stderr, new RegExp(`Digest: ${r.digest}`));
      const files = readdirSync(dest);
      assert.deepEqual(files, [`${r.name}-${r.version}.tgz`]);
      assert.deepEqual(readFileSync(join(dest, files[0]!)), tgz);
    });
  }

  it('with basic auth (helm --username/--password)', async () => {
    const c = charts[0]!;
    const r = await pushChart(readFileSync(c.path), `${basic.ociBase}/capstan`, {
      credentials: { username: basic.username, password: basic.password },
    });
    const dest = fresh();
    await helm(
      'pull',
      `${basic.ociBase}/capstan/${r.name}:${r.tag}`,
      '--plain-http',
      '--username',
      basic.username,
      '--password',
      basic.password,
      '-d',
      dest,
    );
    assert.deepEqual(readFileSync(join(dest, `${r.name}-${r.version}.tgz`)), readFileSync(c.path));
  });
});

describe('pullChart pulls what helm push pushed', () => {
  for (const c of charts) {
    it(c.name, async () => {
      const tgz = readFileSync(c.path);
      const meta = await readChartMetadata(tgz);
      const { stdout, stderr } = await helm('push', c.path, `${open.ociBase}/helm`, '--plain-http');
      const helmDigest = /Digest: (sha256:[a-f0-9]{64})/.exec(stdout + stderr)?.[1];
      assert.ok(helmDigest, `helm push printed a digest: ${stdout}${stderr}`);
      const p = await pullChart(`${open.ociBase}/helm/${meta.name}`, {
        version: meta.version,
        cache: new ChartCache({ dir: fresh() }),
      });
      assert.equal(p.digest, helmDigest);
      assert.deepEqual(Buffer.from(p.bytes), tgz);
      assert.equal(p.manifest.config.mediaType, MEDIA_TYPE_HELM_CONFIG);
      assert.equal(p.chartLayer.mediaType, MEDIA_TYPE_HELM_CHART);

      // The config blob helm wrote is exactly what pushChart writes for the same archive.
      const client = new RegistryClient();
      try {
        const config = await client.fetchBlobBytes(open.host, `helm/${meta.name}`, p.manifest.config, 1 << 20);
        assert.equal(chartConfigJson(meta).toString(), config.toString());
      } finally {
        client.close();
      }
    });
  }
});
