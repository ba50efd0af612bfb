/**
 * date-zone: Go's time.Location for the date functions, backed by the ICU time-zone data in Intl.
 *
 * Go reads zone abbreviations from tzdata ("CEST", "JST", and numeric ones such as "+04" where
 * tzdata has no letters); Intl has no API for those, so {@link zoneAbbreviation} takes the letters
 * ICU prints for a few English locales and falls back to a table of the tzdata abbreviations of
 * common zones, then to tzdata's numeric style. Zones outside the table whose tzdata abbreviation
 * is alphabetic but unknown to ICU print numerically here (a known deviation, only visible with
 * the `MST` layout element).
 */

/** Location is a time zone: the offset and abbreviation in effect at an instant. */
export interface Location {
  /** name is what time.Location.String() says: "UTC", "Local", "Europe/Berlin". */
  readonly name: string;
  lookup(ms: number): { offset: number; abbr: string };
}

/** UTC is time.UTC. */
export const UTC: Location = { name: 'UTC', lookup: () => ({ offset: 0, abbr: 'UTC' }) };

/** fixedZone is time.FixedZone(name, offset). */
export function fixedZone(abbr: string, offset: number): Location {
  return { name: abbr, lookup: () => ({ offset, abbr }) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, locale: string, style: 'longOffset' | 'short'): Intl.DateTimeFormat {
  const key = `${zone}\u0000${locale}\u0000${style}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: style, year: 'numeric' });
    formatters.set(key, f);
  }
  return f;
}

function part(f: Intl.DateTimeFormat, ms: number): string {
  return f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

function offsetAt(zone: string, ms: number): number {
  const s = part(formatter(zone, 'en-US', 'longOffset'), ms); // "GMT", "GMT+05:30"
  const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) return 0;
  const v = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -v : v;
}

// tzdata abbreviations ICU does not print in English: [standard, daylight].
const ABBREVIATIONS: Record<string, [string, string]> = {
  'Asia/Tokyo': ['JST', 'JDT'],
  'Asia/Seoul': ['KST', 'KDT'],
  'Asia/Shanghai': ['CST', 'CDT'],
  'Asia/Taipei': ['CST', 'CDT'],
  'Asia/Hong_Kong': ['HKT', 'HKST'],
  'Asia/Macau': ['CST', 'CDT'],
  'Asia/Kolkata': ['IST', 'IST'],
  'Asia/Calcutta': ['IST', 'IST'],
  'Asia/Jerusalem': ['IST', 'IDT'],
  'Asia/Tel_Aviv': ['IST', 'IDT'],
  'Asia/Karachi': ['PKT', 'PKST'],
  'Asia/Manila': ['PST', 'PDT'],
  'Asia/Jakarta': ['WIB', 'WIB'],
  'Australia/Sydney': ['AEST', 'AEDT'],
  'Australia/Melbourne': ['AEST', 'AEDT'],
  'Australia/Canberra': ['AEST', 'AEDT'],
  'Australia/Hobart': ['AEST', 'AEDT'],
  'Australia/Brisbane': ['AEST', 'AEDT'],
  'Australia/Adelaide': ['ACST', 'ACDT'],
  'Australia/Darwin': ['ACST', 'ACDT'],
  'Australia/Perth': ['AWST', 'AWDT'],
  'Pacific/Auckland': ['NZST', 'NZDT'],
  'Africa/Johannesburg': ['SAST', 'SAST'],
  'Africa/Lagos': ['WAT', 'WAT'],
  'Africa/Nairobi': ['EAT', 'EAT'],
  'Africa/Cairo': ['EET', 'EEST'],
  'Europe/Moscow': ['MSK', 'MSD'],
  'Europe/Dublin': ['GMT', 'IST'],
};

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Universal', 'Zulu', 'Etc/Universal', 'Etc/Zulu']);
const GMT_NAMES = new Set([
  'GMT',
  'Etc/GMT',
  'Etc/Greenwich',
  'Greenwich',
  'GMT0',
  'GMT+0',
  'GMT-0',
  'Etc/GMT0',
  'Etc/GMT+0',
  'Etc/GMT-0',
]);
// Abbreviations ICU prints that tzdata also uses; ICU's others (GST, "GMT+4"…) are not tzdata's.
const TZDATA_LETTERS = new Set(
  'EST EDT CST CDT MST MDT PST PDT AKST AKDT HST HDT AST ADT NST NDT GMT BST CET CEST EET EEST WET WEST IST'.split(' '),
);

/** zoneAbbreviation is the tzdata abbreviation Go would print for zone at the instant. */
export function zoneAbbreviation(zone: string, ms: number, offset: number): string {
  if (UTC_NAMES.has(zone)) return 'UTC';
  if (GMT_NAMES.has(zone)) return 'GMT';
  // Before standard time tzdata uses local mean time, an offset with seconds, named "LMT".
  if (offset % 60 !== 0) return 'LMT';
  const table = ABBREVIATIONS[zone];
  if (table) {
    const jan = offsetAt(zone, Date.UTC(new Date(ms).getUTCFullYear(), 0, 1));
    const jul = offsetAt(zone, Date.UTC(new Date(ms).getUTCFullYear(), 6, 1));
    const standard = Math.min(jan, jul);
    return offset === standard || jan === jul ? table[0] : table[1];
  }
  for (const locale of ['en-US', 'en-GB']) {
    const s = part(formatter(zone, locale, 'short'), ms);
    if (TZDATA_LETTERS.has(s) && s !== 'GMT') return s;
    if (s === 'GMT' && offset === 0 && locale === 'en-GB') return 'GMT';
  }
  const sign = offset < 0 ? '-' : '+';
  const a = Math.abs(offset);
  const h = String(Math.floor(a / 3600)).padStart(2, '0');
  const m = Math.floor((a % 3600) / 60);
  return sign + h + (m ? String(m).padStart(2, '0') : '');
}

function intlLocation(zone: string, name: string): Location {
  return {
    name,
    lookup(ms: number) {
      const offset = offsetAt(zone, ms);
      return { offset, abbr: zoneAbbreviation(zone, ms, offset) };
    },
  };
}

let local: Location | undefined;
/** localLocation is time.Local: the process's zone (TZ), as Go reads it. */
export function localLocation(): Location {
  if (!local) {
    const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    local = !zone || zone === 'UTC' || zone === 'Etc/UTC' ? { ...UTC, name: 'Local' } : intlLocation(zone, 'Local');
  }
  return local;
}

/**
 * loadLocation is time.LoadLocation: "" and "UTC" are UTC, "Local" is the process zone, anything
 * else must name a zone exactly (Go reads zoneinfo files, so the name is case-sensitive).
 * Returns null where Go returns an error.
 */
export function loadLocation(name: string): Location | null {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return localLocation();
  if (name.includes('..') || name.startsWith('/') || name.includes('\\')) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  // Intl matches names case-insensitively; a zoneinfo file lookup does not.
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return null;
  if (/^[+-]\d/.test(name)) return null;
  return intlLocation(name, name);
}
