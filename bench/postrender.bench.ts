/**
 * postrender.bench: the cost of a no-op WebAssembly post-renderer on a large chart render, against
 * the cost of that render, in one run.
 *
 * The chart: an umbrella chart whose dependencies are N aliased copies of a real chart from the
 * shared corpus (ingress-nginx with its "full" values by default), so one `helm template`-style
 * render produces ~500 KB of distinct objects. Both sides are what the controller does:
 * - render: `renderRelease()` (templates + sorting into manifests and hooks), mean; warm (the same
 *   release again, as when an unchanged release is reconciled) and for a new release name each
 *   time (every document new text, so no cache keyed by text helps);
 * - post-render: `postRenderRelease()` (Helm 4's annotateAndMerge, the plugin in a worker process,
 *   output checked and read where it changed, identity diff, splitAndDeannotate, sorting again) of
 *   a fresh render each time, median. Rows marked "new release" post-render new releases and are
 *   compared with a new release's render.
 *
 * Plugins (Go, wasip1, Extism Go PDK; built from test/plugins):
 * - echo: writes its input message back (a no-op post-renderer: the host's own overhead);
 * - noop: decodes the message and encodes it again with encoding/json (a typical Go plugin's floor);
 * - add-label: adds a label to every object (every document changes: the host reads them all).
 * The breakdown times invokePlugin on the merged stream: instantiate and call time as the worker
 * reports them (the call includes reading the message into the guest's input and writing its
 * output), and the rest (JSON encoding and decoding in the operator, the message files and the
 * IPC), and the step's operator event-loop busy time. Calls are spaced 20 ms apart, as a
 * reconcile's own work spaces them, so that a worker has made its next instance before the next
 * call arrives.
 *
 * For scale, the same chart through helm v4.1.4 (the oracle binary): `helm template` with and
 * without `--post-renderer` naming a subprocess postrenderer/v1 plugin that runs `cat` (helm's
 * own WebAssembly post-renderers cannot be measured: helm/helm#31832 sends them `{}`).
 *
 *     npx tsx bench/postrender.bench.ts [--case ingress-nginx/full] [--copies 13] [--runs 15]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadChartSync } from '../src/chart/loader.js';
import { renderRelease, type RenderedRelease } from '../src/chart/render.js';
import { mergeValueOptions } from '../src/chart/valueopts.js';
import { parseYaml } from '../src/chart/yaml.js';
import { annotateAndMerge, postRenderRelease } from '../src/plugins/index.js';
import { helmBinary } from '../src/devcluster/oracle.js';
import { invokePlugin, loadPlugin, parseManifests, WasmHost, type Plugin } from '../src/plugins/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const checkout = resolve(here, '..');
const corpus = resolve(checkout, '..', 'shared', 'charts');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const CASE = arg('--case', 'ingress-nginx/full');
const COPIES = Number(arg('--copies', '13'));
const RUNS = Number(arg('--runs', '15'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const pct = (x: number, of: number) => `${((x / of) * 100).toFixed(0)}%`;

interface Case {
  id: string;
  tgz: string;
  values: string | null;
  releaseName: string;
  namespace: string;
  kubeVersion: string;
}

/** umbrella writes a chart depending on `copies` aliased copies of the case's chart. */
function umbrella(c: Case, copies: number, dir: string): string {
  const sub = loadChartSync(join(corpus, c.tgz));
  const name = sub.metadata.name;
  const version = sub.metadata.version;
  mkdirSync(join(dir, 'charts'), { recursive: true });
  copyFileSync(join(corpus, c.tgz), join(dir, 'charts', basename(c.tgz)));
  const deps = Array.from(
    { length: copies },
    (_, i) => `  - name: ${name}\n    version: ${version}\n    alias: copy${i}\n`,
  );
  writeFileSync(join(dir, 'Chart.yaml'), `apiVersion: v2\nname: big\nversion: 1.0.0\ndependencies:\n${deps.join('')}`);
  const subValues = c.values ? JSON.stringify(parseYaml(readFileSync(join(corpus, c.values), 'utf8'))) : '{}';
  writeFileSync(
    join(dir, 'values.yaml'),
    Array.from({ length: copies }, (_, i) => `copy${i}: ${subValues}\n`).join(''),
  );
  return dir;
}

