/**
 * oci.bench: time to pull and load each corpus chart (/work/shared/charts) from a real local
 * registry, cold (empty disk cache, new client: resolve, manifest, blob download, verify, load),
 * warm from disk (digest reference, zero registry requests, then load) and warm from memory
 * (DigestLRU hit); the pull columns leave the load out. Each figure is the median of RUNS runs.
 *
 * Run: node --import tsx bench/oci.bench.ts [RUNS]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry } from '../src/devcluster/registry.js';
import { loadChart } from '../src/chart/loader.js';
import { ChartCache, DigestLRU, pullChart, pushChart } from '../src/oci/index.js';
import { corpusCharts } from '../test/support/registry-charts.js';

const RUNS = Number(process.argv[2] ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const reg = await startRegistry();
const work = mkdtempSync(join(tmpdir(), 'capstan-oci-bench-'));
try {
  const rows: string[][] = [];
  let n = 0;
  for (const c of corpusCharts()) {
    const tgz = readFileSync(c.path);
    const pushed = await pushChart(tgz, `${reg.ociBase}/bench`);
    const byTag = `${reg.ociBase}/bench/${pushed.name}:${pushed.tag}`;
    const byDigest = `${reg.ociBase}/bench/${pushed.name}@${pushed.digest}`;
    const cold: number[] = [];
    const warmDisk: number[] = [];
    const warmMem: number[] = [];
    const coldPull: number[] = [];
    const warmPull: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const cache = new ChartCache({ dir: join(work, `c${n++}`) });
      const charts = new DigestLRU<unknown>({ maxEntries: 8 });
      cold.push(
        await time(async () => {
          const p = await pullChart(byTag, { cache });
          await charts.getOrLoad(p.digest, () => loadChart(p.bytes));
        }),
      );
      warmDisk.push(
        await time(async () => {
          const p = await pullChart(byDigest, { cache });
          if (!p.fromCache) throw new Error('expected a cache hit');
          await loadChart(p.bytes);
        }),
      );
      const cache2 = new ChartCache({ dir: join(work, `c${n++}`) });
      coldPull.push(await time(() => pullChart(byTag, { cache: cache2 })));
      warmPull.push(await time(() => pullChart(byDigest, { cache: cache2 })));
      warmMem.push(
        await time(async () => {
          await charts.getOrLoad(pushed.digest, () => Promise.reject(new Error('expected a memory hit')));
        }),
      );
    }
    rows.push([
      `${pushed.name}-${pushed.version}`,
      String(tgz.length),
      median(coldPull).toFixed(1),
      median(warmPull).toFixed(1),
      median(cold).toFixed(1),
      median(warmDisk).toFixed(1),
      median(warmMem).toFixed(3),
    ]);
  }
  const head = [
    'chart',
    'bytes',
    'pull cold ms',
    'pull warm ms',
    'pull+load cold ms',
    'pull+load warm disk ms',
    'warm memory ms',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(`oci pull+load, median of ${RUNS} runs (registry: docker-registry on loopback)`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
} finally {
  await reg.stop();
  rmSync(work, { recursive: true, force: true });
}
