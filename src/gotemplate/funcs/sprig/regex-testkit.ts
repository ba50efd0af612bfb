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
import { GO_METHODS, GoStruct, formatV, goFunc, type FuncMap, type GoFunc, type Value } from '../../value.js';

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

const TOKEN = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\(|\)|\||\.[A-Za-z_][\w.]*|[^\s()|]+)/y;

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

/** evaluate renders a case's template with the given functions (plus printf, print, list, toString). */
export function evaluate(template: string, funcs: FuncMap, values: Record<string, Value> = {}): string {
  const all = { ...base, ...funcs };
  return template.replace(/\{\{-?\s*(.*?)\s*-?\}\}/gs, (_, body: string) => {
    const toks: string[] = [];
    TOKEN.lastIndex = 0;
    for (let m = TOKEN.exec(body); m; m = TOKEN.exec(body)) toks.push(m[1]);
    let i = 0;
    const field = (v: Value, path: string): Value => {
      for (const k of path.split('.').filter(Boolean)) {
        if (v instanceof GoStruct) {
          const methods = (v as unknown as Record<symbol, Record<string, GoFunc>>)[GO_METHODS];
          if (v.has(k)) v = v.get(k);
          else if (methods?.[k]) v = methods[k].fn();
          else throw new Error(`test evaluator: no field ${k}`);
        } else v = v == null ? undefined : (v as Record<string, Value>)[k];
      }
      return v;
    };
    const operand = (): Value => {
      const t = toks[i++];
      if (t === '(') {
        const v = pipeline();
        i++; // )
        if (toks[i]?.startsWith('.') && !/^\.\d/.test(toks[i])) return field(v, toks[i++]);
        return v;
      }
      if (t.startsWith('"')) return unquote(t);
      if (t.startsWith('`')) return t.slice(1, -1);
      if (t === 'true') return true;
      if (t === 'false') return false;
      if (t === 'nil') return null;
      if (t.startsWith('.Values')) return field(values, t.slice('.Values'.length)) ?? null;
      if (/^-?\d+$/.test(t)) return BigInt(t);
      if (/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
      if (all[t]) return call(t, all[t], []);
      throw new Error(`test evaluator: cannot read ${t}`);
    };
    const command = (piped: Value[]): Value => {
      const t = toks[i];
      if (all[t]) {
        i++;
        const args: Value[] = [];
        while (i < toks.length && toks[i] !== ')' && toks[i] !== '|') args.push(operand());
        return call(t, all[t], [...args, ...piped]);
      }
      return operand();
    };
    const pipeline = (): Value => {
      let v = command([]);
      while (toks[i] === '|') {
        i++;
        v = command([v]);
      }
      return v;
    };
    const v = pipeline();
    return v === undefined || v === null ? '<no value>' : sprint([v]);
  });
}