/**
 * renderCost times renderRelease of the chart: warm (the same release again, as a reconcile of an
 * unchanged release: the cache of document heads hits) and new (a new release name each time, so
 * every document is new text).
 */
function renderCost(
  c: Case,
  dir: string,
): { render: (releaseName?: string) => RenderedRelease; meanMs: number; newMeanMs: number } {
  const chart = loadChartSync(dir);
  const opts = (name: string) => ({
    release: { name, namespace: c.namespace, revision: 1, isInstall: true, isUpgrade: false },
    values: mergeValueOptions({}),
    capabilities: { kubeVersion: c.kubeVersion, apiVersions: [] },
  });
  const render = (name = c.releaseName) => renderRelease(chart, opts(name));
  for (let i = 0; i < 3; i++) render(); // warm up
  const mean = (name: (i: number) => string) => {
    let n = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 3000 || n < 5) render(name(n++));
    return (performance.now() - t0) / n;
  };
  return { render, meanMs: mean(() => c.releaseName), newMeanMs: mean((i) => `${c.releaseName}-r${i}`) };
}

/**
 * measure times the post-render step of fresh renders (as in the controller, where every reconcile
 * renders anew: the documents are new strings, so caches keyed by text pay for hashing them).
 */
async function measure(render: () => RenderedRelease, plugin: Plugin, host: WasmHost, namespace: string) {
  const run = (rendered: RenderedRelease) =>
    postRenderRelease(rendered, [{ wasm: { plugin } }], { includeHooks: true, namespace, host });
  for (let i = 0; i < 3; i++) await run(render());
  const e2e: number[] = [];
  const busy: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const rendered = render();
    await new Promise((r) => setTimeout(r, 20)); // let the worker make its next instance
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    await run(rendered);
    e2e.push(performance.now() - t0);
    busy.push(performance.eventLoopUtilization(elu0).active);
  }
  const merged = annotateAndMerge(render().files);
  const inst: number[] = [];
  const call: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await new Promise((r) => setTimeout(r, 20));
    const t0 = performance.now();
    const r = await invokePlugin(plugin, { manifests: merged, extraArgs: [] }, { host });
    const total = performance.now() - t0;
    inst.push(r.instantiateMs);
    call.push(r.callMs);
    rest.push(total - r.instantiateMs - r.callMs);
  }
  return { e2e: median(e2e), busy: median(busy), inst: median(inst), call: median(call), rest: median(rest) };
}

