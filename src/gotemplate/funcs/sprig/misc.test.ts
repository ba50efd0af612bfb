/**
 * misc.test: Sprig's defaults, reflection, JSON, encoding, path and URL functions called directly,
 * with the results helm v4.1.4 showed for the same calls (test/fixtures/gotemplate/
 * sprig-defaults.json and sprig-encoding.json).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatV } from '../../value.js';
import { sprigFuncs } from './index.js';

interface Case {
  name: string;
  fn: string;
  args: unknown[];
  want?: string;
  throws?: string;
}

const cases: Case[] = [
  { name: 'default of ""', fn: 'default', args: ['foo', ''], want: 'foo' },
  { name: 'default of false', fn: 'default', args: ['d', false], want: 'd' },
  { name: 'default keeps a non-empty list', fn: 'default', args: ['d', [0n]], want: '[0]' },
  { name: 'default keeps a map with a nil value', fn: 'default', args: ['d', { a: null }], want: 'map[a:<nil>]' },
  { name: 'default of 0.0', fn: 'default', args: ['z', 0], want: 'z' },
  { name: 'default without a value', fn: 'default', args: ['only'], want: 'only' },
  { name: 'coalesce', fn: 'coalesce', args: ['', null, 'x'], want: 'x' },
  { name: 'coalesce of empties is nil', fn: 'coalesce', args: [null, ''], want: '<nil>' },
  { name: 'all', fn: 'all', args: [1n, ''], want: 'false' },
  { name: 'all of an empty list value', fn: 'all', args: [[]], want: 'false' },
  { name: 'all of nothing', fn: 'all', args: [], want: 'true' },
  { name: 'any', fn: 'any', args: [0n, '', 'x'], want: 'true' },
  { name: 'any of nothing', fn: 'any', args: [], want: 'false' },
  { name: 'ternary', fn: 'ternary', args: ['yes', 'no', false], want: 'no' },
  { name: 'fail', fn: 'fail', args: ['something went wrong'], throws: 'something went wrong' },
  { name: 'typeOf int', fn: 'typeOf', args: [1n], want: 'int' },
  { name: 'typeOf YAML number', fn: 'typeOf', args: [1], want: 'float64' },
  { name: 'typeOf nil', fn: 'typeOf', args: [null], want: '<nil>' },
  { name: 'typeIs', fn: 'typeIs', args: ['[]interface {}', []], want: 'true' },
  { name: 'kindOf nil', fn: 'kindOf', args: [null], want: 'invalid' },
  { name: 'kindOf []string', fn: 'kindOf', args: [sprigFuncs.splitList.fn(',', '')], want: 'slice' },
  { name: 'kindIs', fn: 'kindIs', args: ['string', 1n], want: 'false' },
  { name: 'deepEqual int and float', fn: 'deepEqual', args: [1n, 1], want: 'false' },
  { name: 'deepEqual maps', fn: 'deepEqual', args: [{ x: 1 }, { x: 1 }], want: 'true' },
  {
    name: 'deepEqual []interface{} and []string',
    fn: 'deepEqual',
    args: [['a'], sprigFuncs.splitList.fn(',', 'a')],
    want: 'false',
  },
  {
    name: 'toPrettyJson escapes HTML and sorts keys',
    fn: 'toPrettyJson',
    args: [{ b: [1, { c: null }], a: 'x<y>&', e: [], d: {} }],
    want: '{\n  "a": "x\\u003cy\\u003e\\u0026",\n  "b": [\n    1,\n    {\n      "c": null\n    }\n  ],\n  "d": {},\n  "e": []\n}',
  },
  {
    name: 'toRawJson keeps HTML, formats floats like Go',
    fn: 'toRawJson',
    args: [{ html: '<b>&amp;</b>', n: 1e21, small: 1e-7, f: 1.5, i: 3 }],
    want: '{"f":1.5,"html":"<b>&amp;</b>","i":3,"n":1e+21,"small":1e-7}',
  },
  {
    name: 'mustToPrettyJson escapes U+2028',
    fn: 'mustToPrettyJson',
    args: [{ k: { n: 100000000n, u: '\u2028' } }],
    want: '{\n  "k": {\n    "n": 100000000,\n    "u": "\\u2028"\n  }\n}',
  },
  {
    name: 'mustFromJson',
    fn: 'mustFromJson',
    args: ['{"a": [1, 2.5, "x", null, true], "b": {}}'],
    want: 'map[a:[1 2.5 x <nil> true] b:map[]]',
  },
  { name: 'mustFromJson null', fn: 'mustFromJson', args: ['null'], want: '<nil>' },
  {
    name: 'mustFromJson bad key',
    fn: 'mustFromJson',
    args: ['{bad'],
    throws: "invalid character 'b' looking for beginning of object key string",
  },
  { name: 'mustFromJson truncated', fn: 'mustFromJson', args: ['{"a": 1'], throws: 'unexpected end of JSON input' },
  { name: 'mustFromJson empty', fn: 'mustFromJson', args: [''], throws: 'unexpected end of JSON input' },
  {
    name: 'mustFromJson trailing',
    fn: 'mustFromJson',
    args: ['{} x'],
    throws: "invalid character 'x' after top-level value",
  },
  {
    name: 'mustFromJson cut literal',
    fn: 'mustFromJson',
    args: ['tru'],
    throws: "invalid character ' ' in literal true (expecting 'e')",
  },
  {
    name: 'mustFromJson bad literal',
    fn: 'mustFromJson',
    args: ['trux'],
    throws: "invalid character 'x' in literal true (expecting 'e')",
  },
  {
    name: 'mustFromJson bad number',
    fn: 'mustFromJson',
    args: ['-x'],
    throws: "invalid character 'x' in numeric literal",
  },
  {
    name: 'mustFromJson missing colon',
    fn: 'mustFromJson',
    args: ['{"a" 1}'],
    throws: "invalid character '1' after object key",
  },
  {
    name: 'mustFromJson missing comma',
    fn: 'mustFromJson',
    args: ['[1 2]'],
    throws: "invalid character '2' after array element",
  },
  {
    name: 'mustFromJson missing comma in object',
    fn: 'mustFromJson',
    args: ['{"a":1 "b":2}'],
    throws: "invalid character '\"' after object key:value pair",
  },
  {
    name: 'mustFromJson single quotes',
    fn: 'mustFromJson',
    args: ["'a'"],
    throws: "invalid character '\\'' looking for beginning of value",
  },
  {
    name: 'mustFromJson tab in string',
    fn: 'mustFromJson',
    args: ['"a\tb"'],
    throws: "invalid character '\\t' in string literal",
  },
  {
    name: 'mustFromJson bad escape',
    fn: 'mustFromJson',
    args: ['"a\\qb"'],
    throws: "invalid character 'q' in string escape code",
  },
  {
    name: 'mustFromJson bad fraction',
    fn: 'mustFromJson',
    args: ['1.x'],
    throws: "invalid character 'x' after decimal point in numeric literal",
  },
  {
    name: 'mustFromJson bad exponent',
    fn: 'mustFromJson',
    args: ['1ex'],
    throws: "invalid character 'x' in exponent of numeric literal",
  },
  { name: 'b64enc of UTF-8', fn: 'b64enc', args: ['héllo'], want: 'aMOpbGxv' },
  { name: 'b64dec', fn: 'b64dec', args: ['aGVsbG8='], want: 'hello' },
  { name: 'b64dec skips newlines', fn: 'b64dec', args: ['aGVs\nbG8='], want: 'hello' },
  { name: 'b64dec bad byte', fn: 'b64dec', args: ['not base64!'], want: 'illegal base64 data at input byte 3' },
  { name: 'b64dec missing padding', fn: 'b64dec', args: ['aGVsbG8'], want: 'illegal base64 data at input byte 4' },
  { name: 'b64dec extra padding', fn: 'b64dec', args: ['aGVsbG8=='], want: 'illegal base64 data at input byte 8' },
  { name: 'b64dec bad padding', fn: 'b64dec', args: ['ab=c'], want: 'illegal base64 data at input byte 2' },
  { name: 'b64dec short padding', fn: 'b64dec', args: ['ab='], want: 'illegal base64 data at input byte 3' },
  { name: 'b64dec data after padding', fn: 'b64dec', args: ['YQ==YQ=='], want: 'illegal base64 data at input byte 4' },
  { name: 'b64dec ignores trailing bits', fn: 'b64dec', args: ['YR=='], want: 'a' },
  { name: 'b32enc', fn: 'b32enc', args: ['héllo wörld'], want: 'NDB2S3DMN4QHPQ5WOJWGI===' },
  { name: 'b32enc one byte', fn: 'b32enc', args: ['a'], want: 'ME======' },
  { name: 'b32dec', fn: 'b32dec', args: ['MFRGGZA='], want: 'abcd' },
  { name: 'b32dec lower case', fn: 'b32dec', args: ['nbswy3dp'], want: 'illegal base32 data at input byte 0' },
  { name: 'b32dec short', fn: 'b32dec', args: ['NBSWY3D'], want: 'illegal base32 data at input byte 0' },
  { name: 'b32dec short padding', fn: 'b32dec', args: ['ME====='], want: 'illegal base32 data at input byte 7' },
  { name: 'b32dec bad padding length', fn: 'b32dec', args: ['M======='], want: 'illegal base32 data at input byte 1' },
  { name: 'b32dec garbage in padding', fn: 'b32dec', args: ['ME==x==='], want: 'illegal base32 data at input byte 3' },
  { name: 'base of "/"', fn: 'base', args: ['/'], want: '/' },
  { name: 'base of ""', fn: 'base', args: [''], want: '.' },
  { name: 'base with trailing slash', fn: 'base', args: ['a/b/'], want: 'b' },
  { name: 'dir', fn: 'dir', args: ['a//b'], want: 'a' },
  { name: 'dir with trailing slash', fn: 'dir', args: ['a/b/'], want: 'a/b' },
  { name: 'clean', fn: 'clean', args: ['foo/../bar//baz/./x'], want: 'bar/baz/x' },
  { name: 'clean above the root', fn: 'clean', args: ['/../a'], want: '/a' },
  { name: 'clean relative parents', fn: 'clean', args: ['../../a/'], want: '../../a' },
  { name: 'ext', fn: 'ext', args: ['foo.tar.gz'], want: '.gz' },
  { name: 'ext of a directory with a dot', fn: 'ext', args: ['a.b/c'], want: '' },
  { name: 'osClean', fn: 'osClean', args: ['a//b/../c'], want: 'a/c' },
  { name: 'isAbs', fn: 'isAbs', args: [''], want: 'false' },
  {
    name: 'urlParse',
    fn: 'urlParse',
    args: ['http://example.com/path?q=1'],
    want: 'map[fragment: host:example.com hostname:example.com opaque: path:/path query:q=1 scheme:http userinfo:]',
  },
  {
    name: 'urlParse opaque',
    fn: 'urlParse',
    args: ['mailto:someone@example.com'],
    want: 'map[fragment: host: hostname: opaque:someone@example.com path: query: scheme:mailto userinfo:]',
  },
  {
    name: 'urlParse relative',
    fn: 'urlParse',
    args: ['rel/path?x'],
    want: 'map[fragment: host: hostname: opaque: path:rel/path query:x scheme: userinfo:]',
  },
  {
    name: 'urlParse unescapes path and fragment, escapes userinfo',
    fn: 'urlParse',
    args: ['https://user:pa%20ss@example.com:8443/a%20b/c?x=1&y=2#frag%21'],
    want: 'map[fragment:frag! host:example.com:8443 hostname:example.com opaque: path:/a b/c query:x=1&y=2 scheme:https userinfo:user:pa%20ss]',
  },
  {
    name: 'urlParse no scheme',
    fn: 'urlParse',
    args: [':nope'],
    throws: 'unable to parse url: parse ":nope": missing protocol scheme',
  },
  {
    name: 'urlParse bad escape',
    fn: 'urlParse',
    args: ['http://x/%zz'],
    throws: 'unable to parse url: parse "http://x/%zz": invalid URL escape "%zz"',
  },
  {
    name: 'urlJoin escapes path and fragment',
    fn: 'urlJoin',
    args: [{ scheme: 'https', host: 'example.com', path: '/a b', query: 'x=1', fragment: 'f g' }],
    want: 'https://example.com/a%20b?x=1#f%20g',
  },
  {
    name: 'urlJoin relative path',
    fn: 'urlJoin',
    args: [{ scheme: 'http', host: 'h', path: 'rel' }],
    want: 'http://h/rel',
  },
  { name: 'urlJoin colon in first segment', fn: 'urlJoin', args: [{ path: 'a:b' }], want: './a:b' },
  { name: 'urlJoin opaque', fn: 'urlJoin', args: [{ scheme: 'mailto', opaque: 'a@b.c' }], want: 'mailto:a@b.c' },
  {
    name: 'urlJoin bad userinfo',
    fn: 'urlJoin',
    args: [{ scheme: 'http', host: 'h', userinfo: 'u:p w' }],
    throws: 'unable to parse userinfo in dict: parse "proto://u:p w@host": net/url: invalid userinfo',
  },
  {
    name: 'urlJoin non-string',
    fn: 'urlJoin',
    args: [{ host: 1n }],
    throws: 'unable to parse host key, must be of type string, but int found',
  },
];

for (const c of cases) {
  test(c.name, () => {
    const f = sprigFuncs[c.fn];
    assert.ok(f, `sprigFuncs has ${c.fn}`);
    if (c.throws !== undefined) assert.throws(() => f.fn(...c.args), { message: c.throws });
    else assert.equal(formatV(f.fn(...c.args)), c.want);
  });
}

test('urlParse and urlJoin round-trip', () => {
  const u = 'https://u@h.io:1/p?q#f';
  assert.equal(sprigFuncs.urlJoin.fn(sprigFuncs.urlParse.fn(u)), u);
});

test('uuidv4 is a random version 4 UUID', () => {
  const a = sprigFuncs.uuidv4.fn() as string;
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(sprigFuncs.uuidv4.fn(), a);
});

test('JSON round trip keeps the value', () => {
  const v = { a: [1, 2, { b: 'c' }], n: null };
  assert.equal(
    sprigFuncs.toRawJson.fn(sprigFuncs.mustFromJson.fn(sprigFuncs.toRawJson.fn(v))),
    '{"a":[1,2,{"b":"c"}],"n":null}',
  );
});
