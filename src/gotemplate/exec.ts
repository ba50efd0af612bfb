/**
 * exec: compiles a parsed template into closures and runs them, as text/template's exec.go walks
 * its tree.
 *
 * Compilation happens once per tree (lazily, at its first execution); every execution has its own
 * {@link State} (output, current node for error positions, template depth) and its own frame of
 * variable slots. Variables are resolved to slots at compile time, which is exactly Go's dynamic
 * lookup because a template's variables never escape its own call.
 *
 * The Go value model (value.ts) needs one more distinction here: `null` is a nil interface{} value
 * (a missing or null map entry, a nil slice element), `undefined` is Go's invalid reflect.Value
 * (what a pipeline yields for nil). They print alike but Go's error messages tell them apart
 * (`wrong type for value; expected string; got interface {}` versus `invalid value; expected
 * string`), and so do `len` and friends.
 */
import {
  GO_METHODS,
  GoInt64,
  GoStruct,
  GoTime,
  formatFloat,
  formatV,
  goTypeName,
  intValue,
  isInt64,
  isMap,
  isTrue,
  sortedKeys,
  type FuncMap,
  type GoFunc,
  type GoMap,
  type ParamType,
  type Value,
} from './value.js';
import { TemplateError, isGenuineBug } from './errors.js';
import { sprint } from './fmt.js';
import { goQuote } from './lexer.js';
import type {
  ActionNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IfNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  RangeNode,
  TemplateNode,
  Tree,
  VariableNode,
  WithNode,
} from './parse.js';

// Module-local aliases of hot imports (some module loaders turn each imported read into a call).
const METHODS: typeof GO_METHODS = GO_METHODS;
const truth = isTrue;

/** MAX_EXEC_DEPTH bounds nested {{template}} calls, as Go's maxExecDepth. */
export const MAX_EXEC_DEPTH = 100000;

/** MissingKey is the missingkey option: what a missing map key yields. */
export type MissingKey = 'default' | 'zero' | 'error';

/** BuiltinParam adds `value` (Go's reflect.Value parameter of the builtins) to the param types. */
export type ArgType = ParamType | 'value';

/** ExecFunc is a function as the executor calls it: Go's signature plus the builtin flag. */
export interface ExecFunc extends GoFunc {
  readonly builtin?: boolean;
  readonly argTypes?: readonly ArgType[];
  readonly variadicArg?: ArgType;
  /** typeNames: Go's names for the parameter types in errors, when not the default ones. */
  readonly typeNames?: readonly string[];
}

/**
 * Runtime is what a compiled template needs from its template set at run time: templates by name
 * (for {{template}}), and the execution options.
 */
export interface Runtime {
  readonly missingKey: MissingKey;
  lookupTemplate(name: string): Compiled | undefined;
}

/** RenderContext is shared by one top-level execution and everything it includes. */
export interface RenderContext {
  /** includeDepth: Helm's per-name count of nested include calls. */
  readonly includeDepth: Map<string, number>;
  /** overflow: set while a JS stack overflow unwinds to a frame with room to report it. */
  overflow?: Overflow;
}

interface Overflow {
  node: Node | null;
  name: string;
  /** includeName: the innermost include's template name. */
  includeName: string;
  /** left: frames still to unwind before reporting. */
  left: number;
}

/** OVERFLOW_UNWIND is how many template/function frames a stack overflow unwinds before reporting. */
const OVERFLOW_UNWIND = 40;
const STACK_MESSAGE = 'Maximum call stack size exceeded';
/** STACK_OVERFLOW is thrown while unwinding; allocated once because there is no room to allocate. */
const STACK_OVERFLOW: unique symbol = Symbol('stack overflow');

function isStackOverflow(e: unknown): boolean {
  return e === STACK_OVERFLOW || (e instanceof RangeError && e.message === STACK_MESSAGE);
}

function unwinding(s: State, e: unknown, node: Node, name: string): Overflow {
  let o = s.render.overflow;
  if (o === undefined || e !== STACK_OVERFLOW) {
    let includeName = '';
    for (const [k, v] of s.render.includeDepth) if (v > 0) includeName = k;
    o = { node, name, includeName, left: OVERFLOW_UNWIND };
    s.render.overflow = o;
  }
  o.left--;
  return o;
}

/** State is one execution's mutable state: the output and where we are, for errors. */
export class State {
  // Declared and assigned in the constructor (cheaper than class field definitions): a state is
  // made per include.
  declare out: string;
  declare node: Node | null;
  /** dotWrapped: dot came out of a map or slice (Go's interface{} element) rather than a pipeline. */
  declare dotWrapped: boolean;
  /** lastWrapped: whether the last evalField result is an interface{} element. */
  declare lastWrapped: boolean;
  /** callContext is `this` for the functions this state calls. */
  declare readonly callContext: CallContext;
  declare readonly runtime: Runtime;
  declare tmplName: string;
  declare depth: number;
  declare readonly render: RenderContext;
  constructor(runtime: Runtime, tmplName: string, depth: number, render: RenderContext) {
    this.out = '';
    this.node = null;
    this.dotWrapped = false;
    this.lastWrapped = false;
    this.runtime = runtime;
    this.tmplName = tmplName;
    this.depth = depth;
    this.render = render;
    this.callContext = { state: this, runtime };
  }