/** helmCost times `helm template` of the chart without and with a `cat` post-renderer (median wall time). */
function helmCost(c: Case, dir: string, tmp: string): { plain: number; post: number } | undefined {
  let helm: string;
  try {
    helm = helmBinary();
  } catch {
    return undefined;
  }
  const plugins = join(tmp, 'helm-plugins');
  mkdirSync(join(plugins, 'cat'), { recursive: true });
  writeFileSync(
    join(plugins, 'cat', 'plugin.yaml'),
    'apiVersion: v1\nname: cat\nversion: 0.1.0\ntype: postrenderer/v1\nruntime: subprocess\nruntimeConfig:\n  platformCommand:\n    - command: cat\n',
  );
  const env = {
    ...process.env,
    HELM_PLUGINS: plugins,
    HELM_CONFIG_HOME: join(tmp, 'hc'),
    HELM_CACHE_HOME: join(tmp, 'hk'),
    HELM_DATA_HOME: join(tmp, 'hd'),
  };
  const time = (extra: string[]) => {
    const xs: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const r = spawnSync(helm, ['template', c.releaseName, dir, '--namespace', c.namespace, ...extra], {
        env,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      if (r.status !== 0) throw new Error(`helm template ${extra.join(' ')}: ${r.stderr}`);
      xs.push(performance.now() - t0);
    }
    return median(xs);
  };
  return { plain: time([]), post: time(['--post-renderer', 'cat']) };
}

async function main(): Promise<void> {
  if (!existsSync(join(corpus, 'cases.json'))) {
    console.log(`no corpus at ${corpus}`);
    return;
  }
  const c = (JSON.parse(readFileSync(join(corpus, 'cases.json'), 'utf8')).cases as Case[]).find((x) => x.id === CASE);
  if (!c) throw new Error(`no case ${CASE}`);
  const built = execFileSync(
    'bash',
    [join(checkout, 'scripts', 'build-test-plugins.sh'), 'echo', 'noop', 'add-label'],
    {
      encoding: 'utf8',
    },
  );
  const dirs = Object.fromEntries(
    built
      .trim()
      .split('\n')
      .map((l) => l.split('\t') as [string, string]),
  );

  const tmp = mkdtempSync(join(tmpdir(), 'capstan-bench-'));
  try {
    const { render, meanMs: renderMs, newMeanMs } = renderCost(c, umbrella(c, COPIES, join(tmp, 'chart')));
    const rendered = render();
    const merged = annotateAndMerge(rendered.files);
    const kb = Buffer.byteLength(merged) / 1024;
    const objects = parseManifests(merged).length;
    console.log(`chart: ${COPIES} aliased copies of ${c.id}: ${objects} objects, ${kb.toFixed(0)} KB of manifests`);
    console.log(`render (renderRelease, mean): ${ms(renderMs)} warm, ${ms(newMeanMs)} for a new release each time`);

    // Cold: a fresh host's first call (worker process start, compile, instantiate, call).
    const echo = await loadPlugin(dirs.echo!);
    const coldHost = new WasmHost({ maxWorkers: 1 });
    const tCold = performance.now();
    await postRenderRelease(rendered, [{ wasm: { plugin: echo } }], {
      includeHooks: true,
      namespace: c.namespace,
      host: coldHost,
    });
    const coldMs = performance.now() - tCold;
    await coldHost.close();
    console.log(`cold first post-render (worker start + compile + call): ${ms(coldMs)}`);
    console.log('');

    const host = new WasmHost({ maxWorkers: 1 });
    console.log(
      "| plugin | post-render e2e (median) | overhead vs render (warm; new release: vs a new release's render) | operator busy | instantiate | plugin call | JSON + transport |",
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const name of ['echo', 'noop', 'add-label', 'echo (new release)']) {
      const plugin = await loadPlugin(dirs[name.split(' ')[0]!]!);
      // A new release name each time: every document is new text, so no cache helps.
      let k = 0;
      const isNew = name.endsWith('(new release)');
      const fresh = isNew ? () => render(`${c.releaseName}-${k++}`) : () => render();
      const m = await measure(fresh, plugin, host, c.namespace);
      console.log(
        `| ${name} | ${ms(m.e2e)} | **${pct(m.e2e, isNew ? newMeanMs : renderMs)}** | ${ms(m.busy)} | ${ms(m.inst)} | ${ms(m.call)} | ${ms(m.rest)} |`,
      );
    }
    await host.close();

    const patchTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await postRenderRelease(
        rendered,
        [
          {
            patches: [
              { target: { kind: 'Deployment' }, patch: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] },
            ],
          },
        ],
        { includeHooks: true, namespace: c.namespace },
      );
      patchTimes.push(performance.now() - t0);
    }
    console.log('');
    console.log(`built-in JSON 6902 patch (every Deployment), same step: ${ms(median(patchTimes))} (median of 5)`);
    const h = helmCost(c, join(tmp, 'chart'), join(tmp, 'helm'));
    if (h) {
      console.log('');
      console.log(
        `helm v4.1.4, same chart (process wall time, median of 7): template ${ms(h.plain)}, with a \`cat\` subprocess post-renderer ${ms(h.post)}: post-render overhead ${ms(h.post - h.plain)} = ${pct(h.post - h.plain, h.plain)} of its render`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
