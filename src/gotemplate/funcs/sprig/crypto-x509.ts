/**
 * crypto-x509: PEM, private keys and X.509 certificates the way Go's encoding/pem and crypto/x509
 * produce them for Sprig (Go 1.25 defaults: UTF8String subjects, SHA-256 subject key ids).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import {
  bits,
  bool,
  children,
  DerError,
  explicit,
  implicit,
  int,
  nul,
  octets,
  oid,
  oidString,
  parseOne,
  read,
  seq,
  set,
  TAG,
  time,
  tlv,
  toBigInt,
  utf8,
  type Element,
} from './crypto-der.js';

// ---------------------------------------------------------------------------------------------
// PEM (encoding/pem)

/** PemBlock is one decoded PEM block. */
export interface PemBlock {
  type: string;
  bytes: Uint8Array;
}

/** pemEncode is pem.EncodeToMemory: 64-column base64 between BEGIN and END lines. */
export function pemEncode(type: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  let body = '';
  for (let i = 0; i < b64.length; i += 64) body += b64.slice(i, i + 64) + '\n';
  return `-----BEGIN ${type}-----\n${body}-----END ${type}-----\n`;
}

const PEM_RE = /(?:^|\n)-----BEGIN ([^\n]*?)-----[ \t\r]*\n([\s\S]*?)-----END \1-----/g;

/**
 * pemDecode is pem.Decode: the first well-formed block anywhere in the text (headers such as
 * `Proc-Type:` skipped), or undefined.
 */
export function pemDecode(text: string): PemBlock | undefined {
  PEM_RE.lastIndex = 0;
  for (let m = PEM_RE.exec(text); m; m = PEM_RE.exec(text)) {
    let body = m[2];
    const blank = body.search(/\r?\n\r?\n/);
    if (/^[\w-]+:/.test(body) && blank >= 0) body = body.slice(blank).trimStart();
    const b64 = body.replace(/[ \t\r\n]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) continue;
    return { type: m[1], bytes: new Uint8Array(Buffer.from(b64, 'base64')) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// base64 as Go's base64.StdEncoding.DecodeString reports it

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_MAP = new Int16Array(256).fill(-1);
for (let i = 0; i < B64.length; i++) B64_MAP[B64.charCodeAt(i)] = i;

/** Base64Error is base64.CorruptInputError: the offset of the first bad input byte. */
export class Base64Error extends Error {
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
    this.name = 'Base64Error';
  }
}

/**
 * goBase64Decode decodes standard padded base64 with Go's strictness (CR and LF are skipped,
 * anything else out of the alphabet or misplaced padding is an error at its byte offset).
 */
export function goBase64Decode(s: string): Uint8Array {
  const src = new TextEncoder().encode(s);
  const out: number[] = [];
  const isNL = (b: number) => b === 0x0a || b === 0x0d;
  let si = 0;
  for (;;) {
    const q = [0, 0, 0, 0];
    let dlen = 4;
    let trailing = -1;
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Uint8Array.from(out);
        throw new Base64Error(si - j);
      }
      const c = src[si++];
      if (B64_MAP[c] >= 0) {
        q[j] = B64_MAP[c];
        continue;
      }
      if (isNL(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d || j < 2) throw new Base64Error(si - 1);
      if (j === 2) {
        while (si < src.length && isNL(src[si])) si++;
        if (si === src.length) throw new Base64Error(src.length);
        if (src[si] !== 0x3d) throw new Base64Error(si - 1);
        si++;
      }
      while (si < src.length && isNL(src[si])) si++;
      if (si < src.length) trailing = si;
      dlen = j;
      break;
    }
    const v = (q[0] << 18) | (q[1] << 12) | (q[2] << 6) | q[3];
    if (dlen >= 2) out.push((v >> 16) & 0xff);
    if (dlen >= 3) out.push((v >> 8) & 0xff);
    if (dlen === 4) out.push(v & 0xff);
    if (trailing >= 0) throw new Base64Error(trailing);
    if (dlen < 4) return Uint8Array.from(out);
  }
}

// ---------------------------------------------------------------------------------------------
// Private keys

/** GoKey is a parsed private key, by the Go type Sprig would hold. */
export type GoKey =
  | { kind: 'rsa' | 'ecdsa' | 'ed25519' | 'x25519'; key: KeyObject }
  | { kind: 'dsa'; p: bigint; q: bigint; g: bigint; y: bigint; x: bigint };

const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  x25519: '1.3.101.110',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  commonName: '2.5.4.3',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** Go's crypto/x509 knows these curves (by node's name); anything else is "unknown elliptic curve". */
const GO_CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1', 'secp224r1', 'P-256', 'P-384', 'P-521', 'P-224']);

