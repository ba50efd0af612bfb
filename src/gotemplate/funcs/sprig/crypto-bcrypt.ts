/**
 * crypto-bcrypt: bcrypt (`$2a$`) as golang.org/x/crypto/bcrypt produces it, on an eksblowfish
 * written here because node:crypto has no Blowfish.
 *
 * Blowfish starts from the hexadecimal digits of π; rather than carry a 4 KiB table we compute
 * them once, on first use, with Machin's formula in bigint arithmetic (about 30 ms).
 */
import { randomBytes } from 'node:crypto';

/** BCRYPT_DEFAULT_COST is bcrypt.DefaultCost, what Sprig's bcrypt and htpasswd use. */
export const BCRYPT_DEFAULT_COST = 10;
/** BCRYPT_MAX_PASSWORD is the longest password x/crypto/bcrypt accepts, in bytes. */
export const BCRYPT_MAX_PASSWORD = 72;

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** P_WORDS and S_WORDS: Blowfish's 18 subkeys and four 256-entry S-boxes. */
const P_WORDS = 18;
const S_WORDS = 1024;

let piWords: Uint32Array | undefined;

/** piFractionWords returns the first n 32-bit words of π's fractional part (0x243f6a88, ...). */
function piFractionWords(n: number): Uint32Array {
  const bits = BigInt(n * 32 + 64);
  const one = 1n << bits;
  const atanInv = (x: bigint): bigint => {
    const x2 = x * x;
    let term = one / x;
    let sum = term;
    for (let k = 1n; term !== 0n; k++) {
      term /= x2;
      const t = term / (2n * k + 1n);
      sum = k & 1n ? sum - t : sum + t;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  let frac = (pi - 3n * one) >> 64n;
  const out = new Uint32Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(frac & 0xffffffffn);
    frac >>= 32n;
  }
  return out;
}

function initialState(): Uint32Array {
  piWords ??= piFractionWords(P_WORDS + S_WORDS);
  return piWords.slice();
}

/** Blowfish state: P in [0, 18), S0..S3 in [18, 18 + 1024). */
class Blowfish {
  readonly s: Uint32Array = initialState();
  private l = 0;
  private r = 0;

  /** encrypt enciphers (l, r) in place on this.l/this.r. */
  private encrypt(): void {
    const s = this.s;
    let l = this.l;
    let r = this.r;
    l ^= s[0];
    for (let i = 1; i < 17; i += 2) {
      r ^=
        (((s[18 + (l >>> 24)] + s[274 + ((l >>> 16) & 0xff)]) ^ s[530 + ((l >>> 8) & 0xff)]) + s[786 + (l & 0xff)]) ^
        s[i];
      l ^=
        (((s[18 + (r >>> 24)] + s[274 + ((r >>> 16) & 0xff)]) ^ s[530 + ((r >>> 8) & 0xff)]) + s[786 + (r & 0xff)]) ^
        s[i + 1];
    }
    r ^= s[17];
    this.l = r >>> 0;
    this.r = l >>> 0;
  }

  encryptBlock(l: number, r: number): [number, number] {
    this.l = l;
    this.r = r;
    this.encrypt();
    return [this.l, this.r];
  }

  /** expand is Blowfish's key schedule; with a salt it is eksblowfish's salted variant. */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    const s = this.s;
    let kp = 0;
    for (let i = 0; i < P_WORDS; i++) {
      let w = 0;
      for (let k = 0; k < 4; k++) {
        w = (w << 8) | key[kp];
        kp = (kp + 1) % key.length;
      }
      s[i] ^= w;
    }
    let sp = 0;
    const saltWord = (): number => {
      let w = 0;
      for (let k = 0; k < 4; k++) {
        w = (w << 8) | salt![sp];
        sp = (sp + 1) % salt!.length;
      }
      return w;
    };
    this.l = 0;
    this.r = 0;
    for (let i = 0; i < P_WORDS + S_WORDS; i += 2) {
      if (salt) {
        this.l ^= saltWord();
        this.r ^= saltWord();
      }
      this.encrypt();
      s[i] = this.l;
      s[i + 1] = this.r;
    }
  }
}

/** bcryptBase64 encodes with bcrypt's alphabet and no padding. */
export function bcryptBase64(b: Uint8Array): string {
  const std = Buffer.from(b).toString('base64').replace(/=+$/, '');
  let out = '';
  for (const ch of std) out += ALPHABET[STD.indexOf(ch)];
  return out;
}

/** bcryptBase64Decode is the inverse of {@link bcryptBase64}. */
export function bcryptBase64Decode(s: string): Uint8Array {
  let std = '';
  for (const ch of s) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error(`bcrypt: invalid base64 character ${JSON.stringify(ch)}`);
    std += STD[i];
  }
  return new Uint8Array(Buffer.from(std, 'base64'));
}

const MAGIC = new TextEncoder().encode('OrpheanBeholderScryDoubt');

/**
 * bcryptHash computes `$2a$<cost>$<salt><hash>` for a password and a 16-byte salt, the way
 * x/crypto/bcrypt does: the key is the password plus a NUL byte, the magic text is enciphered 64
 * times, and the last of its 24 bytes is dropped.
 */
export function bcryptHash(password: Uint8Array, salt: Uint8Array, cost = BCRYPT_DEFAULT_COST): string {
  if (password.length > BCRYPT_MAX_PASSWORD) throw new Error('bcrypt: password length exceeds 72 bytes');
  if (salt.length !== 16) throw new Error('bcrypt: salt must be 16 bytes');
  if (cost < 4 || cost > 31) throw new Error(`crypto/bcrypt: cost ${cost} is outside allowed inclusive range 4..31`);
  const key = new Uint8Array(password.length + 1);
  key.set(password);
  const bf = new Blowfish();
  bf.expand(key, salt);
  for (let i = 0, rounds = 2 ** cost; i < rounds; i++) {
    bf.expand(key);
    bf.expand(salt);
  }
  const data = new DataView(MAGIC.slice().buffer);
  for (let block = 0; block < 3; block++) {
    let l = data.getUint32(block * 8);
    let r = data.getUint32(block * 8 + 4);
    for (let i = 0; i < 64; i++) [l, r] = bf.encryptBlock(l, r);
    data.setUint32(block * 8, l);
    data.setUint32(block * 8 + 4, r);
  }
  const out = new Uint8Array(data.buffer).subarray(0, 23);
  return `$2a$${String(cost).padStart(2, '0')}$${bcryptBase64(salt)}${bcryptBase64(out)}`;
}

/** bcryptGenerate is bcrypt.GenerateFromPassword with a fresh random salt. */
export function bcryptGenerate(password: Uint8Array, cost = BCRYPT_DEFAULT_COST): string {
  return bcryptHash(password, new Uint8Array(randomBytes(16)), cost);
}

/** bcryptVerify checks a password against a `$2a$`/`$2b$`/`$2y$` hash by recomputing it. */
export function bcryptVerify(password: Uint8Array, hash: string): boolean {
  const m = /^\$2[aby]?\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
  if (!m) return false;
  const again = bcryptHash(password, bcryptBase64Decode(m[2]), Number(m[1]));
  return again.slice(7) === hash.slice(7);
}
