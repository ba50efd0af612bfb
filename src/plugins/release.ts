/**
 * release: a rendered Helm release through post-renderers, as Helm 4 does it (pkg/action
 * `annotateAndMerge` / `splitAndDeannotate`): the rendered template files go through as one
 * annotated stream and come back split into files and sorted into manifests and hooks.
 */
import { fileManifests, sortFileManifests, sortManifests, type SortedManifests } from '../chart/manifests.js';
import { TextCache } from '../chart/textcache.js';
import type { RenderedRelease } from '../chart/render.js';
import { marshalYaml, parseYamlDocuments } from '../gotemplate/funcs/helm/goyaml.js';
import type { WasmHost } from './host.js';
import { readManifests, type ManifestObject, type ObjectChange } from './manifests.js';
import { postRender, type PostRenderer } from './postrender.js';

/** FILENAME_ANNOTATION carries a document's template path through post-renderers (as Helm 4 names it). */
export const FILENAME_ANNOTATION = 'postrenderer.helm.sh/postrender-filename';

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
  const { docs, stream, json, parts } = annotateFiles(files);
  let input: ManifestObject[] | undefined;
  const running = postRender(stream, renderers, {
    defaultNamespace: opts.namespace,
    host: opts.host,
    manifestsJson: json,
    documents: () => (input = readManifests(stream)),
  });
  // A document that comes back as it went out (the input's own object) needs no reading to
  // know its file, nor (mostly) to remove the annotation. The input stream has one document per
  // annotated one, in order.
  const known = new Map<ManifestObject, AnnotatedDocument>();
  const regroup = (objects: ManifestObject[]) => sortManifests(splitAndDeannotate(objects, (o) => known.get(o)));
  // While the plugins run (the input is split by now): the release as it is if they return every
  // document unchanged, which many post-renderers do for many releases. (Patch steps make new
  // objects, and run before this line.)
  let unchanged: { sorted: SortedManifests } | { error: unknown } | undefined;
  if (input !== undefined && renderers.every((r) => 'wasm' in r)) {
    if (input.length === docs.length) input.forEach((o, i) => known.set(o, docs[i]!));
    try {
      // regroup(input), from what each file's annotation step already knows when it can.
      unchanged = {
        sorted:
          splitAsAnnotated(input, docs) && parts.every(regroupedBefore)
            ? sortFileManifests(parts.map(unchangedManifests))
            : regroup(input),
      };
    } catch (error) {
      unchanged = { error };
    }
  }
  const out = await running;
  if (known.size === 0 && out.input.length === docs.length) out.input.forEach((o, i) => known.set(o, docs[i]!));
  let sorted: SortedManifests;
  try {
    if (unchanged !== undefined && out.objects === input) {
      if ('error' in unchanged) throw unchanged.error;
      sorted = unchanged.sorted;
    } else sorted = regroup(out.objects);
  } catch (e) {
    throw new Error(`reading the post-rendered manifests: ${(e as Error).message}`, { cause: e });
  }
  return {
    rendered: { ...rendered, manifests: sorted.manifests, hooks: opts.includeHooks ? sorted.hooks : rendered.hooks },
    changes: out.changes,
  };
}

/** splitAsAnnotated: the stream was split into exactly the annotated documents, one for one. */
function splitAsAnnotated(input: ManifestObject[], docs: AnnotatedDocument[]): boolean {
  return input.length === docs.length && input.every((o, i) => o.source?.length === docs[i]!.text.length + 1);
}

/**
 * regroupedBefore: the file was seen before (a first sighting is regrouped from the documents,
 * so that a release seen once keeps nothing more), and splitAndDeannotate's text of each of its
 * documents is known.
 */
function regroupedBefore(part: AnnotatedFile): boolean {
  return part.json !== undefined && part.docs.every((d) => d.plain !== undefined);
}

/**
 * unchangedManifests is what sortManifests takes from the file when its documents come back
 * unchanged (the file splitAndDeannotate makes of them), kept with the file.
 */