/**
 * asn1Mismatch words the error Go's encoding/asn1 gives when a structure does not start with a
 * SEQUENCE, the usual result of feeding garbage to a key parser.
 */
function asn1Error(der: Uint8Array, structName: string): string {
  if (der.length < 2) return 'asn1: syntax error: data truncated';
  try {
    const { el, next } = read(der, 0);
    if (el.tag !== TAG.SEQUENCE) {
      const cls = el.tag >> 6;
      const compound = (el.tag & 0x20) !== 0;
      return (
        `asn1: structure error: tags don't match (16 vs {class:${cls} tag:${el.tag & 0x1f} length:${el.content.length} isCompound:${compound}}) ` +
        '{optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false} ' +
        `${structName} @${next - el.content.length}`
      );
    }
    if (next !== der.length) return 'asn1: syntax error: trailing data';
  } catch {
    return 'asn1: syntax error: data truncated';
  }
  return 'asn1: structure error: malformed ' + structName;
}

function curveOk(key: KeyObject): boolean {
  const c = key.asymmetricKeyDetails?.namedCurve;
  return c !== undefined && GO_CURVES.has(c);
}

function parsePkcs8(der: Uint8Array): GoKey {
  let algo: string;
  try {
    const top = children(parseOne(der));
    algo = oidString(children(top[1])[0]);
  } catch {
    throw new Error(asn1Error(der, 'pkcs8'));
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw new Error(`x509: failed to parse private key embedded in PKCS#8: ${(e as Error).message}`);
  }
  switch (algo) {
    case OID.rsaEncryption:
      return { kind: 'rsa', key };
    case OID.ecPublicKey:
      if (!curveOk(key))
        throw new Error('x509: failed to parse EC private key embedded in PKCS#8: x509: unknown elliptic curve');
      return { kind: 'ecdsa', key };
    case OID.ed25519:
      return { kind: 'ed25519', key };
    case OID.x25519:
      return { kind: 'x25519', key };
    default:
      throw new Error(`x509: PKCS#8 wrapping contained private key with unknown algorithm: ${algo}`);
  }
}

function parseDsa(der: Uint8Array): GoKey {
  try {
    const f = children(parseOne(der)).map(toBigInt);
    if (f.length < 6) throw new DerError('sequence truncated');
    return { kind: 'dsa', p: f[1], q: f[2], g: f[3], y: f[4], x: f[5] };
  } catch {
    throw new Error(asn1Error(der, 'DSAKeyFormat'));
  }
}

/**
 * parsePrivateKeyPEM reads the first PEM block as Sprig does: `PRIVATE KEY` is PKCS#8, `RSA`,
 * `EC` and `DSA PRIVATE KEY` their traditional formats; errors are worded as Sprig's.
 */
export function parsePrivateKeyPEM(text: string): GoKey {
  const block = pemDecode(text);
  if (!block) throw new Error('no PEM data in input');
  if (block.type === 'PRIVATE KEY') {
    try {
      return parsePkcs8(block.bytes);
    } catch (e) {
      throw new Error(`decoding PEM as PKCS#8: ${(e as Error).message}`);
    }
  }
  if (!block.type.endsWith(' PRIVATE KEY')) throw new Error(`no private key data in PEM block of type ${block.type}`);
  const der = Buffer.from(block.bytes);
  switch (block.type.slice(0, -' PRIVATE KEY'.length)) {
    case 'RSA':
      try {
        parseOne(der);
        return { kind: 'rsa', key: createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }) };
      } catch {
        throw new Error(`parsing RSA private key from PEM: ${asn1Error(der, 'pkcs1PrivateKey')}`);
      }
    case 'EC': {
      let key: KeyObject;
      try {
        parseOne(der);
        key = createPrivateKey({ key: der, format: 'der', type: 'sec1' });
      } catch {
        throw new Error(
          `parsing EC private key from PEM: x509: failed to parse EC private key: ${asn1Error(der, 'ecPrivateKey')}`,
        );
      }
      if (!curveOk(key)) throw new Error('parsing EC private key from PEM: x509: unknown elliptic curve');
      return { kind: 'ecdsa', key };
    }
    case 'DSA':
      try {
        return parseDsa(der);
      } catch (e) {
        throw new Error(`parsing DSA private key from PEM: ${(e as Error).message}`);
      }
    default:
      throw new Error(`invalid private key type ${block.type}`);
  }
}

