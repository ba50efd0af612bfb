import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { chartConfigJson, readChartMetadata, type ChartMetadata } from './push.js';

// tarball builds a minimal ustar archive (gzip-compressed) from path → text.
function tarball(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [path, text] of Object.entries(files)) {
    const body = Buffer.from(text);
    const h = Buffer.alloc(512);
    h.write(path, 0, 100);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0' + '00', 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

describe('readChartMetadata', () => {
  it('reads the top-level Chart.yaml, not a subchart one', async () => {
    const tgz = tarball({
      'app/charts/sub/Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 9.9.9\n',
      'app/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 1.2.3+build.4\n',
      'app/values.yaml': 'a: 1\n',
    });
    const m = await readChartMetadata(tgz);
    assert.equal(m.name, 'app');
    assert.equal(m.version, '1.2.3+build.4');
  });

  const bad: Array<[string, Uint8Array, RegExp]> = [
    ['not gzip/tar', Buffer.from('hello world, not an archive'), /reading chart archive: Unrecognized archive format/],
    ['no Chart.yaml', tarball({ 'app/values.yaml': 'a: 1\n' }), /no Chart\.yaml at the top level/],
    ['no name', tarball({ 'app/Chart.yaml': 'apiVersion: v2\nversion: 1.0.0\n' }), /name is required/],
    ['no version', tarball({ 'app/Chart.yaml': 'apiVersion: v2\nname: app\n' }), /version is required/],
  ];
  for (const [name, tgz, want] of bad) it(`rejects ${name}`, async () => assert.rejects(readChartMetadata(tgz), want));
});

describe('chartConfigJson', () => {
  const cases: Array<[string, ChartMetadata, string]> = [
    [
      'Helm field order, empty fields omitted',
      { version: '1.0.0', apiVersion: 'v2', name: 'x', description: '', keywords: [], type: 'application' },
      '{"name":"x","version":"1.0.0","apiVersion":"v2","type":"application"}',
    ],
    [
      'maintainer fields in struct order',
      { name: 'x', version: '1', maintainers: [{ url: 'u', email: 'e', name: 'n' }] },
      '{"name":"x","version":"1","maintainers":[{"name":"n","email":"e","url":"u"}]}',
    ],
    [
      'dependency keeps name and repository',
      { name: 'x', version: '1', dependencies: [{ alias: 'c', name: 'common', version: '2.x' }] },
      '{"name":"x","version":"1","dependencies":[{"name":"common","version":"2.x","repository":"","alias":"c"}]}',
    ],
    [
      'annotation keys sorted',
      { name: 'x', version: '1', annotations: { b: '2', a: '1' } },
      '{"name":"x","version":"1","annotations":{"a":"1","b":"2"}}',
    ],
    [
      'HTML characters escaped as Go does',
      { name: 'x', version: '1', kubeVersion: '>=1.21.0-0 <2 & more' },
      '{"name":"x","version":"1","kubeVersion":"\\u003e=1.21.0-0 \\u003c2 \\u0026 more"}',
    ],
  ];
  for (const [name, meta, want] of cases) it(name, () => assert.equal(chartConfigJson(meta).toString(), want));
});
