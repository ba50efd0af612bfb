/**
 * helmignore: `.helmignore` rules as Helm's pkg/ignore applies them when loading a chart
 * directory — Go filepath.Match patterns, `!` negation, trailing `/` for directories, a leading
 * `/` anchors to the chart root, patterns without `/` match the base name, `**` is refused.
 */

/** HelmIgnoreError is an unusable .helmignore rule. */
export class HelmIgnoreError extends Error {
  constructor(
    message: string,
    readonly rule: string,
  ) {
    super(message);
    this.name = 'HelmIgnoreError';
  }
}

/** goPathMatchRegExp compiles a Go filepath.Match pattern ('/' separated) to a RegExp. */
export function goPathMatchRegExp(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) throw new Error('syntax error in pattern');
      re += escapeRe(pattern[i]);
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      let closed = false;
      let first = true;
      for (; j < pattern.length; j++) {
        const d = pattern[j];
        if (d === ']' && !first) {
          closed = true;
          break;
        }
        first = false;
        if (d === '\\') {
          j++;
          if (j >= pattern.length) break;
          cls += escapeRe(pattern[j]);
        } else if (d === '-') cls += '-';
        else cls += escapeRe(d);
      }
      if (!closed || cls === '' || cls === '^') throw new Error('syntax error in pattern');
      re += '(?!/)[' + cls + ']';
      i = j;
    } else re += escapeRe(c);
  }
  return new RegExp(re + '$', 's');
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/-]/.test(c) ? '\\' + c : c;
}

interface Pattern {
  raw: string;
  negate: boolean;
  mustDir: boolean;
  match: (path: string) => boolean;
}

/** IgnoreRules is a parsed .helmignore (ignore.Rules). */
export class IgnoreRules {
  private readonly patterns: Pattern[] = [];

  /** parse builds rules from .helmignore text. */
  static parse(text: string): IgnoreRules {
    const r = new IgnoreRules();
    for (const line of text.split(/\r?\n/)) r.addRule(line);
    return r;
  }

  /** addDefaults adds Helm's built-in rule: dotfiles directly in templates/ are ignored. */
  addDefaults(): this {
    this.addRule('templates/.?*');
    return this;
  }

  addRule(line: string): void {
    let rule = line.trim();
    if (rule === '' || rule.startsWith('#')) return;
    if (rule.includes('**')) throw new HelmIgnoreError('double-star (**) syntax is not supported', rule);
    try {
      goPathMatchRegExp(rule);
    } catch {
      throw new HelmIgnoreError('syntax error in pattern', rule);
    }
    const raw = rule;
    let negate = false;
    let mustDir = false;
    if (rule.startsWith('!')) {
      negate = true;
      rule = rule.slice(1);
    }
    if (rule.endsWith('/')) {
      mustDir = true;
      rule = rule.slice(0, -1);
    }
    let match: (n: string) => boolean;
    if (rule.startsWith('/')) {
      const re = safeRe(rule.slice(1));
      match = (n) => re !== null && re.test(n);
    } else if (rule.includes('/')) {
      const re = safeRe(rule);
      match = (n) => re !== null && re.test(n);
    } else {
      const re = safeRe(rule);
      match = (n) => re !== null && re.test(n.slice(n.lastIndexOf('/') + 1));
    }
    this.patterns.push({ raw, negate, mustDir, match });
  }

  /** ignore says whether a path (relative, '/'-separated) is excluded. */
  ignore(path: string, isDir: boolean): boolean {
    if (path === '' || path === '.' || path === './') return false;
    for (const p of this.patterns) {
      if (p.negate) {
        if (p.mustDir && !isDir) return true;
        if (!p.match(path)) return true;
        continue;
      }
      if (p.mustDir && !isDir) continue;
      if (p.match(path)) return true;
    }
    return false;
  }
}

function safeRe(p: string): RegExp | null {
  try {
    return goPathMatchRegExp(p);
  } catch {
    return null;
  }
}
