/**
 * resolve: go-yaml's implicit typing of plain scalars (YAML 1.1 as go-yaml v2 and v3 do it), and
 * the Go number parsing it relies on (strconv.ParseInt/ParseUint with base 0).
 *
 * The same table decides both ways: a plain scalar `yes` reads as true, so a string "yes" has to be
 * quoted when written.
 */

/** Resolved is the tag go-yaml gives a plain scalar and the Go value it stands for. */
export type Resolved =
  | { tag: 'str'; value: string }
  | { tag: 'null'; value: null }
  | { tag: 'bool'; value: boolean }
  | { tag: 'int'; value: bigint; unsigned: boolean }
  | { tag: 'float'; value: number }
  | { tag: 'timestamp'; value: string }
  | { tag: 'merge'; value: string };

const V2_BOOLS: Record<string, boolean> = {};
for (const w of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) V2_BOOLS[w] = true;
for (const w of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) V2_BOOLS[w] = false;
const V3_BOOLS: Record<string, boolean> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const SPECIAL_FLOATS: Record<string, number> = {
  '.nan': NaN,
  '.NaN': NaN,
  '.NAN': NaN,
  '.inf': Infinity,
  '.Inf': Infinity,
  '.INF': Infinity,
  '+.inf': Infinity,
  '+.Inf': Infinity,
  '+.INF': Infinity,
  '-.inf': -Infinity,
  '-.Inf': -Infinity,
  '-.INF': -Infinity,
};
const OLD_BOOLS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

function hintOf(s: string): 'M' | '.' | 'D' | 'S' | 'N' | 0 {
  if (s === '') return 'N';
  const c = s[0];
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return 0;
}

/** parseGoUint is strconv.ParseUint(s, base, 64) (base 0 reads 0x, 0o, 0b and 0 prefixes). */
export function parseGoUint(s: string, base = 0): bigint | null {
  if (s === '') return null;
  if (base === 0) {
    base = 10;
    if (s[0] === '0') {
      const p = s.length >= 3 ? s[1].toLowerCase() : '';
      if (p === 'b') [base, s] = [2, s.slice(2)];
      else if (p === 'o') [base, s] = [8, s.slice(2)];
      else if (p === 'x') [base, s] = [16, s.slice(2)];
      else [base, s] = [8, s.slice(1)];
    }
  }
  let n = 0n;
  const b = BigInt(base);
  for (const ch of s) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base || !/[0-9a-zA-Z]/.test(ch)) return null;
    n = n * b + BigInt(d);
    if (n > UINT64_MAX) return null;
  }
  return n;
}

/** parseGoInt is strconv.ParseInt(s, base, 64). */
export function parseGoInt(s: string, base = 0): bigint | null {
  if (s === '') return null;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  const u = parseGoUint(s, base);
  if (u === null) return null;
  const v = neg ? -u : u;
  if (v > INT64_MAX || v < INT64_MIN) return null;
  return v;
}

function parseGoFloatYamlStyle(s: string): number | null {
  const f = Number(s);
  return Number.isFinite(f) ? f : null;
}

/**
 * resolvePlain is go-yaml's resolve("", s) for a plain scalar. `v3` drops YAML 1.1's yes/no/on/off
 * booleans (go-yaml v3 reads them as strings).
 */
export function resolvePlain(s: string, v3 = false): Resolved {
  const hint = hintOf(s);
  if (hint === 0) return { tag: 'str', value: s };
  const bools = v3 ? V3_BOOLS : V2_BOOLS;
  if (Object.hasOwn(bools, s)) return { tag: 'bool', value: bools[s] };
  if (NULLS.has(s)) return { tag: 'null', value: null };
  if (Object.hasOwn(SPECIAL_FLOATS, s)) return { tag: 'float', value: SPECIAL_FLOATS[s] };
  switch (hint) {
    case '.':
      if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)) {
        const f = parseGoFloatYamlStyle(s);
        if (f !== null) return { tag: 'float', value: f };
      }
      break;
    case 'D':
    case 'S': {
      if (isTimestamp(s)) return { tag: 'timestamp', value: s };
      const plain = s.replace(/_/g, '');
      const i = parseGoInt(plain);
      if (i !== null) return { tag: 'int', value: i, unsigned: false };
      const u = plain[0] === '+' || plain[0] === '-' ? null : parseGoUint(plain);
      if (u !== null) return { tag: 'int', value: u, unsigned: true };
      if (YAML_STYLE_FLOAT.test(plain)) {
        const f = parseGoFloatYamlStyle(plain);
        if (f !== null) return { tag: 'float', value: f };
      }
      if (plain.startsWith('0b') || plain.startsWith('-0b')) {
        const neg = plain[0] === '-';
        const digits = plain.slice(neg ? 3 : 2);
        const bi = parseGoInt((neg ? '-' : '') + digits, 2);
        if (bi !== null) return { tag: 'int', value: bi, unsigned: false };
        if (!neg) {
          const bu = parseGoUint(digits, 2);
          if (bu !== null) return { tag: 'int', value: bu, unsigned: true };
        }
      }
      if (v3 && (plain.startsWith('0o') || plain.startsWith('-0o'))) {
        const neg = plain[0] === '-';
        const oi = parseGoInt((neg ? '-' : '') + plain.slice(neg ? 3 : 2), 8);
        if (oi !== null) return { tag: 'int', value: oi, unsigned: false };
      }
      break;
    }
  }
  return { tag: 'str', value: s };
}

/** isBase60Float is go-yaml's check for YAML 1.1 sexagesimal numbers (`1:20`), always quoted. */
export function isBase60Float(s: string): boolean {
  if (s === '') return false;
  const c = s[0];
  if (!(c === '+' || c === '-' || (c >= '0' && c <= '9')) || !s.includes(':')) return false;
  return BASE60_FLOAT.test(s);
}

/** isOldBool is go-yaml v3's list of YAML 1.1 booleans it still quotes when writing. */
export const isOldBool = (s: string): boolean => OLD_BOOLS.has(s);

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : DAYS[m - 1]);
}

// go-yaml's allowedTimestampFormats as time.Parse reads them: month, day, hour, minute and second
// take one or two digits; the fraction is optional; the zone is Z or ±hh:mm.
const TS_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const TS_ZONED = /^(\d{4})-(\d{1,2})-(\d{1,2})[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[-+]\d{2}:\d{2})$/;
const TS_SPACED = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?$/;

/** isTimestamp is go-yaml's parseTimestamp succeeding on s. */
export function isTimestamp(s: string): boolean {
  if (!/^\d{4}-/.test(s)) return false;
  let m = TS_DATE.exec(s);
  if (m) return validDate(+m[1], +m[2], +m[3]);
  m = TS_ZONED.exec(s) ?? TS_SPACED.exec(s);
  if (!m) return false;
  if (!validDate(+m[1], +m[2], +m[3])) return false;
  if (+m[4] > 23 || +m[5] > 59 || +m[6] > 59) return false;
  if (m[8] && m[8] !== 'Z') {
    const [hh, mm] = m[8].slice(1).split(':').map(Number);
    if (hh > 23 || mm > 59) return false;
  }
  return true;
}
