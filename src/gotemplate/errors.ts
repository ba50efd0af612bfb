/**
 * errors: the one error class the template engine throws, and Helm's rewording of it.
 *
 * Messages are Go's exactly: parse errors `template: NAME:LINE: MESSAGE`, execution errors
 * `template: FILE:LINE:COL: executing "NAME" at <NODE>: MESSAGE`. When a template function fails,
 * the execution error wraps the function's error as Go's `%w` does (`cause`), so Helm's
 * reformatting can walk the chain as errors.Unwrap does.
 */
import { goQuote } from './lexer.js';

/** TemplateError is a parse or execution error of a Go template, with Go's message. */
export class TemplateError extends Error {
  readonly kind: 'parse' | 'exec';
  /** templateName: the template being parsed, or the one executing when the error happened. */
  readonly templateName: string;
  /** location: `FILE:LINE:COL` (exec) or `FILE:LINE` (parse); empty when Go gives none. */
  readonly location: string;
  readonly line: number;
  readonly col: number;
  /** nodeText: the node being evaluated (Go's ErrorContext), empty when none. */
  readonly nodeText: string;
  /** detail: the message after Go's location prefix. */
  readonly detail: string;
  /** wraps: true when `cause` is part of the message chain (Go's %w), as errors.Unwrap sees it. */
  readonly wraps: boolean;
  constructor(init: {
    kind: 'parse' | 'exec';
    message: string;
    templateName: string;
    location?: string;
    line?: number;
    col?: number;
    nodeText?: string;
    detail: string;
    cause?: unknown;
    wraps?: boolean;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'TemplateError';
    this.kind = init.kind;
    this.templateName = init.templateName;
    this.location = init.location ?? '';
    this.line = init.line ?? 0;
    this.col = init.col ?? 0;
    this.nodeText = init.nodeText ?? '';
    this.detail = init.detail;
    this.wraps = init.wraps ?? false;
  }
}

/** HELM_WARN_START/END delimit the messages of `required` and `fail`, as Helm's warnWrap does. */
export const HELM_WARN_START = 'HELM_ERR_START';
export const HELM_WARN_END = 'HELM_ERR_END';

/** warnWrap marks a message so Helm reports it as `execution error at (LOC): MESSAGE`. */
export function warnWrap(msg: string): string {
  return HELM_WARN_START + msg + HELM_WARN_END;
}

/** isGenuineBug reports errors that are bugs in our code, which must pass through untouched. */
export function isGenuineBug(e: unknown): boolean {
  return (
    e instanceof TypeError ||
    e instanceof RangeError ||
    e instanceof ReferenceError ||
    e instanceof SyntaxError ||
    e instanceof EvalError
  );
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * chainOf lists an error and what it wraps, as Go's errors.Unwrap walks it. Our TemplateErrors
 * record whether they wrap their cause; an error that is not a TemplateError ends the chain.
 */
function chainOf(e: unknown): unknown[] {
  const out: unknown[] = [e];
  let cur = e;
  while (cur instanceof TemplateError && cur.wraps && cur.cause !== undefined) {
    cur = cur.cause;
    out.push(cur);
  }
  return out;
}

/**
 * formatHelmRenderError is the message Helm 4's engine returns for a template error:
 * - parse errors: `parse error at (FILE:LINE): MESSAGE` (the last `: `-separated part);
 * - `required`/`fail`: `execution error at (FILE:LINE:COL): MESSAGE`;
 * - an execution error whose whole chain is template errors: one block per template,
 *   `FILE:LINE:COL\n  executing "NAME" at <NODE>:\n    MESSAGE`;
 * - any other execution error: Go's message unchanged.
 * Errors that are not template errors come back as their message.
 */
export function formatHelmRenderError(e: unknown): string {
  if (!(e instanceof TemplateError)) return messageOf(e);
  const msg = e.message;
  if (e.kind === 'parse') {
    const tokens = msg.split(': ');
    if (tokens.length === 1) return `parse error in (${e.templateName}): ${msg}`;
    return `parse error at (${tokens[1]}): ${tokens[tokens.length - 1]}`;
  }
  const tokens = splitN(msg, ': ', 3);
  if (tokens.length !== 3) return `execution error in (${e.templateName}): ${msg}`;
  const location = tokens[1];
  const start = tokens[2].indexOf(HELM_WARN_START);
  if (start >= 0) {
    const end = tokens[2].lastIndexOf(HELM_WARN_END);
    if (end > start) return `execution error at (${location}): ${tokens[2].slice(start + HELM_WARN_START.length, end)}`;
  }
  const chain = chainOf(e);
  // Helm rewrites the error only when every link is a template error.
  if (!chain.every((c) => messageOf(c).startsWith('template: '))) return msg;
  const blocks: string[] = [];
  for (let i = 0; i < chain.length; i++) {
    const c = chain[i];
    let m = messageOf(c);
    if (i + 1 < chain.length) {
      const inner = messageOf(chain[i + 1]);
      if (m.endsWith(inner)) m = m.slice(0, m.length - inner.length);
    }
    if (c instanceof TemplateError && c.nodeText !== '') {
      let detail = c.detail;
      if (i + 1 < chain.length) {
        const inner = messageOf(chain[i + 1]);
        if (detail.endsWith(inner)) detail = detail.slice(0, detail.length - inner.length);
      }
      blocks.push(
        `${c.location}\n  executing ${goQuoteName(c.templateName)} at <${c.nodeText}>:\n    ${detail.trim()}`,
      );
    } else {
      blocks.push(m.trim());
    }
  }
  return blocks.join('\n');
}

const goQuoteName = goQuote;

function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}
