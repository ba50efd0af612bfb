/**
 * yamlparse: go-yaml v2's scanner and parser (libyaml's, as ported to Go), so that values files
 * and `fromYaml` read exactly as in Helm: the same tokens, the same lazy look-ahead (an error after
 * the first document is only seen when go-yaml looks that far), and the same error texts and line
 * arithmetic (`yaml: line 3: did not find expected key`).
 *
 * The scanner works on code points; marks count code points (go-yaml counts characters too). The
 * parser produces a node tree (scalars with tag and style, sequences, mappings, aliases resolved
 * to the anchored node), which goyaml.ts decodes into Go values.
 */

/** YAMLSyntaxError is a scanner or parser failure, with go-yaml's message (without "yaml: "). */
export class YAMLSyntaxError extends Error {
  constructor(
    message: string,
    /** line is the number go-yaml prints (0 when it prints none). */
    readonly line: number,
  ) {
    super(message);
    this.name = 'YAMLSyntaxError';
  }
}

interface Mark {
  index: number;
  line: number;
  column: number;
}

type TokenType =
  | 'STREAM-START'
  | 'STREAM-END'
  | 'VERSION-DIRECTIVE'
  | 'TAG-DIRECTIVE'
  | 'DOCUMENT-START'
  | 'DOCUMENT-END'
  | 'BLOCK-SEQUENCE-START'
  | 'BLOCK-MAPPING-START'
  | 'BLOCK-END'
  | 'FLOW-SEQUENCE-START'
  | 'FLOW-SEQUENCE-END'
  | 'FLOW-MAPPING-START'
  | 'FLOW-MAPPING-END'
  | 'BLOCK-ENTRY'
  | 'FLOW-ENTRY'
  | 'KEY'
  | 'VALUE'
  | 'ALIAS'
  | 'ANCHOR'
  | 'TAG'
  | 'SCALAR';

type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

interface Token {
  type: TokenType;
  start: Mark;
  end: Mark;
  value?: string;
  suffix?: string;
  style?: ScalarStyle;
}

interface SimpleKey {
  possible: boolean;
  required: boolean;
  tokenNumber: number;
  mark: Mark;
}

/** Failure carries the fields go-yaml's parser.fail() reads. */
class Failure {
  constructor(
    readonly scanner: boolean,
    readonly problem: string,
    readonly problemMark: Mark,
    readonly contextMark?: Mark,
  ) {}
}

const NUL = 0;
const isBreak = (c: number) => c === 0x0d || c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029;
const isBlank = (c: number) => c === 0x20 || c === 0x09;
const isBlankz = (c: number) => isBlank(c) || isBreak(c) || c === NUL;
const isBreakz = (c: number) => isBreak(c) || c === NUL;
const isAlpha = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d;
const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const ch = (s: string) => s.codePointAt(0)!;

/** toCodePoints splits a string into code points (a lone surrogate stays one unit). */
export function toCodePoints(text: string): number[] {
  const out = new Array<number>(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out[n++] = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    out[n++] = c;
  }
  out.length = n;
  return out;
}

/** cpString builds a string from code points without spreading large arrays onto the stack. */
function cpString(cps: number[]): string {
  let out = '';
  for (let i = 0; i < cps.length; i += 8192) out += String.fromCodePoint(...cps.slice(i, i + 8192));
  return out;
}
const C = {
  sp: 0x20,
  tab: 0x09,
  lf: 0x0a,
  cr: 0x0d,
  hash: ch('#'),
  dash: ch('-'),
  dot: ch('.'),
  q: ch('?'),
  colon: ch(':'),
  comma: ch(','),
  lbr: ch('['),
  rbr: ch(']'),
  lbc: ch('{'),
  rbc: ch('}'),
  amp: ch('&'),
  star: ch('*'),
  bang: ch('!'),
  pipe: ch('|'),
  gt: ch('>'),
  sq: ch("'"),
  dq: ch('"'),
  pct: ch('%'),
  at: ch('@'),
  bt: ch('`'),
  bs: ch('\\'),
  lt: ch('<'),
  plus: ch('+'),
};
const URI_CHARS = new Set(Array.from(";/?:@&=+$,.!~*'()[]%", ch));

class Scanner {
  private readonly buf: number[];
  private pos = 0;
  private mark: Mark = { index: 0, line: 0, column: 0 };
  private tokens: Token[] = [];
  private head = 0;
  private tokensParsed = 0;
  private streamStartProduced = false;
  private streamEndProduced = false;
  private indent = -1;
  private indents: number[] = [];
  private simpleKeyAllowed = false;
  private simpleKeys: SimpleKey[] = [];
  private keysByToken = new Map<number, number>();
  private flowLevel = 0;

  constructor(text: string) {
    this.buf = toCodePoints(text);
    // The reader drops a leading byte order mark.
    if (this.buf[0] === 0xfeff) this.buf.shift();
    this.buf.push(NUL, NUL, NUL, NUL);
  }

  private at(k = 0): number {
    return this.buf[this.pos + k] ?? NUL;
  }
  private copyMark(): Mark {
    return { ...this.mark };
  }
  private fail(context: string, contextMark: Mark, problem: string): never {
    throw new Failure(true, problem, this.copyMark(), contextMark);
  }

