/**
 * crypto: Sprig's hashing, password, key, certificate and AES template functions (sprig v3.3.0 as
 * Helm v4 ships it), exported as {@link cryptoFuncs} for the Sprig function map.
 *
 * Deterministic functions (hashes, derivePassword, decryptAES, key re-encoding) give helm's bytes;
 * random ones (bcrypt salts, keys, serials, IVs) give output of the same shape, checked by
 * re-deriving helm's own output in the tests. Importing this module has no side effects: the
 * Blowfish tables are computed on first use.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scryptSync } from 'node:crypto';
import { GoStruct, formatV, goFunc, goTypeName, type FuncMap, type Value } from '../../value.js';
import { BCRYPT_MAX_PASSWORD, bcryptGenerate } from './crypto-bcrypt.js';
import {
  Base64Error,
  createCertificate,
  generateKey,
  goBase64Decode,
  parseCertificate,
  parseIP,
  parsePrivateKeyPEM,
  pemDecode,
  pemEncode,
  pemForKey,
  randomSerial,
  type GoKey,
} from './crypto-x509.js';

const utf8 = new TextEncoder();
const bytesOf = (s: string): Buffer => Buffer.from(utf8.encode(s));

/** CERTIFICATE_TYPE is Go's %T of Sprig's certificate struct. */
export const CERTIFICATE_TYPE = 'sprig.certificate';

/** certificate builds Sprig's `certificate{Cert, Key}` struct, so `.Cert` and `.Key` work. */
export function certificate(cert: string, key: string): GoStruct {
  return new GoStruct(CERTIFICATE_TYPE, { Cert: cert, Key: key });
}

function asCertificate(v: Value): { cert: string; key: string } {
  if (!(v instanceof GoStruct) || v.goType !== CERTIFICATE_TYPE) {
    throw new Error(`wrong type for value; expected ${CERTIFICATE_TYPE}; got ${goTypeName(v)}`);
  }
  return { cert: String(v.get('Cert') ?? ''), key: String(v.get('Key') ?? '') };
}

function hexDigest(alg: string, s: string): string {
  return createHash(alg).update(bytesOf(s)).digest('hex');
}

/** adler32 is hash/adler32's checksum of the bytes. */
export function adler32(b: Uint8Array): number {
  let a = 1;
  let s = 0;
  const MOD = 65521;
  for (let i = 0; i < b.length;) {
    const end = Math.min(i + 5552, b.length);
    for (; i < end; i++) {
      a += b[i];
      s += a;
    }
    a %= MOD;
    s %= MOD;
  }
  return ((s << 16) | a) >>> 0;
}

function bcryptString(input: string): string {
  const pw = bytesOf(input);
  if (pw.length > BCRYPT_MAX_PASSWORD) {
    return 'failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes';
  }
  return bcryptGenerate(pw);
}

// derivePassword: the Master Password algorithm (Lyndir), as Sprig implements it.
const MASTER_PASSWORD_SEED = 'com.lyndir.masterpassword';
const PASSWORD_TEMPLATES: Record<string, string[]> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv',
    'CvcvCvcvnoCvcv',
    'CvcvCvcvCvcvno',
    'CvccnoCvcvCvcv',
    'CvccCvcvnoCvcv',
    'CvccCvcvCvcvno',
    'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv',
    'CvcvCvccCvcvno',
    'CvcvnoCvcvCvcc',
    'CvcvCvcvnoCvcc',
    'CvcvCvcvCvccno',
    'CvccnoCvccCvcv',
    'CvccCvccnoCvcv',
    'CvccCvccCvcvno',
    'CvcvnoCvccCvcc',
    'CvcvCvccnoCvcc',
    'CvcvCvccCvccno',
    'CvccnoCvcvCvcc',
    'CvccCvcvnoCvcc',
    'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};
