/**
 * engine: the template functions Helm 4's engine binds itself (include, tpl, required, fail),
 * because they need the template set that is executing.
 *
 * They read the set through `this` ({@link CallContext}), so one function map serves a set and
 * all the clones `tpl` makes of it.
 */
import { TemplateError, warnWrap } from '../errors.js';
import type { CallContext } from '../exec.js';
import { goQuote } from '../lexer.js';
import type { TemplateSet } from '../index.js';
import { type FuncMap, type GoFunc, type Value } from '../value.js';

/** RECURSION_MAX_NUMS is Helm's limit of nested include calls of one template name. */
export const RECURSION_MAX_NUMS = 1000;

/** TPL_TEMPLATE_NAME is the name Helm parses a tpl string under. */
export const TPL_TEMPLATE_NAME = 'gotpl';

function setOf(ctx: CallContext): TemplateSet {
  return ctx.runtime as TemplateSet;
}

/** include executes a named template of the executing set and returns its output. */
function include(this: CallContext, name: string, data: Value): string {
  const counts = this.state.render.includeDepth;
  const v = counts.get(name);
  if (v !== undefined) {
    if (v > RECURSION_MAX_NUMS) {
      throw new Error(`rendering template has a nested reference name: ${name}: unable to execute template`);
    }
    counts.set(name, v + 1);
  } else {
    counts.set(name, 1);
  }
  try {
    return setOf(this).executeIn(name, data, this.state.render);
  } finally {
    counts.set(name, (counts.get(name) ?? 1) - 1);
  }
}

/** tplError is what tpl throws: Helm's wrapping of the parse or execution error. */
class TplError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'TplError';
  }
}

/**
 * tpl renders a string as a template, in a clone of the executing set (so its {{define}}s stay
 * local), with `vals` as dot; `<no value>` is removed from the result as Helm does.
 */
function tpl(this: CallContext, text: string, vals: Value): string {
  const set = setOf(this).clone();
  try {
    set.parseShared(TPL_TEMPLATE_NAME, text);
  } catch (e) {
    if (e instanceof TemplateError) throw new TplError(`cannot parse template ${goQuote(text)}: ${e.message}`, e);
    throw e;
  }
  let out: string;
  try {
    out = set.executeIn(TPL_TEMPLATE_NAME, vals, this.state.render);
  } catch (e) {
    if (e instanceof TemplateError) {
      throw new TplError(`error during tpl function execution for ${goQuote(text)}: ${e.message}`, e);
    }
    throw e;
  }
  return out.includes('<no value>') ? out.split('<no value>').join('') : out;
}

/** required fails with the message when the value is nil or the empty string. */
function required(warn: string, val: Value): Value {
  if (val === null || val === undefined || val === '') throw new Error(warnWrap(warn));
  return val;
}

/** fail always fails, with Helm's marker so the message reads `execution error at (...)`. */
function fail(msg: string): string {
  throw new Error(warnWrap(msg));
}

const g = (fn: (...a: any[]) => Value, params: GoFunc['params'], typeNames?: string[]): GoFunc =>
  ({ fn, params, returnsError: true, typeNames }) as GoFunc;

/** engineFuncs are include, tpl, required and fail with Helm's Go signatures. */
export const engineFuncs: FuncMap = {
  include: g(include, ['string', 'any']),
  tpl: g(tpl, ['string', 'any']),
  required: g(required, ['string', 'any']),
  fail: g(fail, ['string']),
};
