/**
 * lexer: splits Go template text into tokens, as text/template/parse's lexer does.
 *
 * The lexer is a set of state functions: each looks at the input through a handful of primitives
 * (next, peek, backup, accept, acceptRun, emit, ignore) and returns the next state. Unlike Go's
 * goroutine-fed lexer, we run it to completion into an array, which the parser reads with
 * look-ahead. Every token carries its offset (a JS string index) and line; the executor turns an
 * offset into Go's byte column only when it reports an error.
 */

/** ItemType names every kind of token the parser can see. */
export enum Item {
  Error,
  Bool,
  Char, // printable ASCII character; grab bag for comma etc.
  CharConstant,
  Comment,
  Complex,
  Assign, // '='
  Declare, // ':='
  EOF,
  Field, // .Field
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  // keywords
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

/** Token is one lexed item: its type, text, offset in the input and 1-based line. */
export interface Token {
  readonly typ: Item;
  readonly val: string;
  readonly pos: number;
  readonly line: number;
}

const KEYWORDS: ReadonlyMap<string, Item> = new Map([
  ['.', Item.Dot],
  ['block', Item.Block],
  ['break', Item.Break],
  ['continue', Item.Continue],
  ['define', Item.Define],
  ['else', Item.Else],
  ['end', Item.End],
  ['if', Item.If],
  ['range', Item.Range],
  ['nil', Item.Nil],
  ['template', Item.Template],
  ['with', Item.With],
]);

const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const TRIM_MARKER_LEN = 2; // "- " or " -"
const EOF = -1;

type StateFn = ((l: Lexer) => StateFn) | null;

/** Lexer holds the scanning state; `lex` is the public entry. */
class Lexer {
  readonly tokens: Token[] = [];
  pos = 0;
  start = 0;
  /** lineAt/linePos: a monotonic cursor that counts newlines up to a token's start. */
  private lineAt = 1;
  private linePos = 0;
  parenDepth = 0;
  constructor(
    readonly name: string,
    readonly input: string,
  ) {}

  /** next returns the next code point (as a number) or EOF. */
  next(): number {
    if (this.pos >= this.input.length) {
      this.pos = this.input.length + 1; // so backup after EOF is a no-op in effect
      return EOF;
    }
    const c = this.input.charCodeAt(this.pos);
    if (c < 0xd800 || c > 0xdbff) {
      this.pos++;
      return c;
    }
    const cp = this.input.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }
  /** backup steps back one code point; call at most once per next. */
  backup(): void {
    if (this.pos > this.input.length) {
      this.pos = this.input.length;
      return;
    }
    if (this.pos <= 0) return;
    const lo = this.input.charCodeAt(this.pos - 1);
    this.pos -= lo >= 0xdc00 && lo <= 0xdfff && this.pos >= 2 ? 2 : 1;
  }
  peek(): number {
    if (this.pos >= this.input.length) return EOF;
    const c = this.input.charCodeAt(this.pos);
    return c < 0xd800 || c > 0xdbff ? c : this.input.codePointAt(this.pos)!;
  }
  /** startLine is the 1-based line of the current token's start. */
  startLine(): number {
    const s = this.input;
    const to = this.start;
    for (let i = this.linePos; i < to; i++) if (s.charCodeAt(i) === 10) this.lineAt++;
    this.linePos = Math.max(this.linePos, to);
    return this.lineAt;
  }
  emit(t: Item): StateFn {
    this.tokens.push({ typ: t, val: this.input.slice(this.start, this.pos), pos: this.start, line: this.startLine() });
    this.start = this.pos;
    return null;
  }
  emitVal(t: Item, val: string): void {
    this.tokens.push({ typ: t, val, pos: this.start, line: this.startLine() });
    this.start = this.pos;
  }
  ignore(): void {
    this.start = this.pos;
  }
  accept(valid: string): boolean {
    if (this.pos < this.input.length && valid.indexOf(this.input[this.pos]) >= 0) {
      this.pos++;
      return true;
    }
    return false;
  }
  acceptRun(valid: string): void {
    while (this.pos < this.input.length && valid.indexOf(this.input[this.pos]) >= 0) this.pos++;
  }
  /** errorf emits an error token and stops lexing. */
  errorf(msg: string): StateFn {
    this.tokens.push({ typ: Item.Error, val: msg, pos: this.start, line: this.startLine() });
    return null;
  }
  /** atRightDelim: 0 when not at a right delimiter, 1 at `}}`, 2 at ` -}}` (trim marker). */
  atRightDelim(): number {
    const s = this.input;
    const p = this.pos;
    if (hasRightTrimMarker(s, p) && s.charCodeAt(p + 2) === 125 && s.charCodeAt(p + 3) === 125) return 2;
    if (s.charCodeAt(p) === 125 && s.charCodeAt(p + 1) === 125) return 1;
    return 0;
  }
  /** atTerminator reports whether the next character ends an identifier or field. */
  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 46: // .
      case 44: // ,
      case 124: // |
      case 58: // :
      case 41: // )
      case 40: // (
        return true;
    }
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }
}

