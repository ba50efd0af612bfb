/**
 * types: the loaded chart, as Helm's chart.Chart holds it (metadata, templates, values, schema,
 * other files, dependencies). Charts are plain data; processing dependencies returns copies.
 */
import type { GoMap } from '../gotemplate/value.js';

/** ChartFile is one file of a chart: a path relative to the chart root and its bytes. */
export interface ChartFile {
  name: string;
  data: Uint8Array;
}

/** Maintainer is one entry of Chart.yaml `maintainers`. */
export interface Maintainer {
  name?: string;
  email?: string;
  url?: string;
}

/** ImportValue is one `import-values` entry: a child path string or a {child, parent} pair. */
export type ImportValue = string | { child: string; parent: string };

/** Dependency is one entry of Chart.yaml `dependencies` (or v1 requirements.yaml). */
export interface Dependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  tags?: string[];
  enabled?: boolean;
  importValues?: ImportValue[];
  alias?: string;
}

/** Metadata is Chart.yaml. Fields are in Helm's declaration order. */
export interface Metadata {
  name: string;
  home?: string;
  sources?: string[];
  version: string;
  description?: string;
  keywords?: string[];
  maintainers?: Maintainer[];
  icon?: string;
  apiVersion: string;
  condition?: string;
  tags?: string;
  appVersion?: string;
  deprecated?: boolean;
  annotations?: Record<string, string>;
  kubeVersion?: string;
  dependencies?: Dependency[];
  type?: string;
}

/** Chart is a loaded chart with its dependencies (Helm's chart.Chart). */
export interface Chart {
  metadata: Metadata;
  /** lock is Chart.lock (or requirements.lock), kept as raw text. */
  lock?: string;
  templates: ChartFile[];
  /** values are the chart's default values (values.yaml, all documents merged). */
  values: GoMap;
  /** schema is values.schema.json, raw. */
  schema?: Uint8Array;
  /** files are every other file (README, crds/, files/ …), in load order. */
  files: ChartFile[];
  dependencies: Chart[];
  /** parent is set for subcharts; the root chart has none. */
  parent?: Chart;
}

/** chartName is c.Name(). */
export const chartName = (c: Chart): string => c.metadata.name;

/** chartFullPath is Helm's ChartFullPath: `parent/charts/name` for subcharts. */
export function chartFullPath(c: Chart): string {
  if (c.parent) return chartFullPath(c.parent) + '/charts/' + c.metadata.name;
  return c.metadata.name;
}

export const isRoot = (c: Chart): boolean => c.parent === undefined;
