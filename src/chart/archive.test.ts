/**
 * archive tests: chart archives built byte by byte (ustar headers), including hostile ones,
 * read with readArchiveFiles and loadArchive.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ArchiveError, readArchiveFiles } from './archive.js';
import { loadArchive } from './loader.js';

interface Entry {
  name: string;
  data?: string;
  type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  link?: string;
  size?: number;
}

function header(e: Entry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(e.type ?? '0', 156);
  if (e.link) h.write(e.link, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function tgz(entries: Entry[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    parts.push(header(e, e.size ?? data.length));
    parts.push(data);
    const pad = (512 - (data.length % 512)) % 512;
    parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

const CHART_YAML = 'apiVersion: v2\nname: web\nversion: 1.2.3\n';

test('a well-formed archive loads with its top directory stripped and the BOM removed', () => {
  const c = loadArchive(
    tgz([
      { name: 'web/', type: '5' },
      { name: 'web/Chart.yaml', data: CHART_YAML },
      { name: 'web/values.yaml', data: '\ufeffreplicas: 2\n' },
      { name: 'web/templates/cm.yaml', data: 'kind: ConfigMap\n' },
      { name: 'web/files/a.txt', data: 'a' },
      { name: 'web/charts/db/Chart.yaml', data: 'apiVersion: v2\nname: db\nversion: 0.1.0\n' },
      { name: 'web/charts/db/values.yaml', data: 'size: 1Gi\n' },
    ]),
  );
  assert.equal(c.metadata.name, 'web');
  assert.deepEqual(c.values, { replicas: 2 });
  assert.deepEqual(
    c.templates.map((t) => t.name),
    ['templates/cm.yaml'],
  );
  assert.deepEqual(
    c.files.map((f) => f.name),
    ['files/a.txt'],
  );
  assert.equal(c.dependencies[0].metadata.name, 'db');
  assert.deepEqual(c.dependencies[0].values, { size: '1Gi' });
  assert.equal(c.dependencies[0].parent, c);
});

const HOSTILE: { name: string; entries: Entry[]; message: RegExp | string }[] = [
  { name: 'parent directory traversal', entries: [{ name: 'web/../../etc/passwd', data: 'x' }], message: 'chart illegally references parent directory' },
  { name: 'absolute path after the top directory', entries: [{ name: 'web//etc/passwd', data: 'x' }], message: 'chart illegally contains absolute paths' },
  { name: 'content at the base directory itself', entries: [{ name: 'web', data: 'x' }], message: 'chart illegally contains content outside the base directory: "web"' },
  { name: 'Chart.yaml outside a directory', entries: [{ name: 'Chart.yaml', data: CHART_YAML }], message: 'chart illegally contains content outside the base directory: "Chart.yaml"' },
  { name: 'windows drive path', entries: [{ name: 'web/c:/x', data: 'x' }], message: 'chart contains illegally named files' },
  { name: 'symlink escaping the chart', entries: [{ name: 'web/Chart.yaml', data: CHART_YAML }, { name: 'web/templates/evil.yaml', type: '2', link: '../../../../etc/shadow' }], message: /links to "..\/..\/..\/..\/etc\/shadow", outside the chart/ },
  { name: 'absolute symlink', entries: [{ name: 'web/Chart.yaml', data: CHART_YAML }, { name: 'web/x', type: '2', link: '/etc/passwd' }], message: /outside the chart/ },
  { name: 'character device', entries: [{ name: 'web/Chart.yaml', data: CHART_YAML }, { name: 'web/null', type: '3' }], message: /is a device or FIFO/ },
  { name: 'fifo', entries: [{ name: 'web/Chart.yaml', data: CHART_YAML }, { name: 'web/pipe', type: '6' }], message: /is a device or FIFO/ },
];

for (const c of HOSTILE) {
  test(`hostile archive refused: ${c.name}`, () => {
    assert.throws(
      () => readArchiveFiles(tgz(c.entries)),
      (e: unknown) => e instanceof ArchiveError && (typeof c.message === 'string' ? e.message === c.message : c.message.test(e.message)),
    );
  });
}

test('size caps: one file and the whole chart', () => {
  const big = 'x'.repeat(2048);
  assert.throws(
    () => readArchiveFiles(tgz([{ name: 'web/Chart.yaml', data: CHART_YAML }, { name: 'web/big.txt', data: big }]), 'c.tgz', { maxFileSize: 1024 }),
    (e: unknown) => e instanceof ArchiveError && e.message === 'decompressed chart file "web/big.txt" is larger than the maximum file size 1024' && e.entry === 'web/big.txt',
  );
  assert.throws(
    () => readArchiveFiles(tgz([{ name: 'web/a', data: big }, { name: 'web/b', data: big }]), 'c.tgz', { maxChartSize: 3000 }),
    /decompressed chart is larger than the maximum size 3000/,
  );
  assert.throws(
    () => readArchiveFiles(tgz([{ name: 'web/a' }, { name: 'web/b' }, { name: 'web/c' }]), 'c.tgz', { maxEntries: 2 }),
    /more than 2 entries/,
  );
});

test('not gzip: helm-style message naming the file', () => {
  assert.throws(
    () => readArchiveFiles(new TextEncoder().encode('apiVersion: v2\n'), 'mychart.tgz'),
    (e: unknown) => e instanceof ArchiveError && e.message === "file 'mychart.tgz' does not appear to be a gzipped archive; got 'application/octet-stream'",
  );
});

test('loadArchive wraps archive errors as helm 4 does, naming the entry', () => {
  assert.throws(
    () => loadArchive(tgz([{ name: 'web/Chart.yaml', data: CHART_YAML }, { name: 'web/../../x.yaml', data: 'a: 1' }]), 'ev.tgz'),
    (e: unknown) =>
      e instanceof Error && e.message === 'unable to load chart archive: chart illegally references parent directory (entry "web/../../x.yaml")',
  );
});

test('symlink inside the chart reads as an empty file, like helm', () => {
  const files = readArchiveFiles(tgz([{ name: 'web/Chart.yaml', data: CHART_YAML }, { name: 'web/files/link', type: '2', link: '../Chart.yaml' }]));
  assert.deepEqual(
    files.map((f) => [f.name, f.data.length]),
    [
      ['Chart.yaml', CHART_YAML.length],
      ['files/link', 0],
    ],
  );
});
