import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TextCache } from './textcache.js';

test('TextCache keeps at most maxEntries, dropping the oldest first', () => {
  const c = new TextCache<number>(3, 1000);
  for (let i = 0; i < 5; i++) c.set(`k${i}`, i);
  assert.equal(c.size, 3);
  assert.deepEqual(
    ['k0', 'k1', 'k2', 'k3', 'k4'].map((k) => c.get(k)),
    [undefined, undefined, 2, 3, 4],
  );
  c.set('k2', 20); // an update is not a new entry and does not refresh its age
  c.set('k5', 5);
  assert.deepEqual(
    ['k2', 'k3', 'k4', 'k5'].map((k) => c.get(k)),
    [undefined, 3, 4, 5],
  );
});

test('TextCache bounds the characters its keys hold and skips keys over a sixteenth of that', () => {
  const c = new TextCache<string>(100, 160);
  c.set('x'.repeat(11), 'too long');
  assert.equal(c.size, 0);
  for (let i = 0; i < 20; i++) c.set(`${i}`.padStart(10, '-'), `${i}`);
  // 16 keys of 10 characters fit in 160.
  assert.equal(c.size, 16);
  assert.equal(c.get('---------3'), undefined);
  assert.equal(c.get('---------4'), '4');
  assert.equal(c.get('--------19'), '19');
});

test('TextCache stays correct over many evictions', () => {
  const c = new TextCache<number>(50, 1 << 20);
  for (let i = 0; i < 10_000; i++) c.set(`key-${i}`, i);
  assert.equal(c.size, 50);
  assert.equal(c.get('key-9949'), undefined);
  assert.equal(c.get('key-9950'), 9950);
  assert.equal(c.get('key-9999'), 9999);
});
