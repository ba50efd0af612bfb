/**
 * engine: Helm's engine.Render for a processed chart — every chart's templates parsed into one
 * template set (deepest subcharts first, so a parent's `define` wins), each non-partial template
 * executed with its chart's built-in objects (.Values, .Release, .Chart, .Capabilities,
 * .Template, .Files, .Subcharts), `<no value>` removed from the output.
 */
import { TemplateSet, formatHelmRenderError } from '../gotemplate/index.js';
import { helmFuncMap } from '../gotemplate/funcs/index.js';
import { GO_JSON } from '../gotemplate/funcs/helm/gojson.js';
import type { GoFunc, GoMap, Value } from '../gotemplate/value.js';
import { capabilitiesValue, type Capabilities } from './capabilities.js';
import { makeFiles } from './files.js';
import { chartFullPath, isRoot, type Chart, type Dependency, type Metadata } from './types.js';
import { table } from './values.js';

/** ReleaseOptions is common.ReleaseOptions: what `.Release` shows. */
export interface ReleaseOptions {
  name: string;
  namespace: string;
  revision?: number;
  isInstall?: boolean;
  isUpgrade?: boolean;
}

/** RenderError is a template parse or execution failure; `message` is Helm's text byte for byte. */
export class RenderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RenderError';
  }
}

/** chartValue is `.Chart` as Helm 4 exposes it: a map with Go field names, IsRoot added. */
export function chartValue(c: Chart): GoMap {
  const md: Metadata = c.metadata;
  const deps = (md.dependencies ?? []).map(dependencyValue);
  return {
    APIVersion: md.apiVersion ?? '',
    Annotations: md.annotations ? { ...md.annotations } : nilMap(),
    AppVersion: md.appVersion ?? '',
    Condition: md.condition ?? '',
    Dependencies: deps,
    Deprecated: md.deprecated ?? false,
    Description: md.description ?? '',
    Home: md.home ?? '',
    Icon: md.icon ?? '',
    IsRoot: isRoot(c),
    Keywords: [...(md.keywords ?? [])],
    KubeVersion: md.kubeVersion ?? '',
    Maintainers: (md.maintainers ?? []).map((m) => ({ Email: m?.email ?? '', Name: m?.name ?? '', URL: m?.url ?? '' })),
    Name: md.name,
    Sources: [...(md.sources ?? [])],
    Tags: md.tags ?? '',
    Type: md.type ?? '',
    Version: md.version,
  };
}

/**
 * nilMap is a nil map[string]string: empty for templates (`map[]`, falsy, no keys) but `null`
 * to json.Marshal and so to toJson/toYaml.
 */
function nilMap(): GoMap {
  const m: GoMap = {};
  Object.defineProperty(m, GO_JSON, { value: () => null, enumerable: false });
  return m;
}

function dependencyValue(d: Dependency): GoMap {
  return {
    Alias: d.alias ?? '',
    Condition: d.condition ?? '',
    Enabled: d.enabled ?? false,
    ImportValues: (d.importValues ?? []).map((iv) => (typeof iv === 'string' ? iv : { ...iv })),
    Name: d.name,
    Repository: d.repository ?? '',
    Tags: [...(d.tags ?? [])],
    Version: d.version ?? '',
  };
}

/** releaseValue is `.Release`: a map in Helm 4 (Name, Namespace, IsUpgrade, IsInstall, Revision, Service). */
export function releaseValue(r: ReleaseOptions): GoMap {
  return {
    Name: r.name,
    Namespace: r.namespace,
    IsUpgrade: r.isUpgrade ?? false,
    IsInstall: r.isInstall ?? !(r.isUpgrade ?? false),
    Revision: BigInt(r.revision ?? 1),
    Service: 'Helm',
  };
}

interface Renderable {
  tpl: string;
  /** data is the template file's bytes; its identity keys the parse cache. */
  data: Uint8Array;
  vals: GoMap;
  basePath: string;
}

function isLibrary(c: Chart): boolean {
  return c.metadata.type === 'library';
}

