/**
 * sprig: Sprig v3.3's template functions (sprig.TxtFuncMap()) as Helm 4 ships them.
 *
 * Helm removes `env` and `expandenv`, so they are absent here; it replaces toJson, mustToJson and
 * fromJson with its own (see ../helm), which win when the maps are merged; getHostByName lives
 * there too. Every function declares Go's parameter types so the executor converts arguments and
 * reports wrong types like text/template does. Lists and maps whose Go type is not the model's
 * default ([]string from splitList, map[string]string from split, common.Values) carry a
 * {@link GO_TYPE} mark that typeOf, typeIs, kindOf, deepEqual and dig read.
 *
 * @example
 *   const t = new TemplateSet({ ...sprigFuncs, ...helmFuncs });
 */
import type { FuncMap } from '../../value.js';
import { cryptoFuncs } from './crypto.js';
import { dateFuncs } from './date.js';
import { dictFuncs } from './dicts.js';
import { listFuncs } from './lists.js';
import { mathFuncs } from './math.js';
import { miscFuncs } from './misc.js';
import { regexFuncs } from './regex.js';
import { semverFuncs } from './semver.js';
import { stringFuncs } from './strings.js';

/** sprigFuncs is every Sprig function Helm 4 exposes. */
export const sprigFuncs: FuncMap = {
  ...stringFuncs,
  ...mathFuncs,
  ...listFuncs,
  ...dictFuncs,
  ...miscFuncs,
  ...regexFuncs,
  ...semverFuncs,
  ...dateFuncs,
  ...cryptoFuncs,
};

// Sprig registers mustDateModify twice, also as must_date_modify.
if (!sprigFuncs.must_date_modify && sprigFuncs.mustDateModify) sprigFuncs.must_date_modify = sprigFuncs.mustDateModify;

export { SprigError, GO_TYPE, withGoType, typeName } from './util.js';
export { marshalJSON, unmarshalJSON, JSONError } from './json.js';
