/**
 * helm: Helm's own template functions (pkg/engine/funcs.go of Helm v4.1.4), without include, tpl
 * and required, which need the engine. Everything that turns values into text or back: toYaml,
 * toYamlPretty, toJson, toToml and their readers, plus the offline `lookup` placeholder and
 * `getHostByName` as `helm template` has them.
 */
import { goFunc, isMap, type FuncMap, type GoFunc, type Value } from '../../value.js';
import { JSONError, marshalJSON, unmarshalJSON } from './gojson.js';
import { YAMLError, mustToYaml, parseYaml, toYaml, toYamlPretty } from './goyaml.js';
import { TOMLError, parseToml, toToml } from './gotoml.js';

function fromYaml(s: string): Value {
  try {
    return parseYaml(s, 'map');
  } catch (e) {
    if (e instanceof YAMLError) return { Error: e.message };
    throw e;
  }
}

function fromYamlArray(s: string): Value {
  try {
    return parseYaml(s, 'slice');
  } catch (e) {
    if (e instanceof YAMLError) return [e.message];
    throw e;
  }
}

function toJson(v: Value): string {
  try {
    return marshalJSON(v);
  } catch (e) {
    if (e instanceof JSONError) return '';
    throw e;
  }
}

function fromJson(s: string): Value {
  try {
    return unmarshalJSON(s, 'map');
  } catch (e) {
    if (e instanceof JSONError) return { ...(isMap(e.partial) ? e.partial : {}), Error: e.message };
    throw e;
  }
}

function fromJsonArray(s: string): Value {
  try {
    return unmarshalJSON(s, 'slice');
  } catch (e) {
    if (e instanceof JSONError) return [e.message];
    throw e;
  }
}

function fromToml(s: string): Value {
  try {
    return parseToml(s);
  } catch (e) {
    if (e instanceof TOMLError) return { Error: e.message };
    throw e;
  }
}

/**
 * lookupOffline is Helm's placeholder `lookup` (what `helm template` without a cluster runs): every
 * lookup finds nothing. The controller passes a real one through helmFuncMap({ lookup }).
 */
export const lookupOffline: GoFunc = goFunc(() => ({}), ['string', 'string', 'string', 'string'], { returnsError: true });

/**
 * helmFuncs is the function map Helm adds on top of Sprig. Names and Go signatures are Helm's, so
 * arity and argument type errors read as in Helm.
 */
export const helmFuncs: FuncMap = {
  toYaml: goFunc(toYaml, ['any']),
  mustToYaml: goFunc(mustToYaml, ['any']),
  toYamlPretty: goFunc(toYamlPretty, ['any']),
  fromYaml: goFunc(fromYaml, ['string']),
  fromYamlArray: goFunc(fromYamlArray, ['string']),
  toJson: goFunc(toJson, ['any']),
  mustToJson: goFunc((v: Value) => marshalJSON(v), ['any']),
  fromJson: goFunc(fromJson, ['string']),
  fromJsonArray: goFunc(fromJsonArray, ['string']),
  toToml: goFunc(toToml, ['any']),
  fromToml: goFunc(fromToml, ['string']),
  lookup: lookupOffline,
  // `helm template` runs without --enable-dns: name lookups answer "".
  getHostByName: goFunc(() => '', ['string']),
};

export { marshalJSON, unmarshalJSON, JSONError, GO_JSON, quoteJSON, formatJSONFloat } from './gojson.js';
export {
  parseYaml,
  parseYamlDocuments,
  marshalYaml,
  toYaml,
  mustToYaml,
  toYamlPretty,
  YAMLError,
  type ParseTarget,
  type YamlShape,
} from './goyaml.js';
export { toToml, parseToml, TOMLError } from './gotoml.js';
