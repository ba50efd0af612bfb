/**
 * manifests: what Helm does with rendered templates before printing or applying them —
 * SplitManifests (documents split on `---`), SortManifests (hooks by `helm.sh/hook`, the rest in
 * Helm's install order by kind) and the NOTES.txt extraction of action.renderResources.
 */
import { isMap, type Value } from '../gotemplate/value.js';
import { scalarText } from './loader.js';
import { TextCache } from './textcache.js';
import { parseYaml } from './yaml.js';

/** INSTALL_ORDER is releaseutil.InstallOrder: kinds in the order Helm installs them. */
export const INSTALL_ORDER: readonly string[] = [
  'PriorityClass',
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

/** UNINSTALL_ORDER is releaseutil.UninstallOrder. */
export const UNINSTALL_ORDER: readonly string[] = [
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'Ingress',
  'IngressClass',
  'Service',
  'CronJob',
  'Job',
  'StatefulSet',
  'HorizontalPodAutoscaler',
  'Deployment',
  'ReplicaSet',
  'ReplicationController',
  'Pod',
  'DaemonSet',
  'RoleBindingList',
  'RoleBinding',
  'RoleList',
  'Role',
  'ClusterRoleBindingList',
  'ClusterRoleBinding',
  'ClusterRoleList',
  'ClusterRole',
  'CustomResourceDefinition',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'StorageClass',
  'ConfigMap',
  'SecretList',
  'Secret',
  'ServiceAccount',
  'PodDisruptionBudget',
  'PodSecurityPolicy',
  'LimitRange',
  'ResourceQuota',
  'NetworkPolicy',
  'Namespace',
  'PriorityClass',
];

/** HookEvent is a `helm.sh/hook` event name. */
export type HookEvent =
  | 'pre-install'
  | 'post-install'
  | 'pre-delete'
  | 'post-delete'
  | 'pre-upgrade'
  | 'post-upgrade'
  | 'pre-rollback'
  | 'post-rollback'
  | 'test';

const EVENTS: Record<string, HookEvent> = {
  'pre-install': 'pre-install',
  'post-install': 'post-install',
  'pre-delete': 'pre-delete',
  'post-delete': 'post-delete',
  'pre-upgrade': 'pre-upgrade',
  'post-upgrade': 'post-upgrade',
  'pre-rollback': 'pre-rollback',
  'post-rollback': 'post-rollback',
  test: 'test',
  'test-success': 'test',
};

export const HOOK_ANNOTATION = 'helm.sh/hook';
export const HOOK_WEIGHT_ANNOTATION = 'helm.sh/hook-weight';
export const HOOK_DELETE_ANNOTATION = 'helm.sh/hook-delete-policy';
export const HOOK_OUTPUT_LOG_ANNOTATION = 'helm.sh/hook-output-log-policy';

/** SimpleHead is the part of a manifest Helm reads to sort it. */
export interface SimpleHead {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; annotations?: Record<string, string> };
}

/** Manifest is one non-hook document: its template path, trimmed text and head. */
export interface Manifest {
  name: string;
  content: string;
  head: SimpleHead;
}

/** Hook is one hook document (release.Hook). */
export interface Hook {
  name: string;
  kind: string;
  path: string;
  manifest: string;
  events: HookEvent[];
  weight: number;
  deletePolicies: string[];
  outputLogPolicies: string[];
}

/** ManifestSortError is a document whose head is not valid YAML (Helm: `YAML parse error on …`). */
export class ManifestSortError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ManifestSortError';
  }
}

const GO_SPACE = '[\\t\\n\\f\\r ]';
const SEP = new RegExp(`(?:^|${GO_SPACE}*\\n)---${GO_SPACE}*`, 'g');
/** isGoSpace is unicode.IsSpace: Unicode White_Space (all in the BMP), not the BOM. */
function isGoSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** goTrimSpace is strings.TrimSpace (Unicode White_Space, not the BOM). */
export function goTrimSpace(s: string): string {
  let i = 0;
  let j = s.length;
  while (i < j && isGoSpace(s.charCodeAt(i))) i++;
  while (j > i && isGoSpace(s.charCodeAt(j - 1))) j--;
  return i === 0 && j === s.length ? s : s.slice(i, j);
}

/**
 * splitManifests is releaseutil.SplitManifests as an ordered list: documents separated by `---`
 * (with any surrounding whitespace), each trimmed, empty ones dropped.
 */
