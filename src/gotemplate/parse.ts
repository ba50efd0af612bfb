/**
 * parse: builds the immutable syntax tree of a Go template, as text/template/parse does.
 *
 * One method per grammar rule, each with its grammar above it. A parse yields one {@link Tree}
 * per template: the top-level text plus one per {{define}} and {{block}}. Errors are thrown as
 * {@link ParseError} with Go's text: `template: NAME:LINE: MESSAGE`.
 */
import { Item as ItemEnum, lex, goQuote, type Token } from './lexer.js';

// A module-local alias: token types are read in every parser step, and an imported binding can
// cost a getter call per read under module loaders that emulate live bindings.
const Item = ItemEnum;
type Item = ItemEnum;

/** Tree is one parsed template: its name, the name of the file it came from, and its body. */
export class Tree {
  root!: ListNode;
  constructor(
    public name: string,
    /** parseName is the top-level template being parsed (the file), as Go's Tree.ParseName. */
    readonly parseName: string,
    /** text is the whole source the tree came from, for error positions. */
    readonly text: string,
  ) {}

  /** location is Go's ErrorContext location of a node: `FILE:LINE:COL` with a byte column. */
  location(pos: number): string {
    const text = this.text;
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < pos; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    // Go's column: the byte offset within the line, except on the first line, where it is the
    // byte offset itself (both are the same number).
    const col = utf8Len(text, lineStart, pos);
    return `${this.parseName}:${line}:${col}`;
  }
}

