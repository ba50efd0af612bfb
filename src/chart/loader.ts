/**
 * loader: turning a chart directory, a .tgz file or archive bytes into a {@link Chart}, as Helm's
 * loader does — Chart.yaml first (apiVersion defaults to v1), values.yaml as multi-document
 * values, values.schema.json, templates/, v1 requirements.yaml/.lock, subcharts under charts/
 * as directories or nested archives, every other file into Files; then Chart.yaml validation.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { formatFloat, isMap, type GoMap, type Value } from '../gotemplate/value.js';
import { parseMastermindsVersion } from './dependencies.js';
import { ArchiveError, MAX_DECOMPRESSED_FILE_SIZE, readArchiveFiles } from './archive.js';
import { IgnoreRules } from './helmignore.js';
import type { Chart, ChartFile, Dependency, Maintainer, Metadata } from './types.js';
import { loadValues } from './values.js';
import { parseYaml } from './yaml.js';

/** ChartLoadError is any failure to load a chart; the message is Helm's where Helm has one. */
export class ChartLoadError extends Error {
  constructor(
    message: string,
    readonly chart?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ChartLoadError';
  }
}

const decoder = new TextDecoder();
const text = (b: Uint8Array) => decoder.decode(b);

/**
 * loadChart loads a chart from a directory path, a .tgz path, or the bytes of a .tgz.
 *
 * @example const chart = await loadChart('./charts/podinfo-6.14.1.tgz');
 */
export async function loadChart(pathOrBytes: string | Uint8Array): Promise<Chart> {
  return loadChartSync(pathOrBytes);
}

/** loadChartSync is {@link loadChart} without the promise (loading never waits on I/O events). */
export function loadChartSync(pathOrBytes: string | Uint8Array): Chart {
  if (typeof pathOrBytes !== 'string') return loadArchive(pathOrBytes, 'chart archive');
  let st;
  try {
    st = statSync(pathOrBytes);
  } catch (e) {
    throw new ChartLoadError(`path "${pathOrBytes}" not found`, pathOrBytes, { cause: e });
  }
  if (st.isDirectory()) return loadDir(pathOrBytes);
  return loadArchive(readFileSync(pathOrBytes), pathOrBytes);
}

/** loadArchive is loader.LoadArchive: a gzipped tarball's bytes to a chart. */
export function loadArchive(bytes: Uint8Array, name = 'chart archive'): Chart {
  let files: ChartFile[];
  try {
    files = readArchiveFiles(bytes, name);
  } catch (e) {
    // Helm 4 reports refused archives as "unable to load chart archive"; we add why and where.
    if (e instanceof ArchiveError && e.entry !== undefined) {
      throw new ChartLoadError(`unable to load chart archive: ${e.message} (entry "${e.entry}")`, name, { cause: e });
    }
    throw e;
  }
  return loadFiles(files);
}

