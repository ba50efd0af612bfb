/**
 * postrender.bench: the cost of a no-op WebAssembly post-renderer (test/plugins/noop, Go + Extism
 * PDK) against the cost of rendering the chart whose output it post-renders.
 *
 * Measured in one run:
 * - render: `template()` of a real chart from the shared corpus (ingress-nginx/full by default),
 *   warm, mean of a time budget;
 * - the post-render input: that output repeated to ~500 KB (distinct names per copy);
 * - cold: a fresh WasmHost's first call (worker process start, compile, instantiate, call);
 * - warm: later calls on the warm worker (median), split into instantiate and call time as the
 *   worker reports them, IPC, and the time the operator's event loop was busy (input parse and
 *   diff; the output is validated in the worker);
 * - built-in patches on the same input, for comparison.
 *
 *     npx tsx bench/postrender.bench.ts [--case ingress-nginx/full] [--kb 500] [--runs 15]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadChartSync } from '../src/chart/loader.js';
import { template } from '../src/chart/render.js';
import { mergeValueOptions } from '../src/chart/valueopts.js';
import { invokePlugin, loadPlugin, parseManifests, postRender, WasmHost } from '../src/plugins/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const checkout = resolve(here, '..');
const corpus = resolve(checkout, '..', 'shared', 'charts');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const CASE = arg('--case', 'ingress-nginx/full');
const TARGET_KB = Number(arg('--kb', '500'));
const RUNS = Number(arg('--runs', '15'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;

interface Case {
  id: string;
  tgz: string;
  values: string | null;
  releaseName: string;
  namespace: string;
  kubeVersion: string;
  golden: string | null;
}

function renderCost(c: Case): { text: string; meanMs: number } {
  const chart = loadChartSync(join(corpus, c.tgz));
  const values = mergeValueOptions({ valueFiles: c.values ? [join(corpus, c.values)] : [] });
  const opts = {
    releaseName: c.releaseName,
    namespace: c.namespace,
    values,
    capabilities: { kubeVersion: c.kubeVersion, apiVersions: [] },
    includeCrds: true,
  };
  let text = template(chart, opts);
  for (let i = 0; i < 3; i++) text = template(chart, opts); // warm up
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1500 || n < 5) {
    template(chart, opts);
    n++;
  }
  return { text, meanMs: (performance.now() - t0) / n };
}

/** inflate repeats a manifest stream to about kb kilobytes, renaming objects per copy. */
function inflate(text: string, kb: number): { text: string; copies: number } {
  const copies = Math.max(1, Math.round((kb * 1024) / Buffer.byteLength(text)));
  const parts: string[] = [];
  for (let i = 0; i < copies; i++) parts.push(text.replace(/^(\s{2}name: )(\S+)$/m, `$1$2-copy${i}`));
  return { text: parts.map((p) => (p.startsWith('---') ? p : `---\n${p}`)).join('\n'), copies };
}

async function main(): Promise<void> {
  if (!existsSync(join(corpus, 'cases.json'))) {
    console.log(`no corpus at ${corpus}`);
    return;
  }
  const c = (JSON.parse(readFileSync(join(corpus, 'cases.json'), 'utf8')).cases as Case[]).find((x) => x.id === CASE);
  if (!c) throw new Error(`no case ${CASE}`);
  const built = execFileSync('bash', [join(checkout, 'scripts', 'build-test-plugins.sh'), 'noop'], {
    encoding: 'utf8',
  });
  const noopDir = built.trim().split('\t')[1]!;

  const render = renderCost(c);
  const one = render.text;
  const big = inflate(one, TARGET_KB);
  const bigBytes = Buffer.byteLength(big.text);
  const oneBytes = Buffer.byteLength(one);
  console.log(`case ${c.id}: render ${ms(render.meanMs)} for ${(oneBytes / 1024).toFixed(1)} KB (mean, warm)`);
  console.log(
    `post-render input: ${big.copies} copies = ${(bigBytes / 1024).toFixed(0)} KB, ${parseManifests(big.text).length} objects`,
  );

  const tLoad = performance.now();
  const plugin = await loadPlugin(noopDir);
  const loadMs = performance.now() - tLoad;

  // Cold: a fresh host (no worker yet).
  const coldHost = new WasmHost({ maxWorkers: 1 });
  const tCold = performance.now();
  await postRender(one, [{ wasm: { plugin } }], { host: coldHost });
  const coldMs = performance.now() - tCold;
  await coldHost.close();

  const host = new WasmHost({ maxWorkers: 1 });
  await postRender(one, [{ wasm: { plugin } }], { host }); // start the worker and compile
  const measure = async (input: string) => {
    const e2e: number[] = [];
    const busy: number[] = [];
    const inst: number[] = [];
    const call: number[] = [];
    const ipc: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const elu0 = performance.eventLoopUtilization();
      await postRender(input, [{ wasm: { plugin } }], { host });
      e2e.push(performance.now() - t0);
      busy.push(performance.eventLoopUtilization(elu0).active);
      const t1 = performance.now();
      const r = await invokePlugin(plugin, { manifests: input, extraArgs: [] }, { host });
      const total = performance.now() - t1;
      inst.push(r.instantiateMs);
      call.push(r.callMs);
      ipc.push(total - r.instantiateMs - r.callMs);
    }
    const tParse = performance.now();
    for (let i = 0; i < 3; i++) parseManifests(input);
    const parseMs = (performance.now() - tParse) / 3;
    return { e2e: median(e2e), busy: median(busy), inst: median(inst), call: median(call), ipc: median(ipc), parseMs };
  };
  const small = await measure(one);
  const large = await measure(big.text);
  await host.close();

  const patchTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await postRender(big.text, [
      {
        patches: [
          { target: { kind: 'Deployment|DaemonSet' }, patch: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] },
        ],
      },
    ]);
    patchTimes.push(performance.now() - t0);
  }

  const renderBig = render.meanMs * big.copies;
  console.log('');
  console.log(`plugin load (read, validate, compile once): ${ms(loadMs)}`);
  console.log(
    `cold first call (worker start + compile + instantiate + call, ${(oneBytes / 1024).toFixed(0)} KB): ${ms(coldMs)}`,
  );
  console.log('');
  console.log(
    '| input | post-render e2e (median) | operator event loop busy | instantiate | plugin call | IPC | one YAML parse | MB/s | render | overhead vs render |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const [label, bytes, m, r] of [
    [`1 chart, ${(oneBytes / 1024).toFixed(0)} KB`, oneBytes, small, render.meanMs],
    [`${big.copies} charts, ${(bigBytes / 1024).toFixed(0)} KB`, bigBytes, large, renderBig],
  ] as const) {
    console.log(
      `| ${label} | ${ms(m.e2e)} | ${ms(m.busy)} | ${ms(m.inst)} | ${ms(m.call)} | ${ms(m.ipc)} | ${ms(m.parseMs)} | ${(bytes / 1e6 / (m.e2e / 1000)).toFixed(1)} | ${ms(r)} | ${((m.e2e / r) * 100).toFixed(0)}% |`,
    );
  }
  console.log('');
  console.log(
    `built-in JSON patch on the ${(bigBytes / 1024).toFixed(0)} KB set: ${ms(median(patchTimes))} (median of 5)`,
  );
}

await main();