function utf8Len(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n++;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** ParseError is a template syntax error, with Go's message in `message`. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly templateName: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}

function defineKind(cls: { prototype: object }, kind: string): void {
  Object.defineProperty(cls.prototype, 'kind', { value: kind, writable: false, enumerable: true });
}

abstract class BaseNode {
  declare readonly kind: string;
  // Fields are declared, not initialized: class field definitions cost more than assignments.
  declare readonly tree: Tree;
  declare readonly pos: number;
  constructor(tree: Tree, pos: number) {
    this.tree = tree;
    this.pos = pos;
  }
  abstract toString(): string;
}

export class ListNode extends BaseNode {
  declare readonly kind: 'list';
  declare readonly nodes: Node[];
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.nodes = [];
  }
  toString(): string {
    return this.nodes.map(String).join('');
  }
}
export class TextNode extends BaseNode {
  declare readonly kind: 'text';
  declare readonly text: string;
  constructor(tree: Tree, pos: number, text: string) {
    super(tree, pos);
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}
export class CommentNode extends BaseNode {
  declare readonly kind: 'comment';
  declare readonly text: string;
  constructor(tree: Tree, pos: number, text: string) {
    super(tree, pos);
    this.text = text;
  }
  toString(): string {
    return `{{${this.text}}}`;
  }
}
export class PipeNode extends BaseNode {
  declare readonly kind: 'pipe';
  declare isAssign: boolean;
  declare readonly decl: VariableNode[];
  declare readonly cmds: CommandNode[];
  declare readonly line: number;
  constructor(tree: Tree, pos: number, line: number) {
    super(tree, pos);
    this.line = line;
    this.isAssign = false;
    this.decl = [];
    this.cmds = [];
  }
  toString(): string {
    let s = '';
    if (this.decl.length > 0) {
      s = this.decl.map(String).join(', ') + (this.isAssign ? ' = ' : ' := ');
    }
    return s + this.cmds.map(String).join(' | ');
  }
}
export class ActionNode extends BaseNode {
  declare readonly kind: 'action';
  declare readonly line: number;
  declare readonly pipe: PipeNode;
  constructor(tree: Tree, pos: number, line: number, pipe: PipeNode) {
    super(tree, pos);
    this.line = line;
    this.pipe = pipe;
  }
  toString(): string {
    return `{{${this.pipe}}}`;
  }
}
export class CommandNode extends BaseNode {
  declare readonly kind: 'command';
  declare readonly args: Node[];
  constructor(tree: Tree, pos: number) {
    super(tree, pos);
    this.args = [];
  }
  toString(): string {
    return this.args.map((a) => (a.kind === 'pipe' ? `(${a})` : String(a))).join(' ');
  }
}
export class IdentifierNode extends BaseNode {
  declare readonly kind: 'identifier';
  declare readonly ident: string;
  constructor(tree: Tree, pos: number, ident: string) {
    super(tree, pos);
    this.ident = ident;
  }
  toString(): string {
    return this.ident;
  }
}
export class VariableNode extends BaseNode {
  declare readonly kind: 'variable';
  declare readonly ident: string[];
  constructor(tree: Tree, pos: number, ident: string) {
    super(tree, pos);
    this.ident = ident.split('.');
  }
  toString(): string {
    return this.ident.join('.');
  }
}
export class DotNode extends BaseNode {
  declare readonly kind: 'dot';
  toString(): string {
    return '.';
  }
}
export class NilNode extends BaseNode {
  declare readonly kind: 'nil';
  toString(): string {
    return 'nil';
  }
}
export class FieldNode extends BaseNode {
  declare readonly kind: 'field';
  declare readonly ident: string[];
  constructor(tree: Tree, pos: number, ident: string) {
    super(tree, pos);
    this.ident = ident.slice(1).split('.'); // ".a.b" -> ["a", "b"]
  }
  toString(): string {
    return '.' + this.ident.join('.');
  }
}
export class ChainNode extends BaseNode {
  declare readonly kind: 'chain';
  declare readonly field: string[];
  declare readonly node: Node;
  constructor(tree: Tree, pos: number, node: Node) {
    super(tree, pos);
    this.node = node;
    this.field = [];
  }
  add(field: string): void {
    if (field.length === 0 || field[0] !== '.') throw new Error('no dot in field');
    this.field.push(field.slice(1));
  }
  toString(): string {
    const s = this.node.kind === 'pipe' ? `(${this.node})` : String(this.node);
    return s + this.field.map((f) => '.' + f).join('');
  }
}
export class BoolNode extends BaseNode {
  declare readonly kind: 'bool';
  declare readonly value: boolean;
  constructor(tree: Tree, pos: number, value: boolean) {
    super(tree, pos);
    this.value = value;
  }
  toString(): string {
    return this.value ? 'true' : 'false';
  }
}
export class NumberNode extends BaseNode {
  declare readonly kind: 'number';
  declare isInt: boolean;
  declare isUint: boolean;
  declare isFloat: boolean;
  declare isComplex: boolean;
  declare int64: bigint;
  declare uint64: bigint;
  declare float64: number;
  /** complex: [real, imag] when isComplex. */
  declare complex: [number, number];
  declare readonly text: string;
  constructor(tree: Tree, pos: number, text: string) {
    super(tree, pos);
    this.text = text;
    this.isInt = this.isUint = this.isFloat = this.isComplex = false;
    this.int64 = this.uint64 = 0n;
    this.float64 = 0;
    this.complex = [0, 0];
  }
  toString(): string {
    return this.text;
  }
}
export class StringNode extends BaseNode {
  declare readonly kind: 'string';
  declare readonly quoted: string;
  declare readonly text: string;
  constructor(tree: Tree, pos: number, quoted: string, text: string) {
    super(tree, pos);
    this.quoted = quoted;
    this.text = text;
  }
  toString(): string {
    return this.quoted;
  }
}
abstract class BranchBase extends BaseNode {
  declare readonly line: number;
  declare readonly pipe: PipeNode;
  declare readonly list: ListNode;
  declare readonly elseList: ListNode | null;
  constructor(tree: Tree, pos: number, line: number, pipe: PipeNode, list: ListNode, elseList: ListNode | null) {
    super(tree, pos);
    this.line = line;
    this.pipe = pipe;
    this.list = list;
    this.elseList = elseList;
  }
  protected branchString(name: string): string {
    if (this.elseList) return `{{${name} ${this.pipe}}}${this.list}{{else}}${this.elseList}{{end}}`;
    return `{{${name} ${this.pipe}}}${this.list}{{end}}`;
  }
}
export class IfNode extends BranchBase {
  declare readonly kind: 'if';
  toString(): string {
    return this.branchString('if');
  }
}
export class RangeNode extends BranchBase {
  declare readonly kind: 'range';
  toString(): string {
    return this.branchString('range');
  }
}
export class WithNode extends BranchBase {
  declare readonly kind: 'with';
  toString(): string {
    return this.branchString('with');
  }
}
export class BreakNode extends BaseNode {
  declare readonly kind: 'break';
  toString(): string {
    return '{{break}}';
  }
}
export class ContinueNode extends BaseNode {
  declare readonly kind: 'continue';
  toString(): string {
    return '{{continue}}';
  }
}
export class TemplateNode extends BaseNode {
  declare readonly kind: 'template';
  declare readonly line: number;
  declare readonly name: string;
  declare readonly pipe: PipeNode | null;
  constructor(tree: Tree, pos: number, line: number, name: string, pipe: PipeNode | null) {
    super(tree, pos);
    this.line = line;
    this.name = name;
    this.pipe = pipe;
  }
  toString(): string {
    if (this.pipe === null) return `{{template ${goQuote(this.name)}}}`;
    return `{{template ${goQuote(this.name)} ${this.pipe}}}`;
  }
}
class EndNode extends BaseNode {
  declare readonly kind: 'end';
  toString(): string {
    return '{{end}}';
  }
}
class ElseNode extends BaseNode {
  declare readonly kind: 'else';
  toString(): string {
    return '{{else}}';
  }
}

// The node kind lives on the prototype: one property store less per node.
defineKind(ListNode, 'list');
defineKind(TextNode, 'text');
defineKind(CommentNode, 'comment');
defineKind(PipeNode, 'pipe');
defineKind(ActionNode, 'action');
defineKind(CommandNode, 'command');
defineKind(IdentifierNode, 'identifier');
defineKind(VariableNode, 'variable');
defineKind(DotNode, 'dot');
defineKind(NilNode, 'nil');
defineKind(FieldNode, 'field');
defineKind(ChainNode, 'chain');
defineKind(BoolNode, 'bool');
defineKind(NumberNode, 'number');
defineKind(StringNode, 'string');
defineKind(IfNode, 'if');
defineKind(RangeNode, 'range');
defineKind(WithNode, 'with');
defineKind(BreakNode, 'break');
defineKind(ContinueNode, 'continue');
defineKind(TemplateNode, 'template');
defineKind(EndNode, 'end');
defineKind(ElseNode, 'else');

/** Node is any node of a parsed template. */
export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | PipeNode
  | ActionNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | IfNode
  | RangeNode
  | WithNode
  | BreakNode
  | ContinueNode
  | TemplateNode
  | EndNode
  | ElseNode;

/** isEmptyTree reports whether a tree has only whitespace text and comments (Go's IsEmptyTree). */
export function isEmptyTree(n: Node): boolean {
  switch (n.kind) {
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim().length === 0;
    case 'comment':
      return true;
    default:
      return false;
  }
}

/**
 * Parser reads one template source. Trees share the token stream: a {{define}} is parsed by a
 * child tree from where the parent stands, as Go does.
 */
class Parser {
  private readonly tokens: Token[];
  private i = 0;
  /** furthest is the index of the furthest token read: Go reports errors at its line. */
  private furthest = 0;
  /** treeSet collects the trees of this parse, by name, as Go's treeSet. */
  readonly treeSet = new Map<string, Tree>();
  /** order: names of trees in the order they were added. */
  readonly order: string[] = [];
  private tree!: Tree;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;

