/**
 * chart-fixtures: the fixture charts under test/fixtures/charts (subcharts, aliases,
 * conditions/tags, import-values, globals, a library chart, schemas, Files, hooks, crds/, --set
 * parsing and coalescing edge cases), run through `capstan template` in-process and compared
 * byte for byte with the real helm v4.1.4's stdout (or its error) recorded by regen.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { templateCommand } from '../src/cli/commands/template.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'charts');
const { cases } = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { cases: { id: string; args: string[] }[] };
const index = JSON.parse(readFileSync(join(dir, 'golden', 'index.json'), 'utf8')) as Record<
  string,
  { exitCode: number; stdout: string; stderr: string }
>;

/** lastErrorLine is the `Error: …` text helm printed, without its log lines. */
function errorText(stderr: string): string {
  const i = stderr.indexOf('Error: ');
  return i < 0 ? stderr : stderr.slice(i);
}

process.chdir(dir);
for (const c of cases) {
  test(`fixture ${c.id}: ${c.args.slice(1).join(' ')}`, async () => {
    const want = index[c.id];
    assert.ok(want, `golden/index.json has no entry for ${c.id}; run regen.ts`);
    let stdout = '';
    let stderr = '';
    const code = await templateCommand(c.args.slice(1), { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    const wantOut = readFileSync(join(dir, want.stdout), 'utf8');
    const wantErr = readFileSync(join(dir, want.stderr), 'utf8');
    if (want.exitCode === 0) {
      assert.equal(stderr.includes('Error:'), false, `unexpected error: ${stderr}`);
      assert.equal(stdout, wantOut);
      assert.equal(code, 0);
    } else {
      assert.equal(code, want.exitCode);
      assert.equal(stdout, wantOut);
      assert.equal(errorText(stderr), errorText(wantErr));
    }
  });
}
