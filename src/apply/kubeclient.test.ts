import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter, splitApiVersion } from './kubeclient.js';

describe('RateLimiter', () => {
  it('lets a burst through at once, then paces requests at the QPS', async () => {
    const l = new RateLimiter(20, 5);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await l.take();
    assert.ok(Date.now() - t0 < 30, 'the burst is not delayed');
    for (let i = 0; i < 6; i++) await l.take();
    const took = Date.now() - t0;
    assert.ok(took >= 250, `6 more at 20 qps take about 300 ms, took ${took} ms`);
  });

  it('does not pace when the QPS is 0', async () => {
    const l = new RateLimiter(0, 0);
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) await l.take();
    assert.ok(Date.now() - t0 < 50);
  });
});

describe('splitApiVersion', () => {
  for (const [input, group, version] of [
    ['v1', '', 'v1'],
    ['apps/v1', 'apps', 'v1'],
    ['helm.capstan.dev/v1alpha1', 'helm.capstan.dev', 'v1alpha1'],
  ]) {
    it(input, () => assert.deepEqual(splitApiVersion(input), { group, version }));
  }
});