  constructor(
    readonly parseName: string,
    readonly text: string,
    readonly hasFunction: (name: string) => boolean,
  ) {
    this.tokens = lex(parseName, text);
  }

  // --- token primitives ---

  private next(): Token {
    const t = this.tokens[this.i];
    if (this.i > this.furthest) this.furthest = this.i;
    if (this.i < this.tokens.length - 1) this.i++;
    else this.i = this.tokens.length; // stay past the end: the last token is EOF or error
    return t ?? this.tokens[this.tokens.length - 1];
  }
  private backup(n = 1): void {
    this.i -= n;
  }
  private peek(): Token {
    const t = this.next();
    this.backup();
    return t;
  }
  private nextNonSpace(): Token {
    let t: Token;
    for (;;) {
      t = this.next();
      if (t.typ !== Item.Space) break;
    }
    return t;
  }
  /** peekNonSpace skips spaces (they stay consumed, as in Go) and peeks at the next token. */
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  // --- errors ---

  private errorf(msg: string): never {
    const tok = this.tokens[Math.min(this.furthest, this.tokens.length - 1)];
    const line = tok ? tok.line : 1;
    throw new ParseError(`template: ${this.parseName}:${line}: ${msg}`, this.parseName, line);
  }
  private expect(expected: Item, context: string): Token {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }
  private expectOneOf(a: Item, b: Item, context: string): Token {
    const token = this.nextNonSpace();
    if (token.typ !== a && token.typ !== b) this.unexpected(token, context);
    return token;
  }
  private unexpected(token: Token, context: string): never {
    if (token.typ === Item.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${token.val}${extra}`);
    }
    this.errorf(`unexpected ${tokenString(token)} in ${context}`);
  }

  // --- grammar ---

  /** parse is the top level: (text | action | comment | define)* EOF */
  parse(): void {
    this.startTree(this.parseName);
    const top = this.tree;
    top.root = new ListNode(top, this.peek().pos);
    while (this.peek().typ !== Item.EOF) {
      if (this.peek().typ === Item.LeftDelim) {
        const at = this.i;
        this.next();
        if (this.nextNonSpace().typ === Item.Define) {
          const topVars = this.vars;
          this.startTree('definition');
          this.parseDefinition();
          this.tree = top;
          this.vars = topVars;
          continue;
        }
        this.i = at;
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.errorf(`unexpected ${n}`);
      top.root.nodes.push(n);
    }
    this.add(top);
  }

  private startTree(name: string): void {
    this.tree = new Tree(name, this.parseName, this.text);
    this.vars = ['$'];
  }

  /** add records a finished tree; Go rejects two non-empty definitions in one parse. */
  private add(tree: Tree): void {
    const old = this.treeSet.get(tree.name);
    if (old === undefined || isEmptyTree(old.root)) {
      if (old === undefined) this.order.push(tree.name);
      this.treeSet.set(tree.name, tree);
      return;
    }
    if (!isEmptyTree(tree.root)) this.errorf(`template: multiple definition of template ${goQuote(tree.name)}`);
  }

  /**
   * parseDefinition parses a {{define}} ...  {{end}} template definition. The "define" keyword has
   * already been scanned.
   *   define: '{{' 'define' string '}}' itemList '{{' 'end' '}}'
   */
  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf(Item.String, Item.RawString, context);
    this.tree.name = this.unquote(name.val);
    this.expect(Item.RightDelim, context);
    const [list, end] = this.itemList();
    this.tree.root = list;
    if (end.kind !== 'end') this.errorf(`unexpected ${end} in ${context}`);
    this.add(this.tree);
  }

  /**
   * itemList:
   *   textOrAction*
   * Terminates at {{end}} or {{else}}, returned separately.
   */
  private itemList(): [ListNode, Node] {
    const list = new ListNode(this.tree, this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== Item.EOF) {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  /**
   * textOrAction:
   *   text | comment | action
   */
  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case Item.Text:
        return new TextNode(this.tree, token.pos, token.val);
      case Item.LeftDelim: {
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      case Item.Comment:
        return new CommentNode(this.tree, token.pos, token.val);
    }
    this.unexpected(token, 'input');
  }

  /**
   * action:
   *   control
   *   command ("|" command)*
   * Left delim is past. Now get actions. First word could be a keyword such as range.
   */
  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case Item.Block:
        return this.blockControl();
      case Item.Break:
        return this.breakControl(token.pos);
      case Item.Continue:
        return this.continueControl(token.pos);
      case Item.Else:
        return this.elseControl();
      case Item.End:
        return this.endControl();
      case Item.If:
        return this.ifControl();
      case Item.Range:
        return this.rangeControl();
      case Item.Template:
        return this.templateControl();
      case Item.With:
        return this.withControl();
    }
    this.backup();
    const t = this.peek();
    // Do not pop variables; they persist until "end".
    return new ActionNode(this.tree, t.pos, t.line, this.pipeline('command', Item.RightDelim));
  }

  /**
   * breakControl:
   *   {{break}}
   * Break keyword is past.
   */
  private breakControl(pos: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== Item.RightDelim) this.unexpected(token, '{{break}}');
    if (this.rangeDepth === 0) this.errorf('{{break}} outside {{range}}');
    return new BreakNode(this.tree, pos);
  }

  /**
   * continueControl:
   *   {{continue}}
   * Continue keyword is past.
   */
  private continueControl(pos: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== Item.RightDelim) this.unexpected(token, '{{continue}}');
    if (this.rangeDepth === 0) this.errorf('{{continue}} outside {{range}}');
    return new ContinueNode(this.tree, pos);
  }

  /**
   * pipeline:
   *   declarations? command ('|' command)*
   */
  private pipeline(context: string, end: Item): PipeNode {
    let token = this.peekNonSpace();
    const pipe = new PipeNode(this.tree, token.pos, token.line);
    // Are there declarations or assignments?
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== Item.Variable) break;
      const before = this.i;
      this.nextNonSpace();
      // Since space is a token, we need 3-token look-ahead here in the worst case: in "$x foo" we
      // need to read "foo" (as opposed to ":=") to know that $x is an argument variable rather
      // than a declaration.
      const next = this.peekNonSpace();
      if (next.typ === Item.Assign || next.typ === Item.Declare) {
        pipe.isAssign = next.typ === Item.Assign;
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(this.tree, v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.typ === Item.Char && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(this.tree, v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === Item.Variable || p === Item.RightDelim || p === Item.RightParen) {
            // second initialized variable in a range pipeline
            continue decls;
          }
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else {
        this.i = before;
      }
      break;
    }
    for (;;) {
      token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          // At this point, the pipeline is complete
          this.checkPipeline(pipe, context);
          return pipe;
        case Item.Bool:
        case Item.CharConstant:
        case Item.Complex:
        case Item.Dot:
        case Item.Field:
        case Item.Identifier:
        case Item.Number:
        case Item.Nil:
        case Item.RawString:
        case Item.String:
        case Item.Variable:
        case Item.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    // Reject empty pipelines
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    // Only the first command of a pipeline can start with a non executable operand
    for (let i = 1; i < pipe.cmds.length; i++) {
      switch (pipe.cmds[i].args[0].kind) {
        case 'bool':
        case 'dot':
        case 'nil':
        case 'number':
        case 'string':
          // With A|B|C, pipeline stage 2 is B
          this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private parseControl(context: string): [number, number, PipeNode, ListNode, ListNode | null] {
    const nvars = this.vars.length;
    try {
      const pipe = this.pipeline(context, Item.RightDelim);
      if (context === 'range') this.rangeDepth++;
      const [list, first] = this.itemList();
      let next = first;
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.kind === 'else') {
        // Special case for "else if" and "else with": {{if a}}_{{else if b}}_{{end}} is
        // {{if a}}_{{else}}{{if b}}_{{end}}{{end}}.
        if (context === 'if' && this.peek().typ === Item.If) {
          this.next(); // Consume the "if" token.
          elseList = new ListNode(this.tree, next.pos);
          elseList.nodes.push(this.ifControl());
        } else if (context === 'with' && this.peek().typ === Item.With) {
          this.next();
          elseList = new ListNode(this.tree, next.pos);
          elseList.nodes.push(this.withControl());
        } else {
          [elseList, next] = this.itemList();
          if (next.kind !== 'end') this.errorf(`expected end; found ${next}`);
        }
      }
      return [pipe.pos, pipe.line, pipe, list, elseList];
    } finally {
      this.vars.length = nvars;
    }
  }

  /**
   * ifControl:
   *   {{if pipeline}} itemList {{end}}
   *   {{if pipeline}} itemList {{else}} itemList {{end}}
   * If keyword is past.
   */
  private ifControl(): Node {
    const [pos, line, pipe, list, elseList] = this.parseControl('if');
    return new IfNode(this.tree, pos, line, pipe, list, elseList);
  }

  /**
   * rangeControl:
   *   {{range pipeline}} itemList {{end}}
   *   {{range pipeline}} itemList {{else}} itemList {{end}}
   * Range keyword is past.
   */
  private rangeControl(): Node {
    const [pos, line, pipe, list, elseList] = this.parseControl('range');
    return new RangeNode(this.tree, pos, line, pipe, list, elseList);
  }

  /**
   * withControl:
   *   {{with pipeline}} itemList {{end}}
   *   {{with pipeline}} itemList {{else}} itemList {{end}}
   * With keyword is past.
   */
  private withControl(): Node {
    const [pos, line, pipe, list, elseList] = this.parseControl('with');
    return new WithNode(this.tree, pos, line, pipe, list, elseList);
  }

  /**
   * endControl:
   *   {{end}}
   * End keyword is past.
   */
  private endControl(): Node {
    return new EndNode(this.tree, this.expect(Item.RightDelim, 'end').pos);
  }

  /**
   * elseControl:
   *   {{else}}
   * Else keyword is past.
   */
  private elseControl(): Node {
    const peek = this.peekNonSpace();
    // The "{{else if ... " and "{{else with ..." will be treated as "{{else}}{{if ..." and
    // "{{else}}{{with ...". So return the else node here.
    if (peek.typ === Item.If || peek.typ === Item.With) return new ElseNode(this.tree, peek.pos);
    const token = this.expect(Item.RightDelim, 'else');
    return new ElseNode(this.tree, token.pos);
  }

  /**
   * blockControl:
   *   {{block stringValue pipeline}}
   * Block keyword is past. The name must be something that can evaluate to a string. The
   * pipeline is mandatory.
   */
  private blockControl(): Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, Item.RightDelim);
    const outer = this.tree;
    const outerVars = this.vars;
    const outerRange = this.rangeDepth;
    this.tree = new Tree(name, this.parseName, this.text);
    this.vars = ['$'];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    this.tree.root = list;
    if (end.kind !== 'end') this.errorf(`unexpected ${end} in ${context}`);
    this.add(this.tree);
    this.tree = outer;
    this.vars = outerVars;
    this.rangeDepth = outerRange;
    return new TemplateNode(this.tree, token.pos, token.line, name, pipe);
  }

  /**
   * templateControl:
   *   {{template stringValue pipeline}}
   * Template keyword is past. The name must be something that can evaluate to a string.
   */
  private templateControl(): Node {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().typ !== Item.RightDelim) {
      this.backup();
      // Do not pop variables; they persist until "end".
      pipe = this.pipeline(context, Item.RightDelim);
    }
    return new TemplateNode(this.tree, token.pos, token.line, name, pipe);
  }

  private parseTemplateName(token: Token, context: string): string {
    if (token.typ === Item.String || token.typ === Item.RawString) return this.unquote(token.val);
    this.unexpected(token, context);
  }

  /**
   * command:
   *   operand (space operand)*
   * space-separated arguments up to a pipeline character or right delimiter. We consume the pipe
   * character but leave the right delim to terminate the action.
   */
  private command(): CommandNode {
    const cmd = new CommandNode(this.tree, this.peekNonSpace().pos);
    for (;;) {
      this.peekNonSpace(); // skip leading spaces.
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === Item.Space) continue;
      if (token.typ === Item.RightDelim || token.typ === Item.RightParen) this.backup();
      else if (token.typ !== Item.Pipe) this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  /**
   * operand:
   *   term .Field*
   * An operand is a space-separated component of a command, a term possibly followed by field
   * accesses. A nil return means the next item is not an operand.
   */
  private operand(): Node | null {
    let node = this.term();
    if (node === null) return null;
    if (this.peek().typ === Item.Field) {
      const chain = new ChainNode(this.tree, this.peek().pos, node);
      while (this.peek().typ === Item.Field) chain.add(this.next().val);
      // Compatibility with original API: If the term is of type NodeField or NodeVariable, just
      // put more fields on the original. Otherwise, keep the Chain node. Obvious parsing errors
      // involving literal values are detected here. More complex error cases will have to be
      // handled at execution time.
      switch (node.kind) {
        case 'field':
          node = new FieldNode(this.tree, chain.pos, chain.toString());
          break;
        case 'variable':
          node = new VariableNode(this.tree, chain.pos, chain.toString());
          break;
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.errorf(`unexpected . after term ${goQuote(node.toString())}`);
        // falls through (unreachable)
        default:
          node = chain;
      }
    }
    return node;
  }

  /**
   * term:
   *   literal (number, string, nil, boolean)
   *   function (identifier)
   *   .
   *   .Field
   *   $
   *   '(' pipeline ')'
   * A term is a simple "expression". A nil return means the next item is not a term.
   */
  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case Item.Identifier:
        if (!this.hasFunction(token.val)) this.errorf(`function ${goQuote(token.val)} not defined`);
        return new IdentifierNode(this.tree, token.pos, token.val);
      case Item.Dot:
        return new DotNode(this.tree, token.pos);
      case Item.Nil:
        return new NilNode(this.tree, token.pos);
      case Item.Variable:
        return this.useVar(token.pos, token.val);
      case Item.Field:
        return new FieldNode(this.tree, token.pos, token.val);
      case Item.Bool:
        return new BoolNode(this.tree, token.pos, token.val === 'true');
      case Item.CharConstant:
      case Item.Complex:
      case Item.Number:
        return this.newNumber(token);
      case Item.LeftParen:
        return this.pipeline('parenthesized pipeline', Item.RightParen);
      case Item.String:
      case Item.RawString:
        return new StringNode(this.tree, token.pos, token.val, this.unquote(token.val));
    }
    this.backup();
    return null;
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = new VariableNode(this.tree, pos, name);
    if (this.vars.includes(v.ident[0])) return v;
    this.errorf(`undefined variable ${goQuote(v.ident[0])}`);
  }

  private unquote(s: string): string {
    const r = unquoteGo(s);
    if (r === null) this.errorf('invalid syntax');
    return r;
  }

  private newNumber(token: Token): NumberNode {
    const n = new NumberNode(this.tree, token.pos, token.val);
    const err = fillNumber(n, token.typ);
    if (err !== null) this.errorf(err);
    return n;
  }
}

/** tokenString is Go's item.String(): EOF, the error text, <keyword>, or the %q of the text. */
function tokenString(t: Token): string {
  if (t.typ === Item.EOF) return 'EOF';
  if (t.typ === Item.Error) return t.val;
  if (t.typ >= Item.Block) return `<${t.val}>`;
  const chars = [...t.val];
  if (chars.length > 10) return goQuote(chars.slice(0, 10).join('')) + '...';
  return goQuote(t.val);
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** fillNumber sets a number node's interpretations as parse.newNumber does; returns an error text. */
function fillNumber(n: NumberNode, typ: Item): string | null {
  const text = n.text;
  if (typ === Item.CharConstant) {
    const r = unquoteChar(text);
    if (r === null) return 'invalid syntax';
    if (r === 'malformed') return `malformed character constant: ${text}`;
    n.int64 = BigInt(r);
    n.isInt = true;
    n.uint64 = BigInt(r);
    n.isUint = true;
    n.float64 = r;
    n.isFloat = true;
    return null;
  }
  if (typ === Item.Complex) {
    // fmt.Sscan can parse the pair, so let it do the work: "1+2i".
    const m = /^([+-]?[^+-]+(?:[eEpP][+-][0-9_]+)?)([+-].+)i$/.exec(text);
    const re = m ? parseGoFloat(m[1]) : null;
    const im = m ? parseGoFloat(m[2]) : null;
    if (re === null || im === null) return `illegal number syntax: ${goQuote(text)}`;
    n.isComplex = true;
    n.complex = [re, im];
    simplifyComplex(n);
    return null;
  }
  // Imaginary constants can only be complex unless they are zero.
  if (text.length > 0 && text[text.length - 1] === 'i') {
    const f = parseGoFloat(text.slice(0, -1));
    if (f !== null) {
      n.isComplex = true;
      n.complex = [0, f];
      simplifyComplex(n);
      return null;
    }
  }
  // Do integer test first so we get 0x123 etc.
  const u = parseGoInt(text, false);
  if (u !== null && u >= 0n && u <= UINT64_MAX) {
    n.isUint = true;
    n.uint64 = u;
  }
  const i = parseGoInt(text, true);
  if (i !== null && i >= INT64_MIN && i <= INT64_MAX) {
    n.isInt = true;
    n.int64 = i;
    if (i === 0n) {
      n.isUint = true; // in case of -0.
      n.uint64 = 0n;
    }
  }
  // If an integer extraction succeeded, promote the float.
  if (n.isInt) {
    n.isFloat = true;
    n.float64 = Number(n.int64);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float64 = Number(n.uint64);
  } else {
    const f = parseGoFloat(text);
    if (f !== null) {
      // If we parsed it as a float but it looks like an integer, it's a huge number too large to
      // fit in an int. Reject it.
      if (!/[.eEpP]/.test(text)) return `integer overflow: ${goQuote(text)}`;
      n.isFloat = true;
      n.float64 = f;
      // If a floating-point extraction succeeded, extract the int if needed.
      if (Number.isInteger(f) && f >= -9223372036854775808 && f < 9223372036854775808) {
        n.isInt = true;
        n.int64 = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 18446744073709551616) {
        n.isUint = true;
        n.uint64 = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) return `illegal number syntax: ${goQuote(text)}`;
  return null;
}

function simplifyComplex(n: NumberNode): void {
  n.isFloat = n.complex[1] === 0;
  if (n.isFloat) {
    n.float64 = n.complex[0];
    n.isInt = Number.isInteger(n.float64) && Math.abs(n.float64) < 9223372036854775808;
    if (n.isInt) n.int64 = BigInt(n.float64);
    n.isUint = Number.isInteger(n.float64) && n.float64 >= 0 && n.float64 < 18446744073709551616;
    if (n.isUint) n.uint64 = BigInt(n.float64);
  }
}

/** underscoreOK reports whether underscores in s are allowed, as strconv's underscoreOK. */
export function underscoreOK(s: string): boolean {
  // saw tracks the last character (class) we saw: ^ for beginning, 0 for a digit or base prefix,
  // _ for an underscore, ! for none of the above.
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0') {
    const b = s[1].toLowerCase();
    if (b === 'b' || b === 'o' || b === 'x') {
      hex = b === 'x';
      i = 2;
      saw = '0'; // base prefix counts as a digit for "underscore as digit separator"
    }
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/**
 * parseGoInt is strconv.ParseInt(s, 0, 64) (signed) or ParseUint(s, 0, 64) without the range
 * check: base prefixes 0x 0o 0b, a bare leading 0 for octal, underscores between digits.
 */
export function parseGoInt(s: string, signed: boolean): bigint | null {
  if (s.length === 0) return null;
  let neg = false;
  let body = s;
  if (s[0] === '+' || s[0] === '-') {
    if (!signed) return null;
    neg = s[0] === '-';
    body = s.slice(1);
  }
  if (body.length === 0) return null;
  let base = 10;
  let digits = body;
  if (body[0] === '0' && body.length > 1) {
    const b = body[1].toLowerCase();
    if (b === 'x') {
      base = 16;
      digits = body.slice(2);
    } else if (b === 'o') {
      base = 8;
      digits = body.slice(2);
    } else if (b === 'b') {
      base = 2;
      digits = body.slice(2);
    } else {
      base = 8;
      digits = body.slice(1);
    }
  }
  if (digits.includes('_')) {
    if (!underscoreOK(body)) return null;
    digits = digits.replace(/_/g, '');
  }
  if (digits.length === 0) return null;
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 8 ? /^[0-7]+$/ : base === 2 ? /^[01]+$/ : /^[0-9]+$/;
  if (!valid.test(digits)) return null;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  const v = BigInt(prefix + digits);
  return neg ? -v : v;
}

/** parseGoFloat is strconv.ParseFloat(s, 64) for Go syntax; null on syntax or range errors. */
export function parseGoFloat(s: string): number | null {
  let body = s;
  let sign = 1;
  if (body[0] === '+' || body[0] === '-') {
    sign = body[0] === '-' ? -1 : 1;
    body = body.slice(1);
  }
  if (body.includes('_')) {
    if (!underscoreOK(body)) return null;
    body = body.replace(/_/g, '');
  }
  const lower = body.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return sign * Infinity;
  if (lower === 'nan') return NaN;
  let f: number;
  if (/^0x/i.test(body)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(body);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return null;
    const mant = m[1] + (m[2] ?? '');
    f = Number(BigInt('0x' + (mant || '0'))) * Math.pow(2, Number(m[3]) - 4 * (m[2] ?? '').length);
  } else {
    if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(body)) return null;
    f = Number(body);
  }
  if (!Number.isFinite(f)) return null;
  return sign * f;
}

/** unquoteGo is strconv.Unquote for "..." and `...` literals; null when invalid. */
export function unquoteGo(s: string): string | null {
  if (s.length < 2) return null;
  const q = s[0];
  if (q !== s[s.length - 1]) return null;
  const body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) return null;
    return body.replace(/\r/g, '');
  }
  if (q !== '"') return null;
  if (!body.includes('\\')) return body.includes('\n') ? null : body;
  let out = '';
  let i = 0;
  const bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length > 0) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  while (i < body.length) {
    const c = body[i];
    if (c === '"' || c === '\n') return null;
    if (c !== '\\') {
      flushBytes();
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        flushBytes();
        out += '\x07';
        break;
      case 'b':
        flushBytes();
        out += '\b';
        break;
      case 'f':
        flushBytes();
        out += '\f';
        break;
      case 'n':
        flushBytes();
        out += '\n';
        break;
      case 'r':
        flushBytes();
        out += '\r';
        break;
      case 't':
        flushBytes();
        out += '\t';
        break;
      case 'v':
        flushBytes();
        out += '\v';
        break;
      case '\\':
        flushBytes();
        out += '\\';
        break;
      case '"':
        flushBytes();
        out += '"';
        break;
      case 'x': {
        const h = body.slice(i, i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
        bytes.push(parseInt(h, 16));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        const len = e === 'u' ? 4 : 8;
        const h = body.slice(i, i + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) return null;
        const cp = parseInt(h, 16);
        if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return null;
        flushBytes();
        out += String.fromCodePoint(cp);
        i += len;
        break;
      }
      default: {
        if (e !== undefined && e >= '0' && e <= '7') {
          const o = body.slice(i - 1, i + 2);
          if (!/^[0-7]{3}$/.test(o)) return null;
          const v = parseInt(o, 8);
          if (v > 255) return null;
          bytes.push(v);
          i += 2;
          break;
        }
        return null;
      }
    }
  }
  flushBytes();
  return out;
}

/** unquoteChar decodes a 'c' constant to its code point; 'malformed' when more than one char. */
function unquoteChar(text: string): number | null | 'malformed' {
  const body = text.slice(1, -1);
  if (body.length === 0) return null;
  if (body[0] !== '\\') {
    const cp = body.codePointAt(0)!;
    const len = cp > 0xffff ? 2 : 1;
    if (body.length !== len) return 'malformed';
    if (cp === 39) return null;
    return cp;
  }
  // escape sequence: decode with the string rules, but \' is allowed and \" is not
  let esc = body;
  if (esc === "\\'") return 39;
  if (esc === '\\"') return null;
  const m = /^\\(?:[abfnrtv\\]|x[0-9a-fA-F]{2}|[0-7]{3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(esc);
  if (!m) return null;
  if (m[0].length !== esc.length) return 'malformed';
  if (esc[1] === 'x' || (esc[1] >= '0' && esc[1] <= '7')) {
    return esc[1] === 'x'
      ? parseInt(esc.slice(2), 16)
      : parseInt(esc.slice(1), 8) > 255
        ? null
        : parseInt(esc.slice(1), 8);
  }
  esc = unquoteGo('"' + esc + '"') ?? '';
  if (esc === '') return null;
  return esc.codePointAt(0)!;
}

/** ParseResult is what one parse yields: the trees it defined, in definition order. */
export interface ParseResult {
  trees: Map<string, Tree>;
  order: string[];
}

/**
 * parseTemplate parses one source as Go's template.New(name).Parse(text): the result holds the
 * top-level tree under `name` and one tree per {{define}}/{{block}}.
 */
export function parseTemplate(name: string, text: string, hasFunction: (name: string) => boolean): ParseResult {
  const p = new Parser(name, text, hasFunction);
  p.parse();
  return { trees: p.treeSet, order: p.order };
}
