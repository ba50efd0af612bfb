import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from './queue.js';

describe('WorkQueue', () => {
  it('deduplicates keys that are queued but not yet processed', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(q.depth, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
  });

  it('never hands a key in flight to a second worker, and requeues it when it was added meanwhile', async () => {
    const q = new WorkQueue();
    q.add('a');
    const k = await q.get();
    q.add('a');
    assert.equal(q.depth, 0, 'a key in flight is not queued again while processed');
    q.done(k!);
    assert.equal(q.depth, 1, 'it is queued again once done');
    assert.equal(await q.get(), 'a');
  });

  it('backs off exponentially per key and forgets on success', () => {
    const q = new WorkQueue({ baseDelayMs: 100, maxDelayMs: 1000 });
    const d1 = q.addRateLimited('a');
    const d2 = q.addRateLimited('a');
    const d3 = q.addRateLimited('a');
    assert.ok(d1 >= 90 && d1 <= 110, `first delay ${d1}`);
    assert.ok(d2 >= 180 && d2 <= 220, `second delay ${d2}`);
    assert.ok(d3 >= 360 && d3 <= 440, `third delay ${d3}`);
    for (let i = 0; i < 10; i++) q.addRateLimited('a');
    assert.ok(q.addRateLimited('a') <= 1100, 'capped');
    assert.equal(q.retries('a'), 14);
    q.forget('a');
    assert.equal(q.retries('a'), 0);
    q.shutdown();
  });

  it('delivers a delayed key after its delay, keeping the earliest schedule', async () => {
    const q = new WorkQueue();
    q.addAfter('a', 30);
    q.addAfter('a', 5000);
    const t0 = Date.now();
    assert.equal(await q.get(), 'a');
    assert.ok(Date.now() - t0 < 1000);
    q.shutdown();
  });

  it('releases waiting workers on shutdown', async () => {
    const q = new WorkQueue();
    const w = q.get();
    q.shutdown();
    assert.equal(await w, undefined);
  });
});
