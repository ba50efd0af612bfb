/**
 * yamlfast.test: the fast manifest reader against the full go-yaml port. Whenever the fast reader
 * answers, its answer must be exactly the full reader's (deepStrictEqual: number vs string, -0,
 * key order, plain objects), and the full reader must succeed; when the full reader fails, the fast
 * one must give up. Checked over the real manifest corpus, targeted cases, and seeded mutations.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseYaml, parseYamlDocuments, parseYamlDocumentsFull } from './goyaml.js';
import { fastReadDocuments } from './yamlfast.js';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const sharedCharts = join(root, '..', 'shared', 'charts');

type Full = { ok: true; value: unknown[] } | { ok: false; error: Error };

function full(text: string): Full {
  try {
    return { ok: true, value: parseYamlDocumentsFull(text) };
  } catch (e) {
    return { ok: false, error: e as Error };
  }
}

/**
 * agree checks the contract on one text and says whether the fast path answered: the fast result
 * is undefined or the full reader's value, and the public reader gives the full reader's value or
 * error either way.
 */
function agree(text: string): boolean {
  const fast = fastReadDocuments(text);
  const want = full(text);
  const show = JSON.stringify(text).slice(0, 400);
  if (fast !== undefined) {
    assert.ok(
      want.ok,
      `fast path answered where the full reader fails (${want.ok ? '' : want.error.message}): ${show}`,
    );
    assert.deepStrictEqual(fast, want.value, `fast and full readers differ on ${show}`);
    sameKeyOrder(fast, want.value, show);
  }
  if (want.ok) assert.deepStrictEqual(parseYamlDocuments(text), want.value, show);
  else assert.throws(() => parseYamlDocuments(text), { message: want.error.message }, show);
  return fast !== undefined;
}

/** sameKeyOrder checks what deepStrictEqual does not: every map's keys come in the same order. */
function sameKeyOrder(a: unknown, b: unknown, show: string): void {
  if (Array.isArray(a) && Array.isArray(b)) {
    a.forEach((e, i) => sameKeyOrder(e, b[i], show));
  } else if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    const ka = Object.keys(a);
    assert.deepStrictEqual(ka, Object.keys(b), `key order differs on ${show}`);
    for (const k of ka) sameKeyOrder((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], show);
  }
}

function listFiles(dir: string, match: RegExp): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => match.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** manifestGoldens: helm template outputs (the shared corpus when present, and our chart goldens). */
function manifestGoldens(): string[] {
  const files = listFiles(join(root, 'test', 'fixtures', 'charts', 'golden'), /\.out$/);
  if (existsSync(sharedCharts)) files.push(...listFiles(sharedCharts, /(^|\/)golden-[^/]*\.yaml$/));
  return files;
}

test('corpus: wherever the fast path answers, it equals the full reader', async (t) => {
  if (!existsSync(sharedCharts))
    t.diagnostic(`no shared chart corpus at ${sharedCharts}: checking the repository's fixtures only`);

  await t.test('manifest goldens: nearly all take the fast path', () => {
    let streams = 0;
    let fast = 0;
    for (const f of manifestGoldens()) {
      const text = readFileSync(f, 'utf8');
      if (text.trim() === '') continue; // cases whose render fails have no output
      streams++;
      if (agree(text)) fast++;
    }
    t.diagnostic(`manifest streams: ${fast}/${streams} on the fast path`);
    assert.ok(streams >= 40, `found ${streams} manifest streams`);
    assert.ok(fast >= streams * 0.9, `only ${fast} of ${streams} manifest streams took the fast path`);
  });

  await t.test('every YAML file and golden output of the fixtures and the shared corpus', () => {
    const files = [
      ...listFiles(join(root, 'test', 'fixtures', 'charts'), /\.(ya?ml|out|err)$/),
      ...listFiles(join(root, 'test', 'fixtures', 'gotemplate'), /\.ya?ml$/),
      ...(existsSync(sharedCharts) ? listFiles(sharedCharts, /\.yaml$/) : []),
    ];
    let fast = 0;
    for (const f of files) if (agree(readFileSync(f, 'utf8'))) fast++;
    t.diagnostic(`files: ${fast}/${files.length} on the fast path`);
    assert.ok(files.length > 100);
  });

  await t.test('every template output and values text of the gotemplate differential fixtures', () => {
    const dir = join(root, 'test', 'fixtures', 'gotemplate');
    let texts = 0;
    let fast = 0;
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const { cases = [] } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        cases?: Array<{ output?: unknown; values?: unknown }>;
      };
      for (const c of cases) {
        for (const text of [c.output, c.values === undefined ? undefined : JSON.stringify(c.values)]) {
          if (typeof text !== 'string') continue;
          texts++;
          if (agree(text)) fast++;
        }
      }
    }
    t.diagnostic(`fixture texts: ${fast}/${texts} on the fast path`);
    assert.ok(fast > 1000);
  });
});

