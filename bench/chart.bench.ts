/**
 * chart.bench: rendering speed against the real helm, on the shared corpus (../shared/charts).
 *
 * For each case it measures, in the same run:
 * - capstan in-process: `template()` on an already loaded chart, warm, many iterations (mean);
 * - helm's rendering cost: `helm template` wall time minus `helm version` wall time (min of runs),
 *   i.e. the process start-up of the Go binary taken out;
 * - whole processes: `capstan template` (dist/cli/main.js, built with `npm run build`) against
 *   `helm template`, wall time, min of runs.
 *
 *     npx tsx bench/chart.bench.ts [--runs 3] [--budget-ms 400] [--filter podinfo]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadChartSync } from '../src/chart/loader.js';
import { template } from '../src/chart/render.js';
import { mergeValueOptions } from '../src/chart/valueopts.js';
import { helmBinary } from '../src/devcluster/oracle.js';

const here = dirname(fileURLToPath(import.meta.url));
const checkout = resolve(here, '..');
const corpus = resolve(checkout, '..', 'shared', 'charts');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const RUNS = Number(arg('--runs', '3'));
const BUDGET_MS = Number(arg('--budget-ms', '400'));
const FILTER = arg('--filter', '');

interface Case {
  id: string;
  tgz: string;
  values: string | null;
  releaseName: string;
  namespace: string;
  kubeVersion: string;
  extraArgs: string[];
  helmArgs: string[];
  golden: string | null;
}

function wall(cmd: string, args: string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  spawnSync(cmd, args, { cwd, stdio: 'ignore', env: { ...process.env, TZ: 'UTC' } });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const minOf = (n: number, f: () => number) => Math.min(...Array.from({ length: n }, f));

function apiVersions(extra: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < extra.length; i++) if (extra[i] === '--api-versions') out.push(...extra[i + 1].split(','));
  return out;
}

function main(): void {
  if (!existsSync(join(corpus, 'cases.json'))) {
    console.log(`no corpus at ${corpus}`);
    return;
  }
  const helm = helmBinary();
  const cli = join(checkout, 'dist', 'cli', 'main.js');
  const haveCli = existsSync(cli);
  const cases: Case[] = JSON.parse(readFileSync(join(corpus, 'cases.json'), 'utf8')).cases;
  const helmVersionMs = minOf(RUNS, () => wall(helm, ['version'], corpus));
  const rows: string[][] = [];
  for (const c of cases) {
    if (FILTER && !c.id.includes(FILTER)) continue;
    const chart = loadChartSync(join(corpus, c.tgz));
    const values = mergeValueOptions({ valueFiles: c.values ? [join(corpus, c.values)] : [] });
    const opts = {
      releaseName: c.releaseName,
      namespace: c.namespace,
      values,
      capabilities: { kubeVersion: c.kubeVersion, apiVersions: apiVersions(c.extraArgs) },
      includeCrds: true,
    };
    const once = () => {
      try {
        template(chart, opts);
      } catch {
        // error cases (schema failures) are timed too: that is what helm does for them
      }
    };
    once();
    once();
    let n = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < BUDGET_MS || n < 5) {
      once();
      n++;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    const inproc = elapsed / n;
    // Interleave `helm version` with `helm template` so both see the same machine load.
    let helmTemplateMs = Infinity;
    let versionMs = helmVersionMs;
    for (let i = 0; i < RUNS; i++) {
      versionMs = Math.min(versionMs, wall(helm, ['version'], corpus));
      helmTemplateMs = Math.min(helmTemplateMs, wall(helm, c.helmArgs, corpus));
    }
    const helmRender = helmTemplateMs - versionMs;
    const noisy = helmRender < 1;
    const capProc = haveCli ? minOf(RUNS, () => wall(process.execPath, [cli, ...c.helmArgs], corpus)) : NaN;
    rows.push([
      c.id,
      inproc.toFixed(2),
      noisy ? `<1 (noise)` : helmRender.toFixed(2),
      noisy ? 'n/a' : (inproc / helmRender).toFixed(2),
      haveCli ? capProc.toFixed(1) : 'n/a',
      helmTemplateMs.toFixed(1),
      haveCli ? (capProc / helmTemplateMs).toFixed(2) : 'n/a',
    ]);
  }
  const head = ['case', 'capstan ms (in-process)', 'helm ms (template−version)', 'ratio', 'capstan process ms', 'helm process ms', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((x, i) => x.padEnd(widths[i])).join(' | ') + ' |';
  console.log(`helm version: ${helmVersionMs.toFixed(1)} ms before the run (subtracted per case, interleaved); runs=${RUNS}, in-process budget ${BUDGET_MS} ms per case`);
  console.log('In-process times include random key generation where charts call genCA/genPrivateKey (nginx, metrics-server/tls-helm).');
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}

main();
