/**
 * strvals tests: every case is one `--set`-family flag given to the real helm v4.1.4, with the
 * `.Values | toJson` it rendered or the error it printed (without `Error: `).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GoInt64, int64, type Value } from '../gotemplate/value.js';
import { mergeValueOptions, type ValueOptions } from './valueopts.js';
import { parse, parseInto, typedVal } from './strvals.js';

type Flag = 'set' | 'set-string' | 'set-json' | 'set-literal';
const HELM_CASES: { flag: Flag; input: string; json?: unknown; error?: string }[] = [
  { flag: "set", input: "a=b,c=d", json: {"a": "b", "c": "d"} },
  { flag: "set", input: "a.b.c=1", json: {"a": {"b": {"c": 1}}} },
  { flag: "set", input: "a[0]=x,a[2]=y", json: {"a": ["x", null, "y"]} },
  { flag: "set", input: "a={1,2,x}", json: {"a": [1, 2, "x"]} },
  { flag: "set", input: "name=value\\,with\\,commas", json: {"name": "value,with,commas"} },
  { flag: "set", input: "x=0,y=007,z=-5,w=TRUE,n=null,f=1.5", json: {"f": "1.5", "n": null, "w": true, "x": 0, "y": "007", "z": -5} },
  { flag: "set", input: "a[0].b=1,a[0].c=2", json: {"a": [{"b": 1, "c": 2}]} },
  { flag: "set", input: "a[1].b=1", json: {"a": [null, {"b": 1}]} },
  { flag: "set", input: "a=1,", json: {"a": 1} },
  { flag: "set", input: "a=", json: {"a": ""} },
  { flag: "set", input: "a[0][1]=3", json: {"a": [[null, 3]]} },
  { flag: "set", input: "a[0]", json: {"a": []} },
  { flag: "set", input: ".a=1", json: {} },
  { flag: "set", input: "a.b=1,a.c=2,a.b=3", json: {"a": {"b": 3, "c": 2}} },
  { flag: "set", input: "list={}", json: {"list": [""]} },
  { flag: "set", input: "list={a}", json: {"list": ["a"]} },
  { flag: "set", input: "k={a,b},l=x", json: {"k": ["a", "b"], "l": "x"} },
  { flag: "set", input: "a\\.b=c", json: {"a.b": "c"} },
  { flag: "set", input: "a=b=c", json: {"a": "b=c"} },
  { flag: "set", input: "outer.inner={x,y}", json: {"outer": {"inner": ["x", "y"]}} },
  { flag: "set", input: "a[0]={x,y}", json: {"a": [["x", "y"]]} },
  { flag: "set", input: "a.b", error: "failed parsing --set data: key \"b\" has no value" },
  { flag: "set", input: "a=1,a.b=2", error: "failed parsing --set data: unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}" },
  { flag: "set", input: "a[x]=1", error: "failed parsing --set data: error parsing index: strconv.Atoi: parsing \"x\": invalid syntax" },
  { flag: "set", input: "a={x,y", error: "failed parsing --set data: list must terminate with '}'" },
  { flag: "set", input: "a[-1]=3", error: "failed parsing --set data: negative -1 index not allowed" },
  { flag: "set", input: "a[0]x=1", error: "failed parsing --set data: unexpected data at end of array index: ['x']" },
  { flag: "set", input: "a..b=1", error: "failed parsing --set data: key map \"a\" has no value" },
  { flag: "set", input: "a[70000]=1", error: "failed parsing --set data: index of 70000 is greater than maximum supported index of 65536" },
  { flag: "set", input: "a.b=1,a[0]=2", error: "failed parsing --set data: unable to parse key: interface conversion: interface {} is map[string]interface {}, not []interface {}" },
  { flag: "set-string", input: "a=1,b=true,c=null,d=007", json: {"a": "1", "b": "true", "c": "null", "d": "007"} },
  { flag: "set-string", input: "l={1,2}", json: {"l": ["1", "2"]} },
  { flag: "set-json", input: "a={\"x\":[1,2]},b=3", json: {"a": {"x": [1, 2]}, "b": 3} },
  { flag: "set-json", input: "a=null", json: {"a": null} },
  { flag: "set-json", input: "a[1]={\"k\":\"v\"}", json: {"a": [null, {"k": "v"}]} },
  { flag: "set-json", input: "a=[1, \"two\", {\"t\": true}] , b=\"s\"", json: {" b": "s", "a": [1, "two", {"t": true}]} },
  { flag: "set-json", input: "a=nope", error: "failed parsing --set-json data a=nope" },
  { flag: "set-literal", input: "a.b=x,y={z}", json: {"a": {"b": "x,y={z}"}} },
  { flag: "set-literal", input: "a[1]=\\,raw", json: {"a": [null, "\\,raw"]} },
  { flag: "set-literal", input: "a", error: "failed parsing --set-literal data: key \"a\" has no value" },
  { flag: "set-literal", input: "a.b.c=1=2", json: {"a": {"b": {"c": "1=2"}}} },
];

const FIELD: Record<Flag, keyof ValueOptions> = {
  set: 'values',
  'set-string': 'stringValues',
  'set-json': 'jsonValues',
  'set-literal': 'literalValues',
};

/** asJson is what toJson shows of a value: int64 and float64 both as JSON numbers. */
function asJson(v: Value): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x instanceof GoInt64 ? Number(x.value) : x)),
  );
}

for (const c of HELM_CASES) {
  test(`--${c.flag} ${c.input}`, () => {
    const run = () => mergeValueOptions({ [FIELD[c.flag]]: [c.input] });
    if (c.error !== undefined) {
      assert.throws(run, (e: unknown) => (e as Error).message === c.error);
    } else {
      assert.deepEqual(asJson(run()), c.json);
    }
  });
}

test('--set integers are Go int64 (GoInt64); other numbers stay strings', () => {
  assert.deepEqual(parse('a=1,b=-9223372036854775808,c=9223372036854775808,d=1.0,e=0'), {
    a: int64(1n),
    b: int64(-9223372036854775808n),
    c: '9223372036854775808',
    d: '1.0',
    e: int64(0n),
  });
  assert.equal(typedVal('42', true), '42');
});

test('parseInto merges into existing values like repeated --set flags', () => {
  const dest = { image: { repository: 'nginx', tag: '1.0' } };
  parseInto('image.tag=2.0,replicas=3', dest);
  assert.deepEqual(dest, { image: { repository: 'nginx', tag: '2.0' }, replicas: int64(3n) });
});

test('value files merge before --set-json, --set, --set-string, --set-file and --set-literal', () => {
  const files: Record<string, string> = { 'a.yaml': 'x: from-file\nr: 1\n---\nr: 2\n', 'note.txt': 'hello\n' };
  const read = (p: string) => new TextEncoder().encode(files[p]);
  const v = mergeValueOptions(
    { valueFiles: ['a.yaml'], jsonValues: ['x="json"'], values: ['x=set'], stringValues: ['n=5'], fileValues: ['f=note.txt'], literalValues: ['l=a,b'] },
    read,
  );
  assert.deepEqual(v, { x: 'set', r: 2, n: '5', f: 'hello\n', l: 'a,b' });
});
