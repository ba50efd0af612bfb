import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthCache, identityOf } from './authcache.js';

describe('identityOf', () => {
  const cases: Array<[string, Parameters<typeof identityOf>[0], Parameters<typeof identityOf>[0], boolean]> = [
    ['same credentials, same identity', { username: 'a', password: 'p' }, { username: 'a', password: 'p' }, true],
    ['other password, other identity', { username: 'a', password: 'p' }, { username: 'a', password: 'q' }, false],
    ['no ambiguity at the separator', { username: 'a:b', password: 'c' }, { username: 'a', password: 'b:c' }, false],
    ['anonymous is its own identity', undefined, { username: '', password: '' }, false],
  ];
  for (const [name, a, b, same] of cases) it(name, () => assert.equal(identityOf(a) === identityOf(b), same));
  it('never contains the secret', () =>
    assert.ok(!identityOf({ username: 'u', password: 'hunter2' }).includes('hunter2')));
});

describe('AuthCache', () => {
  it('returns tokens until they expire, then forgets them', () => {
    const c = new AuthCache();
    c.setToken('k', { value: 'live', expiresAt: Date.now() + 60_000 });
    c.setToken('old', { value: 'dead', expiresAt: Date.now() - 1 });
    assert.equal(c.token('k')?.value, 'live');
    assert.equal(c.token('old'), undefined);
  });

  it('keeps schemes per registry and identity', () => {
    const c = new AuthCache();
    c.setScheme('r:5000', 'alice', { scheme: 'basic' });
    assert.deepEqual(c.scheme('r:5000', 'alice'), { scheme: 'basic' });
    assert.equal(c.scheme('r:5000', 'bob'), undefined);
    assert.equal(c.scheme('r:5001', 'alice'), undefined);
  });

  it('stays bounded', () => {
    const c = new AuthCache();
    for (let i = 0; i < 1100; i++) c.setToken(`k${i}`, { value: String(i), expiresAt: Date.now() + 60_000 });
    assert.equal(c.token('k0'), undefined, 'oldest dropped');
    assert.equal(c.token('k1099')?.value, '1099');
  });
});
