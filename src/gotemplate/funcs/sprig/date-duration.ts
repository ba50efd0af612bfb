/**
 * date-duration: Go's time.Duration text forms, ParseDuration ("1h2m3.5s", "-1.5h", "300ms") and
 * Duration.String ("1h0m0s", "1.5µs", "0s"). Durations are int64 nanoseconds, so bigints.
 */

/** DurationError is time.ParseDuration's error; `input` is the text given. */
export class DurationError extends Error {
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
    this.name = 'DurationError';
  }
}

const NS = 1n;
const UNITS: Record<string, bigint> = {
  ns: NS,
  us: 1000n,
  µs: 1000n, // U+00B5 micro sign
  μs: 1000n, // U+03BC Greek mu
  ms: 1000_000n,
  s: 1000_000_000n,
  m: 60n * 1000_000_000n,
  h: 3600n * 1000_000_000n,
};
const MAX = 1n << 63n;

/** quoteTime is the time package's quote: ASCII kept, other bytes as \xNN. */
export function quoteTime(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const b of new TextEncoder().encode(ch)) out += '\\x' + b.toString(16).padStart(2, '0');
    } else out += (ch === '"' || ch === '\\' ? '\\' : '') + ch;
  }
  return out + '"';
}

/**
 * parseDuration is time.ParseDuration: a signed sequence of decimal numbers with units.
 * @throws DurationError with Go's message ("time: invalid duration \"x\"", "time: missing unit…").
 */
export function parseDuration(orig: string): bigint {
  let s = orig;
  const invalid = () => new DurationError(`time: invalid duration ${quoteTime(orig)}`, orig);
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0] >= '0' && s[0] <= '9'))) throw invalid();
    // leading integer
    let i = 0;
    let v = 0n;
    for (; i < s.length && s[i] >= '0' && s[i] <= '9'; i++) {
      if (v > MAX / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > MAX) throw invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      for (; j < s.length && s[j] >= '0' && s[j] <= '9'; j++) {
        if (overflow) continue;
        if (f > (MAX - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > MAX) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !(s[k] >= '0' && s[k] <= '9')) k++;
    if (k === 0) throw new DurationError(`time: missing unit in duration ${quoteTime(orig)}`, orig);
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined)
      throw new DurationError(`time: unknown unit ${quoteTime(u)} in duration ${quoteTime(orig)}`, orig);
    if (v > MAX / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX) throw invalid();
    }
    d += v;
    if (d > MAX) throw invalid();
  }
  if (neg) return -d;
  if (d > MAX - 1n) throw invalid();
  return d;
}

function frac(v: bigint, prec: number): [string, bigint] {
  // The fraction of v / 10^prec without trailing zeros (and without the point when zero).
  let s = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) s = String(digit) + s;
    v /= 10n;
  }
  return [print ? '.' + s : '', v];
}

/** formatDuration is time.Duration.String: "72h3m0.5s", "1.5ms", "0s". */
export function formatDuration(d: bigint): string {
  d = BigInt.asIntN(64, d);
  const neg = d < 0n;
  let u = neg ? -d : d;
  if (neg && u === MAX) u = MAX; // -2^63 keeps its magnitude as uint64
  let out: string;
  if (u < 1000_000_000n) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      prec = 0;
      unit = 'ns';
    } else if (u < 1000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const [f, rest] = frac(u, prec);
    out = String(rest) + f + unit;
  } else {
    const [f, secs] = frac(u, 9);
    out = String(secs % 60n) + f + 's';
    let mins = secs / 60n;
    if (mins > 0n) {
      out = String(mins % 60n) + 'm' + out;
      const hours = mins / 60n;
      if (hours > 0n) out = String(hours) + 'h' + out;
      mins = 0n;
    }
  }
  return (neg ? '-' : '') + out;
}
