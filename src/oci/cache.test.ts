import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ChartCache, DigestLRU } from './cache.js';
import { DigestMismatchError } from './errors.js';

const digest = (s: string | Buffer): string => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const root = mkdtempSync(join(tmpdir(), 'capstan-cache-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, String(n++));

describe('ChartCache', () => {
  it('stores by digest and reads back; a hit does not call the writer', async () => {
    const cache = new ChartCache({ dir: freshDir() });
    const d = digest('hello');
    assert.equal(await cache.get(d), undefined);
    const path = await cache.putBytes(d, Buffer.from('hello'));
    assert.equal(path, cache.path(d));
    assert.equal((await cache.read(d))?.toString(), 'hello');
    let calls = 0;
    await cache.fill(d, async () => {
      calls++;
    });
    assert.equal(calls, 0);
  });

  it('rejects content that does not hash to its key and leaves no file behind', async () => {
    const cache = new ChartCache({ dir: freshDir() });
    const d = digest('expected');
    await assert.rejects(
      cache.putBytes(d, Buffer.from('something else')),
      (err: unknown) =>
        err instanceof DigestMismatchError && err.expected === d && err.actual === digest('something else'),
    );
    assert.equal(await cache.get(d), undefined);
    assert.deepEqual(readdirSync(join(cache.dir, 'blobs', 'sha256')), []);
  });

  it('removes the temp file when the writer fails', async () => {
    const cache = new ChartCache({ dir: freshDir() });
    await assert.rejects(
      cache.fill(digest('x'), async (tmp) => {
        writeFileSync(tmp, 'partial');
        throw new Error('connection reset');
      }),
      /connection reset/,
    );
    assert.deepEqual(readdirSync(join(cache.dir, 'blobs', 'sha256')), []);
  });

  it('shares one write between concurrent fills of a digest', async () => {
    const cache = new ChartCache({ dir: freshDir() });
    const d = digest('shared');
    let calls = 0;
    const write = async (tmp: string): Promise<void> => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      writeFileSync(tmp, 'shared');
    };
    const paths = await Promise.all([cache.fill(d, write), cache.fill(d, write), cache.fill(d, write)]);
    assert.equal(calls, 1);
    assert.deepEqual(new Set(paths).size, 1);
  });

  it('evicts least recently used entries beyond maxBytes, keeping the newest', async () => {
    const dir = freshDir();
    const cache = new ChartCache({ dir, maxBytes: 25 });
    const [a, b, c] = ['a'.repeat(10), 'b'.repeat(10), 'c'.repeat(10)];
    await cache.putBytes(digest(a), Buffer.from(a));
    await cache.putBytes(digest(b), Buffer.from(b));
    // Make `a` older than `b`, then use `a`: `b` is now the least recently used.
    utimesSync(cache.path(digest(a)), 1000, 1000);
    utimesSync(cache.path(digest(b)), 2000, 2000);
    const reopened = new ChartCache({ dir, maxBytes: 25 });
    assert.ok(await reopened.get(digest(a)));
    await reopened.putBytes(digest(c), Buffer.from(c));
    assert.equal(existsSync(reopened.path(digest(b))), false, 'b evicted');
    assert.ok(existsSync(reopened.path(digest(a))), 'a kept (recently used)');
    assert.ok(existsSync(reopened.path(digest(c))), 'c kept (just written)');
    assert.equal(reopened.totalBytes(), 20);
  });

  it('rejects malformed digests as keys', () => {
    const cache = new ChartCache({ dir: freshDir() });
    assert.throws(() => cache.path('sha256:../../etc/passwd'), /invalid digest/);
  });
});

describe('DigestLRU', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const lru = new DigestLRU<number>({ maxEntries: 2 });
    lru.set('a', 1);
    lru.set('b', 2);
    assert.equal(lru.get('a'), 1);
    lru.set('c', 3);
    assert.deepEqual([lru.has('a'), lru.has('b'), lru.has('c')], [true, false, true]);
  });

  it('bounds total size and skips values larger than maxSize', () => {
    const lru = new DigestLRU<string>({ maxEntries: 10, maxSize: 10, sizeOf: (s) => s.length });
    lru.set('a', 'aaaa');
    lru.set('b', 'bbbb');
    lru.set('c', 'cccc');
    assert.deepEqual([lru.has('a'), lru.has('b'), lru.has('c')], [false, true, true]);
    assert.equal(lru.totalSize, 8);
    lru.set('huge', 'x'.repeat(11));
    assert.equal(lru.has('huge'), false);
    assert.equal(lru.totalSize, 8);
  });

  it('getOrLoad shares concurrent loads and does not cache failures', async () => {
    const lru = new DigestLRU<string>();
    let loads = 0;
    const load = async (): Promise<string> => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return 'chart';
    };
    assert.deepEqual(await Promise.all([lru.getOrLoad('d', load), lru.getOrLoad('d', load)]), ['chart', 'chart']);
    assert.equal(loads, 1);
    await assert.rejects(
      lru.getOrLoad('bad', () => Promise.reject(new Error('corrupt chart'))),
      /corrupt chart/,
    );
    assert.equal(lru.has('bad'), false);
    assert.equal(await lru.getOrLoad('bad', () => 'ok'), 'ok');
  });
});
