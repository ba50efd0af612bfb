/**
 * jsonpatch: RFC 6902 JSON Patch over plain JSON values, with RFC 6901 JSON Pointers. Operations
 * apply in order to a copy; the first failing operation aborts the patch and names its index.
 */

/** JsonPatchOperation is one RFC 6902 operation. */
export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

/** JsonPatchError names the failing operation: `operation 2 (replace /spec/replicas): …`. */
export class JsonPatchError extends Error {
  override name = 'JsonPatchError';
  constructor(
    readonly operation: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

type Container = Record<string, unknown> | unknown[];

/** parsePointer splits an RFC 6901 pointer into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer ${JSON.stringify(pointer)} must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => {
      if (/~[^01]|~$/.test(t)) throw new Error(`JSON pointer ${JSON.stringify(pointer)} has a bad escape`);
      return t.replace(/~1/g, '/').replace(/~0/g, '~');
    });
}

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`${JSON.stringify(token)} is not an array index`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) throw new Error(`index ${i} is out of bounds (length ${length})`);
  return i;
}

function get(doc: unknown, tokens: string[]): unknown {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false)];
    else if (isContainer(cur) && Object.prototype.hasOwnProperty.call(cur, t))
      cur = (cur as Record<string, unknown>)[t];
    else throw new Error(`path does not exist (no ${JSON.stringify(t)})`);
  }
  return cur;
}

function parentOf(doc: unknown, tokens: string[]): [Container, string] {
  const parent = get(doc, tokens.slice(0, -1));
  if (!isContainer(parent)) throw new Error('parent is not an object or array');
  return [parent, tokens[tokens.length - 1]!];
}

function add(doc: unknown, tokens: string[], value: unknown): unknown {
  if (tokens.length === 0) return value;
  const [parent, key] = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: unknown, tokens: string[]): unknown {
  if (tokens.length === 0) return undefined;
  const [parent, key] = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, false), 1);
  else if (Object.prototype.hasOwnProperty.call(parent, key)) delete parent[key];
  else throw new Error(`path does not exist (no ${JSON.stringify(key)})`);
  return doc;
}

/** deepEqual compares JSON values (objects by keys, not key order). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], (b as Record<string, unknown>)[k]))
  );
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** validateOperations checks the shape of a patch document before it is applied. */
export function validateOperations(ops: unknown): JsonPatchOperation[] {
  if (!Array.isArray(ops)) throw new JsonPatchError(-1, 'a JSON patch must be a list of operations');
  ops.forEach((op: unknown, i) => {
    const o = op as Record<string, unknown>;
    if (!isContainer(op) || Array.isArray(op)) throw new JsonPatchError(i, `operation ${i}: must be an object`);
    if (typeof o.path !== 'string') throw new JsonPatchError(i, `operation ${i}: path must be a string`);
    switch (o.op) {
      case 'add':
      case 'replace':
      case 'test':
        if (!('value' in o)) throw new JsonPatchError(i, `operation ${i} (${o.op} ${o.path}): value is required`);
        break;
      case 'move':
      case 'copy':
        if (typeof o.from !== 'string')
          throw new JsonPatchError(i, `operation ${i} (${o.op} ${o.path}): from must be a string`);
        break;
      case 'remove':
        break;
      default:
        throw new JsonPatchError(i, `operation ${i}: unknown op ${JSON.stringify(o.op)}`);
    }
  });
  return ops as JsonPatchOperation[];
}

/**
 * applyJsonPatch applies RFC 6902 operations to a copy of doc and returns it; doc is not changed.
 *
 * ```ts
 * applyJsonPatch({ spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 3 }])
 * ```
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  const operations = validateOperations(ops);
  let out = clone(doc);
  operations.forEach((op, i) => {
    try {
      const tokens = parsePointer(op.path);
      switch (op.op) {
        case 'add':
          out = add(out, tokens, clone(op.value));
          break;
        case 'remove':
          out = remove(out, tokens);
          break;
        case 'replace':
          get(out, tokens); // must exist
          out = add(remove(out, tokens), tokens, clone(op.value));
          break;
        case 'move': {
          const from = parsePointer(op.from);
          if (tokens.length > from.length && from.every((t, j) => tokens[j] === t)) {
            throw new Error('cannot move a value into one of its children');
          }
          const v = get(out, from);
          out = add(remove(out, from), tokens, v);
          break;
        }
        case 'copy':
          out = add(out, tokens, clone(get(out, parsePointer(op.from))));
          break;
        case 'test': {
          const actual = get(out, tokens);
          if (!deepEqual(actual, op.value)) throw new Error(`test failed: value is ${JSON.stringify(actual)}`);
          break;
        }
      }
    } catch (err) {
      if (err instanceof JsonPatchError) throw err;
      throw new JsonPatchError(i, `operation ${i} (${op.op} ${op.path}): ${(err as Error).message}`);
    }
  });
  return out;
}
