/**
 * dependencies: Helm's ProcessDependenciesWithMerge — which subcharts are enabled (aliases,
 * `tags`, `condition`, first resolvable condition path wins) and `import-values` (both the
 * `exports.X` string form and the `{child, parent}` form), applied to a copy of the chart tree.
 */
import semver from 'semver';
import { formatV, isMap, type GoMap, type Value } from '../gotemplate/value.js';
import type { Chart, Dependency, ImportValue } from './types.js';
import { coalesceValues, deepCopy, mergeTables, mergeValues, NoValueError, pathValue, table, type Warn } from './values.js';

/** cloneChart copies a chart tree so processing can rewrite metadata, values and dependencies. */
export function cloneChart(c: Chart, parent?: Chart): Chart {
  const out: Chart = {
    ...c,
    metadata: {
      ...c.metadata,
      dependencies: c.metadata.dependencies?.map((d) => ({
        ...d,
        tags: d.tags ? [...d.tags] : d.tags,
        importValues: d.importValues ? [...d.importValues] : d.importValues,
      })),
    },
    values: deepCopy(c.values),
    dependencies: [],
    parent,
  };
  out.dependencies = c.dependencies.map((d) => cloneChart(d, out));
  return out;
}

/**
 * isCompatibleRange is chartutil.IsCompatibleRange: does version satisfy the Masterminds-style
 * constraint? An unparsable constraint or version is "no".
 */
export function isCompatibleRange(constraint: string | undefined, version: string): boolean {
  if (!constraint || constraint.trim() === '') return false;
  const v = parseMastermindsVersion(version);
  if (!v) return false;
  const range = constraint
    .split('||')
    .map((part) => part.replace(/,/g, ' ').trim())
    .join(' || ');
  try {
    return semver.satisfies(v, range, { loose: true });
  } catch {
    return false;
  }
}

/** parseMastermindsVersion is semver.NewVersion of Masterminds: `v` prefix and missing parts allowed. */
export function parseMastermindsVersion(version: string): semver.SemVer | null {
  const m = /^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec(version.trim());
  if (!m) return null;
  return semver.parse(`${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}${m[4] ?? ''}${m[5] ?? ''}`, { loose: true });
}

function getAliasDependency(charts: Chart[], dep: Dependency): Chart | undefined {
  for (const c of charts) {
    if (c.metadata.name !== dep.name) continue;
    if (!isCompatibleRange(dep.version, c.metadata.version)) continue;
    const out: Chart = { ...c, metadata: { ...c.metadata } };
    if (dep.alias) out.metadata.name = dep.alias;
    return out;
  }
  return undefined;
}

function processDependencyTags(reqs: Dependency[], cvals: GoMap, warn: Warn): void {
  let vt: GoMap;
  try {
    vt = table(cvals, 'tags');
  } catch {
    return;
  }
  for (const r of reqs) {
    let hasTrue = false;
    let hasFalse = false;
    for (const k of r.tags ?? []) {
      if (!(k in vt)) continue;
      const b = vt[k];
      if (typeof b === 'boolean') {
        if (b) hasTrue = true;
        else hasFalse = true;
      } else {
        warn(`level=WARN msg="tag value is not a bool" tag=${k} chart=${r.name}`);
      }
    }
    if (!hasTrue && hasFalse) r.enabled = false;
    else if (hasTrue || (!hasTrue && !hasFalse)) r.enabled = true;
  }
}

function processDependencyConditions(reqs: Dependency[], cvals: GoMap, cpath: string, warn: Warn): void {
  for (const r of reqs) {
    for (const cond of (r.condition ?? '').trim().split(',')) {
      if (cond.length === 0) continue;
      let vv: Value;
      try {
        vv = pathValue(cvals, cpath + cond);
      } catch (e) {
        if (!(e instanceof NoValueError)) {
          warn(`level=WARN msg="the method PathValue returned error" error="${(e as Error).message}"`);
        }
        continue;
      }
      if (typeof vv === 'boolean') {
        r.enabled = vv;
        break;
      }
      warn(`level=WARN msg="returned non-bool value" path=${cond} chart=${r.name}`);
    }
  }
}