  at(node: Node): void {
    this.node = node;
  }

  /** errorf throws Go's ExecError for the current node. */
  errorf(detail: string, cause?: unknown): never {
    throw this.error(detail, cause);
  }

  error(detail: string, cause?: unknown): TemplateError {
    const node = this.node;
    if (node === null) {
      return new TemplateError({
        kind: 'exec',
        message: `template: ${this.tmplName}: ${detail}`,
        templateName: this.tmplName,
        detail,
        cause,
        wraps: cause !== undefined,
      });
    }
    const location = node.tree.location(node.pos);
    const context = node.toString();
    const parts = location.split(':');
    return new TemplateError({
      kind: 'exec',
      message: `template: ${location}: executing ${goQuote(this.tmplName)} at <${context}>: ${detail}`,
      templateName: this.tmplName,
      location,
      line: Number(parts[parts.length - 2]),
      col: Number(parts[parts.length - 1]),
      nodeText: context,
      detail,
      cause,
      wraps: cause !== undefined,
    });
  }
}

/** CallContext is `this` for template functions: the state that called them. */
export interface CallContext {
  readonly state: State;
  readonly runtime: Runtime;
}

/** Compiled is a compiled template: run it with a fresh frame. */
export interface Compiled {
  readonly name: string;
  readonly tree: Tree;
  run(s: State, dot: Value): void;
}

// Statement results: how control leaves a statement.
const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;

type Frame = Value[];
type Stmt = (s: State, f: Frame, dot: Value) => number;
type Expr = (s: State, f: Frame, dot: Value) => Value;
/** Cmd evaluates a command with the previous command's value as final argument. */
type Cmd = (s: State, f: Frame, dot: Value, final: Value) => Value;

/** MISSING marks "no final argument" (Go's missingVal). */
const MISSING: unique symbol = Symbol('missing');

interface ScopeVar {
  name: string;
  slot: number;
  /** wrapped: holds a map/slice element (range's element variable). */
  wrapped: boolean;
}

/**
 * compileTree compiles one tree against a function map. The result is immutable and can be run
 * by any number of executions, in any template set that shares the function map.
 */
export function compileTree(tree: Tree, funcs: (name: string) => ExecFunc | undefined): Compiled {
  const c = new Compiler(funcs);
  const body = c.list(tree.root);
  const nslots = () => c.nslots;
  return {
    name: tree.name,
    tree,
    run(s: State, dot: Value): void {
      const f: Frame = new Array(nslots());
      f[0] = dot;
      body(s, f, dot);
    },
  };
}

class Compiler {
  /** snapshots: the scope at a method call with arguments, to compile its arguments on first use. */
  readonly snapshots = new Map<Node, { scope: ScopeVar[] }>();
  nslots = 1;
  scope: ScopeVar[] = [{ name: '$', slot: 0, wrapped: false }];
  constructor(readonly funcs: (name: string) => ExecFunc | undefined) {}

  // --- statements ---

  list(list: ListNode): Stmt {
    const stmts: Stmt[] = [];
    let text = '';
    const flush = () => {
      if (text !== '') {
        const t = text;
        stmts.push((s) => {
          s.out += t;
          return NORMAL;
        });
        text = '';
      }
    };
    for (const n of list.nodes) {
      if (n.kind === 'text') {
        text += n.text;
        continue;
      }
      if (n.kind === 'comment') continue;
      flush();
      stmts.push(this.node(n));
    }
    flush();
    if (stmts.length === 0) return () => NORMAL;
    if (stmts.length === 1) return stmts[0];
    if (stmts.length === 2) {
      const [a, b] = stmts;
      return (s, f, dot) => a(s, f, dot) || b(s, f, dot);
    }
    return (s, f, dot) => {
      for (let i = 0; i < stmts.length; i++) {
        const r = stmts[i](s, f, dot);
        if (r !== NORMAL) return r;
      }
      return NORMAL;
    };
  }

  node(n: Node): Stmt {
    switch (n.kind) {
      case 'action':
        return this.action(n);
      case 'if':
        return this.ifOrWith(n, false);
      case 'with':
        return this.ifOrWith(n, true);
      case 'range':
        return this.range(n);
      case 'template':
        return this.template(n);
      case 'break':
        return () => BREAK;
      case 'continue':
        return () => CONTINUE;
      case 'list':
        return this.list(n);
      default:
        return (s) => {
          s.at(n);
          return s.errorf(`unknown node: ${n}`);
        };
    }
  }

