/**
 * selector: which objects a built-in patch applies to. A target is kustomize's: group, version,
 * kind, name and namespace match exactly or as an anchored regular expression, and labelSelector /
 * annotationSelector use the Kubernetes label selector syntax (`app=web,tier in (a,b),!legacy`).
 */
import { groupOf } from './manifests.js';

/** PatchTarget selects objects; empty fields match everything. */
export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** Requirement is one parsed selector term. */
export interface Requirement {
  key: string;
  op: 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin';
  values: string[];
}

/** SelectorError reports a selector that does not parse. */
export class SelectorError extends Error {
  override name = 'SelectorError';
  constructor(
    readonly selector: string,
    readonly detail: string,
  ) {
    super(`selector ${JSON.stringify(selector)}: ${detail}`);
  }
}

function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^([A-Za-z0-9][-A-Za-z0-9_.]*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** parseSelector parses a Kubernetes label selector string into requirements. */
export function parseSelector(selector: string): Requirement[] {
  return splitTerms(selector).map((term) => {
    let m: RegExpMatchArray | null;
    let req: Requirement;
    if ((m = term.match(/^!\s*(\S+)$/))) req = { key: m[1]!, op: '!exists', values: [] };
    else if ((m = term.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      if (values.some((v) => v === '')) throw new SelectorError(selector, `empty value in ${JSON.stringify(term)}`);
      req = { key: m[1]!, op: m[2] as 'in' | 'notin', values };
    } else if ((m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      req = { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] };
    } else if ((m = term.match(/^(\S+)$/))) req = { key: m[1]!, op: 'exists', values: [] };
    else throw new SelectorError(selector, `cannot parse ${JSON.stringify(term)}`);
    if (!KEY.test(req.key)) throw new SelectorError(selector, `invalid key ${JSON.stringify(req.key)}`);
    return req;
  });
}

/** matchesSelector reports whether a label (or annotation) map satisfies every requirement. */
export function matchesSelector(reqs: Requirement[], labels: Record<string, string>): boolean {
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = labels[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && v === r.values[0];
      case '!=':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
    }
  });
}

function pattern(p: string): RegExp {
  try {
    return new RegExp(`^(?:${p})$`);
  } catch (err) {
    throw new SelectorError(p, `not a valid regular expression: ${(err as Error).message}`);
  }
}

function stringMap(v: unknown): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = String(x);
  return out;
}

/** TargetMatcher is a compiled PatchTarget. */
export type TargetMatcher = (object: Record<string, unknown>, defaultNamespace?: string) => boolean;

/** compileTarget validates a target once and returns its matcher. */
export function compileTarget(target: PatchTarget): TargetMatcher {
  const fields = (['group', 'version', 'kind', 'name', 'namespace'] as const)
    .filter((f) => target[f] !== undefined && target[f] !== '')
    .map((f) => [f, pattern(target[f]!)] as const);
  const labels = target.labelSelector ? parseSelector(target.labelSelector) : [];
  const annotations = target.annotationSelector ? parseSelector(target.annotationSelector) : [];
  return (object, defaultNamespace = '') => {
    const apiVersion = String(object.apiVersion ?? '');
    const meta = (object.metadata ?? {}) as Record<string, unknown>;
    const values = {
      group: groupOf(apiVersion),
      version: apiVersion.slice(apiVersion.lastIndexOf('/') + 1),
      kind: String(object.kind ?? ''),
      name: String(meta.name ?? ''),
      namespace: String(meta.namespace ?? defaultNamespace),
    };
    return (
      fields.every(([f, re]) => re.test(values[f])) &&
      matchesSelector(labels, stringMap(meta.labels)) &&
      matchesSelector(annotations, stringMap(meta.annotations))
    );
  };
}