function unchangedManifests(part: AnnotatedFile): SortedManifests {
  return (part.unchanged ??= fileManifests(part.file, part.docs.map((d) => d.plain).join('\n---\n')));
}

/** annotateAndMerge is Helm's: every document of every file (sorted by name; partials and empty files skipped), annotated with its file. */
export function annotateAndMerge(files: Record<string, string>): string {
  return annotateFiles(files).stream;
}

/** AnnotatedDocument is one document annotateAndMerge joins. */
export interface AnnotatedDocument {
  file: string;
  /** text is the document with the file annotation. */
  text: string;
  /** plain is what splitAndDeannotate makes of `text`, when that is known without reading it. */
  plain?: string;
}

/** annotateDocuments lists the documents annotateAndMerge joins. */
export function annotateDocuments(files: Record<string, string>): AnnotatedDocument[] {
  return annotateFiles(files).docs;
}

/** AnnotatedFile is one file's part of annotateAndMerge's stream. */
export interface AnnotatedFile {
  file: string;
  docs: AnnotatedDocument[];
  stream: string;
  /** json is `stream` as a JSON string without the quotes, once the file is seen again. */
  json?: string;
  /** unchanged is what sortManifests takes from the file its documents make unchanged, once needed. */
  unchanged?: SortedManifests;
}

/**
 * annotationCache memoizes annotating a file by its content: the controller post-renders the
 * same files on every reconcile. File texts held: ~8 M characters.
 */
const annotationCache = new TextCache<AnnotatedFile>(4096, 8 * 1024 * 1024);

/** annotateFiles is annotateAndMerge with the documents it joined and the stream as a JSON string. */
export function annotateFiles(files: Record<string, string>): {
  docs: AnnotatedDocument[];
  stream: string;
  json: string;
  parts: AnnotatedFile[];
} {
  const parts: AnnotatedFile[] = [];
  for (const name of Object.keys(files).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const content = files[name]!;
    if (name.slice(name.lastIndexOf('/') + 1).startsWith('_') || content.trim() === '') continue;
    let part = annotationCache.get(content);
    if (part?.file !== name) {
      part = annotateFile(name, content);
      annotationCache.set(content, part);
    } else part.json ??= JSON.stringify(part.stream).slice(1, -1); // a file seen again: keep its JSON
    parts.push(part);
  }
  const stream = parts.map((p) => p.stream).join('');
  // Each part ends with a line break, so the JSON of the whole is the parts' JSON joined.
  return {
    docs: parts.flatMap((p) => p.docs),
    parts,
    stream,
    json: parts.every((p) => p.json !== undefined) ? `"${parts.map((p) => p.json).join('')}"` : JSON.stringify(stream),
  };
}

function annotateFile(name: string, content: string): AnnotatedFile {
  const docs: AnnotatedDocument[] = [];
  for (const doc of splitDocuments(content.replace(/(^|\n)---(?=[^\n\r \t])/g, '$1---\n'))) {
    const line = annotateText(doc, name);
    const text = line ? line.text : annotateParsed(doc, name);
    if (text === undefined) continue;
    // What splitAndDeannotate makes of the text if it comes back unchanged (it rewrites a
    // document that ends in a line of spaces).
    const plain = endsInBlankLine(text) ? undefined : line?.exact ? doc : deannotateText(`${text}\n`, name);
    docs.push({ file: name, text, plain });
  }
  return { file: name, docs, stream: docs.map((d) => `---\n${d.text}\n`).join('') };
}

/**
 * splitDocuments splits a file at its `---` lines as a YAML reader does (kio.ParseAll): unlike
 * releaseutil.SplitManifests it does not trim, so a block scalar keeps a trailing line of spaces,
 * as it does in Helm's post-render path. Blank documents are dropped; leading blank lines and the
 * final line break are not part of a document.
 */
function splitDocuments(content: string): string[] {
  return content
    .split(/^---(?:[ \t][^\n]*)?$/m)
    .map((d) => d.replace(/^(?:[ \t]*\n)+/, '').replace(/\n$/, ''))
    .filter((d) => d.trim() !== '');
}