  private skip(): void {
    this.mark.index++;
    this.mark.column++;
    this.pos++;
  }
  private skipLine(): void {
    if (this.at() === C.cr && this.at(1) === C.lf) {
      this.mark.index += 2;
      this.mark.column = 0;
      this.mark.line++;
      this.pos += 2;
    } else if (isBreak(this.at())) {
      this.mark.index++;
      this.mark.column = 0;
      this.mark.line++;
      this.pos++;
    }
  }
  private read(out: number[]): void {
    out.push(this.at());
    this.skip();
  }
  private readLine(out: number[]): void {
    const c = this.at();
    if (c === C.cr && this.at(1) === C.lf) {
      out.push(C.lf);
      this.pos += 2;
      this.mark.index += 2;
    } else if (c === C.cr || c === C.lf || c === 0x85) {
      out.push(C.lf);
      this.pos++;
      this.mark.index++;
    } else if (c === 0x2028 || c === 0x2029) {
      out.push(c);
      this.pos++;
      this.mark.index++;
    } else {
      return;
    }
    this.mark.column = 0;
    this.mark.line++;
  }

  /** peek returns the next token, scanning as far as go-yaml would. */
  peek(): Token {
    this.fetchMoreTokens();
    return this.tokens[this.head];
  }
  /** skipToken consumes the token peek returned. */
  skipToken(): void {
    this.tokensParsed++;
    this.streamEndProduced ||= this.tokens[this.head].type === 'STREAM-END';
    this.head++;
  }

  // go-yaml v2.4 (the sigs.k8s.io fork) looks ahead only while the token at the head of the
  // queue may still turn out to be a simple key, and checks a key's staleness only there and when
  // a ':' arrives.
  private fetchMoreTokens(): void {
    for (;;) {
      if (this.head !== this.tokens.length) {
        const idx = this.keysByToken.get(this.tokensParsed);
        if (idx === undefined) break;
        if (!this.isValid(this.simpleKeys[idx])) break;
      }
      this.fetchNextToken();
    }
  }

  private isValid(k: SimpleKey): boolean {
    if (!k.possible) return false;
    if (k.mark.line < this.mark.line || k.mark.index + 1024 < this.mark.index) {
      if (k.required) this.fail('while scanning a simple key', k.mark, "could not find expected ':'");
      k.possible = false;
      return false;
    }
    return true;
  }

  private fetchNextToken(): void {
    if (!this.streamStartProduced) {
      this.indent = -1;
      this.simpleKeys.push({ possible: false, required: false, tokenNumber: 0, mark: this.copyMark() });
      this.simpleKeyAllowed = true;
      this.streamStartProduced = true;
      const m = this.copyMark();
      this.tokens.push({ type: 'STREAM-START', start: m, end: m });
      return;
    }
    this.scanToNextToken();
    this.unrollIndent(this.mark.column);
    const c = this.at();
    if (c === NUL) return this.fetchStreamEnd();
    if (this.mark.column === 0 && c === C.pct) return this.fetchDirective();
    if (this.mark.column === 0 && isBlankz(this.at(3))) {
      if (c === C.dash && this.at(1) === C.dash && this.at(2) === C.dash) return this.fetchDocumentIndicator('DOCUMENT-START');
      if (c === C.dot && this.at(1) === C.dot && this.at(2) === C.dot) return this.fetchDocumentIndicator('DOCUMENT-END');
    }
    switch (c) {
      case C.lbr:
        return this.fetchFlowCollectionStart('FLOW-SEQUENCE-START');
      case C.lbc:
        return this.fetchFlowCollectionStart('FLOW-MAPPING-START');
      case C.rbr:
        return this.fetchFlowCollectionEnd('FLOW-SEQUENCE-END');
      case C.rbc:
        return this.fetchFlowCollectionEnd('FLOW-MAPPING-END');
      case C.comma:
        return this.fetchFlowEntry();
    }
    const n = this.at(1);
    if (c === C.dash && isBlankz(n)) return this.fetchBlockEntry();
    if (c === C.q && (this.flowLevel > 0 || isBlankz(n))) return this.fetchKey();
    if (c === C.colon && (this.flowLevel > 0 || isBlankz(n))) return this.fetchValue();
    if (c === C.star) return this.fetchAnchor('ALIAS');
    if (c === C.amp) return this.fetchAnchor('ANCHOR');
    if (c === C.bang) return this.fetchTag();
    if (c === C.pipe && this.flowLevel === 0) return this.fetchBlockScalar(true);
    if (c === C.gt && this.flowLevel === 0) return this.fetchBlockScalar(false);
    if (c === C.sq) return this.fetchFlowScalar(true);
    if (c === C.dq) return this.fetchFlowScalar(false);
    const indicator = [
      C.dash, C.q, C.colon, C.comma, C.lbr, C.rbr, C.lbc, C.rbc, C.hash, C.amp, C.star, C.bang, C.pipe, C.gt, C.sq, C.dq, C.pct, C.at, C.bt,
    ].includes(c);
    if (
      !(isBlankz(c) || indicator) ||
      (c === C.dash && !isBlank(n)) ||
      (this.flowLevel === 0 && (c === C.q || c === C.colon) && !isBlankz(n))
    ) {
      return this.fetchPlainScalar();
    }
    this.fail('while scanning for the next token', this.copyMark(), 'found character that cannot start any token');
  }