interface Case {
  name: string;
  text: string;
  /** the expected documents when the fast path answers; omitted for cases it must give up on */
  want?: unknown[];
}

const FAST: Case[] = [
  { name: 'empty text: no document', text: '', want: [] },
  { name: 'only comments: no document', text: '# a\n  # b\n\n', want: [] },
  { name: 'a separator alone: one empty document', text: '---\n', want: [null] },
  { name: 'separators with comments', text: '--- # x\na: 1\n---   \n--- #y\n', want: [{ a: 1 }, null, null] },
  { name: 'comment before the first separator', text: '# Source: x\n---\na: 1\n', want: [{ a: 1 }] },
  {
    name: 'Object.prototype names are plain strings',
    text: 'a: toString\nb: constructor\n',
    want: [{ a: 'toString', b: 'constructor' }],
  },
  { name: 'content then a trailing separator', text: 'a: 1\n---', want: [{ a: 1 }, null] },
  { name: 'no final newline', text: 'a: 1\nb: x', want: [{ a: 1, b: 'x' }] },
  {
    name: 'nested mappings and comments',
    text: 'metadata:\n  name: web # trailing\n  # own line\n  labels:\n    app: web\n\nspec: {}\n',
    want: [{ metadata: { name: 'web', labels: { app: 'web' } }, spec: {} }],
  },
  { name: 'a root mapping indented', text: '  a: 1\n  b: 2\n', want: [{ a: 1, b: 2 }] },
  {
    name: 'sequences: plain, compact mappings, nested, at the key’s indentation',
    text: 'a:\n- x\n- k: 1\n  j: 2\n- - p\n  - q\n-\n  deep: true\n- \nb:\n  - 1\n',
    want: [{ a: ['x', { k: 1, j: 2 }, ['p', 'q'], { deep: true }, null], b: [1] }],
  },
  {
    name: 'a compact mapping whose key holds a sequence at its indentation',
    text: '- a:\n  - 1\n  b: 2\n',
    want: [[{ a: [1], b: 2 }]],
  },
  { name: 'wider sequence indentation', text: '-   a: 1\n    b: 2\n-   c\n', want: [[{ a: 1, b: 2 }, 'c']] },
  {
    name: 'empty values are null',
    text: 'a:\nb: # c\nc: ~\nd: null\n',
    want: [{ a: null, b: null, c: null, d: null }],
  },
  {
    name: 'YAML 1.1 scalars through JSON',
    text: 'a: 0755\nb: 08\nc: 1_000\nd: 0o17\ne: 0b11\nf: yes\ng: 2024-01-02\nh: 1e3\ni: .5\nj: 12345678901234567890\nk: -0.0\nl: +12\nm: 0x10\nbase60: 1:20\no: y\np: On\nq: 1.0\nr: -7\ns: 007\nt: 2024-01-02T03:04:05Z\n',
    want: [
      {
        a: 493,
        b: 8,
        c: 1000,
        d: 15,
        e: 3,
        f: true,
        g: '2024-01-02',
        h: 1000,
        i: 0.5,
        j: 12345678901234567000,
        k: -0,
        l: 12,
        m: 16,
        base60: '1:20',
        o: true,
        p: true,
        q: 1,
        r: -7,
        s: 7,
        t: '2024-01-02T03:04:05Z',
      },
    ],
  },
  {
    name: 'plain scalars with indicators inside',
    text: 'a: http://x:80/p#f\nb: a#b\nc: x, y [z] {w}\nd: -x\ne: it\'s "q"\nf: a  b  \ng: -1\n',
    want: [{ a: 'http://x:80/p#f', b: 'a#b', c: 'x, y [z] {w}', d: '-x', e: 'it\'s "q"', f: 'a  b', g: -1 }],
  },
  {
    name: 'quoted scalars and escapes',
    text: 'a: "x\\ty\\n\\"\\\\\\x41\\u00e9\\U0001F600"\nb: \'it\'\'s # not a comment\'\nc: "yes"\nd: \'1\' # c\ne: ""\nf: "a"#c\n',
    want: [{ a: 'x\ty\n"\\Aé😀', b: "it's # not a comment", c: 'yes', d: '1', e: '', f: 'a' }],
  },
  {
    name: 'quoted keys',
    text: '"a b": 1\n\'c\'\'d\': 2\n"1": 3\n"<<": 4\n"x" : 5\n',
    want: [{ 'a b': 1, "c'd": 2, '1': 3, '<<': 4, x: 5 }],
  },
  {
    name: 'keys that resolve to booleans and integers are spelled as Go does',
    text: 'true: a\ny: b\n0x10: c\n1_0: d\n-3: e\nno: f\n2024-01-01: g\n',
    want: [{ true: 'b', '16': 'c', '10': 'd', '-3': 'e', false: 'f', '2024-01-01': 'g' }],
  },
  {
    name: 'repeated keys: the last wins and moves to the end',
    text: 'a: 1\nb: 2\na: 3\n1: x\n01: z\n',
    want: [{ b: 2, a: 3, '1': 'z' }],
  },
  {
    name: '__proto__ is an ordinary key',
    text: '__proto__: 1\nconstructor: 2\n',
    want: [JSON.parse('{"__proto__":1,"constructor":2}')],
  },
  {
    name: 'literal block scalars and chomping',
    text: 'a: |\n  x\n\n   y\n\n\nb: |-\n  x\n\nc: |+\n  x\n\n\nd: |2\n    x\n   y\ne: |-2 # c\n    x\nf: |\n  # not a comment\n',
    want: [{ a: 'x\n\n y\n', b: 'x', c: 'x\n\n\n', d: '  x\n y\n', e: '  x', f: '# not a comment\n' }],
  },
  {
    name: 'block scalars at the end, without content, in sequences',
    text: '- |\n  x\n- key: >\n    p\n    q\n\n    r\n     s\n- e: |\n- |\n  last',
    want: [['x\n', { key: 'p q\nr\n s\n' }, { e: '' }, 'last']],
  },
  {
    name: 'folded block scalars',
    text: 'a: >\n  p\n  q\n\n  r\n   s\n  t\nb: >-\n  x\n  y\n',
    want: [{ a: 'p q\nr\n s\nt\n', b: 'x y' }],
  },
  {
    name: 'flow sequences',
    text: 'a: {}\nb: []\nc: { }\nd: ["get", \'list\', watch, 1, -2, yes, a b]\ne: [x] # c\n',
    want: [{ a: {}, b: [], c: {}, d: ['get', 'list', 'watch', 1, -2, true, 'a b'], e: ['x'] }],
  },
  { name: 'a document that is a scalar', text: '--- \nhello world\n---\n"q"\n', want: ['hello world', 'q'] },
  { name: 'a long line', text: `a: ${'x'.repeat(100000)}\n`, want: [{ a: 'x'.repeat(100000) }] },
  { name: 'tabs inside a literal block', text: 'a: |\n  x\n  \ty\t\n', want: [{ a: 'x\n\ty\t\n' }] },
  { name: 'non-ASCII keys and values', text: 'é: ü 😀\nk: "\u00a0"\n', want: [{ é: 'ü 😀', k: '\u00a0' }] },
];
// Cases above without `want` are checked only against the full reader (and may take either path).

