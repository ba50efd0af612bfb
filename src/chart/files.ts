/**
 * files: the `.Files` object templates see (Helm's engine.files, a map[string][]byte with
 * methods Get, GetBytes, Glob, Lines, AsConfig, AsSecrets). Glob uses gobwas/glob syntax with
 * `/` as separator: `*`, `**`, `?`, `[...]`, `[!...]`, `{a,b}`.
 */
import { GO_METHODS, goFunc, type GoFunc, type GoMap } from '../gotemplate/value.js';
import { withGoType } from '../gotemplate/funcs/sprig/util.js';
import type { ChartFile } from './types.js';
import { toYaml } from './yaml.js';

const decoder = new TextDecoder();

/** FilesMap is `.Files`: file name → bytes, plus Go methods under GO_METHODS. */
export type FilesMap = Record<string, Uint8Array>;

/** globRegExp compiles a gobwas/glob pattern (separator '/') to a RegExp. */
export function globRegExp(pattern: string): RegExp {
  let i = 0;
  const parse = (inAlt: boolean): string => {
    let re = '';
    while (i < pattern.length) {
      const c = pattern[i];
      if (inAlt && (c === ',' || c === '}')) return re;
      i++;
      if (c === '*') {
        if (pattern[i] === '*') {
          i++;
          re += '.*';
        } else re += '[^/]*';
      } else if (c === '?') re += '[^/]';
      else if (c === '\\') {
        const n = pattern[i++] ?? '\\';
        re += escapeRe(n);
      } else if (c === '[') {
        let j = i;
        let neg = false;
        if (pattern[j] === '!') {
          neg = true;
          j++;
        }
        let cls = '';
        while (j < pattern.length && pattern[j] !== ']') {
          const d = pattern[j];
          cls += d === '-' ? '-' : escapeRe(d);
          j++;
        }
        if (j >= pattern.length) throw new Error(`unexpected end of input in glob ${JSON.stringify(pattern)}`);
        i = j + 1;
        re += neg ? `[^/${cls}]` : `[${cls}]`;
      } else if (c === '{') {
        const alts: string[] = [];
        for (;;) {
          alts.push(parse(true));
          const d = pattern[i++];
          if (d === '}') break;
          if (d !== ',') throw new Error(`unexpected end of input in glob ${JSON.stringify(pattern)}`);
        }
        re += '(?:' + alts.join('|') + ')';
      } else re += escapeRe(c);
    }
    return re;
  };
  const body = parse(false);
  return new RegExp('^' + body + '$', 's');
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/-]/.test(c) ? '\\' + c : c;
}

function base(p: string): string {
  const s = p.replace(/\/+$/, '');
  if (s === '') return p === '' ? '.' : '/';
  return s.slice(s.lastIndexOf('/') + 1);
}

/** makeFiles builds a `.Files` value from chart files. */
export function makeFiles(files: ChartFile[] | FilesMap): FilesMap {
  const m: FilesMap = {};
  if (Array.isArray(files)) for (const f of files) m[f.name] = f.data;
  else Object.assign(m, files);
  const methods: Record<string, GoFunc> = {
    Get: goFunc((name: string) => (name in m ? decoder.decode(m[name]) : ''), ['string']),
    GetBytes: goFunc((name: string) => (name in m ? m[name] : new Uint8Array(0)), ['string']),
    Glob: goFunc(
      (pattern: string) => {
        let re: RegExp;
        try {
          re = globRegExp(pattern);
        } catch {
          return makeFiles({});
        }
        const out: FilesMap = {};
        for (const k of Object.keys(m)) if (re.test(k)) out[k] = m[k];
        return makeFiles(out);
      },
      ['string'],
    ),
    Lines: goFunc(
      (path: string) => {
        if (!(path in m)) return [];
        let s = decoder.decode(m[path]);
        if (s.length === 0) return [''];
        if (s.endsWith('\n')) s = s.slice(0, -1);
        return s.split('\n');
      },
      ['string'],
    ),
    AsConfig: goFunc(() => {
      const out: GoMap = {};
      for (const k of Object.keys(m)) out[base(k)] = decoder.decode(m[k]);
      return toYaml(out);
    }, []),
    AsSecrets: goFunc(() => {
      const out: GoMap = {};
      for (const k of Object.keys(m)) out[base(k)] = Buffer.from(m[k]).toString('base64');
      return toYaml(out);
    }, []),
  };
  Object.defineProperty(m, GO_METHODS, { value: methods, enumerable: false });
  return withGoType(m, 'engine.files');
}