function processDependencyEnabled(c: Chart, v: GoMap, path: string, warn: Warn): void {
  const reqs = c.metadata.dependencies;
  if (!reqs) return;
  const chartDependencies: Chart[] = [];
  outer: for (const existing of c.dependencies) {
    for (const req of reqs) {
      if (existing.metadata.name === req.name && isCompatibleRange(req.version, existing.metadata.version)) continue outer;
    }
    chartDependencies.push(existing);
  }
  for (const req of reqs) {
    const dep = getAliasDependency(c.dependencies, req);
    if (dep) chartDependencies.push(dep);
    if (req.alias) req.name = req.alias;
  }
  c.dependencies = chartDependencies;
  for (const lr of reqs) lr.enabled = true;
  const cvals = coalesceValues(c, v, () => {});
  processDependencyTags(reqs, cvals, warn);
  processDependencyConditions(reqs, cvals, path, warn);
  const rm = new Set(reqs.filter((r) => !r.enabled).map((r) => r.name));
  const cd = c.dependencies.filter((n) => !rm.has(n.metadata.name));
  const cdMetadata = reqs.filter((n) => !rm.has(n.name));
  for (const t of cd) {
    t.parent = c;
    processDependencyEnabled(t, cvals, path + t.metadata.name + '.', warn);
  }
  c.metadata.dependencies = cdMetadata;
  c.dependencies = cd;
}

function pathToMap(path: string, data: GoMap): GoMap {
  if (path === '.') return data;
  let cur: GoMap = data;
  const parts = path.split('.');
  for (let i = parts.length - 1; i >= 0; i--) cur = { [parts[i]]: cur };
  return cur;
}

function processImportValues(c: Chart, warn: Warn): void {
  const reqs = c.metadata.dependencies;
  if (!reqs) return;
  const cvals = mergeValues(c, {});
  let b: GoMap = {};
  for (const r of reqs) {
    if (r.importValues === undefined) continue;
    const outiv: ImportValue[] = [];
    for (const riv of r.importValues as Value[]) {
      if (isMap(riv)) {
        const child = formatV(riv.child);
        const parent = formatV(riv.parent);
        outiv.push({ child, parent });
        let vv: GoMap;
        try {
          vv = table(cvals, r.name + '.' + child);
        } catch (e) {
          warn(`level=WARN msg="ImportValues missing table from chart" chart=${r.name} error=${JSON.stringify((e as Error).message)}`);
          continue;
        }
        b = mergeTables(b, pathToMap(parent, deepCopy(vv)));
      } else if (typeof riv === 'string') {
        const child = 'exports.' + riv;
        outiv.push({ child, parent: '.' });
        let vm: GoMap;
        try {
          vm = table(cvals, r.name + '.' + child);
        } catch (e) {
          warn(`level=WARN msg="ImportValues missing table" error=${JSON.stringify((e as Error).message)}`);
          continue;
        }
        b = mergeTables(b, deepCopy(vm));
      }
    }
    r.importValues = outiv;
  }
  c.values = mergeTables(deepCopy(cvals), b);
}

function processDependencyImportValues(c: Chart, warn: Warn): void {
  for (const d of c.dependencies) processDependencyImportValues(d, warn);
  processImportValues(c, warn);
}

/**
 * processDependencies is chartutil.ProcessDependenciesWithMerge on a copy of chart: it drops
 * disabled subcharts, renames aliased ones, and imports values. The input chart is untouched.
 */
export function processDependencies(chart: Chart, userValues: GoMap, warn: Warn = () => {}): Chart {
  const c = cloneChart(chart);
  processDependencyEnabled(c, userValues, '', warn);
  processDependencyImportValues(c, warn);
  return c;
}

/**
 * checkDependencies is action.CheckDependencies: every Chart.yaml dependency must be present in
 * charts/. Returns the error message or undefined.
 */
export function missingDependencies(c: Chart): string[] {
  const missing: string[] = [];
  for (const r of c.metadata.dependencies ?? []) {
    if (!c.dependencies.some((d) => d.metadata.name === r.name)) missing.push(r.name);
  }
  return missing;
}