const isSpace = (r: number): boolean => r === 32 || r === 9 || r === 13 || r === 10;
const isAlphaNumeric = (r: number): boolean => {
  if (r === 95) return true;
  if ((r >= 48 && r <= 57) || (r >= 65 && r <= 90) || (r >= 97 && r <= 122)) return true;
  if (r < 0x80) return false;
  return /[\p{L}\p{Nd}]/u.test(String.fromCodePoint(r));
};
const isDigit = (r: number): boolean => r >= 48 && r <= 57;

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.length >= at + 2 && s.charCodeAt(at) === 45 && isSpace(s.charCodeAt(at + 1));
}
function hasRightTrimMarker(s: string, at: number): boolean {
  return s.length >= at + 2 && isSpace(s.charCodeAt(at)) && s.charCodeAt(at + 1) === 45;
}

function trimRightSpace(s: string): string {
  let e = s.length;
  while (e > 0 && isSpace(s.charCodeAt(e - 1))) e--;
  return s.slice(0, e);
}

/** lexText scans until an opening action delimiter. */
function lexText(l: Lexer): StateFn {
  const x = l.input.indexOf(LEFT_DELIM, l.pos);
  if (x >= 0) {
    if (x > l.pos) {
      l.pos = x;
      let trimLength = 0;
      if (hasLeftTrimMarker(l.input, l.pos + LEFT_DELIM.length))
        trimLength = rightTrimLength(l.input.slice(l.start, l.pos));
      l.pos -= trimLength;
      if (l.pos > l.start) l.emit(Item.Text);
      l.pos += trimLength;
      l.ignore();
    }
    return lexLeftDelim;
  }
  l.pos = l.input.length;
  if (l.pos > l.start) l.emit(Item.Text);
  l.emit(Item.EOF);
  return null;
}

function rightTrimLength(s: string): number {
  return s.length - trimRightSpace(s).length;
}
function leftTrimLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i - from;
}

/** lexLeftDelim scans the left delimiter, which is known to be present, possibly with a trim marker. */
function lexLeftDelim(l: Lexer): StateFn {
  l.pos += LEFT_DELIM.length;
  const trimSpace = hasLeftTrimMarker(l.input, l.pos);
  const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
  if (l.input.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
    l.pos += afterMarker;
    l.ignore();
    return lexComment;
  }
  l.emit(Item.LeftDelim);
  l.pos += afterMarker;
  l.ignore();
  l.parenDepth = 0;
  return lexInsideAction;
}

/** lexComment scans a comment. The left comment marker is known to be present. */
function lexComment(l: Lexer): StateFn {
  l.pos += LEFT_COMMENT.length;
  const x = l.input.indexOf(RIGHT_COMMENT, l.pos);
  if (x < 0) return l.errorf('unclosed comment');
  l.pos = x + RIGHT_COMMENT.length;
  const at = l.atRightDelim();
  const trimSpaces = at === 2;
  if (at === 0) return l.errorf('comment ends before closing delimiter');
  l.emit(Item.Comment);
  if (trimSpaces) l.pos += TRIM_MARKER_LEN;
  l.pos += RIGHT_DELIM.length;
  if (trimSpaces) l.pos += leftTrimLength(l.input, l.pos);
  l.ignore();
  return lexText;
}

/** lexRightDelim scans the right delimiter, which is known to be present, possibly with a trim marker. */
function lexRightDelim(l: Lexer): StateFn {
  const trimSpaces = l.atRightDelim() === 2;
  if (trimSpaces) {
    l.pos += TRIM_MARKER_LEN;
    l.ignore();
  }
  l.pos += RIGHT_DELIM.length;
  l.emit(Item.RightDelim);
  if (trimSpaces) {
    l.pos += leftTrimLength(l.input, l.pos);
    l.ignore();
  }
  return lexText;
}