/** pemForKey is Sprig's pemBlockForKey: PKCS#1 for RSA, SEC 1 for ECDSA, DSA's own, else PKCS#8. */
export function pemForKey(k: GoKey): string {
  switch (k.kind) {
    case 'rsa':
      return pemEncode('RSA PRIVATE KEY', k.key.export({ type: 'pkcs1', format: 'der' }));
    case 'ecdsa':
      return pemEncode('EC PRIVATE KEY', k.key.export({ type: 'sec1', format: 'der' }));
    case 'dsa':
      return pemEncode('DSA PRIVATE KEY', seq(int(0), int(k.p), int(k.q), int(k.g), int(k.y), int(k.x)));
    default:
      return pemEncode('PRIVATE KEY', k.key.export({ type: 'pkcs8', format: 'der' }));
  }
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  for (; e > 0n; e >>= 1n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
  }
  return r;
}

/** generateKey makes a fresh key of the kinds genPrivateKey offers (sizes as Sprig picks them). */
export function generateKey(kind: 'rsa' | 'rsa2048' | 'dsa' | 'ecdsa' | 'ed25519'): GoKey {
  switch (kind) {
    case 'rsa':
    case 'rsa2048':
      return {
        kind: 'rsa',
        key: generateKeyPairSync('rsa', { modulusLength: kind === 'rsa' ? 4096 : 2048, publicExponent: 65537 })
          .privateKey,
      };
    case 'ecdsa':
      return { kind: 'ecdsa', key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
    case 'ed25519':
      return { kind: 'ed25519', key: generateKeyPairSync('ed25519').privateKey };
    case 'dsa': {
      // DSA L2048N256, read back from PKCS#8: params (p, q, g) in the algorithm, x in the key.
      const pk = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey;
      const top = children(parseOne(pk.export({ type: 'pkcs8', format: 'der' })));
      const [p, q, g] = children(children(top[1])[1]).map(toBigInt);
      const x = toBigInt(parseOne(top[2].content));
      return { kind: 'dsa', p, q, g, y: modPow(g, x, p), x };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates

/** ParsedCert is what CreateCertificate needs from a parent certificate. */
export interface ParsedCert {
  rawSubject: Uint8Array;
  spki: Uint8Array;
  subjectKeyId?: Uint8Array;
}

/**
 * parseCertificate checks a DER certificate like x509.ParseCertificate (node's parser does the
 * validation; the first two structural errors are worded as Go words them) and extracts the parts
 * a child certificate needs.
 */
export function parseCertificate(der: Uint8Array): ParsedCert {
  let tbs: Element[];
  try {
    const top = parseOne(der);
    if (top.tag !== TAG.SEQUENCE) throw new DerError('not a sequence');
    const parts = children(top);
    if (parts.length < 1) throw new DerError('empty');
    if (parts[0].tag !== TAG.SEQUENCE) {
      throw new Error('x509: malformed tbs certificate');
    }
    tbs = children(parts[0]);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('x509:')) throw e;
    throw new Error('x509: malformed certificate');
  }
  try {
    new X509Certificate(Buffer.from(der));
  } catch {
    throw new Error('x509: malformed certificate');
  }
  const i = tbs[0].tag === 0xa0 ? 1 : 0;
  const rawSubject = tbs[i + 4].raw;
  const spki = tbs[i + 5].raw;
  let subjectKeyId: Uint8Array | undefined;
  const extWrapper = tbs.find((e) => e.tag === 0xa3);
  if (extWrapper) {
    for (const ext of children(children(extWrapper)[0])) {
      const f = children(ext);
      if (oidString(f[0]) === OID.subjectKeyId) subjectKeyId = parseOne(f[f.length - 1].content).content;
    }
  }
  return { rawSubject, spki, subjectKeyId };
}

/** CertTemplate is Sprig's getBaseCertTemplate plus the CA switch. */
export interface CertTemplate {
  commonName: string;
  ips: Uint8Array[];
  dnsNames: string[];
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  serial: bigint;
}

/** randomSerial is rand.Int(rand.Reader, 2^128). */
export function randomSerial(): bigint {
  return BigInt('0x' + randomBytes(16).toString('hex'));
}

/**
 * subjectDer is pkix.Name{CommonName: cn} as an RDNSequence (empty when cn is ""). Go's asn1 picks
 * PrintableString when every character allows it (not `*` nor `&`), else UTF8String.
 */
export function subjectDer(cn: string): Uint8Array {
  if (cn === '') return seq();
  const value = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(cn)
    ? tlv(TAG.PRINTABLE_STRING, new TextEncoder().encode(cn))
    : utf8(cn);
  return seq(set(seq(oid(OID.commonName), value)));
}

function isSigner(k: GoKey): k is Extract<GoKey, { key: KeyObject }> & { kind: 'rsa' | 'ecdsa' | 'ed25519' } {
  return k.kind === 'rsa' || k.kind === 'ecdsa' || k.kind === 'ed25519';
}

function signingParams(k: GoKey & { key: KeyObject }): { algId: Uint8Array; hash: string | null } {
  switch (k.kind) {
    case 'rsa':
      return { algId: seq(oid(OID.sha256WithRSA), nul()), hash: 'sha256' };
    case 'ecdsa': {
      const c = k.key.asymmetricKeyDetails?.namedCurve;
      if (c === 'secp384r1' || c === 'P-384') return { algId: seq(oid(OID.ecdsaWithSHA384)), hash: 'sha384' };
      if (c === 'secp521r1' || c === 'P-521') return { algId: seq(oid(OID.ecdsaWithSHA512)), hash: 'sha512' };
      return { algId: seq(oid(OID.ecdsaWithSHA256)), hash: 'sha256' };
    }
    default:
      return { algId: seq(oid(OID.ed25519)), hash: null };
  }
}

function publicKeyInfo(k: GoKey): Uint8Array {
  if (k.kind === 'dsa') throw new Error('x509: unsupported public key type: *dsa.PublicKey');
  return new Uint8Array(createPublicKey(k.key).export({ type: 'spki', format: 'der' }));
}

/** subjectPublicKeyBits is the BIT STRING content of an SPKI (without the unused-bits byte). */
function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  return children(parseOne(spki))[1].content.subarray(1);
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/** keyUsageBits is Go's marshalKeyUsage: bit 0 is the most significant, trailing zeros trimmed. */
function keyUsageBits(usage: number): Uint8Array {
  const rev = (b: number) => {
    let r = 0;
    for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 0x80 >> i;
    return r;
  };
  const bytes = [rev(usage & 0xff), rev((usage >> 8) & 0xff)];
  const b = bytes[1] !== 0 ? bytes : bytes.slice(0, 1);
  const last = b[b.length - 1];
  let unused = 0;
  while (unused < 7 && !(last & (1 << unused))) unused++;
  return bits(Uint8Array.from(b), last === 0 ? 0 : unused);
}

/** Go's KeyUsage bits. */
export const KEY_USAGE = { digitalSignature: 1, keyEncipherment: 4, certSign: 32 } as const;

/**
 * createCertificate is x509.CreateCertificate for Sprig's templates: key usages, server+client
 * extended usages, basic constraints, a SHA-256 subject key id on CAs, the parent's key id as
 * authority key id (unless issuer and subject are the same name), then SANs (critical when the
 * subject is empty). `parent` undefined means self-signed.
 */
export function createCertificate(
  tpl: CertTemplate,
  signee: GoKey,
  parent: ParsedCert | undefined,
  signer: GoKey,
): Uint8Array {
  if (!isSigner(signer)) throw new Error('x509: certificate private key does not implement crypto.Signer');
  const { algId, hash } = signingParams(signer);
  const spki = publicKeyInfo(signee);
  const subject = subjectDer(tpl.commonName);
  const issuer = parent ? parent.rawSubject : subject;
  const sameName = Buffer.from(issuer).equals(Buffer.from(subject));
  const authorityKeyId = !sameName && parent?.subjectKeyId?.length ? parent.subjectKeyId : undefined;
  const subjectKeyId = tpl.isCA
    ? new Uint8Array(createHash('sha256').update(subjectPublicKeyBits(spki)).digest().subarray(0, 20))
    : undefined;
  if (parent) {
    const mine = createPublicKey(signer.key).export({ type: 'spki', format: 'der' });
    let theirs: Buffer;
    try {
      theirs = createPublicKey({ key: Buffer.from(parent.spki), format: 'der', type: 'spki' }).export({
        type: 'spki',
        format: 'der',
      });
    } catch {
      theirs = Buffer.from(parent.spki);
    }
    if (!mine.equals(theirs)) throw new Error("x509: provided PrivateKey doesn't match parent's PublicKey");
  }

  const exts: Uint8Array[] = [];
  const usage = KEY_USAGE.digitalSignature | KEY_USAGE.keyEncipherment | (tpl.isCA ? KEY_USAGE.certSign : 0);
  exts.push(extension(OID.keyUsage, true, keyUsageBits(usage)));
  exts.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth), oid(OID.clientAuth))));
  exts.push(extension(OID.basicConstraints, true, tpl.isCA ? seq(bool(true)) : seq()));
  if (subjectKeyId) exts.push(extension(OID.subjectKeyId, false, octets(subjectKeyId)));
  if (authorityKeyId) exts.push(extension(OID.authorityKeyId, false, seq(implicit(0, authorityKeyId))));
  if (tpl.dnsNames.length > 0 || tpl.ips.length > 0) {
    const names: Uint8Array[] = [];
    for (const d of tpl.dnsNames) {
      if (/[^\x00-\x7f]/.test(d)) throw new Error(`x509: ${JSON.stringify(d)} cannot be encoded as an IA5String`);
      names.push(implicit(2, new TextEncoder().encode(d)));
    }
    for (const ip of tpl.ips) names.push(implicit(7, ip));
    exts.push(extension(OID.subjectAltName, subject.length === 2, seq(...names)));
  }

  const tbs = seq(
    explicit(0, int(2)),
    int(tpl.serial),
    algId,
    issuer,
    seq(time(tpl.notBefore), time(tpl.notAfter)),
    subject,
    spki,
    explicit(3, seq(...exts)),
  );
  const signature = sign(hash, tbs, signer.key);
  return seq(tbs, algId, bits(new Uint8Array(signature)));
}

