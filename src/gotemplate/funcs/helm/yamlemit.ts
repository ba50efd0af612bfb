/**
 * yamlemit: the block-style YAML emitter of go-yaml (libyaml's emitter as ported to Go), for the
 * node trees our marshallers build. It reproduces the byte-exact choices Helm users see in
 * `toYaml` (go-yaml v2 through sigs.k8s.io/yaml) and `toYamlPretty` (go-yaml v3, indent 2):
 * scalar style fallback (plain → single → double quoted, literal → double quoted), line folding
 * at the best width, indentless sequences under mapping keys (v2), simple versus `?` keys,
 * `{}`/`[]` for empty collections, and the escapes of double-quoted scalars.
 *
 * Strings are walked by code point; `column` counts code points like libyaml's `write`, and the
 * 128-byte simple-key limit counts UTF-8 bytes.
 */

import { toCodePoints } from './yamlparse.js';

/** ScalarStyle is the style the marshaller asks for; the emitter may fall back to a quoted one. */
export type ScalarStyle = 'plain' | 'double' | 'literal';

/** YNode is one node of the tree to emit. Keys are scalars. */
export type YNode =
  | { kind: 'scalar'; value: string; style: ScalarStyle }
  | { kind: 'seq'; items: YNode[] }
  | { kind: 'map'; pairs: Array<[YNode & { kind: 'scalar' }, YNode]> };

/** EmitterOptions picks the go-yaml flavour. */
export interface EmitterOptions {
  /** v3 indents sequences under mapping keys and aligns nested collections to the indent. */
  v3: boolean;
  bestIndent: number;
  /** bestWidth is where long scalars are folded; Infinity never folds (go-yaml v3's default). */
  bestWidth: number;
}

interface ScalarAnalysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isBreakCp = (c: number) => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
const isBlankzCp = (c: number | undefined) => c === undefined || c === 0x20 || c === 0x09 || isBreakCp(c) || c === 0;
/** isPrintableCp is go-yaml's is_printable, on code points instead of UTF-8 bytes. */
export const isPrintableCp = (c: number) =>
  c === 0x0a ||
  (c >= 0x20 && c <= 0x7e) ||
  (c >= 0xa0 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);

const codePoints = toCodePoints;

function utf8Len(cps: number[]): number {
  let n = 0;
  for (const c of cps) n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  return n;
}

/** analyzeScalar is yaml_emitter_analyze_scalar: which styles can carry the value. */
function analyzeScalar(v: number[], v3: boolean): ScalarAnalysis {
  if (v.length === 0) {
    return { multiline: false, flowPlainAllowed: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let tabCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  const dash = 0x2d;
  const dot = 0x2e;
  if (
    v.length >= 3 &&
    ((v[0] === dash && v[1] === dash && v[2] === dash) || (v[0] === dot && v[1] === dot && v[2] === dot))
  ) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let followedByWhitespace = isBlankzCp(v[1]);
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      switch (ch) {
        case '#':
        case ',':
        case '[':
        case ']':
        case '{':
        case '}':
        case '&':
        case '*':
        case '!':
        case '|':
        case '>':
        case "'":
        case '"':
        case '%':
        case '@':
        case '`':
          flowIndicators = true;
          blockIndicators = true;
          break;
        case '?':
        case ':':
          flowIndicators = true;
          if (followedByWhitespace) blockIndicators = true;
          break;
        case '-':
          if (followedByWhitespace) {
            flowIndicators = true;
            blockIndicators = true;
          }
          break;
      }
    } else {
      switch (ch) {
        case ',':
        case '?':
        case '[':
        case ']':
        case '{':
        case '}':
          flowIndicators = true;
          break;
        case ':':
          flowIndicators = true;
          if (followedByWhitespace) blockIndicators = true;
          break;
        case '#':
          if (precededByWhitespace) {
            flowIndicators = true;
            blockIndicators = true;
          }
          break;
      }
    }
    // go-yaml v3 tells tabs apart: they rule out plain and single-quoted styles but not literal.
    if (v3 && c === 0x09) tabCharacters = true;
    else if (!isPrintableCp(c)) specialCharacters = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === v.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreakCp(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === v.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankzCp(c);
    if (i + 1 < v.length) followedByWhitespace = isBlankzCp(v[i + 2]);
  }
  const a: ScalarAnalysis = {
    multiline: lineBreaks,
    flowPlainAllowed: true,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || tabCharacters || specialCharacters) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) a.blockAllowed = false;
  if (lineBreaks) {
    a.flowPlainAllowed = false;
    a.blockPlainAllowed = false;
  }
  if (flowIndicators) a.flowPlainAllowed = false;
  if (blockIndicators) a.blockPlainAllowed = false;
  return a;
}