/** lexInsideAction scans the elements inside action delimiters. */
function lexInsideAction(l: Lexer): StateFn {
  // Either number, quoted string, or identifier.
  // Spaces separate arguments; runs of spaces turn into itemSpace.
  // Pipe symbols separate and are emitted.
  if (l.atRightDelim() !== 0) {
    if (l.parenDepth === 0) return lexRightDelim;
    return l.errorf('unclosed left paren');
  }
  const r = l.next();
  if (r === EOF) return l.errorf('unclosed action');
  if (isSpace(r)) {
    l.backup(); // Put space back in case we have " -}}".
    return lexSpace;
  }
  switch (r) {
    case 61: // =
      l.emit(Item.Assign);
      return lexInsideAction;
    case 58: // :
      if (l.next() !== 61) return l.errorf('expected :=');
      l.emit(Item.Declare);
      return lexInsideAction;
    case 124: // |
      l.emit(Item.Pipe);
      return lexInsideAction;
    case 34: // "
      return lexQuote;
    case 96: // `
      return lexRawQuote;
    case 36: // $
      return lexVariable;
    case 39: // '
      return lexChar;
    case 46: {
      // . special look-ahead for ".field" so we don't break l.backup().
      if (l.pos < l.input.length) {
        const c = l.input.charCodeAt(l.pos);
        if (c < 48 || c > 57) return lexField;
      }
      l.backup();
      return lexNumber;
    }
    case 43: // +
    case 45: // -
      l.backup();
      return lexNumber;
    case 40: // (
      l.emit(Item.LeftParen);
      l.parenDepth++;
      return lexInsideAction;
    case 41: // )
      if (l.parenDepth === 0) return l.errorf('unexpected right paren');
      l.parenDepth--;
      l.emit(Item.RightParen);
      return lexInsideAction;
  }
  if (isDigit(r)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (r <= 0x7f && r >= 0x20 && r !== 0x7f) {
    l.emit(Item.Char);
    return lexInsideAction;
  }
  return l.errorf(`unrecognized character in action: ${formatRuneU(r)}`);
}

/** formatRuneU is Go's %#U: U+0001 or U+00E9 'é'. */
export function formatRuneU(r: number): string {
  const hex = r.toString(16).toUpperCase().padStart(4, '0');
  const printable =
    r >= 0x20 && r !== 0x7f && !(r >= 0x80 && r < 0xa0) && !/\p{C}|\p{Z}/u.test(String.fromCodePoint(r));
  return printable || r === 0x20 ? `U+${hex} '${String.fromCodePoint(r)}'` : `U+${hex}`;
}

/** lexSpace scans a run of space characters; we have not consumed the first one. */
function lexSpace(l: Lexer): StateFn {
  let numSpaces = 0;
  for (;;) {
    const r = l.peek();
    if (!isSpace(r)) break;
    l.next();
    numSpaces++;
  }
  // Be careful about a trim-marked closing delimiter, which has a minus after a space.
  if (hasRightTrimMarker(l.input, l.pos - 1) && l.input.startsWith(RIGHT_DELIM, l.pos - 1 + TRIM_MARKER_LEN)) {
    l.backup(); // Before the space.
    if (numSpaces === 1) return lexInsideAction; // Space is the only thing here.
  }
  l.emit(Item.Space);
  return lexInsideAction;
}

/** lexIdentifier scans an alphanumeric word. */
function lexIdentifier(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.input.slice(l.start, l.pos);
    if (!l.atTerminator()) return l.errorf(`bad character ${formatRuneU(r)}`);
    const kw = KEYWORDS.get(word);
    if (kw !== undefined && kw !== Item.Dot) l.emit(kw);
    else if (word[0] === '.') l.emit(Item.Field);
    else if (word === 'true' || word === 'false') l.emit(Item.Bool);
    else l.emit(Item.Identifier);
    return lexInsideAction;
  }
}

/** lexField scans a field: .Alphanumeric. The . has been scanned. */
function lexField(l: Lexer): StateFn {
  return lexFieldOrVariable(l, Item.Field);
}

