/**
 * patches: the built-in (non-WebAssembly) post-renderer. Each patch is kustomize's `patches`
 * entry: a `target` selector and a `patch` that is either an RFC 6902 list of operations or a
 * strategic-merge document. A merge patch without a target targets the object it names itself
 * (apiVersion, kind, metadata.name and optionally metadata.namespace) and must find it; a patch
 * whose explicit target matches nothing is not an error (kustomize's behaviour).
 */
import { parse as parseYaml } from 'yaml';
import { PatchError } from './errors.js';
import { applyJsonPatch, JsonPatchError } from './jsonpatch.js';
import { formatRef, groupOf, objectRef, type ManifestObject } from './manifests.js';
import { MergePatchError, strategicMerge } from './merge.js';
import { compileTarget, type PatchTarget } from './selector.js';

/** Patch is one built-in patch. `patch` may be YAML/JSON text, an operation list or a merge document. */
export interface Patch {
  target?: PatchTarget;
  patch: string | Record<string, unknown> | unknown[];
}

/** PatchResult is the patched objects and, per patch, how many objects it changed. */
export interface PatchResult {
  objects: ManifestObject[];
  /** applied[i] counts the objects patch i matched. */
  applied: number[];
}

type Obj = Record<string, unknown>;

function isMap(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface CompiledPatch {
  kind: 'json6902' | 'merge';
  body: unknown;
  match: (o: ManifestObject, defaultNamespace: string) => boolean;
  implicit: boolean;
}

function compile(p: Patch, i: number): CompiledPatch {
  let body: unknown = p.patch;
  if (typeof body === 'string') {
    try {
      body = parseYaml(body);
    } catch (err) {
      throw new PatchError(i, undefined, `patch is not YAML or JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  const kind = Array.isArray(body) ? 'json6902' : isMap(body) ? 'merge' : undefined;
  if (!kind) throw new PatchError(i, undefined, 'patch must be a list of JSON 6902 operations or a merge document');
  let target: PatchTarget | undefined = p.target;
  const implicit = target === undefined;
  if (!target) {
    if (kind === 'json6902') throw new PatchError(i, undefined, 'a JSON 6902 patch needs a target');
    const b = body as Obj;
    const meta = isMap(b.metadata) ? b.metadata : {};
    if (typeof b.kind !== 'string' || typeof meta.name !== 'string') {
      throw new PatchError(
        i,
        undefined,
        'a merge patch without a target must name its object (kind and metadata.name)',
      );
    }
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const apiVersion = typeof b.apiVersion === 'string' ? b.apiVersion : undefined;
    target = {
      kind: escape(b.kind),
      name: escape(meta.name),
      ...(apiVersion
        ? { group: escape(groupOf(apiVersion)), version: escape(apiVersion.slice(apiVersion.lastIndexOf('/') + 1)) }
        : {}),
      ...(typeof meta.namespace === 'string' ? { namespace: escape(meta.namespace) } : {}),
    };
  }
  let matcher;
  try {
    matcher = compileTarget(target);
  } catch (err) {
    throw new PatchError(i, undefined, `target: ${(err as Error).message}`, { cause: err });
  }
  if (kind === 'merge' && !implicit) {
    // With an explicit target the patch's own identity fields are not meant to rename anything.
    const b = { ...(body as Obj) };
    delete b.apiVersion;
    delete b.kind;
    if (isMap(b.metadata)) {
      const m = { ...b.metadata };
      delete m.name;
      b.metadata = m;
    }
    body = b;
  }
  return { kind, body, implicit, match: (o, ns) => matcher(o.object, ns) };
}

/**
 * applyPatches applies patches in order to parsed objects and returns new objects; the inputs
 * are not changed. Objects no patch touched keep their text (and so their comments); patched ones
 * keep their leading comment (e.g. `# Source:`).
 */
export function applyPatches(objects: ManifestObject[], patches: Patch[], defaultNamespace = ''): PatchResult {
  const compiled = patches.map(compile);
  let current = objects.map((o, index) => ({ ...o, index, touched: false }));
  const applied = compiled.map(() => 0);
  compiled.forEach((cp, i) => {
    const next: typeof current = [];
    for (const o of current) {
      if (!cp.match(o, defaultNamespace)) {
        next.push(o);
        continue;
      }
      applied[i]!++;
      let patched: unknown;
      try {
        patched = cp.kind === 'json6902' ? applyJsonPatch(o.object, cp.body) : strategicMerge(o.object, cp.body as Obj);
      } catch (err) {
        if (err instanceof JsonPatchError || err instanceof MergePatchError) {
          throw new PatchError(i, formatRef(o.ref), err.message, { cause: err });
        }
        throw err;
      }
      if (patched === undefined) continue; // `$patch: delete` removed the object
      let ref;
      try {
        ref = objectRef(patched, o.index);
      } catch (err) {
        throw new PatchError(i, formatRef(o.ref), `result is not a valid object: ${(err as Error).message}`, {
          cause: err,
        });
      }
      next.push({ ...o, object: patched as Obj, touched: true, ref });
    }
    if (cp.implicit && applied[i] === 0) {
      const b = cp.body as Obj;
      const meta = b.metadata as Obj;
      throw new PatchError(
        i,
        undefined,
        `no object ${String(b.kind)} ${meta.namespace ? `${String(meta.namespace)}/` : ''}${String(meta.name)} to patch`,
      );
    }
    current = next;
  });
  return {
    objects: current.map(({ touched, index: _index, ...o }) => {
      if (touched) delete o.source; // the object changed: serialise it from the object
      return o;
    }),
    applied,
  };
}