  action(n: ActionNode): Stmt {
    const pipe = this.pipeline(n.pipe);
    // If the action declares variables, don't print the result.
    if (n.pipe.decl.length > 0) {
      return (s, f, dot) => {
        pipe(s, f, dot);
        return NORMAL;
      };
    }
    return (s, f, dot) => {
      const v = pipe(s, f, dot);
      s.node = n;
      if (typeof v === 'string') s.out += v;
      else s.out += printValue(v);
      return NORMAL;
    };
  }

  ifOrWith(n: IfNode | WithNode, isWith: boolean): Stmt {
    const mark = this.scope.length;
    const pipe = this.pipeline(n.pipe);
    const list = this.list(n.list);
    const elseList = n.elseList ? this.list(n.elseList) : null;
    this.scope.length = mark;
    if (isWith) {
      return (s, f, dot) => {
        const val = pipe(s, f, dot);
        if (truth(val)) {
          const saved = s.dotWrapped;
          s.dotWrapped = false;
          const r = list(s, f, val);
          s.dotWrapped = saved;
          return r;
        }
        if (elseList !== null) return elseList(s, f, dot);
        return NORMAL;
      };
    }
    return (s, f, dot) => {
      if (truth(pipe(s, f, dot))) return list(s, f, dot);
      if (elseList !== null) return elseList(s, f, dot);
      return NORMAL;
    };
  }

  range(n: RangeNode): Stmt {
    const mark = this.scope.length;
    const pipe = this.pipeline(n.pipe);
    const decl = n.pipe.decl;
    // slots the iteration sets: [index slot, element slot]
    let indexSlot = -1;
    let elemSlot = -1;
    if (decl.length > 0) {
      const slots = decl.map((d) => this.scope.findLast((v) => v.name === d.ident[0]));
      if (decl.length === 1) {
        elemSlot = slots[0]?.slot ?? -1;
        if (slots[0]) slots[0].wrapped = true;
      } else {
        indexSlot = slots[0]?.slot ?? -1;
        elemSlot = slots[1]?.slot ?? -1;
        if (slots[1]) slots[1].wrapped = true;
      }
    }
    const list = this.list(n.list);
    const elseList = n.elseList ? this.list(n.elseList) : null;
    this.scope.length = mark;
    const twoVars = decl.length > 1;
    return (s, f, dot) => {
      s.at(n);
      const val = pipe(s, f, dot);
      const saved = s.dotWrapped;
      const one = (index: Value, elem: Value, wrapped: boolean): number => {
        if (elemSlot >= 0) f[elemSlot] = elem;
        if (indexSlot >= 0) f[indexSlot] = index;
        s.dotWrapped = wrapped;
        return list(s, f, elem);
      };
      try {
        if (Array.isArray(val)) {
          if (val.length > 0) {
            for (let i = 0; i < val.length; i++) {
              if (one(BigInt(i), val[i], true) === BREAK) break;
            }
            return NORMAL;
          }
        } else if (val instanceof Uint8Array) {
          if (val.length > 0) {
            for (let i = 0; i < val.length; i++) {
              if (one(BigInt(i), BigInt(val[i]), false) === BREAK) break;
            }
            return NORMAL;
          }
        } else if (val === undefined || val === null) {
          // An invalid value is likely a nil map, etc. Not an error.
        } else if (typeof val === 'bigint' || isInt64(val)) {
          if (twoVars) s.errorf(`can't use ${formatV(val)} to iterate over more than one variable`);
          // The element has the integer's own type (int64 counts in int64s).
          const n = intValue(val);
          const boxed = val instanceof GoInt64;
          if (n > 0n) {
            for (let i = 0n; i < n; i++) {
              if (one(undefined, boxed ? new GoInt64(i) : i, false) === BREAK) break;
            }
            return NORMAL;
          }
        } else if (isMap(val)) {
          const keys = sortedKeys(val);
          if (keys.length > 0) {
            for (const k of keys) {
              if (one(k, (val as GoMap)[k] ?? null, true) === BREAK) break;
            }
            return NORMAL;
          }
        } else {
          s.errorf(`range can't iterate over ${formatV(val)}`);
        }
      } finally {
        s.dotWrapped = saved;
      }
      if (elseList !== null) return elseList(s, f, dot);
      return NORMAL;
    };
  }

