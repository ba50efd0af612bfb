/**
 * regex-testkit: a tiny evaluator for the differential fixtures of the regex, semver and date
 * function tests, so they can run against helm's output without the template engine.
 *
 * It understands only what those case files use: `{{ … }}` actions made of function calls,
 * parenthesised calls, pipes, string/number/bool/nil literals, `.Values` paths and field access on
 * a parenthesised result (`(semver "1.2.3").Major`). Function arguments are converted the way
 * text/template converts them for the Go parameter types in a GoFunc. The template engine's
 * conformance suite runs the same fixtures through the real executor.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sprint, sprintf, sprintln } from '../../fmt.js';
import { typeName } from './util.js';
import {
  GO_METHODS,
  GoStruct,
  formatV,
  goFunc,
  type FuncMap,
  type GoFunc,
  type Value,
} from '../../value.js';

/** FixtureCase is one case of a generated fixture file. */
export interface FixtureCase {
  name: string;
  template: string;
  values?: Record<string, Value>;
  output: string | null;
  error: string | null;
}

/** loadFixture reads test/fixtures/gotemplate/<area>.json. */
export function loadFixture(area: string): FixtureCase[] {
  const file = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'gotemplate', `${area}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: FixtureCase[] }).cases;
}

/** CallError is a function's failure as text/template reports it: "error calling NAME: MSG". */
export class CallError extends Error {
  constructor(
    readonly fn: string,
    override readonly cause: unknown,
  ) {
    super(`error calling ${fn}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

const base: FuncMap = {
  printf: goFunc((f: string, ...a: Value[]) => sprintf(f, a), ['string'], { variadic: 'any' }),
  print: goFunc((...a: Value[]) => sprint(a), [], { variadic: 'any' }),
  println: goFunc((...a: Value[]) => sprintln(a), [], { variadic: 'any' }),
  list: goFunc((...a: Value[]) => a, [], { variadic: 'any' }),
  toString: goFunc((v: Value) => (typeof v === 'string' ? v : formatV(v)), ['any']),
  eq: goFunc((a: Value, b: Value) => a === b, ['any', 'any']),
};

function convert(v: Value, t: string, fn: string): Value {
  switch (t) {
    case 'int':
    case 'int64':
    case 'duration':
      if (typeof v === 'bigint') return v;
      break;
    case 'float64':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      break;
    case 'string':
      if (typeof v === 'string') return v;
      break;
    default:
      return v;
  }
  throw new Error(`test evaluator: ${fn}: wrong type for value; expected ${t}; got ${typeof v}`);
}

function call(name: string, f: GoFunc, args: Value[]): Value {
  const conv = args.map((a, i) => convert(a, i < f.params.length ? f.params[i] : (f.variadic ?? 'any'), name));
  try {
    return f.fn(...conv);
  } catch (e) {
    throw new CallError(name, e);
  }
}

const TOKEN = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||:=|\$?\.?[A-Za-z_][\w.]*|\$|[^\s()|]+)/y;

/** unquote reads a Go interpreted string literal (escapes as the Go spec lists them). */
function unquote(t: string): string {
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
  return t
    .slice(1, -1)
    .replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|[abfnrtv\\"'])/g, (_, e: string) => {
      if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
      if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
      return simple[e] ?? e;
    });
}