const GIVES_UP: Case[] = [
  { name: 'anchors and aliases', text: 'a: &x 1\nb: *x\n' },
  { name: 'tags', text: 'a: !!str 1\n' },
  { name: 'complex keys', text: '? a\n: b\n' },
  { name: 'flow mappings with content', text: 'a: {b: 1}\n' },
  { name: 'nested flow sequences', text: 'a: [[1]]\n' },
  { name: 'flow sequences over several lines', text: 'a: [1,\n  2]\n' },
  { name: 'flow sequence with a trailing comma', text: 'a: [1, ]\n' },
  { name: 'multi-line plain scalars', text: 'a: b\n  c\n' },
  { name: 'multi-line plain scalar after a comment line', text: 'a: b\n  # c\n  d\n' },
  { name: 'multi-line quoted scalars', text: 'a: "b\n  c"\n' },
  { name: 'an escaped line break', text: 'a: "b\\\n  c"\n' },
  { name: 'tab indentation', text: 'a:\n\tb: 1\n' },
  { name: 'a tab after a colon', text: 'a:\tb\n' },
  { name: 'directives', text: '%YAML 1.1\n---\na: 1\n' },
  { name: 'document end markers', text: 'a: 1\n...\n' },
  { name: 'content after a separator', text: '--- a\n' },
  { name: 'merge keys', text: 'a: {}\nb:\n  <<: {}\n' },
  { name: 'a value containing ": "', text: 'a: b: c\n' },
  { name: 'a value ending with ":"', text: 'a: b:\n' },
  { name: 'a value starting with an indicator', text: 'a: @b\n' },
  { name: 'a value starting with a backquote', text: 'a: `b`\n' },
  { name: 'a value starting with "- "', text: 'a: - b\n' },
  { name: 'a byte order mark', text: '\ufeffa: 1\n' },
  { name: 'CR LF line endings', text: 'a: 1\r\nb: 2\r\n' },
  { name: 'NEL line breaks', text: 'a: 1\u0085b: 2\n' },
  { name: 'control characters (the full reader fails)', text: 'a: \u0001\n' },
  { name: 'bad indentation (the full reader fails)', text: 'a: 1\n b: 2\n' },
  { name: 'a sequence item after a scalar value (the full reader fails)', text: 'a: 1\n- b\n' },
  { name: 'a key in a sequence (the full reader fails)', text: 'a:\n  - 1\n  b: 2\n' },
  { name: 'a scalar at a mapping’s indentation (the full reader fails)', text: 'a: 1\nb\n' },
  { name: 'null keys (the full reader fails)', text: '~: 1\n' },
  { name: 'float keys', text: '1.5: a\n' },
  { name: 'unsigned keys', text: '18446744073709551615: a\n' },
  { name: 'keys of different types spelled the same', text: '1: a\n"1": b\n' },
  { name: 'infinite numbers (json.Marshal fails)', text: 'a: .inf\n' },
  { name: 'NaN (json.Marshal fails)', text: '- .nan\n' },
  { name: 'unknown escapes (the full reader fails)', text: 'a: "\\q"\n' },
  { name: 'surrogate escapes (the full reader fails)', text: 'a: "\\ud800"\n' },
  { name: 'indentation indicator 0 (the full reader fails)', text: 'a: |0\n  x\n' },
  { name: 'block scalar with more-indented leading blank lines', text: 'a: |\n     \n  x\n' },
  { name: 'a tab where a block scalar’s indentation is detected (the full reader fails)', text: 'a: |\n  \tx\n' },
  { name: 'a block scalar as a document', text: '--- |\n  x\n' },
  { name: 'a very long key', text: `${'k'.repeat(1100)}: 1\n` },
  { name: 'deep nesting', text: Array.from({ length: 600 }, (_, i) => ' '.repeat(i) + 'a:').join('\n') + ' 1\n' },
];

