/**
 * strings.test: Sprig's string functions called directly, with the results helm v4.1.4 printed
 * for the same calls (test/fixtures/gotemplate/sprig-strings.json holds the template forms).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatV } from '../../value.js';
import { sprigFuncs } from './index.js';

interface Case {
  name: string;
  fn: string;
  args: unknown[];
  /** want: the function's result printed with %v, as the template shows it. */
  want?: string;
  /** throws: Go's message (the executor adds "error calling NAME: "). */
  throws?: string;
}

const cases: Case[] = [
  { name: 'abbrev cuts to width-3 bytes', fn: 'abbrev', args: [5n, 'hello world'], want: 'he...' },
  { name: 'abbrev below 4 is a no-op', fn: 'abbrev', args: [3n, 'hello world'], want: 'hello world' },
  { name: 'abbrev counts bytes', fn: 'abbrev', args: [6n, 'héllo wörld'], want: 'hé...' },
  { name: 'abbrevboth offset', fn: 'abbrevboth', args: [5n, 10n, '1234 5678 9123'], want: '...5678...' },
  { name: 'abbrevboth near the end', fn: 'abbrevboth', args: [10n, 7n, 'abcdefghijklmno'], want: '...k...' },
  { name: 'abbrevboth too narrow', fn: 'abbrevboth', args: [1n, 5n, '1234 5678 9123'], want: '1234 5678 9123' },
  { name: 'trunc keeps the head', fn: 'trunc', args: [5n, 'hello world'], want: 'hello' },
  { name: 'trunc negative keeps the tail', fn: 'trunc', args: [-5n, 'hello world'], want: 'world' },
  { name: 'trunc cuts a multibyte rune', fn: 'trunc', args: [2n, 'héllo'], want: 'h\ufffd' },
  { name: 'trim uses unicode.IsSpace', fn: 'trim', args: ['\u00a0\u2003x\u3000'], want: 'x' },
  { name: 'upper keeps ß (no simple mapping)', fn: 'upper', args: ['hello Wörld ß'], want: 'HELLO WÖRLD ß' },
  { name: 'lower of İ is i', fn: 'lower', args: ['HELLO WÖRLD İ'], want: 'hello wörld i' },
  {
    name: 'title after separators only',
    fn: 'title',
    args: ['hello wORLD foo-bar foo_bar 3rd élan'],
    want: 'Hello WORLD Foo-Bar Foo_bar 3rd Élan',
  },
  { name: 'untitle lowers word starts', fn: 'untitle', args: ['Hello World FOO'], want: 'hello world fOO' },
  { name: 'substr negative start', fn: 'substr', args: [-1n, 3n, 'hello'], want: 'hel' },
  { name: 'substr end past the string', fn: 'substr', args: [2n, 99n, 'hello'], want: 'llo' },
  {
    name: 'substr start after end panics',
    fn: 'substr',
    args: [4n, 2n, 'hello'],
    throws: 'runtime error: slice bounds out of range [4:2]',
  },
  {
    name: 'substr start past the end',
    fn: 'substr',
    args: [9n, 99n, 'hello'],
    throws: 'runtime error: slice bounds out of range [9:5]',
  },
  {
    name: 'substr end past with negative start',
    fn: 'substr',
    args: [-1n, 9n, 'hello'],
    throws: 'runtime error: slice bounds out of range [:9] with length 5',
  },
  { name: 'repeat', fn: 'repeat', args: [3n, 'ab'], want: 'ababab' },
  { name: 'repeat negative', fn: 'repeat', args: [-1n, 'ab'], throws: 'strings: negative Repeat count' },
  { name: 'trimAll cutset', fn: 'trimAll', args: ['$', '$$5.00$'], want: '5.00' },
  { name: 'trimall is trimAll', fn: 'trimall', args: ['ab', 'abcba'], want: 'c' },
  { name: 'trimSuffix', fn: 'trimSuffix', args: ['-', 'hello-'], want: 'hello' },
  { name: 'nospace', fn: 'nospace', args: ['hello w o r l d\t\n'], want: 'helloworld' },
  { name: 'nospace rewrites multibyte bytes as runes', fn: 'nospace', args: ['héllo wörld'], want: 'hÃ©llowÃ¶rld' },
  { name: 'nospace leaves space-free text alone', fn: 'nospace', args: ['héllo'], want: 'héllo' },
  { name: 'initials', fn: 'initials', args: ['First Try  second'], want: 'FTs' },
  {
    name: 'swapcase title-cases after space',
    fn: 'swapcase',
    args: ['This Is A.Test hello'],
    want: 'tHIS iS a.tEST HELLO',
  },
  { name: 'swapcase digraphs', fn: 'swapcase', args: ['ǅemal élan ÉLAN'], want: 'ǆEMAL ÉLAN élan' },
  { name: 'snakecase acronym', fn: 'snakecase', args: ['getHTTPResponseCode'], want: 'get_http_response_code' },
  { name: 'snakecase numbers', fn: 'snakecase', args: ['k8sVersion'], want: 'k_8s_version' },
  { name: 'snakecase punctuation', fn: 'snakecase', args: ['io.k8s.API'], want: 'io.k_8s.api' },
  { name: 'snakecase digits after letters', fn: 'snakecase', args: ['abc123def'], want: 'abc_123def' },
  { name: 'kebabcase', fn: 'kebabcase', args: ['my_var name'], want: 'my-var-name' },
  { name: 'kebabcase version', fn: 'kebabcase', args: ['v1Beta2'], want: 'v1-beta2' },
  { name: 'camelcase is Pascal case', fn: 'camelcase', args: ['http_server'], want: 'HttpServer' },
  { name: 'camelcase keeps doubled connectors', fn: 'camelcase', args: ['hello__world'], want: 'Hello_World' },
  { name: 'camelcase of only connectors', fn: 'camelcase', args: ['__'], want: '___' },
  { name: 'camelcase upper snake', fn: 'camelcase', args: ['ABC_DEF'], want: 'AbcDef' },
  {
    name: 'wrap at spaces',
    fn: 'wrap',
    args: [5n, 'Hello World this is a test'],
    want: 'Hello\nWorld\nthis\nis a\ntest',
  },
  { name: 'wrap leaves long words', fn: 'wrap', args: [3n, 'abcdefgh ij klmnop'], want: 'abcdefgh\nij\nklmnop' },
  { name: 'wrapWith breaks long words', fn: 'wrapWith', args: [3n, '|', 'abcdefgh ij'], want: 'abc|def|gh|ij' },
  { name: 'quote formats with %v', fn: 'quote', args: [1n, 2.5, true], want: '"1" "2.5" "true"' },
  { name: 'quote of nil is empty', fn: 'quote', args: [null], want: '' },
  {
    name: 'quote escapes like %q',
    fn: 'quote',
    args: ['tab\there "q" back\\slash\nnl \x01 é \u00a0 \u200b 😀'],
    want: '"tab\\there \\"q\\" back\\\\slash\\nnl \\x01 é \\u00a0 \\u200b 😀"',
  },
  { name: 'squote', fn: 'squote', args: [1n, null, 2.5], want: "'1' '2.5'" },
  { name: 'cat drops nil', fn: 'cat', args: [1n, null, 2n], want: '1 2' },
  { name: 'cat of collections', fn: 'cat', args: [[1n, 2n], { k: 'v' }], want: '[1 2] map[k:v]' },
  { name: 'indent', fn: 'indent', args: [4n, 'a\nb\n\nc'], want: '    a\n    b\n    \n    c' },
  { name: 'nindent', fn: 'nindent', args: [2n, 'a\nb'], want: '\n  a\n  b' },
  { name: 'nindent negative', fn: 'nindent', args: [-1n, 'a'], throws: 'strings: negative Repeat count' },
  { name: 'replace with empty old', fn: 'replace', args: ['', '-', 'abé'], want: '-a-b-é-' },
  { name: 'plural', fn: 'plural', args: ['one', 'many', 1n], want: 'one' },
  {
    name: 'toString of a map',
    fn: 'toString',
    args: [{ b: 1, a: [1, 'x'], c: { d: null } }],
    want: 'map[a:[1 x] b:1 c:map[d:<nil>]]',
  },
  { name: 'toString of nil', fn: 'toString', args: [null], want: '<nil>' },
  { name: 'toStrings drops nil', fn: 'toStrings', args: [[1n, 'a', null, 2.5]], want: '[1 a 2.5]' },
  { name: 'split numbers the parts', fn: 'split', args: [',', 'a,b,c'], want: 'map[_0:a _1:b _2:c]' },
  { name: 'splitList keeps empty parts', fn: 'splitList', args: [',', 'a,b,,c'], want: '[a b  c]' },
  { name: 'splitList on empty sep splits runes', fn: 'splitList', args: ['', 'abé'], want: '[a b é]' },
  { name: 'splitn zero', fn: 'splitn', args: ['$', 0n, 'a$b'], want: 'map[]' },
  { name: 'splitn', fn: 'splitn', args: ['$', 2n, 'foo$bar$baz'], want: 'map[_0:foo _1:bar$baz]' },
  { name: 'join skips nil', fn: 'join', args: ['-', [1n, 'a', null, 2.5, true]], want: '1-a-2.5-true' },
  { name: 'join of a scalar', fn: 'join', args: [',', 'abc'], want: 'abc' },
  { name: 'sortAlpha byte order', fn: 'sortAlpha', args: [['b', 'a', 'C', 'é', '10', '9']], want: '[10 9 C a b é]' },
  { name: 'sortAlpha of nil', fn: 'sortAlpha', args: [null], want: '[<nil>]' },
  { name: 'hello', fn: 'hello', args: [], want: 'Hello!' },
];

