/**
 * gen-template-cases: regenerates the template engine's differential fixtures with the real helm.
 *
 * Reads case sources `test/fixtures/gotemplate/cases/<area>.yaml` (a YAML list of
 * `{name, template, values?}`; values are JSON-shaped) and writes `test/fixtures/gotemplate/<area>.json`
 * with helm v4's result for each case:
 * - `output`: the template's raw engine output (before Helm strips `<no value>` or splits documents),
 *   taken as `include "x/templates/_case.tpl" . | b64enc` so any bytes survive helm's YAML handling;
 * - `error`: when helm fails, its stderr (without the trailing newline) from rendering the case body
 *   directly as `x/templates/case.yaml`, which is the message a chart author sees.
 * Every case runs in a throw-away chart named `x`, release `rel`, namespace `ns1`, kube 1.31.0.
 *
 * Usage: npx tsx scripts/gen-template-cases.ts [area ...]   (default: every case source)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { helmBinary } from '../src/devcluster/oracle.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', 'test', 'fixtures', 'gotemplate');

/** CaseSource is one hand-written case. */
export interface CaseSource {
  name: string;
  template: string;
  values?: unknown;
}

/** CaseResult is a case with helm's verdict: exactly one of output and error is a string. */
export interface CaseResult extends CaseSource {
  output: string | null;
  error: string | null;
}

const CHART_YAML = 'apiVersion: v2\nname: x\nversion: 0.1.0\nappVersion: "1.0"\n';

async function helmTemplate(dir: string): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const r = await run(helmBinary(), ['template', 'rel', dir, '--namespace', 'ns1', '--kube-version', '1.31.0'], {
      env: { ...process.env, HELM_CACHE_HOME: dir + '.h', HELM_CONFIG_HOME: dir + '.h', HELM_DATA_HOME: dir + '.h' },
      maxBuffer: 1 << 26,
    });
    return { ok: true, stdout: r.stdout, stderr: r.stderr };
  } catch (e: any) {
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? String(e) };
  }
}

function writeChart(dir: string, c: CaseSource, direct: boolean): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), CHART_YAML);
  writeFileSync(join(dir, 'values.yaml'), c.values === undefined ? '' : JSON.stringify(c.values));
  if (direct) {
    writeFileSync(join(dir, 'templates', 'case.yaml'), c.template);
  } else {
    writeFileSync(join(dir, 'templates', '_case.tpl'), c.template);
    writeFileSync(
      join(dir, 'templates', 'out.yaml'),
      'raw: {{ include "x/templates/_case.tpl" . | b64enc | quote }}\n',
    );
  }
}

async function runCase(work: string, c: CaseSource): Promise<CaseResult> {
  const dir = join(work, 'x');
  writeChart(dir, c, false);
  const r = await helmTemplate(dir);
  if (r.ok) {
    const m = /^raw: "([A-Za-z0-9+/=]*)"$/m.exec(r.stdout);
    if (!m) throw new Error(`case ${c.name}: unexpected helm output ${JSON.stringify(r.stdout)}`);
    return { ...c, output: Buffer.from(m[1], 'base64').toString('utf8'), error: null };
  }
  writeChart(dir, c, true);
  const d = await helmTemplate(dir);
  const err = (d.ok ? r.stderr : d.stderr).replace(/\n$/, '');
  return { ...c, output: null, error: err };
}

async function generate(area: string): Promise<void> {
  const sources = parse(readFileSync(join(root, 'cases', `${area}.yaml`), 'utf8')) as CaseSource[];
  const names = new Set<string>();
  for (const c of sources) {
    if (!c.name || typeof c.template !== 'string') throw new Error(`${area}: every case needs name and template`);
    if (names.has(c.name)) throw new Error(`${area}: duplicate case name ${c.name}`);
    names.add(c.name);
  }
  const results: CaseResult[] = new Array(sources.length);
  const workers = 2;
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const work = mkdtempSync(join(tmpdir(), 'capstan-cases-'));
      try {
        for (let i = next++; i < sources.length; i = next++) results[i] = await runCase(work, sources[i]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    }),
  );
  const out = { generatedBy: 'helm v4.1.4 via scripts/gen-template-cases.ts', area, cases: results };
  writeFileSync(join(root, `${area}.json`), JSON.stringify(out, null, 1) + '\n');
  const errors = results.filter((r) => r.error !== null).length;
  console.log(`${area}: ${results.length} cases (${errors} error cases) -> test/fixtures/gotemplate/${area}.json`);
}

const wanted = process.argv.slice(2);
const areas = wanted.length
  ? wanted
  : readdirSync(join(root, 'cases'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => basename(f, '.yaml'));
for (const a of areas) await generate(a);