  private saveSimpleKey(): void {
    const required = this.flowLevel === 0 && this.indent === this.mark.column;
    if (this.simpleKeyAllowed) {
      const key: SimpleKey = {
        possible: true,
        required,
        tokenNumber: this.tokensParsed + (this.tokens.length - this.head),
        mark: this.copyMark(),
      };
      this.removeSimpleKey();
      this.simpleKeys[this.simpleKeys.length - 1] = key;
      this.keysByToken.set(key.tokenNumber, this.simpleKeys.length - 1);
    }
  }

  private removeSimpleKey(): void {
    const k = this.simpleKeys[this.simpleKeys.length - 1];
    if (k.possible) {
      if (k.required) this.fail('while scanning a simple key', k.mark, "could not find expected ':'");
      k.possible = false;
      this.keysByToken.delete(k.tokenNumber);
    }
  }

  private increaseFlowLevel(): void {
    this.simpleKeys.push({ possible: false, required: false, tokenNumber: 0, mark: this.copyMark() });
    this.flowLevel++;
    if (this.flowLevel > 10000) this.fail('while increasing flow level', this.copyMark(), 'exceeded max depth of 10000');
  }
  private decreaseFlowLevel(): void {
    if (this.flowLevel > 0) {
      this.flowLevel--;
      this.keysByToken.delete(this.simpleKeys[this.simpleKeys.length - 1].tokenNumber);
      this.simpleKeys.pop();
    }
  }

  private insertToken(number: number, t: Token): void {
    if (number === -1) this.tokens.push(t);
    else this.tokens.splice(this.head + number, 0, t);
  }

  private rollIndent(column: number, number: number, type: TokenType, mark: Mark): void {
    if (this.flowLevel > 0) return;
    if (this.indent < column) {
      this.indents.push(this.indent);
      this.indent = column;
      if (this.indents.length > 10000) this.fail('while increasing indent level', this.copyMark(), 'exceeded max depth of 10000');
      if (number > -1) number -= this.tokensParsed;
      this.insertToken(number, { type, start: mark, end: mark });
    }
  }

  private unrollIndent(column: number): void {
    if (this.flowLevel > 0) return;
    while (this.indent > column) {
      const m = this.copyMark();
      this.tokens.push({ type: 'BLOCK-END', start: m, end: m });
      this.indent = this.indents.pop()!;
    }
  }

  private fetchStreamEnd(): void {
    if (this.mark.column !== 0) {
      this.mark.column = 0;
      this.mark.line++;
    }
    this.unrollIndent(-1);
    this.removeSimpleKey();
    this.simpleKeyAllowed = false;
    const m = this.copyMark();
    this.tokens.push({ type: 'STREAM-END', start: m, end: m });
  }

  private fetchDirective(): void {
    this.unrollIndent(-1);
    this.removeSimpleKey();
    this.simpleKeyAllowed = false;
    const start = this.copyMark();
    this.skip();
    const name: number[] = [];
    while (isAlpha(this.at())) this.read(name);
    const n = cpString(name);
    if (name.length === 0) this.fail('while scanning a directive', start, 'could not find expected directive name');
    if (!isBlankz(this.at())) this.fail('while scanning a directive', start, 'found unexpected non-alphabetical character');
    if (n !== 'YAML' && n !== 'TAG') this.fail('while scanning a directive', start, 'found unknown directive name');
    while (!isBreakz(this.at())) this.skip();
    this.tokens.push({ type: n === 'YAML' ? 'VERSION-DIRECTIVE' : 'TAG-DIRECTIVE', start, end: this.copyMark() });
  }

  private fetchDocumentIndicator(type: TokenType): void {
    this.unrollIndent(-1);
    this.removeSimpleKey();
    this.simpleKeyAllowed = false;
    const start = this.copyMark();
    this.skip();
    this.skip();
    this.skip();
    this.tokens.push({ type, start, end: this.copyMark() });
  }

  private fetchFlowCollectionStart(type: TokenType): void {
    this.saveSimpleKey();
    this.increaseFlowLevel();
    this.simpleKeyAllowed = true;
    const start = this.copyMark();
    this.skip();
    this.tokens.push({ type, start, end: this.copyMark() });
  }

  private fetchFlowCollectionEnd(type: TokenType): void {
    this.removeSimpleKey();
    this.decreaseFlowLevel();
    this.simpleKeyAllowed = false;
    const start = this.copyMark();
    this.skip();
    this.tokens.push({ type, start, end: this.copyMark() });
  }

  private fetchFlowEntry(): void {
    this.removeSimpleKey();
    this.simpleKeyAllowed = true;
    const start = this.copyMark();
    this.skip();
    this.tokens.push({ type: 'FLOW-ENTRY', start, end: this.copyMark() });
  }