for (const c of cases) {
  test(c.name, () => {
    const f = sprigFuncs[c.fn];
    assert.ok(f, `sprigFuncs has ${c.fn}`);
    if (c.throws !== undefined) assert.throws(() => f.fn(...c.args), { message: c.throws });
    else assert.equal(formatV(f.fn(...c.args)), c.want);
  });
}

test('random strings have the requested length and alphabet', () => {
  const cases: [string, RegExp][] = [
    ['randAlphaNum', /^[a-zA-Z0-9]{40}$/],
    ['randAlpha', /^[a-zA-Z]{40}$/],
    ['randNumeric', /^[0-9]{40}$/],
    ['randAscii', /^[\x20-\x7e]{40}$/],
  ];
  for (const [fn, re] of cases) {
    assert.match(sprigFuncs[fn].fn(40n) as string, re, fn);
    assert.equal(sprigFuncs[fn].fn(-3n), '', `${fn} of a negative count`);
  }
});

test('shuffle permutes runes', () => {
  const s = sprigFuncs.shuffle.fn('héllo wörld') as string;
  assert.deepEqual([...s].sort(), [...'héllo wörld'].sort());
});

test('typed results carry their Go type', () => {
  assert.equal(sprigFuncs.typeOf.fn(sprigFuncs.splitList.fn(',', 'a')), '[]string');
  assert.equal(sprigFuncs.typeOf.fn(sprigFuncs.split.fn(',', 'a')), 'map[string]string');
  assert.equal(sprigFuncs.typeOf.fn(sprigFuncs.toStrings.fn([1n])), '[]string');
});

test('Stringers print themselves wherever Sprig uses %v (helm: sprig-edge/stringer-*)', () => {
  const v = (s: string) => sprigFuncs.semver.fn(s);
  assert.equal(sprigFuncs['toString' as string].fn(v('1.2.3-rc.1+b')), '1.2.3-rc.1+b');
  assert.equal(sprigFuncs['toString' as string].fn([v('1.2.3')]), '[1.2.3]');
  assert.equal(sprigFuncs.cat.fn(v('1.2.3'), 'x', [v('v3.1')]), '1.2.3 x [3.1.0]');
  assert.equal(sprigFuncs.quote.fn(v('1.2.3')), '"1.2.3"');
  assert.equal(sprigFuncs.squote.fn(v('1.2.3')), "'1.2.3'");
  assert.equal(sprigFuncs.join.fn(',', [v('1.2.3'), v('4.5.6')]), '1.2.3,4.5.6');
  assert.equal(formatV(sprigFuncs.dict.fn(v('1.2.3'), 'x')), 'map[1.2.3:x]');
  assert.equal(sprigFuncs.toRawJson.fn(v('1.2.3')), '"1.2.3"');
  assert.equal(sprigFuncs.kindOf.fn(v('1.2.3')), 'ptr');
});
