/**
 * registry-charts: small real chart archives built on the fly (with the `tar` package, as
 * `helm package` lays them out), and the corpus archives of /work/shared/charts.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';

/** CORPUS_DIR holds the real chart archives shared by the project. */
export const CORPUS_DIR = process.env.CAPSTAN_CHARTS_DIR || '/work/shared/charts';

/** corpusCharts lists the corpus archives as { name, path }. */
export function corpusCharts(): Array<{ name: string; path: string }> {
  const out: Array<{ name: string; path: string }> = [];
  for (const dir of readdirSync(CORPUS_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(CORPUS_DIR, dir.name)))
      if (f.endsWith('.tgz')) out.push({ name: dir.name, path: join(CORPUS_DIR, dir.name, f) });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** makeChart packages a minimal chart `name-version.tgz` and returns its bytes. */
export async function makeChart(name: string, version: string, extra: Record<string, string> = {}): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-chart-'));
  try {
    mkdirSync(join(dir, name, 'templates'), { recursive: true });
    writeFileSync(
      join(dir, name, 'Chart.yaml'),
      `apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: test chart ${name}\nappVersion: "1.0"\ntype: application\n`,
    );
    writeFileSync(join(dir, name, 'values.yaml'), 'replicas: 1\n');
    writeFileSync(
      join(dir, name, 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  replicas: "{{ .Values.replicas }}"\n',
    );
    for (const [path, text] of Object.entries(extra)) writeFileSync(join(dir, name, path), text);
    const out = join(dir, 'out.tgz');
    await create({ gzip: true, file: out, cwd: dir, portable: true, mtime: new Date(0) }, [name]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