  private fetchBlockEntry(): void {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) this.fail('', this.copyMark(), 'block sequence entries are not allowed in this context');
      this.rollIndent(this.mark.column, -1, 'BLOCK-SEQUENCE-START', this.copyMark());
    }
    this.removeSimpleKey();
    this.simpleKeyAllowed = true;
    const start = this.copyMark();
    this.skip();
    this.tokens.push({ type: 'BLOCK-ENTRY', start, end: this.copyMark() });
  }

  private fetchKey(): void {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) this.fail('', this.copyMark(), 'mapping keys are not allowed in this context');
      this.rollIndent(this.mark.column, -1, 'BLOCK-MAPPING-START', this.copyMark());
    }
    this.removeSimpleKey();
    this.simpleKeyAllowed = this.flowLevel === 0;
    const start = this.copyMark();
    this.skip();
    this.tokens.push({ type: 'KEY', start, end: this.copyMark() });
  }

  private fetchValue(): void {
    const k = this.simpleKeys[this.simpleKeys.length - 1];
    if (this.isValid(k)) {
      this.insertToken(k.tokenNumber - this.tokensParsed, { type: 'KEY', start: k.mark, end: k.mark });
      this.rollIndent(k.mark.column, k.tokenNumber, 'BLOCK-MAPPING-START', k.mark);
      k.possible = false;
      this.keysByToken.delete(k.tokenNumber);
      this.simpleKeyAllowed = false;
    } else {
      if (this.flowLevel === 0) {
        if (!this.simpleKeyAllowed) this.fail('', this.copyMark(), 'mapping values are not allowed in this context');
        this.rollIndent(this.mark.column, -1, 'BLOCK-MAPPING-START', this.copyMark());
      }
      this.simpleKeyAllowed = this.flowLevel === 0;
    }
    const start = this.copyMark();
    this.skip();
    this.tokens.push({ type: 'VALUE', start, end: this.copyMark() });
  }

  private fetchAnchor(type: 'ALIAS' | 'ANCHOR'): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    const start = this.copyMark();
    this.skip();
    const s: number[] = [];
    while (isAlpha(this.at())) this.read(s);
    const end = this.copyMark();
    const c = this.at();
    if (s.length === 0 || !(isBlankz(c) || [C.q, C.colon, C.comma, C.rbr, C.rbc, C.pct, C.at, C.bt].includes(c))) {
      this.fail(type === 'ANCHOR' ? 'while scanning an anchor' : 'while scanning an alias', start, 'did not find expected alphabetic or numeric character');
    }
    this.tokens.push({ type, start, end, value: cpString(s) });
  }

  private fetchTag(): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    const start = this.copyMark();
    let handle: string;
    let suffix: string;
    if (this.at(1) === C.lt) {
      handle = '';
      this.skip();
      this.skip();
      suffix = this.scanTagUri('', start);
      if (this.at() !== C.gt) this.fail('while scanning a tag', start, "did not find the expected '>'");
      this.skip();
    } else {
      handle = this.scanTagHandle();
      if (handle.length > 1 && handle.startsWith('!') && handle.endsWith('!')) {
        suffix = this.scanTagUri('', start);
      } else {
        suffix = this.scanTagUri(handle, start);
        handle = '!';
        if (suffix.length === 0) [handle, suffix] = [suffix, handle];
      }
    }
    if (!isBlankz(this.at())) {
      if (this.flowLevel === 0 || this.at() !== C.comma) {
        this.fail('while scanning a tag', start, 'did not find expected whitespace or line break');
      }
    }
    this.tokens.push({ type: 'TAG', start, end: this.copyMark(), value: handle, suffix });
  }

  private scanTagHandle(): string {
    const s: number[] = [];
    this.read(s); // '!'
    while (isAlpha(this.at())) this.read(s);
    if (this.at() === C.bang) this.read(s);
    return cpString(s);
  }

  private scanTagUri(head: string, start: Mark): string {
    let s = head.length > 1 ? head.slice(1) : '';
    for (;;) {
      const c = this.at();
      if (!(isAlpha(c) || URI_CHARS.has(c))) break;
      if (c === C.pct) {
        const bytes: number[] = [];
        while (this.at() === C.pct) {
          if (!isHex(this.at(1)) || !isHex(this.at(2))) this.fail('while parsing a tag', start, 'did not find URI escaped octet');
          bytes.push(parseInt(String.fromCodePoint(this.at(1), this.at(2)), 16));
          this.skip();
          this.skip();
          this.skip();
        }
        s += Buffer.from(bytes).toString('utf8');
      } else {
        s += String.fromCodePoint(c);
        this.skip();
      }
    }
    return s;
  }

  private fetchBlockScalar(literal: boolean): void {
    this.removeSimpleKey();
    this.simpleKeyAllowed = true;
    const start = this.copyMark();
    this.skip();
    let chomping = 0;
    let increment = 0;
    const digit = (c: number) => c >= 0x30 && c <= 0x39;
    if (this.at() === C.plus || this.at() === C.dash) {
      chomping = this.at() === C.plus ? 1 : -1;
      this.skip();
      if (digit(this.at())) {
        if (this.at() === 0x30) this.fail('while scanning a block scalar', start, 'found an indentation indicator equal to 0');
        increment = this.at() - 0x30;
        this.skip();
      }
    } else if (digit(this.at())) {
      if (this.at() === 0x30) this.fail('while scanning a block scalar', start, 'found an indentation indicator equal to 0');
      increment = this.at() - 0x30;
      this.skip();
      if (this.at() === C.plus || this.at() === C.dash) {
        chomping = this.at() === C.plus ? 1 : -1;
        this.skip();
      }
    }
    while (isBlank(this.at())) this.skip();
    if (this.at() === C.hash) while (!isBreakz(this.at())) this.skip();
    if (!isBreakz(this.at())) this.fail('while scanning a block scalar', start, 'did not find expected comment or line break');
    if (isBreak(this.at())) this.skipLine();
    let end = this.copyMark();
    let indent = 0;
    if (increment > 0) indent = this.indent >= 0 ? this.indent + increment : increment;
    const s: number[] = [];
    let leadingBreak: number[] = [];
    let trailingBreaks: number[] = [];
    const breaks = () => {
      end = this.copyMark();
      let maxIndent = 0;
      for (;;) {
        while ((indent === 0 || this.mark.column < indent) && this.at() === C.sp) this.skip();
        if (this.mark.column > maxIndent) maxIndent = this.mark.column;
        if ((indent === 0 || this.mark.column < indent) && this.at() === C.tab) {
          this.fail('while scanning a block scalar', start, 'found a tab character where an indentation space is expected');
        }
        if (!isBreak(this.at())) break;
        this.readLine(trailingBreaks);
        end = this.copyMark();
      }
      if (indent === 0) {
        indent = maxIndent;
        if (indent < this.indent + 1) indent = this.indent + 1;
        if (indent < 1) indent = 1;
      }
    };
    breaks();
    let leadingBlank = false;
    let trailingBlank = false;
    while (this.mark.column === indent && this.at() !== NUL) {
      trailingBlank = isBlank(this.at());
      if (!literal && leadingBreak.length > 0 && leadingBreak[0] === C.lf && !leadingBlank && !trailingBlank) {
        if (trailingBreaks.length === 0) s.push(C.sp);
      } else {
        s.push(...leadingBreak);
      }
      leadingBreak = [];
      s.push(...trailingBreaks);
      trailingBreaks = [];
      leadingBlank = isBlank(this.at());
      while (!isBreakz(this.at())) this.read(s);
      this.readLine(leadingBreak);
      breaks();
    }
    if (chomping !== -1) s.push(...leadingBreak);
    if (chomping === 1) s.push(...trailingBreaks);
    this.tokens.push({ type: 'SCALAR', start, end, value: cpString(s), style: literal ? 'literal' : 'folded' });
  }

  private fetchFlowScalar(single: boolean): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    const start = this.copyMark();
    this.skip();
    const s: number[] = [];
    let leadingBreak: number[] = [];
    let trailingBreaks: number[] = [];
    let whitespaces: number[] = [];
    for (;;) {
      if (
        this.mark.column === 0 &&
        ((this.at() === C.dash && this.at(1) === C.dash && this.at(2) === C.dash) ||
          (this.at() === C.dot && this.at(1) === C.dot && this.at(2) === C.dot)) &&
        isBlankz(this.at(3))
      ) {
        this.fail('while scanning a quoted scalar', start, 'found unexpected document indicator');
      }
      if (this.at() === NUL && this.pos >= this.buf.length - 4) {
        this.fail('while scanning a quoted scalar', start, 'found unexpected end of stream');
      }
      let leadingBlanks = false;
      while (!isBlankz(this.at()) || (this.at() === NUL && this.pos < this.buf.length - 4)) {
        const c = this.at();
        if (single && c === C.sq && this.at(1) === C.sq) {
          s.push(C.sq);
          this.skip();
          this.skip();
        } else if (single && c === C.sq) {
          break;
        } else if (!single && c === C.dq) {
          break;
        } else if (!single && c === C.bs && isBreak(this.at(1))) {
          this.skip();
          this.skipLine();
          leadingBlanks = true;
          break;
        } else if (!single && c === C.bs) {
          let codeLength = 0;
          const e = String.fromCodePoint(this.at(1));
          const simple: Record<string, number> = {
            '0': 0, a: 7, b: 8, t: 9, '\t': 9, n: 10, v: 11, f: 12, r: 13, e: 0x1b, ' ': 0x20, '"': 0x22, "'": 0x27, '\\': 0x5c, N: 0x85, _: 0xa0, L: 0x2028, P: 0x2029,
          };
          if (e in simple) s.push(simple[e]);
          else if (e === 'x') codeLength = 2;
          else if (e === 'u') codeLength = 4;
          else if (e === 'U') codeLength = 8;
          else this.fail('while parsing a quoted scalar', start, 'found unknown escape character');
          this.skip();
          this.skip();
          if (codeLength > 0) {
            let v = 0;
            for (let k = 0; k < codeLength; k++) {
              if (!isHex(this.at(k))) this.fail('while parsing a quoted scalar', start, 'did not find expected hexdecimal number');
              v = v * 16 + parseInt(String.fromCodePoint(this.at(k)), 16);
            }
            if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff) {
              this.fail('while parsing a quoted scalar', start, 'found invalid Unicode character escape code');
            }
            s.push(v);
            for (let k = 0; k < codeLength; k++) this.skip();
          }
        } else {
          this.read(s);
        }
      }
      if (single ? this.at() === C.sq : this.at() === C.dq) break;
      if (this.at() === NUL && this.pos >= this.buf.length - 4) continue;
      while (isBlank(this.at()) || isBreak(this.at())) {
        if (isBlank(this.at())) {
          if (!leadingBlanks) this.read(whitespaces);
          else this.skip();
        } else if (!leadingBlanks) {
          whitespaces = [];
          this.readLine(leadingBreak);
          leadingBlanks = true;
        } else {
          this.readLine(trailingBreaks);
        }
      }
      if (leadingBlanks) {
        if (leadingBreak.length > 0 && leadingBreak[0] === C.lf) {
          if (trailingBreaks.length === 0) s.push(C.sp);
          else s.push(...trailingBreaks);
        } else {
          s.push(...leadingBreak, ...trailingBreaks);
        }
        trailingBreaks = [];
        leadingBreak = [];
      } else {
        s.push(...whitespaces);
        whitespaces = [];
      }
    }
    this.skip();
    this.tokens.push({ type: 'SCALAR', start, end: this.copyMark(), value: cpString(s), style: single ? 'single' : 'double' });
  }

  private fetchPlainScalar(): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    const s: number[] = [];
    let leadingBreak: number[] = [];
    let trailingBreaks: number[] = [];
    let whitespaces: number[] = [];
    let leadingBlanks = false;
    const indent = this.indent + 1;
    const start = this.copyMark();
    let end = this.copyMark();
    for (;;) {
      if (
        this.mark.column === 0 &&
        ((this.at() === C.dash && this.at(1) === C.dash && this.at(2) === C.dash) ||
          (this.at() === C.dot && this.at(1) === C.dot && this.at(2) === C.dot)) &&
        isBlankz(this.at(3))
      ) {
        break;
      }
      if (this.at() === C.hash) break;
      while (!isBlankz(this.at())) {
        const c = this.at();
        if (
          (c === C.colon && isBlankz(this.at(1))) ||
          (this.flowLevel > 0 && (c === C.comma || c === C.q || c === C.lbr || c === C.rbr || c === C.lbc || c === C.rbc))
        ) {
          break;
        }
        if (leadingBlanks || whitespaces.length > 0) {
          if (leadingBlanks) {
            if (leadingBreak[0] === C.lf) {
              if (trailingBreaks.length === 0) s.push(C.sp);
              else s.push(...trailingBreaks);
            } else {
              s.push(...leadingBreak, ...trailingBreaks);
            }
            trailingBreaks = [];
            leadingBreak = [];
            leadingBlanks = false;
          } else {
            s.push(...whitespaces);
            whitespaces = [];
          }
        }
        this.read(s);
        end = this.copyMark();
      }
      if (!(isBlank(this.at()) || isBreak(this.at()))) break;
      while (isBlank(this.at()) || isBreak(this.at())) {
        if (isBlank(this.at())) {
          if (leadingBlanks && this.mark.column < indent && this.at() === C.tab) {
            this.fail('while scanning a plain scalar', start, 'found a tab character that violates indentation');
          }
          if (!leadingBlanks) this.read(whitespaces);
          else this.skip();
        } else if (!leadingBlanks) {
          whitespaces = [];
          this.readLine(leadingBreak);
          leadingBlanks = true;
        } else {
          this.readLine(trailingBreaks);
        }
      }
      if (this.flowLevel === 0 && this.mark.column < indent) break;
    }
    this.tokens.push({ type: 'SCALAR', start, end, value: cpString(s), style: 'plain' });
    if (leadingBlanks) this.simpleKeyAllowed = true;
  }

  private scanToNextToken(): void {
    for (;;) {
      if (this.mark.column === 0 && this.at() === 0xfeff) this.skip();
      while (this.at() === C.sp || ((this.flowLevel > 0 || !this.simpleKeyAllowed) && this.at() === C.tab)) this.skip();
      if (this.at() === C.hash) while (!isBreakz(this.at())) this.skip();
      if (isBreak(this.at())) {
        this.skipLine();
        if (this.flowLevel === 0) this.simpleKeyAllowed = true;
      } else {
        return;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Parser: events straight into nodes.

/** YNode is a parsed YAML node; aliases point at the node their anchor named. */
export type YamlNode =
  | { kind: 'scalar'; value: string; tag: string; style: ScalarStyle; implicit: boolean; line: number }
  | { kind: 'seq'; items: YamlNode[]; tag: string; line: number }
  | { kind: 'map'; pairs: Array<[YamlNode, YamlNode]>; tag: string; line: number }
  | { kind: 'alias'; name: string; target: YamlNode; line: number };

const TAG_PREFIXES: Record<string, string> = { '!': '!', '!!': 'tag:yaml.org,2002:' };

class Parser {
  private anchors = new Map<string, YamlNode>();
  constructor(private readonly sc: Scanner) {}

  private fail(problem: string, problemMark: Mark, contextMark?: Mark): never {
    throw new Failure(false, problem, problemMark, contextMark);
  }

  /** streamStart consumes STREAM-START. */
  start(): void {
    this.sc.peek();
    this.sc.skipToken();
  }

  /**
   * document parses the next document (first: go-yaml's implicit-document rules) and returns its
   * root node, or undefined at the end of the stream.
   */
  document(first: boolean): YamlNode | undefined {
    let t = this.sc.peek();
    if (!first) {
      while (t.type === 'DOCUMENT-END') {
        this.sc.skipToken();
        t = this.sc.peek();
      }
    }
    if (t.type === 'STREAM-END') return undefined;
    this.anchors = new Map();
    let root: YamlNode;
    if (first && t.type !== 'VERSION-DIRECTIVE' && t.type !== 'TAG-DIRECTIVE' && t.type !== 'DOCUMENT-START') {
      root = this.node(true, false);
    } else {
      while (t.type === 'VERSION-DIRECTIVE' || t.type === 'TAG-DIRECTIVE') {
        this.sc.skipToken();
        t = this.sc.peek();
      }
      if (t.type !== 'DOCUMENT-START') this.fail('did not find expected <document start>', t.start);
      this.sc.skipToken();
      t = this.sc.peek();
      if (['VERSION-DIRECTIVE', 'TAG-DIRECTIVE', 'DOCUMENT-START', 'DOCUMENT-END', 'STREAM-END'].includes(t.type)) {
        root = this.empty(t.start);
      } else {
        root = this.node(true, false);
      }
    }
    // document end: go-yaml looks at one more token
    t = this.sc.peek();
    if (t.type === 'DOCUMENT-END') this.sc.skipToken();
    return root;
  }

  private empty(m: Mark): YamlNode {
    return { kind: 'scalar', value: '', tag: '', style: 'plain', implicit: true, line: m.line };
  }

  private node(block: boolean, indentlessSequence: boolean): YamlNode {
    let t = this.sc.peek();
    if (t.type === 'ALIAS') {
      this.sc.skipToken();
      const target = this.anchors.get(t.value!);
      if (!target) throw new Failure(false, `unknown anchor '${t.value}' referenced`, { index: 0, line: 0, column: 0 });
      return { kind: 'alias', name: t.value!, target, line: t.start.line };
    }
    const startMark = t.start;
    let anchor = '';
    let tagHandle: string | null = null;
    let tagSuffix = '';
    let tagMark = t.start;
    if (t.type === 'ANCHOR') {
      anchor = t.value!;
      this.sc.skipToken();
      t = this.sc.peek();
      if (t.type === 'TAG') {
        tagHandle = t.value!;
        tagSuffix = t.suffix!;
        tagMark = t.start;
        this.sc.skipToken();
        t = this.sc.peek();
      }
    } else if (t.type === 'TAG') {
      tagHandle = t.value!;
      tagSuffix = t.suffix!;
      tagMark = t.start;
      this.sc.skipToken();
      t = this.sc.peek();
      if (t.type === 'ANCHOR') {
        anchor = t.value!;
        this.sc.skipToken();
        t = this.sc.peek();
      }
    }
    let tag = '';
    if (tagHandle !== null) {
      if (tagHandle === '') tag = tagSuffix;
      else if (tagHandle in TAG_PREFIXES) tag = TAG_PREFIXES[tagHandle] + tagSuffix;
      else this.fail('found undefined tag handle', tagMark, startMark);
    }
    const register = (n: YamlNode) => {
      if (anchor) this.anchors.set(anchor, n);
      return n;
    };
    if (indentlessSequence && t.type === 'BLOCK-ENTRY') {
      const n: YamlNode = { kind: 'seq', items: [], tag, line: t.start.line };
      register(n);
      this.indentlessSequence(n.items);
      return n;
    }
    if (t.type === 'SCALAR') {
      this.sc.skipToken();
      const implicit = (tag === '' && t.style === 'plain') || tag === '!';
      return register({ kind: 'scalar', value: t.value!, tag, style: t.style!, implicit, line: t.start.line });
    }
    if (t.type === 'FLOW-SEQUENCE-START') {
      const n: YamlNode = { kind: 'seq', items: [], tag, line: t.start.line };
      register(n);
      this.flowSequence(n.items);
      return n;
    }
    if (t.type === 'FLOW-MAPPING-START') {
      const n: YamlNode = { kind: 'map', pairs: [], tag, line: t.start.line };
      register(n);
      this.flowMapping(n.pairs);
      return n;
    }
    if (block && t.type === 'BLOCK-SEQUENCE-START') {
      const n: YamlNode = { kind: 'seq', items: [], tag, line: t.start.line };
      register(n);
      this.blockSequence(n.items);
      return n;
    }
    if (block && t.type === 'BLOCK-MAPPING-START') {
      const n: YamlNode = { kind: 'map', pairs: [], tag, line: t.start.line };
      register(n);
      this.blockMapping(n.pairs);
      return n;
    }
    if (anchor || tag) {
      return register({ kind: 'scalar', value: '', tag, style: 'plain', implicit: tag === '', line: t.start.line });
    }
    this.fail('did not find expected node content', t.start, startMark);
  }

  private blockSequence(items: YamlNode[]): void {
    const contextMark = this.sc.peek().start;
    this.sc.skipToken();
    for (;;) {
      let t = this.sc.peek();
      if (t.type === 'BLOCK-ENTRY') {
        const mark = t.end;
        this.sc.skipToken();
        t = this.sc.peek();
        if (t.type !== 'BLOCK-ENTRY' && t.type !== 'BLOCK-END') items.push(this.node(true, false));
        else items.push(this.empty(mark));
        continue;
      }
      if (t.type === 'BLOCK-END') {
        this.sc.skipToken();
        return;
      }
      this.fail("did not find expected '-' indicator", t.start, contextMark);
    }
  }

  private indentlessSequence(items: YamlNode[]): void {
    for (;;) {
      let t = this.sc.peek();
      if (t.type !== 'BLOCK-ENTRY') return;
      const mark = t.end;
      this.sc.skipToken();
      t = this.sc.peek();
      if (t.type !== 'BLOCK-ENTRY' && t.type !== 'KEY' && t.type !== 'VALUE' && t.type !== 'BLOCK-END') {
        items.push(this.node(true, false));
      } else {
        items.push(this.empty(mark));
      }
    }
  }

  private blockMapping(pairs: Array<[YamlNode, YamlNode]>): void {
    const contextMark = this.sc.peek().start;
    this.sc.skipToken();
    for (;;) {
      let t = this.sc.peek();
      let key: YamlNode;
      if (t.type === 'KEY') {
        const mark = t.end;
        this.sc.skipToken();
        t = this.sc.peek();
        if (t.type !== 'KEY' && t.type !== 'VALUE' && t.type !== 'BLOCK-END') key = this.node(true, true);
        else key = this.empty(mark);
      } else if (t.type === 'BLOCK-END') {
        this.sc.skipToken();
        return;
      } else {
        this.fail('did not find expected key', t.start, contextMark);
      }
      // value
      t = this.sc.peek();
      let value: YamlNode;
      if (t.type === 'VALUE') {
        const mark = t.end;
        this.sc.skipToken();
        t = this.sc.peek();
        if (t.type !== 'KEY' && t.type !== 'VALUE' && t.type !== 'BLOCK-END') value = this.node(true, true);
        else value = this.empty(mark);
      } else {
        value = this.empty(t.start);
      }
      pairs.push([key, value]);
    }
  }

  private flowSequence(items: YamlNode[]): void {
    const contextMark = this.sc.peek().start;
    this.sc.skipToken();
    let first = true;
    for (;;) {
      let t = this.sc.peek();
      if (t.type !== 'FLOW-SEQUENCE-END') {
        if (!first) {
          if (t.type === 'FLOW-ENTRY') {
            this.sc.skipToken();
            t = this.sc.peek();
          } else {
            this.fail("did not find expected ',' or ']'", t.start, contextMark);
          }
        }
        first = false;
        if (t.type === 'KEY') {
          // a single-pair mapping inside a flow sequence
          this.sc.skipToken();
          const m: YamlNode = { kind: 'map', pairs: [], tag: '', line: t.start.line };
          t = this.sc.peek();
          let key: YamlNode;
          if (t.type !== 'VALUE' && t.type !== 'FLOW-ENTRY' && t.type !== 'FLOW-SEQUENCE-END') key = this.node(false, false);
          else key = this.empty(t.end);
          t = this.sc.peek();
          let value: YamlNode;
          if (t.type === 'VALUE') {
            this.sc.skipToken();
            t = this.sc.peek();
            if (t.type !== 'FLOW-ENTRY' && t.type !== 'FLOW-SEQUENCE-END') value = this.node(false, false);
            else value = this.empty(t.start);
          } else {
            value = this.empty(t.start);
          }
          m.pairs.push([key, value]);
          items.push(m);
          continue;
        } else if (t.type !== 'FLOW-SEQUENCE-END') {
          items.push(this.node(false, false));
          continue;
        }
      }
      this.sc.skipToken();
      return;
    }
  }

  private flowMapping(pairs: Array<[YamlNode, YamlNode]>): void {
    const contextMark = this.sc.peek().start;
    this.sc.skipToken();
    let first = true;
    for (;;) {
      let t = this.sc.peek();
      if (t.type !== 'FLOW-MAPPING-END') {
        if (!first) {
          if (t.type === 'FLOW-ENTRY') {
            this.sc.skipToken();
            t = this.sc.peek();
          } else {
            this.fail("did not find expected ',' or '}'", t.start, contextMark);
          }
        }
        first = false;
        if (t.type === 'KEY') {
          this.sc.skipToken();
          t = this.sc.peek();
          let key: YamlNode;
          if (t.type !== 'VALUE' && t.type !== 'FLOW-ENTRY' && t.type !== 'FLOW-MAPPING-END') key = this.node(false, false);
          else key = this.empty(t.start);
          pairs.push([key, this.flowMappingValue()]);
          continue;
        } else if (t.type !== 'FLOW-MAPPING-END') {
          const key = this.node(false, false);
          pairs.push([key, this.empty(this.sc.peek().start)]);
          continue;
        }
      }
      this.sc.skipToken();
      return;
    }
  }

  private flowMappingValue(): YamlNode {
    let t = this.sc.peek();
    if (t.type === 'VALUE') {
      this.sc.skipToken();
      t = this.sc.peek();
      if (t.type !== 'FLOW-ENTRY' && t.type !== 'FLOW-MAPPING-END') return this.node(false, false);
    }
    return this.empty(t.start);
  }
}

/** goLine is go-yaml's parser.fail() arithmetic for the line it prints. */
function goLine(f: Failure): number {
  if (f.problemMark.line !== 0) return f.problemMark.line + (f.scanner ? 1 : 0);
  if (f.contextMark && f.contextMark.line !== 0) return f.contextMark.line;
  return 0;
}

function toSyntaxError(e: unknown): never {
  if (e instanceof Failure) {
    const line = goLine(e);
    throw new YAMLSyntaxError((line ? `line ${line}: ` : '') + e.problem, line);
  }
  throw e;
}

/**
 * parseYamlNodes parses documents the way go-yaml's Unmarshal (first only) or Decoder (all) do.
 * An empty input has no document. Throws {@link YAMLSyntaxError}.
 */
export function parseYamlNodes(text: string, firstOnly: boolean): YamlNode[] {
  // go-yaml reads an empty input as a single line break.
  const p = new Parser(new Scanner(text === '' ? '\n' : text));
  const out: YamlNode[] = [];
  try {
    p.start();
    for (let first = true; ; first = false) {
      const n = p.document(first);
      if (n === undefined) break;
      out.push(n);
      if (firstOnly) break;
    }
  } catch (e) {
    toSyntaxError(e);
  }
  return out;
}
