/**
 * crypto-der: the little ASN.1 DER the Sprig certificate functions need, a writer and a reader.
 * Only definite lengths and single-byte tags (enough for X.509, PKCS#1/#8 and SEC 1).
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** tlv encodes one element: tag, DER length, content. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const len = content.length;
  let header: number[];
  if (len < 0x80) header = [tag, len];
  else {
    const bytes: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
    header = [tag, 0x80 | bytes.length, ...bytes];
  }
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  out.set(content, header.length);
  return out;
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(TAG.SEQUENCE, concat(items));
export const set = (...items: Uint8Array[]): Uint8Array => tlv(TAG.SET, concat(items));
export const nul = (): Uint8Array => tlv(TAG.NULL, new Uint8Array(0));
export const bool = (b: boolean): Uint8Array => tlv(TAG.BOOLEAN, Uint8Array.of(b ? 0xff : 0));
export const octets = (b: Uint8Array): Uint8Array => tlv(TAG.OCTET_STRING, b);
export const utf8 = (s: string): Uint8Array => tlv(TAG.UTF8_STRING, new TextEncoder().encode(s));
export const ia5 = (s: string): Uint8Array => tlv(TAG.IA5_STRING, new TextEncoder().encode(s));
/** bits is a BIT STRING with `unused` padding bits in the last byte. */
export const bits = (b: Uint8Array, unused = 0): Uint8Array => tlv(TAG.BIT_STRING, concat([Uint8Array.of(unused), b]));
/** explicit wraps content in a constructed context-specific tag [n]. */
export const explicit = (n: number, content: Uint8Array): Uint8Array => tlv(0xa0 | n, content);
/** implicit is a primitive context-specific [n] holding raw bytes (GeneralName choices). */
export const implicit = (n: number, content: Uint8Array): Uint8Array => tlv(0x80 | n, content);

/** int encodes a non-negative INTEGER in the fewest bytes (a leading 0 keeps it positive). */
export function int(v: bigint | number): Uint8Array {
  let n = BigInt(v);
  if (n < 0n) throw new RangeError('der: negative INTEGER not supported');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(TAG.INTEGER, Uint8Array.from(bytes));
}

/** oid encodes an OBJECT IDENTIFIER given in dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((x) => BigInt(x));
  const out: number[] = [];
  const first = arcs[0] * 40n + arcs[1];
  for (const arc of [first, ...arcs.slice(2)]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let a = arc >> 7n; a > 0n; a >>= 7n) group.unshift(Number(a & 0x7fn) | 0x80);
    out.push(...group);
  }
  return tlv(TAG.OID, Uint8Array.from(out));
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * time encodes an instant as Go's encoding/asn1 does: UTCTime for 1950–2049, GeneralizedTime
 * otherwise, whole seconds, `Z`.
 */
export function time(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  const rest =
    pad2(d.getUTCMonth() + 1) +
    pad2(d.getUTCDate()) +
    pad2(d.getUTCHours()) +
    pad2(d.getUTCMinutes()) +
    pad2(d.getUTCSeconds()) +
    'Z';
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, new TextEncoder().encode(pad2(y % 100) + rest));
  if (y < 0 || y > 9999) throw new RangeError('asn1: structure error: cannot represent time as GeneralizedTime');
  return tlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(String(y).padStart(4, '0') + rest));
}

// ---------------------------------------------------------------------------------------------
// Reader

/** Element is one parsed TLV inside `buf`: `content` is a view, `raw` the whole encoding. */
export interface Element {
  tag: number;
  content: Uint8Array;
  raw: Uint8Array;
}

/** DerError is a malformed encoding. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** read parses the element at `pos` and returns it with the offset after it. */
export function read(buf: Uint8Array, pos = 0): { el: Element; next: number } {
  if (pos + 2 > buf.length) throw new DerError('truncated element');
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let len = buf[pos + 1];
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('unsupported length');
    if (p + n > buf.length) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    p += n;
  }
  if (p + len > buf.length) throw new DerError('data truncated');
  return { el: { tag, content: buf.subarray(p, p + len), raw: buf.subarray(pos, p + len) }, next: p + len };
}

/** children parses the elements of a constructed element's content. */
export function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let p = 0; p < el.content.length;) {
    const r = read(el.content, p);
    out.push(r.el);
    p = r.next;
  }
  return out;
}

/** parseOne parses a buffer that must hold exactly one element. */
export function parseOne(buf: Uint8Array): Element {
  const r = read(buf, 0);
  if (r.next !== buf.length) throw new DerError('trailing data');
  return r.el;
}

/** toBigInt reads an INTEGER's content as a non-negative bigint. */
export function toBigInt(el: Element): bigint {
  if (el.tag !== TAG.INTEGER) throw new DerError('expected INTEGER');
  let n = 0n;
  for (const b of el.content) n = (n << 8n) | BigInt(b);
  if (el.content.length > 0 && el.content[0] & 0x80) n -= 1n << BigInt(el.content.length * 8);
  return n;
}

/** oidString decodes an OBJECT IDENTIFIER to dotted form. */
export function oidString(el: Element): string {
  if (el.tag !== TAG.OID) throw new DerError('expected OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let v = 0n;
  for (const b of el.content) {
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  if (arcs.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const first = arcs[0] < 80n ? [arcs[0] / 40n, arcs[0] % 40n] : [2n, arcs[0] - 80n];
  return [...first, ...arcs.slice(1)].join('.');
}