test('targeted cases the fast path reads', async (t) => {
  for (const c of FAST) {
    await t.test(c.name, () => {
      const fast = agree(c.text);
      if (c.want !== undefined) {
        assert.ok(fast, 'takes the fast path');
        assert.deepStrictEqual(fastReadDocuments(c.text), c.want);
      }
    });
  }
});

test('targeted cases the fast path gives up on', async (t) => {
  for (const c of GIVES_UP) {
    await t.test(c.name, () => {
      assert.equal(fastReadDocuments(c.text), undefined);
      agree(c.text);
    });
  }
});

test('parseYaml reads the first document the fast way as the full reader would', () => {
  assert.deepStrictEqual(parseYaml('a: 1\n---\nb: 2\n'), { a: 1 });
  assert.deepStrictEqual(parseYaml('---\n'), null);
  assert.deepStrictEqual(parseYaml(''), null);
  assert.deepStrictEqual(parseYaml('- 1\n', 'slice'), [1]);
  assert.throws(() => parseYaml('- 1\n', 'map'), /cannot unmarshal array into Go value of type map/);
  // a typed shape still goes through the full reader
  assert.deepStrictEqual(parseYaml('v: 1.10\n', 'any', { shape: { fields: { v: 'string' } } }), { v: '1.1' });
});