type ParentState = 'root' | 'seqItem' | 'mapKey' | 'mapValue';

const HEXU = '0123456789ABCDEF';

/**
 * Emitter writes one document. It is a direct transcription of libyaml's emitter states for block
 * collections, without the event queue (our trees are complete before emitting).
 */
class Emitter {
  private out: string[] = [];
  private column = 0;
  private indent = -1;
  private indents: number[] = [];
  private whitespace = true;
  private indention = true;
  private openEnded = false;
  private flowLevel = 0;
  private mappingContext = false;
  private simpleKeyContext = false;

  constructor(private readonly o: EmitterOptions) {}

  document(root: YNode): string {
    this.node(root, { mapping: false, simpleKey: false }, 'root');
    this.writeIndent();
    if (this.openEnded) {
      this.writeIndicator('...', true, false, false);
      this.writeIndent();
    }
    return this.out.join('');
  }

  private put(s: string): void {
    this.out.push(s);
    this.column++;
  }
  private putBreak(): void {
    this.out.push('\n');
    this.column = 0;
  }
  private writeCp(c: number): void {
    this.out.push(String.fromCodePoint(c));
    this.column++;
  }
  private writeIndicator(ind: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.out.push(ind);
    this.column += ind.length;
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
    this.openEnded = false;
  }
  private writeIndent(): void {
    const indent = this.indent >= 0 ? this.indent : 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }
  private increaseIndent(flow: boolean, indentless: boolean, parent: ParentState): void {
    this.indents.push(this.indent);
    if (this.indent < 0) {
      this.indent = flow ? this.o.bestIndent : 0;
    } else if (!indentless) {
      if (this.o.v3) {
        // go-yaml v3: the first indent inside a sequence skips the "- " indicator, everything
        // else aligns to a multiple of the indent.
        if (parent === 'seqItem') this.indent += 2;
        else this.indent = this.o.bestIndent * Math.floor((this.indent + this.o.bestIndent) / this.o.bestIndent);
      } else {
        this.indent += this.o.bestIndent;
      }
    }
  }
  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }

  private node(n: YNode, ctx: { mapping: boolean; simpleKey: boolean }, parent: ParentState): void {
    this.mappingContext = ctx.mapping;
    this.simpleKeyContext = ctx.simpleKey;
    switch (n.kind) {
      case 'scalar':
        this.scalar(n, parent);
        return;
      case 'seq':
        if (this.flowLevel > 0 || n.items.length === 0) this.emptyFlow('[', ']', parent);
        else this.blockSequence(n.items, parent);
        return;
      case 'map':
        if (this.flowLevel > 0 || n.pairs.length === 0) this.emptyFlow('{', '}', parent);
        else this.blockMapping(n.pairs, parent);
        return;
    }
  }

  private emptyFlow(open: string, close: string, parent: ParentState): void {
    this.writeIndicator(open, true, true, false);
    this.increaseIndent(true, false, parent);
    this.flowLevel++;
    this.flowLevel--;
    this.popIndent();
    this.writeIndicator(close, false, false, false);
  }

  private blockSequence(items: YNode[], parent: ParentState): void {
    const indentless = this.o.v3 ? false : this.mappingContext && !this.indention;
    this.increaseIndent(false, indentless, parent);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, { mapping: false, simpleKey: false }, 'seqItem');
    }
    this.popIndent();
  }

  private blockMapping(pairs: Array<[YNode & { kind: 'scalar' }, YNode]>, parent: ParentState): void {
    this.increaseIndent(false, false, parent);
    for (const [k, v] of pairs) {
      this.writeIndent();
      const kc = codePoints(k.value);
      if (this.checkSimpleKey(kc)) {
        this.node(k, { mapping: true, simpleKey: true }, 'mapKey');
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(k, { mapping: true, simpleKey: false }, 'mapValue');
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(v, { mapping: true, simpleKey: false }, 'mapKey');
    }
    this.popIndent();
  }

  private checkSimpleKey(v: number[]): boolean {
    if (v.some(isBreakCp)) return false;
    return utf8Len(v) <= 128;
  }

  private scalar(n: YNode & { kind: 'scalar' }, parent: ParentState): void {
    const v = codePoints(n.value);
    const a = analyzeScalar(v, this.o.v3);
    let style = n.style as ScalarStyle | 'single';
    if (this.simpleKeyContext && a.multiline) style = 'double';
    if (style === 'plain') {
      if ((this.flowLevel > 0 && !a.flowPlainAllowed) || (this.flowLevel === 0 && !a.blockPlainAllowed)) style = 'single';
      if (v.length === 0 && (this.flowLevel > 0 || this.simpleKeyContext)) style = 'single';
    }
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || this.flowLevel > 0 || this.simpleKeyContext)) style = 'double';

    this.increaseIndent(true, false, parent);
    const allowBreaks = !this.simpleKeyContext;
    switch (style) {
      case 'plain':
        this.writePlain(v, allowBreaks);
        break;
      case 'single':
        this.writeSingle(v, allowBreaks);
        break;
      case 'double':
        this.writeDouble(v, allowBreaks);
        break;
      case 'literal':
        this.writeLiteral(v);
        break;
    }
    this.popIndent();
  }

  private writePlain(v: number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > this.o.bestWidth && v[i + 1] !== 0x20) {
          this.writeIndent();
        } else {
          this.writeCp(c);
        }
        spaces = true;
      } else {
        this.writeCp(c);
        this.indention = false;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingle(v: number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > this.o.bestWidth && i !== 0 && i !== v.length - 1 && v[i + 1] !== 0x20) {
          this.writeIndent();
        } else {
          this.writeCp(c);
        }
        spaces = true;
      } else if (isBreakCp(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeCp(c);
        if (c === 0x27) this.put("'");
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
  }

  private writeBreak(c: number): void {
    if (c === 0x0a) {
      this.putBreak();
    } else {
      this.out.push(String.fromCodePoint(c));
      this.column = 0;
    }
  }

  private writeDouble(v: number[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    let spaces = false;
    // go-yaml's is_bom looks at the first bytes of the value whatever the index, so a value that
    // starts with a BOM has every character escaped.
    const bom = v[0] === 0xfeff;
    for (let i = 0; i < v.length; i++) {
      const c = v[i];
      if (bom || !isPrintableCp(c) || isBreakCp(c) || c === 0x22 || c === 0x5c) {
        this.put('\\');
        let e: string;
        switch (c) {
          case 0x00:
            e = '0';
            break;
          case 0x07:
            e = 'a';
            break;
          case 0x08:
            e = 'b';
            break;
          case 0x09:
            e = 't';
            break;
          case 0x0a:
            e = 'n';
            break;
          case 0x0b:
            e = 'v';
            break;
          case 0x0c:
            e = 'f';
            break;
          case 0x0d:
            e = 'r';
            break;
          case 0x1b:
            e = 'e';
            break;
          case 0x22:
            e = '"';
            break;
          case 0x5c:
            e = '\\';
            break;
          case 0x85:
            e = 'N';
            break;
          case 0xa0:
            e = '_';
            break;
          case 0x2028:
            e = 'L';
            break;
          case 0x2029:
            e = 'P';
            break;
          default: {
            const [p, w] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
            let h = '';
            for (let k = (w as number) - 1; k >= 0; k--) h += HEXU[(c >>> (4 * k)) & 0xf];
            e = (p as string) + h;
          }
        }
        for (const ch of e) this.put(ch);
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > this.o.bestWidth && i !== 0 && i !== v.length - 1) {
          this.writeIndent();
          if (v[i + 1] === 0x20) this.put('\\');
        } else {
          this.writeCp(c);
        }
        spaces = true;
      } else {
        this.writeCp(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
  }

  private writeLiteral(v: number[]): void {
    this.writeIndicator('|', true, false, false);
    // block scalar hints: indentation indicator and chomping
    if (v.length > 0 && (v[0] === 0x20 || isBreakCp(v[0]))) {
      this.writeIndicator(String(this.o.bestIndent), false, false, false);
    }
    this.openEnded = false;
    let chomp = '';
    if (v.length === 0 || !isBreakCp(v[v.length - 1])) {
      chomp = '-';
    } else if (v.length === 1) {
      chomp = '+';
      this.openEnded = true;
    } else if (isBreakCp(v[v.length - 2])) {
      chomp = '+';
      this.openEnded = true;
    }
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of v) {
      if (isBreakCp(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) {
          this.writeIndent();
          breaks = false;
        }
        this.writeCp(c);
        this.indention = false;
      }
    }
  }
}

/** emitYaml writes one YAML document for the tree, ending in a newline, as go-yaml's Marshal does. */
export function emitYaml(root: YNode, opts: EmitterOptions): string {
  return new Emitter(opts).document(root);
}