export function splitManifests(bigFile: string): string[] {
  const trimmed = goTrimSpace(bigFile);
  // Most template files hold one document: skip the separator regex for them.
  if (!trimmed.includes('---')) return trimmed === '' ? [] : [trimmed];
  const docs = trimmed.split(SEP);
  const out: string[] = [];
  for (const d of docs) {
    if (d === '') continue;
    out.push(goTrimSpace(d));
  }
  return out;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindRank(order: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  order.forEach((k, i) => m.set(k, i));
  return m;
}

/** sortByKind is sortManifestsByKind/sortHooksByKind: stable, unknown kinds last and alphabetical. */
export function sortByKind<T>(items: T[], kindOf: (t: T) => string, order: readonly string[] = INSTALL_ORDER): T[] {
  const rank = kindRank(order);
  const less = (a: T, b: T): number => {
    const ka = kindOf(a);
    const kb = kindOf(b);
    const ra = rank.get(ka);
    const rb = rank.get(kb);
    if (ra === undefined && rb === undefined) return ka === kb ? 0 : compareStrings(ka, kb);
    if (ra === undefined) return 1;
    if (rb === undefined) return -1;
    return ra - rb;
  };
  return items
    .map((t, i) => ({ t, i }))
    .sort((x, y) => less(x.t, y.t) || x.i - y.i)
    .map((x) => x.t);
}

/**
 * headCache memoizes document heads by text: a full YAML parse of every document is most of the
 * cost of sorting, and re-renders (the controller's steady state) produce the same documents.
 * Errors are not cached (their message names the template path). Texts held: ~16 M characters.
 */
const headCache = new TextCache<SimpleHead>(4096, 16 * 1024 * 1024);

function readHead(doc: string, path: string): SimpleHead {
  const hit = headCache.get(doc);
  if (hit) return hit;
  const head = parseHead(doc, path);
  headCache.set(doc, head);
  return head;
}

function parseHead(doc: string, path: string): SimpleHead {
  let v: Value;
  try {
    v = parseYaml(doc);
  } catch (e) {
    throw new ManifestSortError(`YAML parse error on ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  if (v === null || v === undefined) return {};
  if (!isMap(v)) {
    throw new ManifestSortError(
      `YAML parse error on ${path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'string'} into Go value of type releaseutil.SimpleHead`,
      path,
    );
  }
  const head: SimpleHead = {};
  const typed = (field: string, x: Value, go: string): string | undefined => {
    if (x === undefined || x === null) return undefined;
    if (typeof x === 'number' || typeof x === 'boolean') return scalarText(x);
    if (typeof x !== 'string') {
      const k = Array.isArray(x)
        ? 'array'
        : isMap(x)
          ? 'object'
          : typeof x === 'number'
            ? 'number'
            : typeof x === 'boolean'
              ? 'bool'
              : 'string';
      throw new ManifestSortError(
        `YAML parse error on ${path}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${k} into Go struct field ${field} of type ${go}`,
        path,
      );
    }
    return x;
  };
  head.apiVersion = typed('SimpleHead.apiVersion', v.apiVersion, 'string');
  head.kind = typed('SimpleHead.kind', v.kind, 'string');
  const md = v.metadata;
  if (md !== undefined && md !== null) {
    if (!isMap(md))
      typed(
        'SimpleHead.metadata',
        md,
        'struct { Name string "json:\\"name\\""; Annotations map[string]string "json:\\"annotations\\"" }',
      );
    else {
      head.metadata = { name: typed('.metadata.name', md.name, 'string') };
      const ann = md.annotations;
      if (ann !== undefined && ann !== null) {
        if (!isMap(ann)) typed('.metadata.annotations', ann, 'map[string]string');
        else {
          const a: Record<string, string> = {};
          for (const [k, x] of Object.entries(ann)) a[k] = typed('.metadata.annotations', x, 'string') ?? '';
          head.metadata.annotations = a;
        }
      }
    }
  }
  return head;
}

function splitAnnotation(head: SimpleHead, key: string): string[] {
  const v = head.metadata?.annotations?.[key];
  if (v === undefined) return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** SortedManifests is SortManifests' result: hooks and generic manifests, each in install order. */
export interface SortedManifests {
  hooks: Hook[];
  manifests: Manifest[];
}

/**
 * sortManifests is releaseutil.SortManifests: files in path order (partials and blank files
 * skipped), documents in file order, hooks recognised by annotation (unknown hook types are
 * dropped, as Helm does), both lists stably sorted by kind.
 */
export function sortManifests(
  files: Record<string, string>,
  order: readonly string[] = INSTALL_ORDER,
): SortedManifests {
  const paths = Object.keys(files).sort(compareStrings);
  return sortFileManifests(
    paths.map((path) => fileManifests(path, files[path]!)),
    order,
  );
}

/**
 * fileManifests is what sortManifests takes from one file, in document order, before sorting by
 * kind: nothing from a partial or a blank file.
 */
export function fileManifests(path: string, content: string): SortedManifests {
  const hooks: Hook[] = [];
  const manifests: Manifest[] = [];
  if (path.slice(path.lastIndexOf('/') + 1).startsWith('_')) return { hooks, manifests };
  if (goTrimSpace(content) === '') return { hooks, manifests };
  for (const m of splitManifests(content)) {
    const head = readHead(m, path);
    const ann = head.metadata?.annotations;
    if (!ann || Object.keys(ann).length === 0 || !(HOOK_ANNOTATION in ann)) {
      manifests.push({ name: path, content: m, head });
      continue;
    }
    const weight = Number.parseInt(ann[HOOK_WEIGHT_ANNOTATION] ?? '', 10);
    const h: Hook = {
      name: head.metadata?.name ?? '',
      kind: head.kind ?? '',
      path,
      manifest: m,
      events: [],
      weight: /^[+-]?[0-9]+$/.test(ann[HOOK_WEIGHT_ANNOTATION] ?? '') ? weight : 0,
      deletePolicies: [],
      outputLogPolicies: [],
    };
    let unknown = false;
    for (const t of ann[HOOK_ANNOTATION].split(',')) {
      const e = EVENTS[t.trim().toLowerCase()];
      if (!e) {
        unknown = true;
        break;
      }
      h.events.push(e);
    }
    if (unknown) continue;
    h.deletePolicies = splitAnnotation(head, HOOK_DELETE_ANNOTATION);
    h.outputLogPolicies = splitAnnotation(head, HOOK_OUTPUT_LOG_ANNOTATION);
    hooks.push(h);
  }
  return { hooks, manifests };
}

/** sortFileManifests sorts what fileManifests took from each file (given in path order) by kind. */
export function sortFileManifests(
  parts: readonly SortedManifests[],
  order: readonly string[] = INSTALL_ORDER,
): SortedManifests {
  const hooks = parts.flatMap((p) => p.hooks);
  const manifests = parts.flatMap((p) => p.manifests);
  return {
    hooks: sortByKind(hooks, (h) => h.kind, order),
    manifests: sortByKind(manifests, (m) => m.head.kind ?? '', order),
  };
}
