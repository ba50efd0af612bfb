/**
 * archive: reading a chart archive (.tgz) into its files, defensively. Like Helm's
 * loader.LoadArchiveFiles the first path component (the chart directory) is dropped; unlike a
 * plain untar, hostile entries are refused: absolute paths, `..`, links that leave the chart,
 * device files, and archives or files beyond the size caps.
 */
import { gunzipSync } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import type { ChartFile } from './types.js';

/** MAX_DECOMPRESSED_CHART_SIZE caps the sum of all file sizes (Helm: MaxDecompressedChartSize). */
export const MAX_DECOMPRESSED_CHART_SIZE = 100 * 1024 * 1024;
/** MAX_DECOMPRESSED_FILE_SIZE caps one file (Helm: MaxDecompressedFileSize). */
export const MAX_DECOMPRESSED_FILE_SIZE = 5 * 1024 * 1024;
/** MAX_ARCHIVE_ENTRIES caps the number of entries (Helm has no such cap; a zip-bomb guard). */
export const MAX_ARCHIVE_ENTRIES = 50_000;

/** ArchiveError is a refused or unreadable chart archive; `entry` names the tar entry at fault. */
export class ArchiveError extends Error {
  constructor(
    message: string,
    readonly entry?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ArchiveError';
  }
}

export interface ArchiveLimits {
  maxChartSize?: number;
  maxFileSize?: number;
  maxEntries?: number;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const DRIVE_PATH = /^[a-zA-Z]:\//;

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

/** posixClean is Go's path.Clean. */
export function posixClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const s = (rooted ? '/' : '') + out.join('/');
  return s === '' ? '.' : s;
}

/**
 * readArchiveFiles is loader.LoadArchiveFiles: the regular files of a gzipped chart tarball with
 * the top directory stripped, in archive order, BOM removed.
 */
export function readArchiveFiles(bytes: Uint8Array, name = 'chart archive', limits: ArchiveLimits = {}): ChartFile[] {
  const maxChart = limits.maxChartSize ?? MAX_DECOMPRESSED_CHART_SIZE;
  const maxFile = limits.maxFileSize ?? MAX_DECOMPRESSED_FILE_SIZE;
  const maxEntries = limits.maxEntries ?? MAX_ARCHIVE_ENTRIES;
  if (!isGzip(bytes)) {
    throw new ArchiveError(`file '${name}' does not appear to be a gzipped archive; got '${sniff(bytes)}'`);
  }
  let tarBytes: Buffer;
  try {
    // maxOutputLength bounds a gzip bomb before tar parsing sees it (headers add ~1 KiB per entry).
    tarBytes = gunzipSync(bytes, { maxOutputLength: maxChart + 512 * 1024 * 1024 });
  } catch (e) {
    throw new ArchiveError(`${name}: ${(e as Error).message}`, undefined, { cause: e });
  }
  const files: ChartFile[] = [];
  let remaining = maxChart;
  let entries = 0;
  let failure: ArchiveError | undefined;
  const fail = (msg: string, entry: string) => {
    if (!failure) failure = new ArchiveError(msg, entry);
  };
  const parser = new Parser({ strict: true });
  parser.on('entry', (entry: ReadEntry) => {
    if (failure) {
      entry.resume();
      return;
    }
    entries++;
    if (entries > maxEntries) {
      fail(`chart archive has more than ${maxEntries} entries`, entry.path);
      entry.resume();
      return;
    }
    const hdName = entry.path;
    const type = entry.type;
    if (type === 'Directory' || type === 'GlobalExtendedHeader' || type === 'ExtendedHeader') {
      entry.resume();
      return;
    }
    const delim = hdName.includes('\\') ? '\\' : '/';
    const parts = hdName.split(delim);
    let n = parts.slice(1).join('/');
    if (n.startsWith('/')) return fail('chart illegally contains absolute paths', hdName), entry.resume();
    n = posixClean(n);
    if (n === '.') {
      fail(`chart illegally contains content outside the base directory: "${hdName}"`, hdName);
      entry.resume();
      return;
    }
    if (n.startsWith('..')) return fail('chart illegally references parent directory', hdName), entry.resume();
    if (DRIVE_PATH.test(n)) return fail('chart contains illegally named files', hdName), entry.resume();
    if (parts[0] === 'Chart.yaml') return fail('chart yaml not in base directory', hdName), entry.resume();
    if (type === 'CharacterDevice' || type === 'BlockDevice' || type === 'FIFO') {
      fail(`chart archive entry "${hdName}" is a device or FIFO (${type}), which a chart may not contain`, hdName);
      entry.resume();
      return;
    }
    if (type === 'SymbolicLink' || type === 'Link') {
      const target = entry.linkpath ?? '';
      const base = type === 'Link' ? target.split('/').slice(1).join('/') : posixJoinDir(n, target);
      if (target.startsWith('/') || posixClean(base).startsWith('..')) {
        fail(`chart archive entry "${hdName}" links to "${target}", outside the chart`, hdName);
        entry.resume();
        return;
      }
      // Helm reads a link entry as an empty file; so do we.
      files.push({ name: n, data: new Uint8Array(0) });
      entry.resume();
      return;
    }
    const size = entry.size ?? 0;
    if (size > remaining) {
      fail(`decompressed chart is larger than the maximum size ${maxChart}`, hdName);
      entry.resume();
      return;
    }
    if (size > maxFile) {
      fail(`decompressed chart file "${hdName}" is larger than the maximum file size ${maxFile}`, hdName);
      entry.resume();
      return;
    }
    remaining -= size;
    const chunks: Buffer[] = [];
    entry.on('data', (c: Buffer) => chunks.push(c));
    entry.on('end', () => {
      let data: Uint8Array = Buffer.concat(chunks);
      if (data.length >= 3 && data[0] === UTF8_BOM[0] && data[1] === UTF8_BOM[1] && data[2] === UTF8_BOM[2]) {
        data = data.subarray(3);
      }
      files.push({ name: n, data });
    });
  });
  let parseError: unknown;
  parser.on('error', (e: unknown) => (parseError = e));
  parser.on('warn', (_code: string, message: string | Error) => {
    if (!parseError) parseError = message instanceof Error ? message : new Error(String(message));
  });
  parser.end(tarBytes);
  if (failure) throw failure;
  if (parseError) throw new ArchiveError(`${name}: ${(parseError as Error).message ?? parseError}`, undefined, { cause: parseError });
  if (files.length === 0) throw new ArchiveError('no files in chart archive');
  return files;
}

function posixJoinDir(file: string, target: string): string {
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '';
  return dir === '' ? target : dir + '/' + target;
}

function sniff(b: Uint8Array): string {
  // Helm 4 reports what its content sniffing saw; for anything that is not gzip it reports this.
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 3 && b[3] === 4) return 'application/zip';
  return 'application/octet-stream';
}
