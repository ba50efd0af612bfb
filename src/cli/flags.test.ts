/**
 * flags tests: the command-line forms helm's (cobra/pflag) parser accepts, as capstan reads them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, parseFlags, splitCsv, type FlagSpec } from './flags.js';

const SPECS: FlagSpec[] = [
  { name: 'values', short: 'f', kind: 'stringSlice', usage: '' },
  { name: 'set', kind: 'stringArray', usage: '' },
  { name: 'namespace', short: 'n', kind: 'string', usage: '' },
  { name: 'include-crds', kind: 'bool', usage: '' },
  { name: 'api-versions', short: 'a', kind: 'stringSlice', usage: '' },
];

const CASES: { name: string; argv: string[]; values?: Record<string, string[]>; bools?: Record<string, boolean>; args?: string[]; error?: string }[] = [
  {
    name: 'helm template argument vector from the corpus',
    argv: ['rel', 'grafana/grafana-12.11.1.tgz', '--namespace', 'ns1', '--include-crds', '-f', 'a.yaml,b.yaml'],
    values: { namespace: ['ns1'], values: ['a.yaml', 'b.yaml'] },
    bools: { 'include-crds': true },
    args: ['rel', 'grafana/grafana-12.11.1.tgz'],
  },
  {
    name: '--flag=value, -nvalue, repeated arrays keep commas',
    argv: ['--set=a=1,b=2', '--set', 'c=3', '-nprod', '-a', 'x/v1,y/v1/Kind', '--include-crds=false', 'rel', 'chart'],
    values: { set: ['a=1,b=2', 'c=3'], namespace: ['prod'], 'api-versions': ['x/v1', 'y/v1/Kind'] },
    bools: { 'include-crds': false },
    args: ['rel', 'chart'],
  },
  { name: 'last --namespace wins', argv: ['-n', 'a', '--namespace', 'b'], values: { namespace: ['b'] }, args: [] },
  { name: '-- ends flags', argv: ['rel', '--', '--set'], args: ['rel', '--set'] },
  { name: 'unknown flag', argv: ['--bogus'], error: 'unknown flag: --bogus' },
  { name: 'unknown shorthand', argv: ['-x'], error: "unknown shorthand flag: 'x' in -x" },
  { name: 'missing argument', argv: ['--set'], error: 'flag needs an argument: --set' },
  { name: 'bad bool', argv: ['--include-crds=maybe'], error: 'invalid argument "maybe" for "--include-crds" flag: strconv.ParseBool: parsing "maybe": invalid syntax' },
];

for (const c of CASES) {
  test(`parseFlags: ${c.name}`, () => {
    if (c.error) {
      assert.throws(() => parseFlags(c.argv, SPECS), (e: unknown) => e instanceof FlagError && e.message === c.error);
      return;
    }
    const r = parseFlags(c.argv, SPECS);
    assert.deepEqual(Object.fromEntries(r.values), c.values ?? {});
    assert.deepEqual(Object.fromEntries(r.bools), c.bools ?? {});
    assert.deepEqual(r.args, c.args ?? []);
  });
}

test('splitCsv reads a StringSlice value as one CSV record', () => {
  assert.deepEqual(splitCsv('a,"b,c",d'), ['a', 'b,c', 'd']);
  assert.deepEqual(splitCsv(''), []);
});