/** lexVariable scans a Variable: $Alphanumeric. The $ has been scanned. */
function lexVariable(l: Lexer): StateFn {
  if (l.atTerminator()) {
    // Nothing interesting follows -> "$".
    l.emit(Item.Variable);
    return lexInsideAction;
  }
  return lexFieldOrVariable(l, Item.Variable);
}

function lexFieldOrVariable(l: Lexer, typ: Item): StateFn {
  if (l.atTerminator()) {
    // Nothing interesting follows -> "." or "$".
    l.emit(typ === Item.Variable ? Item.Variable : Item.Dot);
    return lexInsideAction;
  }
  let r: number;
  for (;;) {
    r = l.next();
    if (!isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${formatRuneU(r)}`);
  l.emit(typ);
  return lexInsideAction;
}

/** lexChar scans a character constant. The initial quote is already scanned. */
function lexChar(l: Lexer): StateFn {
  for (;;) {
    let r = l.next();
    if (r === 92) {
      r = l.next();
      if (r !== EOF && r !== 10) continue;
    }
    if (r === EOF || r === 10) return l.errorf('unterminated character constant');
    if (r === 39) break;
  }
  l.emit(Item.CharConstant);
  return lexInsideAction;
}

/** lexNumber scans a number: decimal, octal, hex, float, or imaginary. */
function lexNumber(l: Lexer): StateFn {
  if (!scanNumber(l)) return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
  const sign = l.peek();
  if (sign === 43 || sign === 45) {
    // Complex: 1+2i. No spaces, must end in 'i'.
    if (!scanNumber(l) || l.input.charCodeAt(l.pos - 1) !== 105) {
      return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
    }
    l.emit(Item.Complex);
  } else {
    l.emit(Item.Number);
  }
  return lexInsideAction;
}

function scanNumber(l: Lexer): boolean {
  // Optional leading sign.
  l.accept('+-');
  // Is it hex?
  let digits = '0123456789_';
  if (l.accept('0')) {
    // Note: Leading 0 does not mean octal in floats.
    if (l.accept('xX')) digits = '0123456789abcdefABCDEF_';
    else if (l.accept('oO')) digits = '01234567_';
    else if (l.accept('bB')) digits = '01_';
  }
  l.acceptRun(digits);
  if (l.accept('.')) l.acceptRun(digits);
  if (digits.length === 10 + 1 && l.accept('eE')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  if (digits.length === 16 + 6 + 1 && l.accept('pP')) {
    l.accept('+-');
    l.acceptRun('0123456789_');
  }
  // Is it imaginary?
  l.accept('i');
  // Next thing mustn't be alphanumeric.
  if (isAlphaNumeric(l.peek())) {
    l.next();
    return false;
  }
  return true;
}

/** lexQuote scans a quoted string. */
function lexQuote(l: Lexer): StateFn {
  for (;;) {
    let r = l.next();
    if (r === 92) {
      r = l.next();
      if (r !== EOF && r !== 10) continue;
    }
    if (r === EOF || r === 10) return l.errorf('unterminated quoted string');
    if (r === 34) break;
  }
  l.emit(Item.String);
  return lexInsideAction;
}

/** lexRawQuote scans a raw quoted string. */
function lexRawQuote(l: Lexer): StateFn {
  const x = l.input.indexOf('`', l.pos);
  if (x < 0) return l.errorf('unterminated raw quoted string');
  l.pos = x + 1;
  l.emit(Item.RawString);
  return lexInsideAction;
}

/** goQuote is strconv.Quote for the short ASCII-ish strings that appear in lexer and parser errors. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (c) {
      case 7:
        out += '\\a';
        continue;
      case 8:
        out += '\\b';
        continue;
      case 12:
        out += '\\f';
        continue;
      case 10:
        out += '\\n';
        continue;
      case 13:
        out += '\\r';
        continue;
      case 9:
        out += '\\t';
        continue;
      case 11:
        out += '\\v';
        continue;
      case 34:
        out += '\\"';
        continue;
      case 92:
        out += '\\\\';
        continue;
    }
    if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if (c >= 0x80 && (/\p{C}/u.test(ch) || (/\p{Z}/u.test(ch) && c !== 0x20))) {
      out += c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

/**
 * lex tokenizes a whole template. The last token is EOF or Error; nothing follows an Error.
 */
export function lex(name: string, input: string): Token[] {
  const l = new Lexer(name, input);
  let state: StateFn = lexText;
  while (state !== null) state = state(l);
  return l.tokens;
}
