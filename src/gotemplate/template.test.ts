/**
 * template.test: the TemplateSet API and what the helm fixtures cannot reach: several files in
 * one set, clones, missingkey modes (Go's exec.go texts), limits, methods and structs, and that
 * genuine bugs are not dressed up as template errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TemplateError, TemplateSet, formatHelmRenderError, type MissingKey } from './index.js';
import { helmFuncMap } from './funcs/index.js';
import { GO_METHODS, GoStruct, goFunc, type FuncMap, type Value } from './value.js';

const funcs = helmFuncMap();

function render(
  files: Record<string, string>,
  name: string,
  data: Value,
  missingKey: MissingKey = 'zero',
  f: FuncMap = funcs,
): string {
  const set = new TemplateSet(f, { missingKey });
  for (const [n, text] of Object.entries(files)) set.parse(n, text);
  return set.execute(name, data);
}

function errorOf(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TemplateError) return e;
    throw e;
  }
  assert.fail('expected a TemplateError');
}

test('several files share their definitions; a later definition replaces an earlier one (Go AddParseTree)', () => {
  const cases: { name: string; files: Record<string, string>; exec: string; want: string }[] = [
    {
      name: 'helpers from another file',
      files: {
        'x/templates/_helpers.tpl': '{{ define "x.name" }}{{ .Chart.Name }}{{ end }}',
        'x/templates/cm.yaml': 'name: {{ include "x.name" . }}',
      },
      exec: 'x/templates/cm.yaml',
      want: 'name: x',
    },
    {
      name: 'later file redefines',
      files: {
        'a.tpl': '{{ define "t" }}first{{ end }}',
        'b.tpl': '{{ define "t" }}second{{ end }}',
        main: '{{ template "t" }}',
      },
      exec: 'main',
      want: 'second',
    },
    {
      name: 'an empty redefinition keeps the old body',
      files: {
        'a.tpl': '{{ define "t" }}kept{{ end }}',
        'b.tpl': '{{ define "t" }}  {{ end }}',
        main: '{{ template "t" }}',
      },
      exec: 'main',
      want: 'kept',
    },
    {
      name: 'a file that only defines is itself an empty template',
      files: { 'a.tpl': '{{ define "t" }}T{{ end }}\n' },
      exec: 'a.tpl',
      want: '\n',
    },
  ];
  for (const c of cases) assert.equal(render(c.files, c.exec, { Chart: { Name: 'x' } }), c.want, c.name);
});

test('has, and executing an unknown template', () => {
  const set = new TemplateSet(funcs, { missingKey: 'zero' });
  set.parse('main', '{{ define "inner" }}i{{ end }}m');
  assert.equal(set.has('main'), true);
  assert.equal(set.has('inner'), true);
  assert.equal(set.has('nope'), false);
  // text/template: ExecuteTemplate of an unknown name.
  const e = errorOf(() => set.execute('nope', null));
  assert.equal(e.message, 'template: no template "nope" associated with template "gotpl"');
});

test('clones keep their own definitions', () => {
  const set = new TemplateSet(funcs, { missingKey: 'zero' });
  set.parse('main', '{{ define "t" }}orig{{ end }}{{ template "t" }}');
  const clone = set.clone();
  clone.parse('extra', '{{ define "t" }}clone{{ end }}');
  assert.equal(set.execute('main', null), 'orig');
  assert.equal(clone.execute('main', null), 'clone');
  assert.equal(set.has('extra'), false);
});

test('missingkey modes (Go exec.go: evalField and missingKey)', () => {
  const data = { Values: { a: { b: null }, s: 'str' } };
  const cases: { name: string; mode: MissingKey; template: string; want?: string; error?: string }[] = [
    { name: 'zero: missing key prints <no value>', mode: 'zero', template: '{{ .Values.nope }}', want: '<no value>' },
    {
      name: 'default: missing key prints <no value>',
      mode: 'default',
      template: '{{ .Values.nope }}',
      want: '<no value>',
    },
    {
      name: 'error: missing key',
      mode: 'error',
      template: '{{ .Values.nope }}',
      error: 'template: t:1:10: executing "t" at <.Values.nope>: map has no entry for key "nope"',
    },
    { name: 'error: present null is no error', mode: 'error', template: '{{ .Values.a.b }}', want: '<no value>' },
    {
      name: 'error: field of an invalid value',
      mode: 'error',
      template: '{{ $x := .Values.a.b }}{{ $x.c }}',
      error: 'template: t:1:28: executing "t" at <$x.c>: nil data; no entry for key "c"',
    },
    {
      name: 'zero: field of an invalid value is no error',
      mode: 'zero',
      template: '{{ $x := .Values.a.b }}[{{ $x.c }}]',
      want: '[<no value>]',
    },
    {
      name: 'default: a missing key is invalid, not a nil interface',
      mode: 'default',
      template: '{{ upper .Values.nope }}',
      error: 'template: t:1:16: executing "t" at <.Values.nope>: invalid value; expected string',
    },
    {
      name: 'zero: a missing key is a nil interface',
      mode: 'zero',
      template: '{{ upper .Values.nope }}',
      error:
        'template: t:1:16: executing "t" at <.Values.nope>: wrong type for value; expected string; got interface {}',
    },
  ];
  for (const c of cases) {
    if (c.error !== undefined) {
      const e = errorOf(() => render({ t: c.template }, 't', data, c.mode));
      assert.equal(e.message, c.error, c.name);
      assert.equal(e.kind, 'exec', c.name);
    } else {
      assert.equal(render({ t: c.template }, 't', data, c.mode), c.want, c.name);
    }
  }
});

test('methods (GO_METHODS) and struct fields', () => {
  const versions = ['v1', 'apps/v1'];
  Object.defineProperty(versions, GO_METHODS, {
    value: { Has: goFunc((v: string) => versions.includes(v), ['string']) },
  });
  const files = new GoStruct(
    'engine.files',
    {},
    {
      Get: goFunc((name: string) => (name === 'a.txt' ? 'content' : ''), ['string']),
    },
  );
  const data = {
    Capabilities: new GoStruct('*common.Capabilities', {
      APIVersions: versions,
      KubeVersion: new GoStruct('common.KubeVersion', { Major: '1' }),
    }),
    Files: files,
  };
  const cases: { name: string; template: string; want?: string; error?: string }[] = [
    { name: 'method with an argument', template: '{{ .Capabilities.APIVersions.Has "apps/v1" }}', want: 'true' },
    { name: 'method result in a pipeline', template: '{{ .Files.Get "a.txt" | upper }}', want: 'CONTENT' },
    { name: 'method with the piped argument', template: '{{ "a.txt" | .Files.Get }}', want: 'content' },
    { name: 'struct field chain', template: '{{ .Capabilities.KubeVersion.Major }}', want: '1' },
    {
      name: 'missing struct field',
      template: '{{ .Capabilities.Nope }}',
      error: 'template: t:1:16: executing "t" at <.Capabilities.Nope>: can\'t evaluate field Nope in type interface {}',
    },
    {
      name: 'method with wrong argument count',
      template: '{{ .Files.Get }}',
      error: 'template: t:1:9: executing "t" at <.Files.Get>: wrong number of args for Get: want 1 got 0',
    },
    {
      name: 'method in range with a loop variable',
      template: '{{ range $v := list "v1" "v9" }}{{ $.Capabilities.APIVersions.Has $v }} {{ end }}',
      want: 'true false ',
    },
  ];
  for (const c of cases) {
    if (c.error !== undefined)
      assert.equal(errorOf(() => render({ t: c.template }, 't', data)).message, c.error, c.name);
    else assert.equal(render({ t: c.template }, 't', data), c.want, c.name);
  }
});

test('limits: template recursion depth and Helm include recursion', () => {
  // Helm's include counts nested calls of one name and stops past 1000.
  const inc = errorOf(() =>
    render({ t: '{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}' }, 't', null),
  );
  assert.match(inc.message, /rendering template has a nested reference name: r: unable to execute template$/);
  // Go's maxExecDepth bounds {{template}} recursion; the JS stack may end it first, with the same error.
  const deep = errorOf(() =>
    render({ t: '{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}' }, 't', null),
  );
  assert.match(deep.message, /executing "r" at <\{\{template "r" \.\}\}>: exceeded maximum template depth \(100000\)$/);
});

test('genuine bugs pass through untouched; function errors are wrapped with the function name', () => {
  const f: FuncMap = {
    ...funcs,
    buggy: goFunc(() => {
      throw new TypeError('cannot read properties of undefined');
    }, []),
    failing: goFunc(
      () => {
        throw new Error('no such thing');
      },
      [],
      { returnsError: true },
    ),
  };
  assert.throws(() => render({ t: '{{ buggy }}' }, 't', null, 'zero', f), TypeError);
  const e = errorOf(() => render({ t: '{{ failing }}' }, 't', null, 'zero', f));
  assert.equal(e.message, 'template: t:1:3: executing "t" at <failing>: error calling failing: no such thing');
  assert.ok(e.cause instanceof Error);
});

test('parse errors carry Go text and Helm reformats them', () => {
  const set = new TemplateSet(funcs);
  const e = errorOf(() => set.parse('x/templates/a.yaml', 'ok\n{{ if }}'));
  assert.equal(e.kind, 'parse');
  assert.equal(e.line, 2);
  assert.equal(e.message, 'template: x/templates/a.yaml:2: missing value for if');
  assert.equal(formatHelmRenderError(e), 'parse error at (x/templates/a.yaml:2): missing value for if');
});

test('tpl reuses parsed text across renders', () => {
  const set = new TemplateSet(funcs, { missingKey: 'zero' });
  set.parse('t', '{{ tpl .Values.t . }}');
  const outs = [1, 2, 3].map((n) => set.execute('t', { Values: { t: '{{ .Values.n }}', n } }));
  assert.deepEqual(outs, ['1', '2', '3']);
});