/** mulberry32: a small seeded PRNG, so that every run checks the same cases. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INSERTS = [
  ': ',
  ':',
  '#',
  ' #',
  '"',
  "'",
  '&a ',
  '*a',
  '!t ',
  '? ',
  '- ',
  '-',
  '|',
  '|-',
  '|+',
  '|2',
  '>',
  '>-',
  '[',
  ']',
  '{',
  '}',
  ',',
  '\t',
  ' ',
  '  ',
  'yes',
  'on',
  '0755',
  '~',
  '1e3',
  '.inf',
  '<<: ',
  'true: ',
  '1: ',
  '---',
  '...',
  '%YAML 1.1',
  '\\',
  '\\x4',
  '\\u00e9',
  '\r',
  '"a"',
  "'b''c'",
  '[a, b]',
  '{}',
  '[]',
  '0x10',
  '-0.0',
  '+12',
  '1_000',
  'null',
  '2024-01-01',
  '\ufeff',
  '\u0085',
  'é',
  '😀',
  'key: ',
  '- a: 1',
  '@',
  '`',
  '%',
  'toString',
];

test('mutation fuzz: fast result undefined or equal to the full reader’s', (t) => {
  const rnd = prng(20240531);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const docs: string[] = [];
  for (const f of manifestGoldens()) {
    for (const d of readFileSync(f, 'utf8').split(/^---$/m)) if (d.trim() !== '') docs.push(d);
  }
  assert.ok(docs.length > 50);
  const mutate = (text: string): string => {
    const lines = text.split('\n');
    for (let edits = 1 + Math.floor(rnd() * 3); edits > 0; edits--) {
      const i = Math.floor(rnd() * lines.length);
      const l = lines[i];
      const pos = Math.floor(rnd() * (l.length + 1));
      switch (Math.floor(rnd() * 9)) {
        case 0: // indentation
          lines[i] = rnd() < 0.5 ? ' '.repeat(1 + Math.floor(rnd() * 3)) + l : l.replace(/^ {1,2}/, '');
          break;
        case 1:
        case 2:
        case 3: // insert an indicator, a token or a special character
          lines[i] = l.slice(0, pos) + pick(INSERTS) + l.slice(pos);
          break;
        case 4: // delete characters
          lines[i] = l.slice(0, pos) + l.slice(pos + 1 + Math.floor(rnd() * 3));
          break;
        case 5: // join with the next line
          if (i + 1 < lines.length) lines.splice(i, 2, l + (rnd() < 0.5 ? ' ' : '') + lines[i + 1]);
          break;
        case 6: // repeat a line (a repeated key, mostly)
          lines.splice(i, 0, l);
          break;
        case 7: // copy another line here
          lines.splice(i, 0, pick(lines));
          break;
        case 8:
          lines.splice(i, 1);
          break;
      }
    }
    return lines.join('\n');
  };
  let fast = 0;
  let failing = 0;
  const N = 3000;
  for (let n = 0; n < N; n++) {
    let text = pick(docs);
    if (rnd() < 0.3) text += '---\n' + pick(docs);
    text = mutate(text);
    if (agree(text)) fast++;
    else if (!full(text).ok) failing++;
  }
  t.diagnostic(`mutated texts: ${fast}/${N} on the fast path, ${failing} errors`);
  assert.ok(fast > N / 5, `only ${fast} of ${N} mutated texts took the fast path`);
  assert.ok(failing > N / 5, `only ${failing} of ${N} mutated texts were errors`);
});

// Scalars and keys for the generated documents: mostly ordinary, some edge cases, some errors.
const SCALARS = [
  'a',
  'b c',
  'yes',
  'no',
  'on',
  'Off',
  'y',
  'true',
  '~',
  'null',
  '',
  '0',
  '1',
  '-1',
  '+12',
  '0755',
  '08',
  '0x10',
  '0o17',
  '0b11',
  '1_000',
  '1e3',
  '.5',
  '-0.0',
  '12345678901234567890',
  '1e400',
  '.inf',
  '2024-01-02',
  '1:20',
  'http://x',
  'a:b',
  'a#b',
  'a #b',
  '"q"',
  "'s'",
  '"a\\tb"',
  '"\\x41\\u00e9"',
  "'it''s'",
  '"\\q"',
  '-a',
  '- a',
  '---',
  '<<',
  '?x',
  '@x',
  'é',
  '😀',
  '[a, "b", 1]',
  '[]',
  '{}',
  '[ ]',
  '[a,]',
  '[-1, .5]',
  '[a b, c]',
  'a  b  ',
  'x:',
  '__proto__',
  'toString',
];
const KEYS = [
  'a',
  'b',
  'a',
  'name',
  '"a"',
  "'b'",
  '"x y"',
  '1',
  '01',
  '0x10',
  'true',
  'y',
  'null',
  '1.5',
  '<<',
  '"<<"',
  '__proto__',
  '-k',
  'k k',
  '"1"',
];
const HEADERS = ['|', '|-', '|+', '>', '>-', '>+', '|1', '|2', '|2-', '|-2', '>2', '|+1', '|0', '|#c', '| #c', '|x'];

test('generated documents: block scalars, nesting and indentation', (t) => {
  const rnd = prng(7);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const ordinary = ['a', 'b c', 'yes', '1', '0x10', '"q"', "'s'", '[a, "b"]', '{}', 'http://x', '-a', '2024-01-02'];
  const scalar = () => (rnd() < 0.85 ? pick(ordinary) : pick(SCALARS));
  const key = () => (rnd() < 0.85 ? pick(['a', 'b', 'name', 'k k', '"a"', 'on', '1']) : pick(KEYS));
  const blockScalar = (ind: number): string => {
    const base = ind + 1 + Math.floor(rnd() * 3);
    const lines: string[] = [];
    for (let n = Math.floor(rnd() * 5); n > 0; n--) {
      const r = rnd();
      if (r < 0.2) lines.push('');
      else if (r < 0.3) lines.push(' '.repeat(Math.floor(rnd() * (base + 3))));
      else if (r < 0.45) lines.push(' '.repeat(base + 1 + Math.floor(rnd() * 2)) + scalar());
      else if (r < 0.5) lines.push(' '.repeat(base) + '\t' + scalar());
      else if (r < 0.55) lines.push(' '.repeat(Math.max(0, base - 1)) + scalar());
      else lines.push(' '.repeat(base) + scalar() + (rnd() < 0.2 ? ' # x' : ''));
    }
    return (rnd() < 0.8 ? pick(HEADERS.slice(0, 11)) : pick(HEADERS)) + '\n' + lines.join('\n');
  };
  const value = (ind: number, depth: number): string => {
    const r = rnd();
    if (depth > 3 || r < 0.45) return ' ' + scalar() + (rnd() < 0.1 ? ' # c' : '');
    if (r < 0.6) return ' ' + blockScalar(ind);
    if (r < 0.65) return rnd() < 0.5 ? '' : ' # c';
    const sub = rnd() < 0.6 ? ind + 1 + Math.floor(rnd() * 3) : ind;
    return '\n' + block(sub, depth + 1, sub === ind);
  };
  const block = (ind: number, depth: number, seq = false): string => {
    const sp = ' '.repeat(ind);
    const out: string[] = [];
    const isSeq = seq || rnd() < 0.4;
    for (let n = 1 + Math.floor(rnd() * 4); n > 0; n--) {
      const r = rnd();
      if (isSeq) {
        if (r < 0.4) out.push(sp + '-' + value(ind, depth + 1));
        else if (r < 0.7) {
          const k = ind + 2;
          out.push(
            sp +
              '- ' +
              key() +
              ':' +
              value(k, depth + 1) +
              (rnd() < 0.5 ? '\n' + ' '.repeat(k) + key() + ':' + value(k, depth + 1) : ''),
          );
        } else if (r < 0.8) out.push(sp + '- - ' + scalar() + '\n' + ' '.repeat(ind + 2) + '- ' + scalar());
        else out.push(sp + '-\n' + block(ind + 1 + Math.floor(rnd() * 2), depth + 1));
      } else {
        out.push(sp + key() + (rnd() < 0.05 ? ' ' : '') + ':' + value(ind, depth + 1));
      }
      if (rnd() < 0.1) out.push(pick(['', '  ', '# c', ' '.repeat(ind + 3) + '# c']));
    }
    return out.join('\n');
  };
  let fast = 0;
  let failing = 0;
  const N = 2000;
  for (let n = 0; n < N; n++) {
    const parts: string[] = [];
    for (let d = 1 + Math.floor(rnd() * 3); d > 0; d--) {
      const r = rnd();
      parts.push(r < 0.1 ? '' : r < 0.15 ? '# a comment' : r < 0.2 ? scalar() : block(rnd() < 0.9 ? 0 : 1, 0));
    }
    let text =
      (rnd() < 0.5 ? pick(['---\n', '--- # c\n', '', '# c\n']) : '') +
      parts.join(pick(['\n---\n', '\n--- \n', '\n---\n\n']));
    if (rnd() < 0.7) text += '\n';
    if (agree(text)) fast++;
    else if (!full(text).ok) failing++;
  }
  t.diagnostic(`generated texts: ${fast}/${N} on the fast path, ${failing} errors`);
  assert.ok(fast > N / 3, `only ${fast} of ${N} generated texts took the fast path`);
});
