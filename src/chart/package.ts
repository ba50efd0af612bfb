/**
 * package: `helm package` for a chart directory: a gzipped tar whose entries sit under
 * `<chart name>/`, honouring `.helmignore`, named `<name>-<version>.tgz`.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { create } from 'tar';
import { IgnoreRules } from './helmignore.js';
import { loadDir } from './loader.js';

/** packageChart returns the archive bytes and Helm's file name for the chart in `dir`. */
export async function packageChart(
  dir: string,
): Promise<{ name: string; version: string; filename: string; bytes: Uint8Array }> {
  const chart = loadDir(dir);
  const { name, version } = chart.metadata;
  let text = '';
  try {
    text = readFileSync(join(dir, '.helmignore'), 'utf8');
  } catch {
    // no .helmignore: only Helm's defaults apply
  }
  const rules = IgnoreRules.parse(text).addDefaults();
  const chunks: Buffer[] = [];
  const stream = create(
    {
      gzip: true,
      cwd: dirname(dir),
      portable: true,
      prefix: '',
      filter: (path: string, stat: unknown) => {
        const rel = path.split('/').slice(1).join('/');
        if (rel === '') return true;
        const isDir = typeof (stat as any).isDirectory === 'function' && (stat as any).isDirectory();
        return !rules.ignore(rel, isDir);
      },
      onWriteEntry: (entry: any) => {
        entry.path = entry.path.replace(/^[^/]+/, name);
      },
    } as any,
    [basename(dir)],
  );
  for await (const c of stream as any) chunks.push(Buffer.from(c));
  return { name, version, filename: `${name}-${version}.tgz`, bytes: new Uint8Array(Buffer.concat(chunks)) };
}