function recAllTpls(c: Chart, templates: Map<string, Renderable>, values: GoMap): GoMap {
  const subCharts: GoMap = {};
  const next: GoMap = {
    Chart: chartValue(c),
    Files: makeFiles(c.files),
    Release: values.Release,
    Capabilities: values.Capabilities,
    Values: {},
    Subcharts: subCharts,
  };
  if (isRoot(c)) next.Values = values.Values;
  else {
    try {
      next.Values = table(values, 'Values.' + c.metadata.name);
    } catch {
      // Helm keeps the empty map when the parent has no table for this chart.
    }
  }
  for (const child of c.dependencies) subCharts[child.metadata.name] = recAllTpls(child, templates, next);
  const parentId = chartFullPath(c);
  for (const t of c.templates) {
    if (isLibrary(c) && !baseName(t.name).startsWith('_')) continue;
    templates.set(joinPath(parentId, t.name), {
      tpl: decodeTemplate(t.data),
      data: t.data,
      vals: next,
      basePath: parentId + '/templates',
    });
  }
  return next;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function joinPath(a: string, b: string): string {
  const parts: string[] = [];
  for (const seg of (a + '/' + b).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

function slashCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 47) n++;
  return n;
}

/** sortTemplates is engine.sortTemplates: deepest paths first, then reverse lexical order. */
export function sortTemplates(names: string[]): string[] {
  return [...names].sort((a, b) => {
    const ca = slashCount(a);
    const cb = slashCount(b);
    if (ca !== cb) return cb - ca;
    return a < b ? 1 : a > b ? -1 : 0;
  });
}

const decoded = new WeakMap<Uint8Array, string>();
function decodeTemplate(data: Uint8Array): string {
  let s = decoded.get(data);
  if (s === undefined) {
    s = new TextDecoder().decode(data);
    decoded.set(data, s);
  }
  return s;
}

/**
 * Parsed template sets are immutable once built, so renders of the same chart share one: the key
 * is the ordered template names with the identity of each file's bytes, plus the options that
 * shape the set. Loaded charts keep their bytes, so a re-render (the controller's steady state)
 * skips parsing. Bounded, oldest dropped first.
 */
const SET_CACHE_MAX = 64;
const setCache = new Map<string, TemplateSet>();
const dataIds = new WeakMap<Uint8Array, number>();
const lookupIds = new WeakMap<GoFunc, number>();
let nextId = 1;
function idOf<K extends object>(m: WeakMap<K, number>, k: K): number {
  let id = m.get(k);
  if (id === undefined) {
    id = nextId++;
    m.set(k, id);
  }
  return id;
}

function parsedSet(keys: string[], templates: Map<string, Renderable>, opts: EngineOptions): TemplateSet {
  let key = (opts.strict ? 's' : 'z') + (opts.lookup ? idOf(lookupIds, opts.lookup) : 0);
  for (const name of keys) key += '\u0000' + name + '\u0001' + idOf(dataIds, templates.get(name)!.data);
  const hit = setCache.get(key);
  if (hit) return hit;
  const set = new TemplateSet(helmFuncMap({ lookup: opts.lookup, strict: opts.strict }), {
    missingKey: opts.strict ? 'error' : 'zero',
  });
  for (const name of keys) set.parse(name, templates.get(name)!.tpl);
  if (setCache.size >= SET_CACHE_MAX) setCache.delete(setCache.keys().next().value!);
  setCache.set(key, set);
  return set;
}

/** EngineOptions tune engine.Render. */
export interface EngineOptions {
  /** strict is missingkey=error (helm lint --strict); template uses missingkey=zero. */
  strict?: boolean;
  /** lookup replaces the offline `lookup` (the controller passes a cluster-backed one). */
  lookup?: GoFunc;
}

/**
 * renderChart is engine.Render(chart, topValues): topValues holds Values, Release and
 * Capabilities as ToRenderValues builds them. Returns every rendered non-partial template.
 */
export function renderChart(chart: Chart, top: GoMap, opts: EngineOptions = {}): Record<string, string> {
  const templates = new Map<string, Renderable>();
  recAllTpls(chart, templates, top);
  const keys = sortTemplates([...templates.keys()]);
  try {
    const set = parsedSet(keys, templates, opts);
    const rendered: Record<string, string> = {};
    for (const name of keys) {
      if (baseName(name).startsWith('_')) continue;
      const r = templates.get(name)!;
      r.vals.Template = { Name: name, BasePath: r.basePath };
      const out = set.execute(name, r.vals as Value);
      rendered[name] = out.includes('<no value>') ? out.replaceAll('<no value>', '') : out;
    }
    return rendered;
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw e;
    throw new RenderError(formatHelmRenderError(e), { cause: e });
  }
}

/** renderTopValues is util.ToRenderValues without the schema step: the map engine.Render gets. */
export function renderTopValues(values: GoMap, release: ReleaseOptions, caps: Capabilities): GoMap {
  return {
    Capabilities: capabilitiesValue(caps),
    Release: releaseValue(release),
    Values: values,
  };
}