/** parseIP is net.ParseIP as Sprig uses it: IPv4 (no leading zeros) or IPv6 without a zone; IPv4 and
 * IPv4-mapped addresses come back as 4 bytes (what To4 gives CreateCertificate), IPv6 as 16. */
export function parseIP(s: string): Uint8Array | undefined {
  const v4 = (t: string): number[] | undefined => {
    const parts = t.split('.');
    if (parts.length !== 4) return undefined;
    const out: number[] = [];
    for (const p of parts) {
      if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
      const n = Number(p);
      if (n > 255) return undefined;
      out.push(n);
    }
    return out;
  };
  if (!s.includes(':')) {
    const b = v4(s);
    return b ? Uint8Array.from(b) : undefined;
  }
  let t = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const b = v4(s.slice(lastColon + 1));
    if (!b) return undefined;
    const hex = (x: number, y: number) => ((x << 8) | y).toString(16);
    t = s.slice(0, lastColon + 1) + hex(b[0], b[1]) + ':' + hex(b[2], b[3]);
  }
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[] | undefined;
  const dbl = t.indexOf('::');
  if (dbl >= 0) {
    if (t.indexOf('::', dbl + 1) >= 0) return undefined;
    const left = parseGroups(t.slice(0, dbl));
    const right = parseGroups(t.slice(dbl + 2));
    if (!left || !right || left.length + right.length > 7) return undefined;
    groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  } else {
    groups = parseGroups(t);
    if (!groups || groups.length !== 8) return undefined;
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return isMapped ? Uint8Array.from(bytes.slice(12)) : Uint8Array.from(bytes);
}
