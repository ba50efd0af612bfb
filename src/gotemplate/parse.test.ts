/**
 * parse.test: the lexer and parser on their own. Trees print back in Go's Node.String() form
 * (text/template/parse: spaces normalized, pipelines parenthesized, strings as written), which
 * is also what execution errors quote as `at <...>`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Item, lex } from './lexer.js';
import { parseTemplate } from './parse.js';

const anyFunction = () => true;

test('trees print back as Go prints them', () => {
  const cases: { name: string; input: string; want: string }[] = [
    { name: 'text only', input: 'hello', want: 'hello' },
    { name: 'field', input: '{{.X}}', want: '{{.X}}' },
    { name: 'spaces normalized', input: '{{   .X   .Y   }}', want: '{{.X .Y}}' },
    { name: 'trim markers vanish', input: 'a {{- .X -}} b', want: 'a{{.X}}b' },
    { name: 'field chain', input: '{{ .Values.a.b }}', want: '{{.Values.a.b}}' },
    { name: 'pipeline', input: '{{ .X | printf "%d" | quote }}', want: '{{.X | printf "%d" | quote}}' },
    { name: 'parenthesized pipeline', input: '{{ print (.X | quote) 1 }}', want: '{{print (.X | quote) 1}}' },
    { name: 'chain on a pipeline', input: '{{ (dict "a" 1).a }}', want: '{{(dict "a" 1).a}}' },
    { name: 'declaration', input: '{{ $x := .X }}{{ $x }}', want: '{{$x := .X}}{{$x}}' },
    { name: 'assignment', input: '{{ $x := 1 }}{{ $x = 2 }}', want: '{{$x := 1}}{{$x = 2}}' },
    { name: 'variable fields', input: '{{ $.Values.a }}', want: '{{$.Values.a}}' },
    { name: 'raw string stays raw', input: '{{ `a"b` }}', want: '{{`a"b`}}' },
    { name: 'numbers as written', input: "{{ 0x1F }} {{ 1e3 }} {{ 'a' }}", want: "{{0x1F}} {{1e3}} {{'a'}}" },
    { name: 'if else', input: '{{ if .A }}a{{ else }}b{{ end }}', want: '{{if .A}}a{{else}}b{{end}}' },
    {
      name: 'else if nests',
      input: '{{ if .A }}a{{ else if .B }}b{{ end }}',
      want: '{{if .A}}a{{else}}{{if .B}}b{{end}}{{end}}',
    },
    {
      name: 'range with two variables',
      input: '{{ range $i, $v := .L }}{{ $i }}{{ end }}',
      want: '{{range $i, $v := .L}}{{$i}}{{end}}',
    },
    {
      name: 'range with break',
      input: '{{ range .L }}{{ break }}{{ continue }}{{ end }}',
      want: '{{range .L}}{{break}}{{continue}}{{end}}',
    },
    {
      name: 'with else',
      input: '{{ with .A }}{{ . }}{{ else }}none{{ end }}',
      want: '{{with .A}}{{.}}{{else}}none{{end}}',
    },
    {
      name: 'template call',
      input: '{{ template "t" . }}{{ template "u" }}',
      want: '{{template "t" .}}{{template "u"}}',
    },
    { name: 'comment kept as node', input: 'a{{/* c */}}b', want: 'a{{/* c */}}b' },
  ];
  for (const c of cases) {
    const r = parseTemplate('t', c.input, anyFunction);
    assert.equal(String(r.trees.get('t')!.root), c.want, c.name);
  }
});

test('define and block add trees of their own', () => {
  const r = parseTemplate('f', 'a{{ define "d" }}D{{ end }}{{ block "b" . }}B{{ end }}z', anyFunction);
  assert.deepEqual(r.order.sort(), ['b', 'd', 'f']);
  assert.equal(String(r.trees.get('f')!.root), 'a{{template "b" .}}z');
  assert.equal(String(r.trees.get('d')!.root), 'D');
  assert.equal(r.trees.get('d')!.parseName, 'f');
});

test('unknown functions are parse errors unless the set has them', () => {
  assert.throws(() => parseTemplate('t', '{{ nope 1 }}', (n) => n !== 'nope'), {
    message: 'template: t:1: function "nope" not defined',
  });
  assert.doesNotThrow(() => parseTemplate('t', '{{ yes 1 }}', (n) => n === 'yes'));
});

test('lexer: tokens with offsets and lines', () => {
  const toks = lex('t', 'a\n{{- .X | f "s" -}}\nb');
  const got = toks.map((t) => [t.typ, t.val, t.pos, t.line]);
  assert.deepEqual(got, [
    [Item.Text, 'a', 0, 1],
    [Item.LeftDelim, '{{', 2, 2],
    [Item.Field, '.X', 6, 2],
    [Item.Space, ' ', 8, 2],
    [Item.Pipe, '|', 9, 2],
    [Item.Space, ' ', 10, 2],
    [Item.Identifier, 'f', 11, 2],
    [Item.Space, ' ', 12, 2],
    [Item.String, '"s"', 13, 2],
    [Item.RightDelim, '}}', 18, 2],
    [Item.Text, 'b', 21, 3],
    [Item.EOF, '', 22, 3],
  ]);
});

test('lexer: number forms and errors', () => {
  const cases: { input: string; want: [Item, string][] }[] = [
    { input: '{{1_000 0x1F 0o17 0b1 1.5e-3 .5 -2 1+2i 3i}}', want: [] },
    { input: '{{1x}}', want: [[Item.Error, 'bad number syntax: "1x"']] },
    { input: '{{"abc}}', want: [[Item.Error, 'unterminated quoted string']] },
    { input: '{{ a', want: [[Item.Error, 'unclosed action']] },
    { input: '{{ ) }}', want: [[Item.Error, 'unexpected right paren']] },
  ];
  for (const c of cases) {
    const toks = lex('t', c.input).filter(
      (t) => t.typ !== Item.Space && t.typ !== Item.LeftDelim && t.typ !== Item.RightDelim,
    );
    const last = toks[toks.length - 1];
    if (c.want.length === 0) {
      assert.equal(last.typ, Item.EOF, c.input);
      assert.deepEqual(
        toks.slice(0, -1).map((t) => t.val),
        ['1_000', '0x1F', '0o17', '0b1', '1.5e-3', '.5', '-2', '1+2i', '3i'],
      );
    } else {
      assert.deepEqual([last.typ, last.val], c.want[0], c.input);
    }
  }
});
