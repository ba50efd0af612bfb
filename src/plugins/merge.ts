/**
 * merge: strategic-merge-style patches, as kustomize applies them, without the OpenAPI schema.
 * Maps merge recursively and `null` deletes a key. Lists are replaced, except the Kubernetes lists
 * whose items have a merge key (containers by name, volumeMounts by mountPath, …): those merge item
 * by item and append new items. Directives: `$patch: replace` and `$patch: delete` in a map,
 * `{ <key>: …, $patch: delete }` in a merge list to drop an item, and a list whose first item is
 * `{ $patch: replace }` to replace the list. Custom resources have no schema here, so their lists
 * replace, as with kustomize on an unknown kind.
 */

/** MergePatchError reports a directive the merge cannot honour; the message names the path. */
export class MergePatchError extends Error {
  override name = 'MergePatchError';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${path || '/'}: ${detail}`);
  }
}

/**
 * MERGE_KEYS maps a list field name to the keys that identify its items, in preference order:
 * the first key present in the patch item is used. These are the patchMergeKey values of the
 * core Kubernetes types (ports are keyed by containerPort in pods and by port in services).
 */
export const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  imagePullSecrets: ['name'],
  ports: ['containerPort', 'port'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey'],
  resourceClaims: ['name'],
  ownerReferences: ['uid'],
  conditions: ['type'],
  secrets: ['name'],
};

/** MERGE_PRIMITIVE_LISTS are scalar lists merged as sets (patchStrategy merge). */
export const MERGE_PRIMITIVE_LISTS: ReadonlySet<string> = new Set(['finalizers']);

type Obj = Record<string, unknown>;

function isMap(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DELETE = Symbol('delete');

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v))
    return v.filter((x) => !(isMap(x) && x.$patch !== undefined && Object.keys(x).length === 1)).map(stripDirectives);
  if (!isMap(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '$patch') continue;
    if (x === null) continue; // a null in new content means "absent"
    out[k] = stripDirectives(x);
  }
  return out;
}

function mergeMap(target: Obj, patch: Obj, path: string): Obj | typeof DELETE {
  const directive = patch.$patch;
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') return stripDirectives(patch) as Obj;
  if (directive !== undefined && directive !== 'merge') {
    throw new MergePatchError(path, `unknown directive $patch: ${JSON.stringify(directive)}`);
  }
  const out: Obj = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (key.startsWith('$')) throw new MergePatchError(`${path}/${key}`, 'directive is not supported');
    const p = `${path}/${key}`;
    if (value === null) {
      delete out[key];
      continue;
    }
    const merged = mergeValue(out[key], value, key, p);
    if (merged === DELETE) delete out[key];
    else out[key] = merged;
  }
  return out;
}

function mergeList(target: unknown[], patch: unknown[], field: string, path: string): unknown[] {
  if (isMap(patch[0]) && patch[0].$patch === 'replace' && Object.keys(patch[0]).length === 1) {
    return stripDirectives(patch.slice(1)) as unknown[];
  }
  if (MERGE_PRIMITIVE_LISTS.has(field) && patch.every((x) => !isMap(x) && !Array.isArray(x))) {
    const out = [...target];
    for (const x of patch) if (!out.includes(x)) out.push(x);
    return out;
  }
  const keys = MERGE_KEYS[field];
  if (!keys || !patch.every(isMap)) return stripDirectives(patch) as unknown[];
  const out = [...target];
  patch.forEach((item, i) => {
    const it = item as Obj;
    const key = keys.find((k) => it[k] !== undefined);
    if (key === undefined)
      throw new MergePatchError(`${path}/${i}`, `list item has no merge key (${keys.join(' or ')})`);
    const idx = out.findIndex((t) => isMap(t) && t[key] === it[key]);
    if (it.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      return;
    }
    if (idx < 0) out.push(stripDirectives(it));
    else {
      const merged = mergeMap(out[idx] as Obj, it, `${path}/${i}`);
      if (merged === DELETE) out.splice(idx, 1);
      else out[idx] = merged;
    }
  });
  return out;
}

function mergeValue(target: unknown, patch: unknown, field: string, path: string): unknown {
  if (isMap(patch)) {
    return mergeMap(isMap(target) ? target : {}, patch, path);
  }
  if (Array.isArray(patch)) {
    return mergeList(Array.isArray(target) ? target : [], patch, field, path);
  }
  return patch;
}

/**
 * strategicMerge returns target with patch merged in; neither argument is changed.
 *
 * ```ts
 * strategicMerge(deployment, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } })
 * ```
 */
export function strategicMerge(target: Obj, patch: Obj): Obj | undefined {
  const out = mergeMap(structuredClone(target), structuredClone(patch), '');
  return out === DELETE ? undefined : out;
}
