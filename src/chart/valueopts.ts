/**
 * valueopts: the user values of `helm template`/`install` from its flags, merged in Helm's order
 * (values.Options.MergeValues): `-f` files, then `--set-json`, `--set`, `--set-string`,
 * `--set-file`, `--set-literal`.
 */
import { readFileSync } from 'node:fs';
import type { GoMap } from '../gotemplate/value.js';
import { jsonToGo, parseInto, parseIntoFile, parseIntoString, parseJson, parseLiteralInto } from './strvals.js';
import { loadValues, mergeMaps } from './values.js';

/** ValueOptions mirrors Helm's values.Options. */
export interface ValueOptions {
  valueFiles?: string[];
  values?: string[];
  stringValues?: string[];
  jsonValues?: string[];
  fileValues?: string[];
  literalValues?: string[];
}

/** ValueOptionsError is a flag that could not be read; message is Helm's. */
export class ValueOptionsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ValueOptionsError';
  }
}

/** readUserFile is Helm's readFile for local paths (`-` is stdin). */
function readUserFile(path: string): Uint8Array {
  try {
    if (path.trim() === '-') return readFileSync(0);
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new ValueOptionsError(`open ${path}: ${why}`, { cause: e });
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** mergeValueOptions is values.Options.MergeValues for local files. */
export function mergeValueOptions(opts: ValueOptions, readFile: (path: string) => Uint8Array = readUserFile): GoMap {
  let base: GoMap = {};
  for (const filePath of opts.valueFiles ?? []) {
    const raw = readFile(filePath);
    let current: GoMap;
    try {
      current = loadValues(text(raw));
    } catch (e) {
      throw new ValueOptionsError(`failed to parse ${filePath}: ${(e as Error).message}`, { cause: e });
    }
    base = mergeMaps(base, current);
  }
  for (const value of opts.jsonValues ?? []) {
    const trimmed = value.trim();
    if (trimmed.length > 0 && trimmed[0] === '{') {
      let m: unknown;
      try {
        m = JSON.parse(trimmed);
      } catch (e) {
        throw new ValueOptionsError(`failed parsing --set-json data JSON: ${value}`, { cause: e });
      }
      base = mergeMaps(base, jsonToGo(m) as GoMap);
    } else {
      try {
        parseJson(value, base);
      } catch (e) {
        throw new ValueOptionsError(`failed parsing --set-json data ${value}`, { cause: e });
      }
    }
  }
  for (const value of opts.values ?? []) {
    try {
      parseInto(value, base);
    } catch (e) {
      throw new ValueOptionsError(`failed parsing --set data: ${(e as Error).message}`, { cause: e });
    }
  }
  for (const value of opts.stringValues ?? []) {
    try {
      parseIntoString(value, base);
    } catch (e) {
      throw new ValueOptionsError(`failed parsing --set-string data: ${(e as Error).message}`, { cause: e });
    }
  }
  for (const value of opts.fileValues ?? []) {
    try {
      parseIntoFile(value, base, (p) => text(readFile(p)));
    } catch (e) {
      throw new ValueOptionsError(`failed parsing --set-file data: ${(e as Error).message}`, { cause: e });
    }
  }
  for (const value of opts.literalValues ?? []) {
    try {
      parseLiteralInto(value, base);
    } catch (e) {
      throw new ValueOptionsError(`failed parsing --set-literal data: ${(e as Error).message}`, { cause: e });
    }
  }
  return base;
}
