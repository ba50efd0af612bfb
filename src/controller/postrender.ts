/**
 * postrender: runs a HelmRelease's spec.postRenderers on a rendered release, between rendering and
 * applying. WebAssembly plugins are pulled as OCI artifacts pinned by digest and compiled once per
 * digest; built-in patches run in process. As Helm 4 does, each document carries its template file
 * name through the post-renderers in an annotation, so the result is split back into manifests and
 * hooks exactly like a fresh render. With `postRenderStrategy: ManifestsOnly`, hooks are left as
 * rendered.
 */
import { sortManifests, splitManifests } from '../chart/manifests.js';
import type { RenderedRelease } from '../chart/render.js';
import { marshalYaml, parseYamlDocuments } from '../gotemplate/funcs/helm/goyaml.js';
import { ChartCache, pullArtifact } from '../oci/index.js';
import {
  formatRef,
  PluginCache,
  postRender,
  type ManifestObject,
  type ObjectChange,
  type PostRenderer,
  type WasmHost,
} from '../plugins/index.js';
import type { RegistryAccess } from './pipeline.js';
import { parseDuration } from './duration.js';
import { TerminalError } from './result.js';
import type { HelmRelease } from './types.js';

/** FILENAME_ANNOTATION carries a document's template path through post-renderers (as Helm 4 names it). */
export const FILENAME_ANNOTATION = 'postrenderer.helm.sh/postrender-filename';
const PLUGIN_ARTIFACT_TYPE = 'application/vnd.helm.plugin.v1+json';

/** PostRenderers compiles and caches plugins for the whole process. */
export class PostRenderers {
  private readonly plugins: PluginCache;
  private access: RegistryAccess = {};

  constructor(cache: ChartCache) {
    this.plugins = new PluginCache(async (ref, digest) => {
      const pulled = await pullArtifact(`${ref}@${digest}`, {
        artifactType: PLUGIN_ARTIFACT_TYPE,
        cache,
        ...this.access,
      });
      return pulled.bytes;
    });
  }