/** loadDir is loader.LoadDir: reads a chart directory honouring .helmignore. */
export function loadDir(dir: string): Chart {
  const top = realpathSync(dir);
  let rules = new IgnoreRules();
  try {
    rules = IgnoreRules.parse(readFileSync(join(top, '.helmignore'), 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ChartLoadError(`${dir}/.helmignore: ${(e as Error).message}`, dir, { cause: e });
  }
  rules.addDefaults();
  const files: ChartFile[] = [];
  const walk = (abs: string, rel: string) => {
    const names = readdirSync(abs).sort();
    for (const name of names) {
      const childAbs = join(abs, name);
      const n = rel === '' ? name : rel + '/' + name;
      let st = lstatSync(childAbs);
      if (st.isSymbolicLink()) {
        const real = realpathSafe(childAbs);
        if (real === undefined || !(real === top || real.startsWith(top + sep))) {
          throw new ChartLoadError(`chart file "${n}" is a symbolic link that points outside the chart directory`, dir);
        }
        st = statSync(real);
      }
      if (st.isDirectory()) {
        if (rules.ignore(n, true)) continue;
        walk(childAbs, n);
        continue;
      }
      if (rules.ignore(n, false)) continue;
      if (!st.isFile()) throw new ChartLoadError(`cannot load irregular file ${childAbs} as it has file mode type bits set`, dir);
      if (st.size > MAX_DECOMPRESSED_FILE_SIZE) {
        throw new ChartLoadError(`chart file "${name}" is larger than the maximum file size ${MAX_DECOMPRESSED_FILE_SIZE}`, dir);
      }
      let data: Uint8Array = readFileSync(childAbs);
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
      files.push({ name: n, data });
    }
  };
  walk(top, '');
  return loadFiles(files);
}

function realpathSafe(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/** sanitizeString is Helm's: whitespace becomes a space, unprintable characters are dropped. */
function sanitizeString(s: string | undefined): string | undefined {
  if (s === undefined) return s;
  return s.replace(/\s/gu, ' ').replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu, '');
}

function fieldError(field: string, want: string, got: Value): ChartLoadError {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'array' : isMap(got) ? 'object' : typeof got === 'number' ? 'number' : typeof got === 'boolean' ? 'bool' : 'string';
  return new ChartLoadError(
    `cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${kind} into Go struct field Metadata.${field} of type ${want}`,
  );
}

/**
 * str reads a string field. Helm 4 accepts scalars where Chart.yaml wants a string and uses
 * their text: `appVersion: 1.10` is "1.1", `1e3` is "1000", `true` is "true".
 */
function str(m: GoMap, key: string, field = key): string | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return scalarText(v);
  if (typeof v !== 'string') throw fieldError(field, 'string', v);
  return v;
}

/**
 * scalarText is how sigs.k8s.io/yaml writes a YAML number or bool into a string field: integers
 * in full, other numbers in Go's shortest 'g' form (`1.10` → "1.1", `1e3` → "1000").
 */
export function scalarText(v: number | boolean): string {
  if (typeof v === 'boolean') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return BigInt(v).toString();
  return formatFloat(v, 'g');
}
function strList(m: GoMap, key: string, field = key): string[] | undefined {
  const v = m[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw fieldError(field, '[]string', v);
  return v.map((x) => {
    if (typeof x === 'number' || typeof x === 'boolean') return scalarText(x);
    if (x !== null && typeof x !== 'string') throw fieldError(field, 'string', x);
    return (x ?? '') as string;
  });
}

function parseDependencies(v: Value, field: string): Dependency[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw fieldError(field, '[]*chart.Dependency', v);
  return v.map((d) => {
    if (d === null) return null as unknown as Dependency;
    if (!isMap(d)) throw fieldError(field, 'chart.Dependency', d);
    const iv = d['import-values'];
    const dep: Dependency = {
      name: str(d, 'name', `${field}.name`) ?? '',
      version: str(d, 'version', `${field}.version`),
      repository: str(d, 'repository', `${field}.repository`),
      condition: str(d, 'condition', `${field}.condition`),
      tags: strList(d, 'tags', `${field}.tags`),
      enabled: typeof d.enabled === 'boolean' ? d.enabled : undefined,
      importValues: Array.isArray(iv) ? (iv as Dependency['importValues']) : undefined,
      alias: str(d, 'alias', `${field}.alias`),
    };
    return dep;
  });
}

/** parseMetadata reads Chart.yaml into Metadata with sigs.k8s.io/yaml's struct typing. */
export function parseMetadata(data: Uint8Array, into?: Metadata): Metadata {
  let v: Value;
  try {
    v = parseYaml(text(data));
  } catch (e) {
    throw new ChartLoadError(`cannot load Chart.yaml: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (v === null || v === undefined) v = {};
  if (!isMap(v)) throw new ChartLoadError('cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type chart.Metadata');
  const m = v;
  const md: Metadata = into ?? ({ name: '', version: '', apiVersion: '' } as Metadata);
  const set = <K extends keyof Metadata>(k: K, val: Metadata[K] | undefined) => {
    if (val !== undefined) md[k] = val;
  };
  set('name', str(m, 'name'));
  set('home', str(m, 'home'));
  set('sources', strList(m, 'sources'));
  set('version', str(m, 'version'));
  set('description', str(m, 'description'));
  set('keywords', strList(m, 'keywords'));
  if (m.maintainers !== undefined && m.maintainers !== null) {
    if (!Array.isArray(m.maintainers)) throw fieldError('maintainers', '[]*chart.Maintainer', m.maintainers);
    md.maintainers = m.maintainers.map((x) => {
      if (x === null) return null as unknown as Maintainer;
      if (!isMap(x)) throw fieldError('maintainers', 'chart.Maintainer', x);
      return { name: str(x, 'name', 'maintainers.name'), email: str(x, 'email', 'maintainers.email'), url: str(x, 'url', 'maintainers.url') };
    });
  }
  set('icon', str(m, 'icon'));
  set('apiVersion', str(m, 'apiVersion'));
  set('condition', str(m, 'condition'));
  set('tags', str(m, 'tags'));
  set('appVersion', str(m, 'appVersion'));
  if (m.deprecated !== undefined && m.deprecated !== null) {
    if (typeof m.deprecated !== 'boolean') throw fieldError('deprecated', 'bool', m.deprecated);
    md.deprecated = m.deprecated;
  }
  if (m.annotations !== undefined && m.annotations !== null) {
    if (!isMap(m.annotations)) throw fieldError('annotations', 'map[string]string', m.annotations);
    const a: Record<string, string> = {};
    for (const [k, x] of Object.entries(m.annotations)) {
      if (typeof x === 'number' || typeof x === 'boolean') a[k] = scalarText(x);
      else if (x !== null && typeof x !== 'string') throw fieldError('annotations', 'string', x);
      else a[k] = (x ?? '') as string;
    }
    md.annotations = a;
  }
  set('kubeVersion', str(m, 'kubeVersion'));
  set('dependencies', parseDependencies(m.dependencies, 'dependencies'));
  set('type', str(m, 'type'));
  return md;
}

/** ChartValidationError is Metadata.Validate's error: the message starts `validation: `. */
export class ChartValidationError extends ChartLoadError {
  constructor(message: string) {
    super(`validation: ${message}`);
    this.name = 'ChartValidationError';
  }
}

const ALIAS_FORMAT = /^[a-zA-Z0-9_-]+$/;

/** validateMetadata is Metadata.Validate (sanitizing strings as Helm does). */
export function validateMetadata(md: Metadata): void {
  md.name = sanitizeString(md.name) ?? '';
  md.description = sanitizeString(md.description);
  md.home = sanitizeString(md.home);
  md.icon = sanitizeString(md.icon);
  md.condition = sanitizeString(md.condition);
  md.tags = sanitizeString(md.tags);
  md.appVersion = sanitizeString(md.appVersion);
  md.sources = md.sources?.map((s) => sanitizeString(s) ?? '');
  md.keywords = md.keywords?.map((s) => sanitizeString(s) ?? '');
  if (!md.apiVersion) throw new ChartValidationError('chart.metadata.apiVersion is required');
  if (!md.name) throw new ChartValidationError('chart.metadata.name is required');
  if (md.name !== md.name.split('/').pop() || md.name === '..' || md.name === '.') {
    throw new ChartValidationError(`chart.metadata.name "${md.name}" is invalid`);
  }
  if (!md.version) throw new ChartValidationError('chart.metadata.version is required');
  if (!parseMastermindsVersion(md.version)) throw new ChartValidationError(`chart.metadata.version "${md.version}" is invalid`);
  if (md.type && md.type !== 'application' && md.type !== 'library') {
    throw new ChartValidationError('chart.metadata.type must be application or library');
  }
  for (const m of md.maintainers ?? []) {
    if (!m) throw new ChartValidationError('maintainers must not contain empty or null nodes');
    if (!m.name) throw new ChartValidationError('each maintainer requires a name');
  }
  const seen = new Set<string>();
  for (const d of md.dependencies ?? []) {
    if (!d) throw new ChartValidationError('dependencies must not contain empty or null nodes');
    d.name = sanitizeString(d.name) ?? '';
    if (d.alias && !ALIAS_FORMAT.test(d.alias)) {
      throw new ChartValidationError(`dependency "${d.name}" has disallowed characters in the alias`);
    }
    const key = d.alias ? d.alias : d.name;
    if (seen.has(key)) throw new ChartValidationError(`more than one dependency with name or alias "${key}"`);
    seen.add(key);
  }
}

/** loadFiles is loader.LoadFiles: files of one chart (paths relative to its root) to a Chart. */
export function loadFiles(files: ChartFile[]): Chart {
  let metadata: Metadata | undefined;
  for (const f of files) {
    if (f.name === 'Chart.yaml') {
      metadata = parseMetadata(f.data);
      if (!metadata.apiVersion) metadata.apiVersion = 'v1';
    }
  }
  const c: Chart = { metadata: metadata as Metadata, templates: [], values: {}, files: [], dependencies: [] };
  const subcharts = new Map<string, ChartFile[]>();
  for (const f of files) {
    const n = f.name;
    if (n === 'Chart.yaml') continue;
    if (n === 'Chart.lock') {
      c.lock = text(f.data);
    } else if (n === 'values.yaml') {
      try {
        c.values = loadValues(text(f.data));
      } catch (e) {
        throw new ChartLoadError(`cannot load values.yaml: ${(e as Error).message}`, metadata?.name, { cause: e });
      }
    } else if (n === 'values.schema.json') {
      c.schema = f.data;
    } else if (n === 'requirements.yaml') {
      if (!c.metadata) c.metadata = { name: '', version: '', apiVersion: '' };
      if (c.metadata.apiVersion !== 'v1') {
        process.stderr.write(
          'Warning: Dependencies are handled in Chart.yaml since apiVersion "v2". We recommend migrating dependencies to Chart.yaml.\n',
        );
      }
      try {
        parseMetadata(f.data, c.metadata);
      } catch (e) {
        throw new ChartLoadError(`cannot load requirements.yaml: ${(e as Error).message.replace(/^cannot load Chart.yaml: /, '')}`, undefined, {
          cause: e,
        });
      }
      if (c.metadata.apiVersion === 'v1') c.files.push(f);
    } else if (n === 'requirements.lock') {
      c.lock = text(f.data);
      if (c.metadata?.apiVersion === 'v1') c.files.push(f);
    } else if (n.startsWith('templates/')) {
      c.templates.push(f);
    } else if (n.startsWith('charts/')) {
      if (n.endsWith('.prov')) {
        c.files.push(f);
        continue;
      }
      const fname = n.slice('charts/'.length);
      const cname = fname.split('/', 1)[0];
      if (!subcharts.has(cname)) subcharts.set(cname, []);
      subcharts.get(cname)!.push({ name: fname, data: f.data });
    } else {
      c.files.push(f);
    }
  }
  if (!c.metadata) throw new ChartLoadError('Chart.yaml file is missing');
  validateMetadata(c.metadata);
  for (const [n, sfiles] of [...subcharts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (n.startsWith('_') || n.startsWith('.')) continue;
    let sc: Chart;
    try {
      if (n.endsWith('.tgz')) {
        const file = sfiles[0];
        if (file.name !== n) {
          throw new ChartLoadError(`error unpacking subchart tar in ${c.metadata.name}: expected ${n}, got ${file.name}`);
        }
        sc = loadArchive(file.data, n);
      } else {
        const buff: ChartFile[] = [];
        for (const f of sfiles) {
          const i = f.name.indexOf('/');
          if (i < 0) continue;
          buff.push({ name: f.name.slice(i + 1), data: f.data });
        }
        sc = loadFiles(buff);
      }
    } catch (e) {
      if (e instanceof ChartLoadError && e.message.startsWith('error unpacking subchart tar')) throw e;
      throw new ChartLoadError(`error unpacking subchart ${n} in ${c.metadata.name}: ${(e as Error).message}`, c.metadata.name, {
        cause: e,
      });
    }
    sc.parent = c;
    c.dependencies.push(sc);
  }
  return c;
}

export { ArchiveError };
