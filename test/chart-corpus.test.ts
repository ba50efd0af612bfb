/**
 * chart-corpus: the shared corpus of real charts (../shared/charts beside the checkout, with
 * helm v4.1.4's exact `helm template` output per case) rendered in-process through
 * `capstan template`. Lines helm recorded as nondeterministic (random passwords, certificates)
 * are masked on both sides. Skipped as a whole when the corpus is not present.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { templateCommand } from '../src/cli/commands/template.js';

const corpus = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'charts');

interface CorpusCase {
  id: string;
  helmArgs: string[];
  golden: string | null;
  expectedError: string | null;
  nondeterministicLines: number[];
}

function mask(text: string, lines: number[]): string {
  const a = text.split('\n');
  for (const n of lines) if (n - 1 < a.length) a[n - 1] = '<masked>';
  return a.join('\n');
}

const present = existsSync(join(corpus, 'cases.json'));
const cases: CorpusCase[] = present ? JSON.parse(readFileSync(join(corpus, 'cases.json'), 'utf8')).cases : [];

test('chart corpus is present beside the checkout', { skip: present ? false : `no corpus at ${corpus}` }, () => {
  assert.ok(cases.length > 0);
});

if (present) process.chdir(corpus);
for (const c of cases) {
  test(`corpus ${c.id}`, async () => {
    let stdout = '';
    let stderr = '';
    const code = await templateCommand(c.helmArgs.slice(1), { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    if (c.golden) {
      assert.equal(stderr.includes('Error:'), false, stderr);
      assert.equal(code, 0);
      const want = readFileSync(join(corpus, c.golden), 'utf8');
      assert.equal(mask(stdout, c.nondeterministicLines), mask(want, c.nondeterministicLines));
    } else {
      assert.equal(code, 1);
      assert.equal(stdout, '');
      const wantErr = c.expectedError!.slice(c.expectedError!.indexOf('Error: '));
      assert.equal(stderr.slice(stderr.indexOf('Error: ')), wantErr);
    }
  });
}