const TEMPLATE_CHARACTERS: Record<string, string> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/**
 * derivePassword is Master Password: scrypt(password, seed‖len(user)‖user, N=32768, r=8, p=2) keys
 * an HMAC-SHA256 of seed‖len(site)‖site‖counter, whose bytes pick a template and its characters.
 */
export function derivePassword(
  counter: number,
  passwordType: string,
  password: string,
  user: string,
  site: string,
): string {
  const templates = PASSWORD_TEMPLATES[passwordType];
  if (!templates) return `cannot find password template ${passwordType}`;
  const seed = bytesOf(MASTER_PASSWORD_SEED);
  const u = bytesOf(user);
  const st = bytesOf(site);
  const key = scryptSync(bytesOf(password), Buffer.concat([seed, u32(u.length), u]), 64, {
    N: 32768,
    r: 8,
    p: 2,
    maxmem: 256 * 1024 * 1024,
  });
  const mac = createHmac('sha256', key)
    .update(Buffer.concat([seed, u32(st.length), st, u32(counter)]))
    .digest();
  const tpl = templates[mac[0] % templates.length];
  let out = '';
  for (let i = 0; i < tpl.length; i++) {
    const chars = TEMPLATE_CHARACTERS[tpl[i]];
    out += chars[mac[i + 1] % chars.length];
  }
  return out;
}

function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  bytesOf(password).copy(key, 0, 0, 32);
  return key;
}

/** encryptAES is Sprig's: AES-256-CBC, the password zero-padded (or cut) to 32 bytes, PKCS#7, random IV first. */
export function encryptAES(password: string, plaintext: string): string {
  if (plaintext === '') return '';
  const content = bytesOf(plaintext);
  const pad = 16 - (content.length % 16);
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-cbc', aesKey(password), iv).setAutoPadding(false);
  const body = Buffer.concat([c.update(Buffer.concat([content, Buffer.alloc(pad, pad)])), c.final()]);
  return Buffer.concat([iv, body]).toString('base64');
}

/**
 * decryptAES reverses {@link encryptAES}. Sprig does not check the padding: a wrong password
 * usually trips Go's slice bounds, whose panic message is the template error.
 */