  template(n: TemplateNode): Stmt {
    const pipe = n.pipe ? this.pipeline(n.pipe) : null;
    const name = n.name;
    return (s, f, dot) => {
      s.at(n);
      const tmpl = s.runtime.lookupTemplate(name);
      if (tmpl === undefined) throw s.error(`template ${goQuote(name)} not defined`);
      if (s.depth >= MAX_EXEC_DEPTH) s.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
      const newDot = pipe === null ? undefined : pipe(s, f, dot);
      const savedName = s.tmplName;
      const savedWrapped = s.dotWrapped;
      s.tmplName = tmpl.name;
      s.depth++;
      s.dotWrapped = false;
      try {
        tmpl.run(s, newDot);
      } catch (e) {
        if (isStackOverflow(e)) {
          // Go stops at maxExecDepth; the JS stack may end first. Report Go's error, from a frame
          // with room to build it, at the innermost template call.
          const o = unwinding(s, e, n, savedName);
          if (o.left > 0) throw STACK_OVERFLOW;
          s.node = o.node;
          s.tmplName = o.name;
          throw s.error(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
        }
        throw e;
      } finally {
        s.tmplName = savedName;
        s.depth--;
        s.dotWrapped = savedWrapped;
      }
      return NORMAL;
    };
  }

  // --- expressions ---

  /** pipeline compiles a pipeline: commands chained by their final argument, then declarations. */
  pipeline(p: PipeNode): Expr {
    const cmds = p.cmds.map((c) => this.command(c));
    const n = cmds.length;
    // Declarations take effect after the pipeline is evaluated.
    const slots: number[] = [];
    const assign = p.isAssign;
    for (const d of p.decl) {
      const name = d.ident[0];
      if (assign) {
        const v = this.scope.findLast((x) => x.name === name);
        slots.push(v ? v.slot : -1);
      } else {
        const slot = this.nslots++;
        this.scope.push({ name, slot, wrapped: false });
        slots.push(slot);
      }
    }
    const evalCmds: Expr =
      n === 1
        ? (() => {
            const c0 = cmds[0];
            return (s, f, dot) => {
              const v = c0(s, f, dot, MISSING);
              return v === null ? undefined : v;
            };
          })()
        : (s, f, dot) => {
            let v: Value = MISSING;
            for (let i = 0; i < n; i++) {
              v = cmds[i](s, f, dot, v);
              // If the object has type interface{}, dig down one level to the thing inside.
              if (v === null) v = undefined;
            }
            return v;
          };
    if (slots.length === 0) return evalCmds;
    return (s, f, dot) => {
      const v = evalCmds(s, f, dot);
      for (let i = 0; i < slots.length; i++) {
        if (slots[i] < 0) s.errorf(`undefined variable: ${p.decl[i].ident[0]}`);
        f[slots[i]] = v;
      }
      return v;
    };
  }

  command(cmd: CommandNode): Cmd {
    const first = cmd.args[0];
    switch (first.kind) {
      case 'field':
        return this.fieldNode(first, cmd.args);
      case 'chain':
        return this.chainNode(first, cmd.args);
      case 'identifier':
        return this.function(first.ident, first, cmd, cmd.args);
      case 'pipe': {
        // Parenthesized pipeline. The arguments are all inside the pipeline; final must be absent.
        const pipe = this.pipeline(first);
        const args = cmd.args;
        return (s, f, dot, final) => {
          notAFunction(s, args, final);
          return pipe(s, f, dot);
        };
      }
      case 'variable':
        return this.variableNode(first, cmd.args);
    }
    const args = cmd.args;
    let value: Value;
    switch (first.kind) {
      case 'bool':
        value = first.value;
        break;
      case 'dot':
        return (s, _f, dot, final) => {
          s.at(first);
          notAFunction(s, args, final);
          return dot;
        };
      case 'nil':
        return (s, _f, _dot, final) => {
          s.at(first);
          notAFunction(s, args, final);
          s.errorf('nil is not a command');
        };
      case 'number': {
        const k = idealConstant(first);
        return (s, _f, _dot, final) => {
          s.at(first);
          notAFunction(s, args, final);
          return k(s);
        };
      }
      case 'string':
        value = first.text;
        break;
      default:
        return (s) => {
          s.at(first);
          s.errorf(`can't evaluate command ${goQuote(String(first))}`);
        };
    }
    return (s, _f, _dot, final) => {
      s.at(first);
      if (final !== MISSING || args.length > 1) notAFunction(s, args, final);
      return value;
    };
  }

  /** fieldNode: .A.B.C evaluated on dot; the last field may be a method taking the command's args. */
  fieldNode(field: FieldNode, args: Node[] | null): Cmd {
    const chain = this.fieldChain(field, field.ident, args);
    return (s, f, dot, final) => {
      s.at(field);
      return chain(s, f, dot, dot, s.dotWrapped, final);
    };
  }

  chainNode(chain: ChainNode, args: Node[] | null): Cmd {
    if (chain.node.kind === 'nil') {
      return (s) => {
        s.at(chain);
        s.errorf(`indirection through explicit nil in ${chain}`);
      };
    }
    // (pipe).Field1.Field2 has pipe as .Node, fields as .Field. Eval the pipeline, then the fields.
    const pipe = this.arg(chain.node, null);
    const fields = this.fieldChain(chain, chain.field, args);
    return (s, f, dot, final) => {
      s.at(chain);
      const recv = pipe(s, f, dot);
      return fields(s, f, dot, recv, false, final);
    };
  }

  variableNode(v: VariableNode, args: Node[] | null): Cmd {
    const name = v.ident[0];
    const sv = this.scope.findLast((x) => x.name === name);
    const slot = sv ? sv.slot : -1;
    const wrapped = sv ? sv.wrapped : false;
    if (v.ident.length === 1) {
      return (s, f, _dot, final) => {
        s.at(v);
        if (slot < 0) s.errorf(`undefined variable: ${name}`);
        if (final !== MISSING || (args !== null && args.length > 1)) notAFunction(s, args ?? [], final);
        return f[slot];
      };
    }
    // $x.Field has $x as the first ident, Field as the second. Eval the var, then the fields.
    const chain = this.fieldChain(v, v.ident.slice(1), args);
    return (s, f, dot, final) => {
      s.at(v);
      if (slot < 0) s.errorf(`undefined variable: ${name}`);
      return chain(s, f, dot, f[slot], wrapped, final);
    };
  }

  /**
   * fieldChain evaluates fields in turn; only the last one gets the arguments (a method call).
   * `wrapped` tells whether the receiver is an interface{} element (for Go's type names in errors).
   */
  fieldChain(
    node: Node,
    ident: readonly string[],
    args: Node[] | null,
  ): (s: State, f: Frame, dot: Value, recv: Value, wrapped: boolean, final: Value) => Value {
    const n = ident.length;
    const last = ident[n - 1];
    const hasArgs = args !== null && args.length > 1;
    const callArgs = args;
    if (hasArgs) this.snapshots.set(node, { scope: this.scope.slice() });
    return (s, f, dot, recv, wrapped, final) => {
      let r = recv;
      let w = wrapped;
      for (let i = 0; i < n - 1; i++) {
        const name = ident[i];
        // Fast path: a plain map from values.
        if (r !== null && typeof r === 'object' && Object.getPrototypeOf(r) === Object.prototype && !(METHODS in r)) {
          const m = r as GoMap;
          let v = m[name];
          if (v === undefined || ((typeof v === 'function' || v === Object.prototype) && !Object.hasOwn(m, name))) {
            v = missingKey(s, name);
          }
          r = v;
          w = true;
          continue;
        }
        r = this.evalField(s, f, dot, name, node, null, MISSING, r, w);
        w = s.lastWrapped;
      }
      if (!hasArgs && final === MISSING && r !== null && typeof r === 'object') {
        if (Object.getPrototypeOf(r) === Object.prototype && !(METHODS in r)) {
          const m = r as GoMap;
          const v = m[last];
          if (v === undefined || ((typeof v === 'function' || v === Object.prototype) && !Object.hasOwn(m, last))) {
            return missingKey(s, last);
          }
          return v;
        }
      }
      return this.evalField(s, f, dot, last, node, callArgs, final, r, w);
    };
  }

  /** evalField is Go's evalField: a method, a struct field or a map key of the receiver. */
  evalField(
    s: State,
    f: Frame,
    dot: Value,
    name: string,
    node: Node,
    args: Node[] | null,
    final: Value,
    recv: Value,
    wrapped: boolean,
  ): Value {
    if (recv === undefined) {
      if (s.runtime.missingKey === 'error') s.errorf(`nil data; no entry for key ${goQuote(name)}`);
      s.lastWrapped = false;
      return undefined;
    }
    if (recv === null) s.errorf(`nil pointer evaluating interface {}.${name}`);
    const typ = wrapped ? 'interface {}' : goTypeName(recv);
    if (typeof recv === 'object') {
      const methods = (recv as { [GO_METHODS]?: Record<string, GoFunc> })[GO_METHODS];
      if (methods !== undefined && Object.hasOwn(methods, name)) {
        s.lastWrapped = false;
        return this.call(s, f, dot, methods[name] as ExecFunc, node, name, args ?? [node], final);
      }
    }
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (recv instanceof GoStruct) {
      if (recv.has(name)) {
        if (hasArgs) s.errorf(`${name} has arguments but cannot be invoked as function`);
        s.lastWrapped = false;
        return recv.get(name);
      }
    } else if (isMap(recv)) {
      if (hasArgs) s.errorf(`${name} is not a method but has arguments`);
      s.lastWrapped = true;
      if (Object.hasOwn(recv, name)) {
        const v = recv[name];
        return v === undefined ? null : v;
      }
      return missingKey(s, name);
    }
    s.errorf(`can't evaluate field ${name} in type ${typ}`);
  }

  /** function compiles a call of a named function with the command's arguments. */
  function(name: string, ident: Node, cmd: CommandNode, args: Node[]): Cmd {
    const fn = this.funcs(name);
    if (fn === undefined) {
      return (s) => {
        s.at(ident);
        s.errorf(`${goQuote(name)} is not a defined function`);
      };
    }
    const call = this.compileCall(fn, cmd, name, args, ident);
    return call;
  }

  /**
   * compileCall compiles a call of fn with argument nodes args[1:] (args[0] names the function),
   * converting each argument to its Go parameter type, as Go's evalCall does.
   */
  compileCall(fn: ExecFunc, cmd: Node, name: string, args: Node[], at: Node | null): Cmd {
    const argNodes = args.slice(1);
    const types = fn.argTypes ?? fn.params;
    const variadic = fn.variadicArg ?? fn.variadic;
    const isVariadic = variadic !== undefined;
    const numFixed = types.length;
    const argEvals: Expr[] = [];
    for (let i = 0; i < argNodes.length; i++) {
      const t = i < numFixed ? types[i] : variadic;
      argEvals.push(t === undefined ? () => undefined : this.arg(argNodes[i], t, typeNameOf(fn, i, t)));
    }
    const nargs = argNodes.length;
    const isAndOr = fn.builtin === true && (name === 'and' || name === 'or');
    // Go 1.25's call builtin names its callee in errors: it gets the first argument's text.
    const calleeName = fn.builtin === true && name === 'call' && argNodes.length > 0 ? String(argNodes[0]) : null;
    const isOr = name === 'or';
    const impl = fn.fn;
    return (s, _f, dot, final) => {
      if (at !== null) s.at(at);
      const numIn = nargs + (final !== MISSING ? 1 : 0);
      if (isVariadic) {
        if (numIn < numFixed) s.errorf(`wrong number of args for ${name}: want at least ${numFixed} got ${nargs}`);
      } else if (numIn !== numFixed) {
        s.errorf(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
      }
      if (isAndOr) {
        // and/or short-circuit and return the deciding value.
        let v: Value;
        for (let i = 0; i < nargs; i++) {
          v = argEvals[i](s, _f, dot);
          if (v === null) v = undefined;
          if (truth(v) === isOr) return v;
        }
        if (final !== MISSING) {
          v = validateType(s, final, 'value', 'reflect.Value');
          if (v === null) v = undefined;
        }
        return v;
      }
      const argv: Value[] = new Array(numIn);
      for (let i = 0; i < nargs; i++) argv[i] = argEvals[i](s, _f, dot);
      if (final !== MISSING) {
        let t: ArgType;
        let idx: number;
        if (isVariadic && numIn - 1 >= numFixed) {
          t = variadic;
          idx = numIn - 1;
        } else {
          idx = numIn - 1;
          t = types[idx];
        }
        argv[nargs] = validateType(s, final, t, typeNameOf(fn, idx, t));
      }
      let result: Value;
      try {
        const ctx = s.callContext;
        result = calleeName === null ? impl.apply(ctx, argv) : impl.call(ctx, calleeName, ...argv);
      } catch (e) {
        if (isStackOverflow(e)) {
          // Too deep for the JS stack (Helm's include limit of 1000 may lie beyond it): unwind
          // to a frame with room, then fail as Helm's include limit does.
          const o = unwinding(s, e, cmd, s.tmplName);
          if (o.left > 0) throw STACK_OVERFLOW;
          if (name !== 'include') throw s.error(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
          s.at(cmd);
          const msg = `rendering template has a nested reference name: ${o.includeName}: unable to execute template`;
          s.errorf(`error calling ${name}: ${msg}`, new Error(msg));
        }
        if (isGenuineBug(e)) throw e;
        s.at(cmd);
        const msg = e instanceof Error ? e.message : String(e);
        s.errorf(`error calling ${name}: ${msg}`, e);
      }
      return result === undefined ? null : result;
    };
  }

  call(s: State, f: Frame, dot: Value, fn: ExecFunc, node: Node, name: string, args: Node[], final: Value): Value {
    // Methods are rare (.Capabilities.APIVersions.Has, .Files.Get): compile on use, cached per node.
    let cache = methodCache.get(node);
    if (cache === undefined) {
      cache = new Map();
      methodCache.set(node, cache);
    }
    let c = cache.get(fn);
    if (c === undefined) {
      const saved = this.scope;
      this.scope = (this.snapshots.get(node)?.scope ?? saved).slice();
      try {
        // A method call does not move the error position (Go's evalField → evalCall): after
        // `(pipeline).Method` it is still where the pipeline's evaluation left it.
        c = this.compileCall(fn, node, name, args, null);
      } finally {
        this.scope = saved;
      }
      cache.set(fn, c);
    }
    return c(s, f, dot, final);
  }

  /**
   * arg compiles an argument for a parameter of type t (null: no conversion, as for the receiver
   * of a chain), as Go's evalArg.
   */
  arg(n: Node, t: ArgType | null, typeName = t === null ? '' : goTypeNameOf(t)): Expr {
    switch (n.kind) {
      case 'dot':
        return (s, _f, dot) => {
          s.at(n);
          return t === null ? dot : validateType(s, dot, t, typeName);
        };
      case 'nil':
        // A nil literal is Go's invalid reflect.Value for the builtins, nil for interface{}.
        if (t === 'value') return () => undefined;
        if (t === null || canBeNil(t)) return () => null;
        return (s) => {
          s.at(n);
          s.errorf(`cannot assign nil to ${typeName}`);
        };
      case 'field': {
        const c = this.fieldNode(n, [n]);
        return (s, f, dot) => {
          s.at(n);
          const v = c(s, f, dot, MISSING);
          return t === null ? v : validateType(s, v, t, typeName);
        };
      }
      case 'variable': {
        const c = this.variableNode(n, [n]);
        return (s, f, dot) => {
          s.at(n);
          const v = c(s, f, dot, MISSING);
          return t === null ? v : validateType(s, v, t, typeName);
        };
      }
      case 'pipe': {
        const p = this.pipeline(n);
        return (s, f, dot) => {
          s.at(n);
          const v = p(s, f, dot);
          return t === null ? v : validateType(s, v, t, typeName);
        };
      }
      case 'identifier': {
        const c = this.function(n.ident, n, n as unknown as CommandNode, [n]);
        return (s, f, dot) => {
          s.at(n);
          const v = c(s, f, dot, MISSING);
          return t === null ? v : validateType(s, v, t, typeName);
        };
      }
      case 'chain': {
        const c = this.chainNode(n, [n]);
        return (s, f, dot) => {
          s.at(n);
          const v = c(s, f, dot, MISSING);
          return t === null ? v : validateType(s, v, t, typeName);
        };
      }
    }
    const fail = (msg: string): Expr => {
      return (s) => {
        s.at(n);
        s.errorf(msg);
      };
    };
    switch (t) {
      case 'bool':
        if (n.kind === 'bool') return constant(n, n.value);
        return fail(`expected bool; found ${n}`);
      case 'string':
        if (n.kind === 'string') return constant(n, n.text);
        return fail(`expected string; found ${n}`);
      case 'int':
      case 'int64':
      case 'duration':
        if (n.kind === 'number' && n.isInt) return constant(n, n.int64);
        return fail(`expected integer; found ${n}`);
      case 'float64':
        if (n.kind === 'number' && n.isFloat) return constant(n, n.float64);
        return fail(`expected float; found ${n}`);
      case 'any':
      case 'value':
      case null:
        switch (n.kind) {
          case 'bool':
            return constant(n, n.value);
          case 'number': {
            const k = idealConstant(n);
            return (s) => {
              s.at(n);
              return k(s);
            };
          }
          case 'string':
            return constant(n, n.text);
        }
    }
    return fail(`can't handle ${n} for arg of type ${typeName}`);
  }
}

/** constant is a literal argument; evaluating it still moves the error position, as in Go. */
function constant(n: Node, v: Value): Expr {
  return (s) => {
    s.node = n;
    return v;
  };
}

/** GoComplex is a complex128 constant (`3i`, `1+2i`), printed as Go prints it: `(1+2i)`. */
export class GoComplex {
  constructor(
    readonly re: number,
    readonly im: number,
  ) {}
  toString(): string {
    const im = formatFloat(this.im, 'g');
    return `(${formatFloat(this.re, 'g')}${im.startsWith('-') || im.startsWith('+') ? '' : '+'}${im}i)`;
  }
}

const methodCache = new WeakMap<Node, Map<GoFunc, Cmd>>();

/** GO_TYPE_NAMES are Go's names of the parameter types, for error messages. */
const GO_TYPE_NAMES: Record<Exclude<ArgType, `struct:${string}`>, string> = {
  any: 'interface {}',
  string: 'string',
  int: 'int',
  int64: 'int64',
  duration: 'time.Duration',
  float64: 'float64',
  bool: 'bool',
  map: 'map[string]interface {}',
  slice: '[]interface {}',
  strings: '[]string',
  bytes: '[]uint8',
  time: 'time.Time',
  value: 'reflect.Value',
};

function typeNameOf(fn: ExecFunc, i: number, t: ArgType | undefined): string {
  const names = fn.typeNames;
  if (names !== undefined && names[Math.min(i, names.length - 1)] !== undefined)
    return names[Math.min(i, names.length - 1)];
  return t === undefined ? '' : goTypeNameOf(t);
}

/** goTypeNameOf is Go's name of a parameter type. */
function goTypeNameOf(t: ArgType): string {
  return t.startsWith('struct:') ? t.slice('struct:'.length) : GO_TYPE_NAMES[t as keyof typeof GO_TYPE_NAMES];
}

function canBeNil(t: ArgType): boolean {
  return t === 'any' || t === 'map' || t === 'slice' || t === 'strings' || t === 'bytes' || t.startsWith('struct:*');
}

function missingKey(s: State, name: string): Value {
  switch (s.runtime.missingKey) {
    case 'zero':
      return null;
    case 'error':
      s.errorf(`map has no entry for key ${goQuote(name)}`);
    // falls through (unreachable)
    default:
      return undefined;
  }
}

function notAFunction(s: State, args: readonly Node[], final: Value): void {
  if (args.length > 1 || final !== MISSING) s.errorf(`can't give argument to non-function ${args[0]}`);
}

/**
 * validateType converts a computed value to a parameter type, as Go's validateType: a nil
 * interface{} is the wrong type for a concrete parameter; an invalid value is nil for types that
 * can be nil and an error for the others.
 */
function validateType(s: State, v: Value, t: ArgType, typeName: string): Value {
  if (t === 'any') return v === undefined ? null : v;
  if (t === 'value') return v;
  if (v === undefined) {
    if (canBeNil(t)) return null;
    s.errorf(`invalid value; expected ${typeName}`);
  }
  if (v === null) s.errorf(`wrong type for value; expected ${typeName}; got interface {}`);
  let ok: boolean;
  switch (t) {
    case 'string':
      ok = typeof v === 'string';
      break;
    case 'int':
      ok = typeof v === 'bigint';
      break;
    case 'int64':
      // An int64 parameter takes an int64 (an int is another Go type): the function gets the bigint.
      if (isInt64(v)) return v.value;
      ok = false;
      break;
    case 'duration':
      // Only a constant converts to time.Duration; a computed int or int64 does not.
      if (v instanceof GoInt64 && v.goType === 'time.Duration') return v.value;
      ok = false;
      break;
    case 'float64':
      ok = typeof v === 'number';
      break;
    case 'bool':
      ok = typeof v === 'boolean';
      break;
    case 'map':
      ok = isMap(v);
      break;
    case 'slice':
    case 'strings':
      ok = Array.isArray(v);
      break;
    case 'bytes':
      ok = v instanceof Uint8Array;
      break;
    case 'time':
      ok = v instanceof GoTime;
      break;
    default:
      ok = t.startsWith('struct:') ? v instanceof GoStruct && v.goType === typeName : true;
  }
  if (!ok) s.errorf(`wrong type for value; expected ${typeName}; got ${typeOfValue(v)}`);
  return v;
}

const GO_TYPE_MARK = Symbol.for('capstan.goType');

/** typeOfValue is Go's %T of a value, honouring the Go type marks functions put on lists and maps. */
function typeOfValue(v: Value): string {
  if (v !== null && typeof v === 'object' && GO_TYPE_MARK in v)
    return String((v as Record<symbol, unknown>)[GO_TYPE_MARK]);
  return goTypeName(v);
}

/** idealConstant is a number literal with no type context, as Go's idealConstant. */
function idealConstant(n: NumberNode): (s: State) => Value {
  const text = n.text;
  if (n.isComplex) {
    const c = new GoComplex(n.complex[0], n.complex[1]);
    return () => c;
  }
  const isHexInt = text.length > 2 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X') && !/[pP]/.test(text);
  const isRuneInt = text.length > 0 && text[0] === "'";
  if (n.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(text)) {
    const f = n.float64;
    return () => f;
  }
  if (n.isInt) {
    const i = n.int64;
    return () => i;
  }
  if (n.isUint) return (s) => s.errorf(`${text} overflows int`);
  return () => undefined;
}

/** printValue is what an action writes for a value: fmt.Print's %v, `<no value>` for nil. */
export function printValue(v: Value): string {
  if (v instanceof GoInt64) return v.toString();
  switch (typeof v) {
    case 'string':
      return v;
    case 'bigint':
      return v.toString();
    case 'number':
      return formatFloat(v, 'g');
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return '<no value>';
  }
  if (v === null) return '<no value>';
  if (v instanceof GoComplex) return v.toString();
  // fmt.Fprint: Stringers, structs, maps and slices as Go prints them.
  return sprint([v]);
}

/** wrapFuncMap turns a FuncMap into the executor's lookup function, builtins first overridden. */
export function funcLookup(builtins: Record<string, ExecFunc>, funcs: FuncMap): (name: string) => ExecFunc | undefined {
  return (name) => {
    if (Object.hasOwn(funcs, name)) return funcs[name] as ExecFunc;
    if (Object.hasOwn(builtins, name)) return builtins[name];
    return undefined;
  };
}