  /**
   * run applies the HelmRelease's post-renderers; returns the release unchanged when it has none.
   * Failures are terminal for the generation (a broken or misbehaving plugin does not fix itself).
   */
  async run(
    hr: HelmRelease,
    rendered: RenderedRelease,
    access: RegistryAccess,
    namespace: string,
  ): Promise<{ rendered: RenderedRelease; changes: ObjectChange[] }> {
    const specs = hr.spec.postRenderers ?? [];
    if (specs.length === 0) return { rendered, changes: [] };
    this.access = access;
    const renderers: PostRenderer[] = [];
    for (const [i, s] of specs.entries()) {
      if (s.wasm) {
        let plugin;
        try {
          plugin = await this.plugins.get(s.wasm.ref, s.wasm.digest);
        } catch (e) {
          throw new TerminalError(`spec.postRenderers[${i}].wasm: ${(e as Error).message}`, 'PostRenderFailed', {
            cause: e,
          });
        }
        renderers.push({
          wasm: {
            plugin,
            config: Object.fromEntries(
              Object.entries(s.wasm.config ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
            ),
            timeoutMs: s.wasm.timeout ? parseDuration(s.wasm.timeout, 30_000) : undefined,
            memoryPages: s.wasm.memoryPages,
            allowedHosts: s.wasm.allowedHosts,
          },
        });
      } else if (s.patches) {
        renderers.push({ patches: s.patches.map((p) => ({ patch: p.patch, target: p.target })) });
      }
    }
    const includeHooks = (hr.spec.postRenderStrategy ?? 'IncludeHooks') === 'IncludeHooks';
    try {
      return await postRenderRelease(rendered, renderers, { includeHooks, namespace });
    } catch (e) {
      throw new TerminalError(`spec.postRenderers: ${(e as Error).message}`, 'PostRenderFailed', { cause: e });
    }
  }
}

/**
 * postRenderRelease is Helm 4's post-render step (action.renderResources): the rendered template
 * files, sorted by name, each document annotated with its file name, go through the
 * post-renderers as one stream; the output is split back into files by that annotation (documents
 * without one become `generated-by-postrender-N.yaml`) and sorted into manifests and hooks as a
 * fresh render is. With `includeHooks: false` only the non-hook manifests go through.
 *
 * Documents keep their text: the annotation is added and removed as a line where the document's
 * layout allows (block-style metadata), so what a no-op post-renderer returns is the rendered
 * text again; otherwise the document is rewritten as sigs.k8s.io/yaml writes it.
 */
export async function postRenderRelease(
  rendered: RenderedRelease,
  renderers: PostRenderer[],
  opts: { includeHooks: boolean; namespace: string; host?: WasmHost },
): Promise<{ rendered: RenderedRelease; changes: ObjectChange[] }> {
  let files: Record<string, string>;
  if (opts.includeHooks) files = rendered.files;
  else {
    files = {};
    for (const m of rendered.manifests)
      files[m.name] = files[m.name] ? `${files[m.name]}\n---\n${m.content}` : m.content;
  }
  const { merged, docs } = annotate(files);
  const out = await postRender(merged, renderers, { defaultNamespace: opts.namespace, host: opts.host });
  let sorted;
  try {
    sorted = sortManifests(splitAndDeannotate(out.objects, docs));
  } catch (e) {
    throw new Error(`reading the post-rendered manifests: ${(e as Error).message}`, { cause: e });
  }
  return {
    rendered: { ...rendered, manifests: sorted.manifests, hooks: opts.includeHooks ? sorted.hooks : rendered.hooks },
    changes: out.changes,
  };
}

/** annotateAndMerge is Helm's: every document of every file (sorted by name; partials and empty files skipped), annotated with its file. */
export function annotateAndMerge(files: Record<string, string>): string {
  return annotate(files).merged;
}

/** annotate is annotateAndMerge that also returns the documents as they were before annotation. */
function annotate(files: Record<string, string>): { merged: string; docs: Set<string> } {
  const out: string[] = [];
  const docs = new Set<string>();
  for (const name of Object.keys(files).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const content = files[name]!;
    if (name.slice(name.lastIndexOf('/') + 1).startsWith('_') || content.trim() === '') continue;
    for (const doc of splitManifests(content.replace(/(^|\n)---(?=[^\n\r \t])/g, '$1---\n'))) {
      const annotated = annotateText(doc, name) ?? annotateParsed(doc, name);
      if (annotated === undefined) continue;
      out.push(`---\n${annotated}\n`);
      docs.add(doc);
    }
  }
  return { merged: out.join(''), docs };
}

const ANNOTATION_LINE = `${FILENAME_ANNOTATION}: `;
const blankOrComment = (l: string) => /^[ \t]*(?:#.*)?$/.test(l);
const indentOf = (l: string) => l.length - l.trimStart().length;
/** TOP_LEVEL_LINE finds the lines that start at column 0 with content (not comments). */
const TOP_LEVEL_LINE = /^[^ \t\n#].*$/gm;
/** KEY_LINE is a block mapping entry with a plain or quoted single-line key. */
const KEY_LINE = /^(?:"[^"\\\n]*"|'[^'\n]*'|[A-Za-z0-9_./-][^:#\n]*):(?:[ \t]|$)/;

/**
 * annotateText adds the file annotation as a line under `metadata:` (and `annotations:` when
 * there is none), or returns undefined when the layout is not plain block style.
 */
function annotateText(doc: string, file: string): string | undefined {
  // Every top-level line must be a plain `key:` (no top-level sequence, no multi-line scalar
  // continued at column 0), with exactly one `metadata:` in block style.
  let metaAt = -1;
  let metaEnd = doc.length;
  for (const m of doc.matchAll(TOP_LEVEL_LINE)) {
    const l = m[0];
    if (metaAt >= 0 && metaEnd === doc.length) metaEnd = m.index;
    if (!KEY_LINE.test(l)) return undefined;
    if (l.startsWith('metadata:')) {
      if (metaAt >= 0 || !/^metadata:[ \t]*(?:#.*)?$/.test(l)) return undefined;
      metaAt = m.index + l.length + 1;
    }
  }
  if (metaAt < 0 || metaAt > doc.length) return undefined;
  // Only the metadata block is split into lines.
  const lines = doc.slice(metaAt, metaEnd).split('\n');
  const body = lines.filter((l) => !blankOrComment(l));
  if (body.length === 0 || body.some((l) => /^ *\t/.test(l))) return undefined;
  const n = indentOf(body[0]!);
  if (n === 0 || body.some((l) => indentOf(l) < n || (indentOf(l) === n && !KEY_LINE.test(l.slice(n)))))
    return undefined;
  const value = JSON.stringify(file);
  const join = (ls: string[]) => doc.slice(0, metaAt) + ls.join('\n') + doc.slice(metaEnd);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (blankOrComment(l) || indentOf(l) !== n || !/^ *annotations:/.test(l)) continue;
    if (!/^ *annotations:[ \t]*(?:#.*)?$/.test(l)) return undefined; // flow style, null…
    let next = i + 1;
    while (next < lines.length && blankOrComment(lines[next]!)) next++;
    // `annotations:` may be empty
    const m = next >= lines.length || indentOf(lines[next]!) <= n ? n + 2 : indentOf(lines[next]!);
    if (lines.slice(i + 1).some((x) => x.trimStart().startsWith(FILENAME_ANNOTATION))) return undefined;
    lines.splice(i + 1, 0, `${' '.repeat(m)}${ANNOTATION_LINE}${value}`);
    return join(lines);
  }
  lines.unshift(`${' '.repeat(n)}annotations:`, `${' '.repeat(n + 2)}${ANNOTATION_LINE}${value}`);
  return join(lines);
}

/** annotateParsed rewrites a document with the annotation set; undefined for an empty document. */
function annotateParsed(doc: string, file: string): string | undefined {
  const [obj] = parseYamlDocuments(doc) as any[];
  if (!obj || typeof obj !== 'object') return undefined;
  obj.metadata ??= {};
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [FILENAME_ANNOTATION]: file };
  return marshalYaml(obj).replace(/\n$/, '');
}

/**
 * splitAndDeannotate groups post-rendered objects by their file annotation, removing it. `rendered`
 * are the documents as rendered: where removing the annotation can give back more than one text
 * (an `annotations:` key left empty, or one that was empty before), the rendered one is chosen.
 */
export function splitAndDeannotate(objects: ManifestObject[], rendered?: ReadonlySet<string>): Record<string, string> {
  const files: Record<string, string> = {};
  objects.forEach((o, i) => {
    const ann = (o.object.metadata as any)?.annotations;
    const annotated = typeof ann?.[FILENAME_ANNOTATION] === 'string';
    const file: string = annotated ? ann[FILENAME_ANNOTATION] : `generated-by-postrender-${i}.yaml`;
    let text: string | undefined;
    if (o.source !== undefined)
      text = annotated ? deannotateText(o.source, file, rendered) : o.source.replace(/\n$/, '');
    text ??= deannotateParsed(o);
    files[file] = files[file] === undefined ? text : `${files[file]}\n---\n${text}`;
  });
  return files;
}

/** deannotateText removes the annotation line this module wrote (and an `annotations:` left empty). */
function deannotateText(source: string, file: string, rendered?: ReadonlySet<string>): string | undefined {
  const at = source.indexOf(FILENAME_ANNOTATION);
  if (at < 0 || source.includes(FILENAME_ANNOTATION, at + FILENAME_ANNOTATION.length)) return undefined;
  const start = source.lastIndexOf('\n', at) + 1;
  const end = lineEnd(source, at);
  const m = at - start;
  const text = source.slice(at, end);
  if (source.slice(start, at).trim() !== '') return undefined;
  if (text !== `${ANNOTATION_LINE}${JSON.stringify(file)}` && text !== `${ANNOTATION_LINE}${file}`) return undefined;
  // The previous and next lines with content.
  let prevStart = start;
  let prev: string | undefined;
  while (prevStart > 0) {
    const e = prevStart - 1;
    prevStart = source.lastIndexOf('\n', e - 1) + 1;
    const l = source.slice(prevStart, e);
    if (!blankOrComment(l)) {
      prev = l;
      break;
    }
  }
  if (prev === undefined) return undefined;
  const cut = (from: number, to: number) =>
    (source.slice(0, from) + source.slice(Math.min(to + 1, source.length))).replace(/\n$/, '');
  if (indentOf(prev) >= m) return cut(start, end);
  if (!/^ *annotations:[ \t]*(?:#.*)?$/.test(prev)) return undefined;
  let next: string | undefined;
  for (let p = end + 1; p < source.length;) {
    const e = lineEnd(source, p);
    const l = source.slice(p, e);
    if (!blankOrComment(l)) {
      next = l;
      break;
    }
    p = e + 1;
  }
  const emptied = next === undefined || indentOf(next) < m;
  if (!emptied) return cut(start, end);
  const keepKey = cut(start, end);
  return rendered?.has(keepKey) ? keepKey : cut(prevStart, end);
}

function lineEnd(s: string, from: number): number {
  const e = s.indexOf('\n', from);
  return e < 0 ? s.length : e;
}

function deannotateParsed(o: ManifestObject): string {
  const obj = structuredClone(o.object) as any;
  const ann = obj.metadata?.annotations;
  if (ann && typeof ann === 'object') {
    delete ann[FILENAME_ANNOTATION];
    if (Object.keys(ann).length === 0) delete obj.metadata.annotations;
  }
  return (o.comment + marshalYaml(obj)).replace(/\n$/, '');
}

/** describeChanges words identity changes for events and logs. */
export function describeChanges(changes: ObjectChange[]): string {
  return changes
    .map((c) => {
      switch (c.type) {
        case 'namespace-changed':
          return `${formatRef(c.object)} moved from namespace ${c.from} to ${c.to}`;
        case 'cluster-scoped-added':
          return `${formatRef(c.object)} is cluster-scoped and was added`;
        case 'added':
          return `${formatRef(c.object)} was added`;
        case 'removed':
          return `${formatRef(c.object)} was removed`;
      }
    })
    .join('; ');
}