export function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === '') return '';
  const crypt = goBase64Decode(crypt64);
  if (crypt.length < 16)
    throw new Error(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
  const body = crypt.subarray(16);
  if (body.length % 16 !== 0) throw new Error('crypto/cipher: input not full blocks');
  const d = createDecipheriv('aes-256-cbc', aesKey(password), crypt.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([d.update(body), d.final()]);
  if (plain.length === 0) throw new Error('runtime error: index out of range [-1]');
  const end = plain.length - plain[plain.length - 1];
  if (end < 0) throw new Error(`runtime error: slice bounds out of range [:${end}]`);
  return plain.subarray(0, end).toString('utf8');
}

/** genPrivateKey is Sprig's generatePrivateKey: PEM, or an error text for unknown types. */
export function genPrivateKey(typ: string): string {
  switch (typ) {
    case '':
    case 'rsa':
      return pemForKey(generateKey('rsa'));
    case 'dsa':
      return pemForKey(generateKey('dsa'));
    case 'ecdsa':
      return pemForKey(generateKey('ecdsa'));
    case 'ed25519':
      return pemForKey(generateKey('ed25519'));
    default:
      return 'Unknown type ' + typ;
  }
}

function netIPs(ips: Value): Uint8Array[] {
  if (ips === null || ips === undefined) return [];
  return (ips as Value[]).map((ip) => {
    if (typeof ip !== 'string') throw new Error(`error parsing ip: ${formatV(ip)} is not a string`);
    const b = parseIP(ip);
    if (!b) throw new Error(`error parsing ip: ${ip}`);
    return b;
  });
}

function dnsNames(names: Value): string[] {
  if (names === null || names === undefined) return [];
  return (names as Value[]).map((n) => {
    if (typeof n !== 'string') throw new Error(`error processing alternate dns name: ${formatV(n)} is not a string`);
    return n;
  });
}

const NS_PER_DAY = 86_400_000_000_000n;

/** baseTemplate is Sprig's getBaseCertTemplate: now until now + days (Go's int64 Duration wraps). */
function baseTemplate(cn: string, ips: Value, dns: Value, daysValid: bigint, isCA = false) {
  const ipAddresses = netIPs(ips);
  const names = dnsNames(dns);
  const now = Date.now();
  const durMs = Number(BigInt.asIntN(64, NS_PER_DAY * daysValid) / 1_000_000n);
  return {
    commonName: cn,
    ips: ipAddresses,
    dnsNames: names,
    notBefore: new Date(now),
    notAfter: new Date(now + durMs),
    isCA,
    serial: randomSerial(),
  };
}

function certAndKey(
  tpl: ReturnType<typeof baseTemplate>,
  signee: GoKey,
  parent: ReturnType<typeof parseCertificate> | undefined,
  signer: GoKey,
): GoStruct {
  let der: Uint8Array;
  try {
    der = createCertificate(tpl, signee, parent, signer);
  } catch (e) {
    throw new Error(`error creating certificate: ${(e as Error).message}`, { cause: e });
  }
  return certificate(pemEncode('CERTIFICATE', der), pemForKey(signee));
}

function parseKeyArg(privPEM: string): GoKey {
  try {
    return parsePrivateKeyPEM(privPEM);
  } catch (e) {
    throw new Error(`parsing private key: ${(e as Error).message}`, { cause: e });
  }
}

function genCAWithKeyImpl(cn: string, daysValid: bigint, priv: GoKey): GoStruct {
  return certAndKey(baseTemplate(cn, null, null, daysValid, true), priv, undefined, priv);
}

function genSelfSignedImpl(cn: string, ips: Value, dns: Value, daysValid: bigint, priv: GoKey): GoStruct {
  return certAndKey(baseTemplate(cn, ips, dns, daysValid), priv, undefined, priv);
}

function genSignedImpl(cn: string, ips: Value, dns: Value, daysValid: bigint, caValue: Value, priv: GoKey): GoStruct {
  const ca = asCertificate(caValue);
  const block = pemDecode(ca.cert);
  if (!block) throw new Error('unable to decode certificate');
  let parent;
  try {
    parent = parseCertificate(block.bytes);
  } catch (e) {
    throw new Error(`error parsing certificate: decodedSignerCert.Bytes: ${(e as Error).message}`, { cause: e });
  }
  let signer: GoKey;
  try {
    signer = parsePrivateKeyPEM(ca.key);
  } catch (e) {
    throw new Error(`error parsing private key: ${(e as Error).message}`, { cause: e });
  }
  return certAndKey(baseTemplate(cn, ips, dns, daysValid), priv, parent, signer);
}

/** buildCustomCert checks a base64 PEM certificate and key and wraps them, unchanged, as a certificate. */
export function buildCustomCert(b64cert: string, b64key: string): GoStruct {
  let cert: string;
  let key: string;
  try {
    cert = Buffer.from(goBase64Decode(b64cert)).toString('utf8');
  } catch {
    throw new Error('unable to decode base64 certificate');
  }
  try {
    key = Buffer.from(goBase64Decode(b64key)).toString('utf8');
  } catch {
    throw new Error('unable to decode base64 private key');
  }
  const block = pemDecode(cert);
  if (!block) throw new Error('unable to decode certificate');
  try {
    parseCertificate(block.bytes);
  } catch (e) {
    throw new Error(`error parsing certificate: decodedCert.Bytes: ${(e as Error).message}`, { cause: e });
  }
  try {
    parsePrivateKeyPEM(key);
  } catch (e) {
    throw new Error(`error parsing private key: ${(e as Error).message}`, { cause: e });
  }
  return certificate(cert, key);
}

/** randBytes is count cryptographically random bytes, base64-encoded. */
export function randBytes(count: bigint): string {
  if (count < 0n || count > 0x7fffffffn) throw new Error('runtime error: makeslice: len out of range');
  return randomBytes(Number(count)).toString('base64');
}

/**
 * cryptoFuncs is Sprig's crypto function map. Parameter types follow the Go signatures; Go's
 * `uint32` counter of derivePassword is taken as an int and reduced modulo 2^32.
 */
export const cryptoFuncs: FuncMap = {
  sha1sum: goFunc((s: string) => hexDigest('sha1', s), ['string']),
  sha256sum: goFunc((s: string) => hexDigest('sha256', s), ['string']),
  sha512sum: goFunc((s: string) => hexDigest('sha512', s), ['string']),
  adler32sum: goFunc((s: string) => String(adler32(bytesOf(s))), ['string']),
  bcrypt: goFunc(bcryptString, ['string']),
  htpasswd: goFunc(
    (user: string, password: string) =>
      user.includes(':') ? `invalid username: ${user}` : `${user}:${bcryptString(password)}`,
    ['string', 'string'],
  ),
  derivePassword: goFunc(
    (counter: bigint, typ: string, password: string, user: string, site: string) =>
      derivePassword(Number(BigInt.asUintN(32, counter)), typ, password, user, site),
    ['int', 'string', 'string', 'string', 'string'],
  ),
  genPrivateKey: goFunc(genPrivateKey, ['string']),
  buildCustomCert: goFunc(buildCustomCert, ['string', 'string'], { returnsError: true }),
  genCA: goFunc((cn: string, days: bigint) => genCAWithKeyImpl(cn, days, generateKey('rsa2048')), ['string', 'int'], {
    returnsError: true,
  }),
  genCAWithKey: goFunc(
    (cn: string, days: bigint, pem: string) => genCAWithKeyImpl(cn, days, parseKeyArg(pem)),
    ['string', 'int', 'string'],
    {
      returnsError: true,
    },
  ),
  genSelfSignedCert: goFunc(
    (cn: string, ips: Value, dns: Value, days: bigint) => {
      // Sprig generates the key before looking at the IPs; we check them first and save a key.
      netIPs(ips);
      dnsNames(dns);
      return genSelfSignedImpl(cn, ips, dns, days, generateKey('rsa2048'));
    },
    ['string', 'slice', 'slice', 'int'],
    { returnsError: true },
  ),
  genSelfSignedCertWithKey: goFunc(
    (cn: string, ips: Value, dns: Value, days: bigint, pem: string) =>
      genSelfSignedImpl(cn, ips, dns, days, parseKeyArg(pem)),
    ['string', 'slice', 'slice', 'int', 'string'],
    { returnsError: true },
  ),
  genSignedCert: goFunc(
    (cn: string, ips: Value, dns: Value, days: bigint, ca: Value) => {
      asCertificate(ca);
      return genSignedImpl(cn, ips, dns, days, ca, generateKey('rsa2048'));
    },
    ['string', 'slice', 'slice', 'int', `struct:${CERTIFICATE_TYPE}`],
    { returnsError: true },
  ),
  genSignedCertWithKey: goFunc(
    (cn: string, ips: Value, dns: Value, days: bigint, ca: Value, pem: string) => {
      asCertificate(ca);
      return genSignedImpl(cn, ips, dns, days, ca, parseKeyArg(pem));
    },
    ['string', 'slice', 'slice', 'int', `struct:${CERTIFICATE_TYPE}`, 'string'],
    { returnsError: true },
  ),
  encryptAES: goFunc(encryptAES, ['string', 'string'], { returnsError: true }),
  decryptAES: goFunc(
    (password: string, crypt64: string) => {
      try {
        return decryptAES(password, crypt64);
      } catch (e) {
        if (e instanceof Base64Error) throw new Error(e.message, { cause: e });
        throw e;
      }
    },
    ['string', 'string'],
    { returnsError: true },
  ),
  randBytes: goFunc(randBytes, ['int'], { returnsError: true }),
};