const ANNOTATION_LINE = `${FILENAME_ANNOTATION}: `;
const blankOrComment = (l: string) => /^[ \t]*(?:#.*)?$/.test(l);
const indentOf = (l: string) => l.length - l.trimStart().length;
/** TOP_LEVEL_START finds the start of each line with content (not a comment) at column 0. */
const TOP_LEVEL_START = /^[^ \t\n#]/gm;
/** hasOtherLineBreaks: line breaks other than \n (documents with them are rewritten, not edited). */
const hasOtherLineBreaks = (s: string) => s.includes('\r') || s.includes('\u2028') || s.includes('\u2029');
/** KEY_LINE is a block mapping entry with a plain or quoted single-line key. */
const KEY_LINE = /^(?:"[^"\\\n]*"|'[^'\n]*'|[A-Za-z0-9_./-][^:#\n]*):(?:[ \t]|$)/;
/** KEY_AT is KEY_LINE at lastIndex in a document: the key's line ends at a line break. */
const KEY_AT = /(?:"[^"\\\n]*"|'[^'\n]*'|[A-Za-z0-9_./-][^:#\n]*):(?:[ \t\n]|$)/y;

/**
 * annotateText adds the file annotation as a line under `metadata:` (and `annotations:` when
 * there is none), or returns undefined when the layout is not plain block style. `exact`: taking
 * the annotation out again (deannotateText) gives back `doc` (it does not where `annotations:`
 * was empty: that is removed too).
 */
function annotateText(doc: string, file: string): { text: string; exact: boolean } | undefined {
  if (hasOtherLineBreaks(doc)) return undefined;
  // Every top-level line (one that starts at column 0 with content, not a comment) must be a
  // plain `key:` (no top-level sequence, no multi-line scalar continued at column 0), with
  // exactly one `metadata:` in block style.
  let metaAt = -1;
  let metaEnd = doc.length;
  TOP_LEVEL_START.lastIndex = 0;
  for (let m = TOP_LEVEL_START.exec(doc); m !== null; m = TOP_LEVEL_START.exec(doc)) {
    const at = m.index;
    const eol = lineEnd(doc, at);
    if (metaAt >= 0 && metaEnd === doc.length) metaEnd = at;
    const l = doc.slice(at, eol);
    if (!KEY_LINE.test(l)) return undefined;
    if (l.startsWith('metadata:')) {
      if (metaAt >= 0 || !/^metadata:[ \t]*(?:#.*)?$/.test(l)) return undefined;
      metaAt = eol + 1;
    }
    TOP_LEVEL_START.lastIndex = eol;
  }
  if (metaAt < 0 || metaAt > doc.length) return undefined;
  // The metadata block, line by line: its entries (lines with content, not comments) must all be
  // indented at least as far as the first (n), those at n be plain keys, and no entry may be
  // indented with a tab. The annotation goes under its first `annotations:` at n, indented as
  // the entry after that (or n + 2 when there is none), or under a new `annotations:`.
  let n = -1;
  let ann = -1; // where the `annotations:` line ends
  let next = -1; // the indentation of the first entry after it
  let named = false; // an entry after it is the file annotation already
  for (let at = metaAt; at < metaEnd;) {
    const eol = lineEnd(doc, at);
    let k = at;
    while (doc.charCodeAt(k) === 0x20) k++;
    let j = k;
    while (doc.charCodeAt(j) === 0x20 || doc.charCodeAt(j) === 0x09) j++;
    if (j >= eol || doc.charCodeAt(j) === 0x23 /* # */) {
      at = eol + 1;
      continue;
    }
    const c = doc.charCodeAt(k);
    if (c === 0x09) return undefined;
    // Other white space (not ASCII) counts as indentation too.
    const spaces = k - at;
    const indent = c > 0x20 && c < 0x7f ? spaces : /\s/.test(doc[k]!) ? indentOf(doc.slice(at, eol)) : spaces;
    if (n < 0) n = indent;
    if (n === 0 || indent < n) return undefined;
    if (indent === n) {
      KEY_AT.lastIndex = at + n;
      if (!KEY_AT.test(doc)) return undefined;
      if (ann < 0 && spaces === n && doc.startsWith('annotations:', k)) {
        if (!/^ *annotations:[ \t]*(?:#.*)?$/.test(doc.slice(at, eol))) return undefined; // flow style, null…
        ann = eol;
        at = eol + 1;
        continue;
      }
    }
    if (ann >= 0) {
      if (next < 0) next = indent;
      if (
        doc.startsWith(FILENAME_ANNOTATION, j) ||
        (doc.charCodeAt(j) > 0x7f && doc.slice(at, eol).trimStart().startsWith(FILENAME_ANNOTATION))
      )
        named = true;
    }
    at = eol + 1;
  }
  if (n < 0) return undefined;
  const value = JSON.stringify(file);
  if (ann < 0) {
    const head = `${' '.repeat(n)}annotations:\n${' '.repeat(n + 2)}${ANNOTATION_LINE}${value}\n`;
    return { text: doc.slice(0, metaAt) + head + doc.slice(metaAt), exact: true };
  }
  if (named) return undefined;
  // `annotations:` may be empty.
  const empty = next < 0 || next <= n;
  const line = `${' '.repeat(empty ? n + 2 : next)}${ANNOTATION_LINE}${value}`;
  const text = ann >= doc.length ? `${doc}\n${line}` : `${doc.slice(0, ann + 1)}${line}\n${doc.slice(ann + 1)}`;
  return { text, exact: !empty };
}

/** annotateParsed rewrites a document with the annotation set; undefined for an empty document. */
function annotateParsed(doc: string, file: string): string | undefined {
  let obj: any;
  try {
    [obj] = parseYamlDocuments(doc);
  } catch (e) {
    throw new Error(`parsing ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (!obj || typeof obj !== 'object') return undefined;
  obj.metadata ??= {};
  obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [FILENAME_ANNOTATION]: file };
  return marshalYaml(obj).replace(/\n$/, '');
}

/**
 * splitAndDeannotate groups post-rendered objects by their file annotation, removing it; an
 * `annotations` map left empty is removed too (kyaml's ClearAnnotation, even where the rendered
 * document had an empty `annotations:`). `known` may name an object's file (and its text without
 * the annotation) without reading it, for a document that came back as annotateAndMerge wrote it.
 */
export function splitAndDeannotate(
  objects: ManifestObject[],
  known: (o: ManifestObject) => { file: string; plain?: string } | undefined = () => undefined,
): Record<string, string> {
  const files: Record<string, string> = {};
  objects.forEach((o, i) => {
    const k = known(o);
    let file = k?.file;
    let annotated = file !== undefined;
    if (file === undefined) {
      const ann = (o.object.metadata as any)?.annotations;
      annotated = typeof ann?.[FILENAME_ANNOTATION] === 'string';
      file = annotated ? (ann[FILENAME_ANNOTATION] as string) : `generated-by-postrender-${i}.yaml`;
    }
    let text: string | undefined;
    // Text that ends in a line of spaces is rewritten: sorting trims documents, which would cut
    // that line out of a block scalar (Helm rewrites every document with kyaml).
    if (o.source !== undefined && !endsInBlankLine(o.source))
      text = k?.plain ?? (annotated ? deannotateText(o.source, file) : o.source.replace(/\n$/, ''));
    text ??= deannotateParsed(o);
    files[file] = files[file] === undefined ? text : `${files[file]}\n---\n${text}`;
  });
  return files;
}

/** deannotateText removes the annotation line this module wrote (and an `annotations:` left empty). */
function deannotateText(source: string, file: string): string | undefined {
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
  return emptied ? cut(prevStart, end) : cut(start, end);
}

/** endsInBlankLine: the text ends in a line of spaces or tabs (then only line breaks). */
function endsInBlankLine(s: string): boolean {
  let e = s.length;
  while (e > 0 && /\s/.test(s[e - 1]!)) e--;
  return /\n[ \t]/.test(s.slice(e));
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
