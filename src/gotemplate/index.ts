/**
 * gotemplate: Go's text/template in TypeScript, behaving as Helm 4 (Go 1.25) runs it.
 *
 * A {@link TemplateSet} is Go's template.Template with its associated templates: parse files into
 * it (their {{define}}s join the set, a later definition replaces an earlier one), then execute
 * any template by name. Parsing happens once; each tree is compiled into closures on its first
 * execution and reused by every later execution and by clones of the set (as `tpl` makes).
 *
 * @example
 *   const set = new TemplateSet(helmFuncMap(), { missingKey: 'zero' });
 *   set.parse('x/templates/cm.yaml', 'name: {{ .Release.Name | quote }}');
 *   set.execute('x/templates/cm.yaml', top); // 'name: "rel"'
 */
import { BUILTINS } from './builtins.js';
import { TemplateError } from './errors.js';
import {
  State,
  compileTree,
  funcLookup,
  type Compiled,
  type ExecFunc,
  type MissingKey,
  type RenderContext,
  type Runtime,
} from './exec.js';
import { goQuote } from './lexer.js';
import { ParseError, isEmptyTree, parseTemplate, type ParseResult, type Tree } from './parse.js';
import type { FuncMap, Value } from './value.js';

/** TemplateSetOptions are Go's template options plus the set's own name. */
export interface TemplateSetOptions {
  /** missingKey: Go's missingkey option; Helm uses 'zero', or 'error' in strict mode. */
  missingKey?: MissingKey;
  /** name: the set's root template name, shown in "no template" errors (Helm's is "gotpl"). */
  name?: string;
}

/** MAX_TPL_CACHE bounds the parse cache that `tpl` calls share (one entry per distinct text). */
const MAX_TPL_CACHE = 512;

/** Family is what a set shares with its clones: functions, compiled trees, the tpl parse cache. */
interface Family {
  readonly funcs: FuncMap;
  readonly lookup: (name: string) => ExecFunc | undefined;
  readonly compiled: WeakMap<Tree, Compiled>;
  readonly parseCache: Map<string, ParseResult | ParseError>;
}

/** TemplateSet is a set of named templates sharing functions and options (Go's *template.Template). */
export class TemplateSet implements Runtime {
  readonly missingKey: MissingKey;
  readonly name: string;
  private readonly family: Family;
  private readonly trees: Map<string, Tree>;

  constructor(funcs: FuncMap, opts: TemplateSetOptions = {}) {
    this.missingKey = opts.missingKey ?? 'default';
    this.name = opts.name ?? 'gotpl';
    this.family = {
      funcs,
      lookup: funcLookup(BUILTINS, funcs),
      compiled: new WeakMap(),
      parseCache: new Map(),
    };
    this.trees = new Map();
  }

  /**
   * parse compiles template text under `name` (Go's t.New(name).Parse(text)): its {{define}}s are
   * added to the set; a later definition of a name replaces the earlier one, but an empty one
   * never replaces a non-empty one. Throws TemplateError with Go's message.
   */
  parse(name: string, text: string): void {
    this.addTrees(this.parseText(name, text, false));
  }

  /** has reports whether the set holds a template of that name. */
  has(name: string): boolean {
    return this.trees.has(name);
  }

  /** templateNames lists the set's templates (unordered). */
  templateNames(): string[] {
    return [...this.trees.keys()];
  }

  /** execute runs the named template with `data` as dot and returns the output. Throws TemplateError. */
  execute(name: string, data: Value): string {
    return this.executeIn(name, data, { includeDepth: new Map() });
  }

  /**
   * executeIn runs a template within an ongoing render (include and tpl share Helm's include
   * recursion count with their caller).
   */
  executeIn(name: string, data: Value, render: RenderContext): string {
    const tmpl = this.lookupTemplate(name);
    if (tmpl === undefined) {
      const message = `template: no template ${goQuote(name)} associated with template ${goQuote(this.name)}`;
      throw new TemplateError({ kind: 'exec', message, templateName: name, detail: message });
    }
    const s = new State(this, name, 0, render);
    tmpl.run(s, data);
    return s.out;
  }

  /** clone copies the set: templates parsed into the clone stay out of the original (Go's Clone). */
  clone(): TemplateSet {
    const c = Object.create(TemplateSet.prototype) as TemplateSet;
    (c as { missingKey: MissingKey }).missingKey = this.missingKey;
    (c as { name: string }).name = this.name;
    (c as unknown as { family: Family }).family = this.family;
    (c as unknown as { trees: Map<string, Tree> }).trees = new Map(this.trees);
    return c;
  }

  /**
   * parseShared parses like {@link parse} but through the family's cache, for `tpl`, whose texts
   * repeat on every render.
   */
  parseShared(name: string, text: string): void {
    this.addTrees(this.parseText(name, text, true));
  }

  /** lookupTemplate finds a template and compiles it on first use. */
  lookupTemplate(name: string): Compiled | undefined {
    const tree = this.trees.get(name);
    if (tree === undefined) return undefined;
    let c = this.family.compiled.get(tree);
    if (c === undefined) {
      c = compileTree(tree, this.family.lookup);
      this.family.compiled.set(tree, c);
    }
    return c;
  }

  private parseText(name: string, text: string, cached: boolean): ParseResult {
    const key = name + '\u0000' + text;
    if (cached) {
      const hit = this.family.parseCache.get(key);
      if (hit instanceof ParseError) throw toTemplateError(hit);
      if (hit !== undefined) return hit;
    }
    let r: ParseResult;
    try {
      r = parseTemplate(name, text, (f) => this.family.lookup(f) !== undefined);
    } catch (e) {
      if (e instanceof ParseError) {
        if (cached) this.remember(key, e);
        throw toTemplateError(e);
      }
      throw e;
    }
    if (cached) this.remember(key, r);
    return r;
  }

  private remember(key: string, v: ParseResult | ParseError): void {
    const cache = this.family.parseCache;
    if (cache.size >= MAX_TPL_CACHE) cache.delete(cache.keys().next().value as string);
    cache.set(key, v);
  }

  private addTrees(r: ParseResult): void {
    for (const n of r.order) {
      const tree = r.trees.get(n)!;
      const old = this.trees.get(n);
      // If a template by that name exists, don't replace it with an empty template.
      if (old !== undefined && isEmptyTree(tree.root)) continue;
      this.trees.set(n, tree);
    }
  }
}

function toTemplateError(e: ParseError): TemplateError {
  const detail = e.message.slice(`template: ${e.templateName}:${e.line}: `.length);
  return new TemplateError({
    kind: 'parse',
    message: e.message,
    templateName: e.templateName,
    location: `${e.templateName}:${e.line}`,
    line: e.line,
    detail,
    cause: e,
  });
}

export { TemplateError, formatHelmRenderError, warnWrap } from './errors.js';
export { MAX_EXEC_DEPTH, type CallContext, type MissingKey } from './exec.js';