/** typeOf and toJson as Sprig defines them, for the cases that print through them. */
function toJson(v: Value): string {
  if (typeof v === 'object' && v !== null) {
    const m = (v as Record<symbol, Record<string, GoFunc> | undefined>)[GO_METHODS]?.MarshalJSON;
    if (m) return m.fn() as string;
  }
  if (Array.isArray(v)) {
    if (v.length === 0 && Symbol.for('capstan.goNil') in v) return 'null';
    return '[' + v.map(toJson).join(',') + ']';
  }
  if (typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

const DATA_FUNCS: FuncMap = {
  typeOf: goFunc((v: Value) => typeName(v), ['any']),
  toJson: goFunc((v: Value) => toJson(v), ['any']),
};

/**
 * evaluate renders a case's template with the given functions (plus printf, print, list, toString,
 * typeOf, toJson). `data` is the dot: `{ Values, Capabilities }` as the case chart sees it.
 */
export function evaluate(template: string, funcs: FuncMap, values: Record<string, Value> = {}): string {
  const all: FuncMap = { ...base, ...DATA_FUNCS, ...funcs };
  const data: Record<string, Value> = {
    Values: values,
    Capabilities: { KubeVersion: { Version: 'v1.31.0', GitVersion: 'v1.31.0', Major: '1', Minor: '31' } },
  };
  const vars = new Map<string, Value>();
  return template.replace(/\{\{-?\s*(.*?)\s*-?\}\}/gs, (_, body: string) => {
    const toks: string[] = [];
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(body); m; m = TOKEN.exec(body)) toks.push(m[1]);
    let i = 0;
    /** chain walks fields and zero-argument methods; the last step may be a method given args. */
    const chain = (v: Value, path: string, args: Value[] | null): Value => {
      const names = path.split('.').filter(Boolean);
      names.forEach((k, n) => {
        const last = n === names.length - 1;
        const methods = (v as Record<symbol, Record<string, GoFunc> | undefined> | null)?.[GO_METHODS];
        if (methods?.[k]) {
          v = call(k, methods[k], last && args ? args : []);
        } else if (v instanceof GoStruct) {
          if (!v.has(k)) throw new Error(`can't evaluate field ${k} in type ${v.goType}`);
          v = v.get(k);
        } else v = v == null ? undefined : (v as Record<string, Value>)[k];
      });
      return v;
    };
    const args = (): Value[] => {
      const out: Value[] = [];
      while (i < toks.length && toks[i] !== ')' && toks[i] !== '|') out.push(operand());
      return out;
    };
    /** operand reads one operand; as a command head (withArgs) a method chain takes the rest as arguments. */
    const operand = (withArgs = false, piped: Value[] = []): Value => {
      const t = toks[i++];
      const tail = (): Value[] | null => {
        if (!withArgs) return null;
        const a = [...args(), ...piped];
        return a.length ? a : null;
      };
      if (t === '(') {
        const v = pipeline();
        i++; // )
        if (toks[i]?.startsWith('.') && !/^\.\d/.test(toks[i])) {
          const path = toks[i++];
          return chain(v, path, tail());
        }
        return v;
      }
      if (t.startsWith('"')) return unquote(t);
      if (t.startsWith('`')) return t.slice(1, -1);
      if (t === 'true') return true;
      if (t === 'false') return false;
      if (t === 'nil') return null;
      if (t.startsWith('$')) {
        const [name, ...rest] = t.split('.');
        if (!vars.has(name)) throw new Error(`test evaluator: undefined variable ${name}`);
        return chain(vars.get(name), rest.join('.'), tail());
      }
      if (t.startsWith('.')) return chain(data, t, tail()) ?? null;
      if (/^-?\d+$/.test(t)) return BigInt(t);
      if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
      if (all[t]) return call(t, all[t], []);
      throw new Error(`test evaluator: cannot read ${t}`);
    };
    const command = (piped: Value[]): Value => {
      const t = toks[i];
      if (all[t]) {
        i++;
        return call(t, all[t], [...args(), ...piped]);
      }
      return operand(true, piped);
    };
    const pipeline = (): Value => {
      let v = command([]);
      while (toks[i] === '|') {
        i++;
        v = command([v]);
      }
      return v;
    };
    if (toks[0]?.startsWith('$') && toks[1] === ':=') {
      i = 2;
      vars.set(toks[0], pipeline());
      return '';
    }
    const v = pipeline();
    return v === undefined || v === null ? '<no value>' : sprint([v]);
  });
}
