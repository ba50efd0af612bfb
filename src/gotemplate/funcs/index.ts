/**
 * funcs: the function map Helm 4 gives templates: Sprig (without env/expandenv), Helm's own
 * functions, and the engine's include/tpl/required/fail.
 *
 * @example
 *   const set = new TemplateSet(helmFuncMap(), { missingKey: 'zero' });
 */
import type { FuncMap, GoFunc } from '../value.js';
import { engineFuncs } from './engine.js';
import { helmFuncs } from './helm/index.js';
import { sprigFuncs } from './sprig/index.js';

/** HelmFuncMapOptions select what differs between `helm template` and a live install. */
export interface HelmFuncMapOptions {
  /** lookup replaces the offline `lookup` (which finds nothing) with one that reads the cluster. */
  lookup?: GoFunc;
  /** strict: Helm's --strict (missingkey=error); the functions are the same, kept for symmetry. */
  strict?: boolean;
}

/**
 * helmFuncMap is Helm 4's template function map: Sprig, overridden by Helm's functions, then the
 * engine's (include, tpl, required, fail), as engine.initFunMap assembles it.
 */
export function helmFuncMap(opts: HelmFuncMapOptions = {}): FuncMap {
  const m: FuncMap = { ...sprigFuncs, ...helmFuncs, ...engineFuncs };
  delete m.env;
  delete m.expandenv;
  if (opts.lookup) m.lookup = opts.lookup;
  return m;
}

export { engineFuncs, RECURSION_MAX_NUMS } from './engine.js';
