/**
 * date-layout: Go's reference-time layouts ("2006-01-02T15:04:05Z07:00", "Jan _2", ".000", "MST")
 * for time.Format and time.Parse, with Go's chunking rules (a layout element is recognised only
 * where Go's nextStdChunk recognises it: "Jan" but not "Janx", "_2006" is "_" then the year,
 * ".000" only when the run of zeros is not followed by another digit) and Go's error texts.
 */
import { quoteTime } from './date-duration.js';
import { UTC, fixedZone, type Location } from './date-zone.js';

/** Civil is a broken-down time as Go computes it for a location. */
export interface Civil {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1..366
  offset: number; // seconds east of UTC
  abbr: string;
}

type Std =
  | 'LongMonth'
  | 'Month'
  | 'NumMonth'
  | 'ZeroMonth'
  | 'LongWeekDay'
  | 'WeekDay'
  | 'Day'
  | 'UnderDay'
  | 'ZeroDay'
  | 'UnderYearDay'
  | 'ZeroYearDay'
  | 'Hour'
  | 'Hour12'
  | 'ZeroHour12'
  | 'Minute'
  | 'ZeroMinute'
  | 'Second'
  | 'ZeroSecond'
  | 'LongYear'
  | 'Year'
  | 'PM'
  | 'pm'
  | 'TZ'
  | 'ISO8601TZ'
  | 'ISO8601SecondsTZ'
  | 'ISO8601ShortTZ'
  | 'ISO8601ColonTZ'
  | 'ISO8601ColonSecondsTZ'
  | 'NumTZ'
  | 'NumSecondsTz'
  | 'NumShortTZ'
  | 'NumColonTZ'
  | 'NumColonSecondsTZ'
  | 'FracSecond0'
  | 'FracSecond9';

interface Chunk {
  prefix: string;
  std: Std | null;
  stdstr: string;
  suffix: string;
  /** digits and separator of a fractional-second element. */
  digits: number;
  sep: string;
}

const STD0X: Std[] = ['ZeroMonth', 'ZeroDay', 'ZeroHour12', 'ZeroMinute', 'ZeroSecond', 'Year'];
const TZ_LAYOUTS: [string, Std][] = [
  ['-070000', 'NumSecondsTz'],
  ['-07:00:00', 'NumColonSecondsTZ'],
  ['-0700', 'NumTZ'],
  ['-07:00', 'NumColonTZ'],
  ['-07', 'NumShortTZ'],
];
const Z_LAYOUTS: [string, Std][] = [
  ['Z070000', 'ISO8601SecondsTZ'],
  ['Z07:00:00', 'ISO8601ColonSecondsTZ'],
  ['Z0700', 'ISO8601TZ'],
  ['Z07:00', 'ISO8601ColonTZ'],
  ['Z07', 'ISO8601ShortTZ'],
];

const isDigitAt = (s: string, i: number) => i < s.length && s[i] >= '0' && s[i] <= '9';

/** nextStdChunk splits layout at its first element: prefix text, the element, the rest. */
function nextStdChunk(layout: string): Chunk {
  const mk = (i: number, len: number, std: Std, digits = 0, sep = ''): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    stdstr: layout.slice(i, i + len),
    suffix: layout.slice(i + len),
    digits,
    sep,
  });
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const at = (s: string) => layout.startsWith(s, i);
    switch (c) {
      case 'J':
        if (at('Jan')) {
          if (at('January')) return mk(i, 7, 'LongMonth');
          if (!/^[a-z]/.test(layout.slice(i + 3))) return mk(i, 3, 'Month');
        }
        break;
      case 'M':
        if (at('Mon')) {
          if (at('Monday')) return mk(i, 6, 'LongWeekDay');
          if (!/^[a-z]/.test(layout.slice(i + 3))) return mk(i, 3, 'WeekDay');
        }
        if (at('MST')) return mk(i, 3, 'TZ');
        break;
      case '0':
        if (i + 1 < layout.length && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          return mk(i, 2, STD0X[layout.charCodeAt(i + 1) - 49]);
        }
        if (at('002')) return mk(i, 3, 'ZeroYearDay');
        break;
      case '1':
        if (at('15')) return mk(i, 2, 'Hour');
        return mk(i, 1, 'NumMonth');
      case '2':
        if (at('2006')) return mk(i, 4, 'LongYear');
        return mk(i, 1, 'Day');
      case '_':
        if (layout[i + 1] === '2') {
          if (layout.startsWith('2006', i + 1)) return { ...mk(i + 1, 4, 'LongYear'), prefix: layout.slice(0, i + 1) };
          return mk(i, 2, 'UnderDay');
        }
        if (at('__2')) return mk(i, 3, 'UnderYearDay');
        break;
      case '3':
        return mk(i, 1, 'Hour12');
      case '4':
        return mk(i, 1, 'Minute');
      case '5':
        return mk(i, 1, 'Second');
      case 'P':
        if (at('PM')) return mk(i, 2, 'PM');
        break;
      case 'p':
        if (at('pm')) return mk(i, 2, 'pm');
        break;
      case '-':
        for (const [s, std] of TZ_LAYOUTS) if (at(s)) return mk(i, s.length, std);
        break;
      case 'Z':
        for (const [s, std] of Z_LAYOUTS) if (at(s)) return mk(i, s.length, std);
        break;
      case '.':
      case ',':
        if (i + 1 < layout.length && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) {
            return mk(i, j - i, ch === '0' ? 'FracSecond0' : 'FracSecond9', j - (i + 1), c);
          }
        }
        break;
    }
  }
  return { prefix: layout, std: null, stdstr: '', suffix: '', digits: 0, sep: '' };
}

const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const monthName = (m: number) => LONG_MONTHS[m - 1];
export const weekdayName = (d: number) => LONG_DAYS[d];

function pad(n: number, width: number): string {
  const neg = n < 0;
  const s = String(Math.abs(n)).padStart(width, '0');
  return neg ? '-' + s : s;
}

/** formatLayout is time.Time.Format over a broken-down time. */
export function formatLayout(t: Civil, layout: string): string {
  let out = '';
  while (layout !== '') {
    const ch = nextStdChunk(layout);
    out += ch.prefix;
    if (ch.std === null) break;
    layout = ch.suffix;
    const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
    switch (ch.std) {
      case 'Year':
        out += pad(Math.abs(t.year) % 100, 2);
        break;
      case 'LongYear':
        out += pad(t.year, 4);
        break;
      case 'Month':
        out += LONG_MONTHS[t.month - 1].slice(0, 3);
        break;
      case 'LongMonth':
        out += LONG_MONTHS[t.month - 1];
        break;
      case 'NumMonth':
        out += t.month;
        break;
      case 'ZeroMonth':
        out += pad(t.month, 2);
        break;
      case 'WeekDay':
        out += LONG_DAYS[t.weekday].slice(0, 3);
        break;
      case 'LongWeekDay':
        out += LONG_DAYS[t.weekday];
        break;
      case 'Day':
        out += t.day;
        break;
      case 'UnderDay':
        out += (t.day < 10 ? ' ' : '') + t.day;
        break;
      case 'ZeroDay':
        out += pad(t.day, 2);
        break;
      case 'UnderYearDay':
        out += String(t.yday).padStart(3, ' ');
        break;
      case 'ZeroYearDay':
        out += pad(t.yday, 3);
        break;
      case 'Hour':
        out += pad(t.hour, 2);
        break;
      case 'Hour12':
        out += hour12;
        break;
      case 'ZeroHour12':
        out += pad(hour12, 2);
        break;
      case 'Minute':
        out += t.minute;
        break;
      case 'ZeroMinute':
        out += pad(t.minute, 2);
        break;
      case 'Second':
        out += t.second;
        break;
      case 'ZeroSecond':
        out += pad(t.second, 2);
        break;
      case 'PM':
        out += t.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += t.hour >= 12 ? 'pm' : 'am';
        break;
      case 'TZ':
        if (t.abbr !== '') out += t.abbr;
        else out += numericZone(t.offset, false, false, false);
        break;
      case 'FracSecond0':
      case 'FracSecond9':
        out += fraction(t.nanosecond, ch.std === 'FracSecond9', Math.min(ch.digits, 9), ch.sep);
        break;
      default: {
        const iso = ch.std.startsWith('ISO8601');
        if (iso && t.offset === 0) {
          out += 'Z';
          break;
        }
        const colon = ch.std.includes('Colon');
        const short = ch.std.endsWith('ShortTZ');
        const seconds = /Seconds/.test(ch.std);
        out += numericZone(t.offset, colon, short, seconds);
      }
    }
  }
  return out;
}

function numericZone(offset: number, colon: boolean, short: boolean, seconds: boolean): string {
  let zone = Math.trunc(offset / 60);
  let abs = offset;
  let s = '+';
  if (zone < 0) {
    s = '-';
    zone = -zone;
    abs = -abs;
  }
  s += pad(Math.trunc(zone / 60), 2);
  if (colon) s += ':';
  if (!short) s += pad(zone % 60, 2);
  if (seconds) {
    if (colon) s += ':';
    s += pad(abs % 60, 2);
  }
  return s;
}

function fraction(ns: number, trim: boolean, n: number, sep: string): string {
  if (trim && (n === 0 || ns === 0)) return '';
  let s = sep + String(ns).padStart(9, '0').slice(0, n);
  if (trim) {
    s = s.replace(/0+$/, '');
    if (s === sep) s = '';
  }
  return s;
}

// --- parsing ----------------------------------------------------------------------------------

/** TimeParseError is time.ParseError: the layout and value, the failing elements and a message. */
export class TimeParseError extends Error {
  constructor(
    readonly layout: string,
    readonly value: string,
    readonly layoutElem: string,
    readonly valueElem: string,
    readonly detail: string,
  ) {
    super(
      detail === ''
        ? `parsing time ${quoteTime(value)} as ${quoteTime(layout)}: cannot parse ${quoteTime(valueElem)} as ${quoteTime(layoutElem)}`
        : `parsing time ${quoteTime(value)}${detail}`,
    );
    this.name = 'TimeParseError';
  }
}

/** Parsed is the result of parseLayout: an instant (ms + extra ns) and the location it is in. */
export interface Parsed {
  ms: number;
  ns: number;
  loc: Location;
}

class Bad extends Error {}

function getnum(v: string, fixed: boolean): [number, string] {
  if (!isDigitAt(v, 0)) throw new Bad();
  if (!isDigitAt(v, 1)) {
    if (fixed) throw new Bad();
    return [v.charCodeAt(0) - 48, v.slice(1)];
  }
  return [(v.charCodeAt(0) - 48) * 10 + (v.charCodeAt(1) - 48), v.slice(2)];
}

function getnum3(v: string, fixed: boolean): [number, string] {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(v, i); i++) n = n * 10 + (v.charCodeAt(i) - 48);
  if (i === 0 || (fixed && i !== 3)) throw new Bad();
  return [n, v.slice(i)];
}

function lookupName(names: string[], v: string): [number, string] {
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (v.length >= n.length && v.slice(0, n.length).toLowerCase() === n.toLowerCase()) return [i, v.slice(n.length)];
  }
  throw new Bad();
}

const cutspace = (s: string) => s.replace(/^ +/, '');

function skip(value: string, prefix: string): string {
  while (prefix.length > 0) {
    if (prefix[0] === ' ') {
      if (value.length > 0 && value[0] !== ' ') throw new Bad();
      prefix = cutspace(prefix);
      value = cutspace(value);
      continue;
    }
    if (value.length === 0 || value[0] !== prefix[0]) throw new Bad();
    prefix = prefix.slice(1);
    value = value.slice(1);
  }
  return value;
}

/** parseTimeZone is the length of a zone abbreviation at the start of value, or 0. */
function parseTimeZone(value: string): number {
  if (value.length < 3) return 0;
  if (value.length >= 4 && (value.startsWith('ChST') || value.startsWith('MeST'))) return 4;
  if (value.startsWith('GMT')) return parseGMT(value);
  if (value[0] === '+' || value[0] === '-') return parseSignedOffset(value);
  let n = 0;
  while (n < value.length && value[n] >= 'A' && value[n] <= 'Z') n++;
  switch (n) {
    case 0:
    case 1:
    case 2:
    case 6:
      return 0;
    case 5:
      return value[4] === 'T' ? 5 : 0;
    case 4:
      return value[3] === 'T' || value.startsWith('WITA') ? 4 : 0;
    case 3:
      return 3;
  }
  return 0;
}

function parseGMT(value: string): number {
  const rest = value.slice(3);
  if (rest.length === 0) return 3;
  return 3 + parseSignedOffset(rest);
}

function parseSignedOffset(value: string): number {
  const sign = value[0];
  if (sign !== '-' && sign !== '+') return 0;
  let i = 1;
  let x = 0;
  for (; i < value.length && isDigitAt(value, i); i++) {
    x = x * 10 + (value.charCodeAt(i) - 48);
    if (x > 1e9) return 0;
  }
  if (i === 1) return 0;
  if (x > 23) return 0;
  return i;
}

const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** civilToUnixMs is the UTC instant of a wall-clock time read as UTC (years 0..9999 and beyond). */
export function civilToUnixMs(year: number, month: number, day: number, h: number, mi: number, s: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, mi, s, 0);
  return d.getTime();
}

/**
 * dateIn is time.Date(…, loc): the instant whose wall clock in loc is the given one, with Go's
 * choice at zone transitions (the offset in effect just before, retried after).
 */
export function dateIn(
  year: number,
  month: number,
  day: number,
  h: number,
  mi: number,
  s: number,
  loc: Location,
): number {
  const guess = civilToUnixMs(year, month, day, h, mi, s);
  let offset = loc.lookup(guess).offset;
  if (offset !== 0) {
    const utc = guess - offset * 1000;
    const o2 = loc.lookup(utc).offset;
    if (o2 !== offset) offset = o2;
  }
  return guess - offset * 1000;
}

/**
 * parseLayout is time.ParseInLocation(layout, value, local).
 * @throws TimeParseError with Go's message.
 */
export function parseLayout(layout: string, value: string, local: Location): Parsed {
  const alayout = layout;
  const avalue = value;
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let z: Location | null = null;
  let zoneOffset = -1;
  let zoneName = '';
  let pmSet = false;
  let amSet = false;
  for (;;) {
    const ch = nextStdChunk(layout);
    try {
      value = skip(value, ch.prefix);
    } catch (e) {
      if (e instanceof Bad) throw new TimeParseError(alayout, avalue, ch.prefix, value, '');
      throw e;
    }
    if (ch.std === null) {
      if (value.length !== 0) throw new TimeParseError(alayout, avalue, '', value, `: extra text: ${quoteTime(value)}`);
      break;
    }
    layout = ch.suffix;
    const hold = value;
    let range = '';
    try {
      switch (ch.std) {
        case 'Year': {
          if (value.length < 2) throw new Bad();
          const p = value.slice(0, 2);
          if (!/^\d\d$/.test(p)) throw new Bad();
          year = Number(p);
          value = value.slice(2);
          year += year >= 69 ? 1900 : 2000;
          break;
        }
        case 'LongYear':
          if (value.length < 4 || !/^\d{4}/.test(value)) throw new Bad();
          year = Number(value.slice(0, 4));
          value = value.slice(4);
          break;
        case 'Month':
          [month, value] = lookupName(
            LONG_MONTHS.map((m) => m.slice(0, 3)),
            value,
          );
          month++;
          break;
        case 'LongMonth':
          [month, value] = lookupName(LONG_MONTHS, value);
          month++;
          break;
        case 'NumMonth':
        case 'ZeroMonth':
          [month, value] = getnum(value, ch.std === 'ZeroMonth');
          if (month <= 0 || month > 12) range = 'month';
          break;
        case 'WeekDay':
          [, value] = lookupName(
            LONG_DAYS.map((d) => d.slice(0, 3)),
            value,
          );
          break;
        case 'LongWeekDay':
          [, value] = lookupName(LONG_DAYS, value);
          break;
        case 'Day':
        case 'UnderDay':
        case 'ZeroDay':
          if (ch.std === 'UnderDay' && value[0] === ' ') value = value.slice(1);
          [day, value] = getnum(value, ch.std === 'ZeroDay');
          break;
        case 'UnderYearDay':
        case 'ZeroYearDay':
          for (let i = 0; i < 2; i++) if (ch.std === 'UnderYearDay' && value[0] === ' ') value = value.slice(1);
          [yday, value] = getnum3(value, ch.std === 'ZeroYearDay');
          break;
        case 'Hour':
          [hour, value] = getnum(value, false);
          if (hour < 0 || hour >= 24) range = 'hour';
          break;
        case 'Hour12':
        case 'ZeroHour12':
          [hour, value] = getnum(value, ch.std === 'ZeroHour12');
          if (hour < 0 || hour > 12) range = 'hour';
          break;
        case 'Minute':
        case 'ZeroMinute':
          [min, value] = getnum(value, ch.std === 'ZeroMinute');
          if (min < 0 || min >= 60) range = 'minute';
          break;
        case 'Second':
        case 'ZeroSecond': {
          [sec, value] = getnum(value, ch.std === 'ZeroSecond');
          if (sec < 0 || sec >= 60) {
            range = 'second';
            break;
          }
          // A fractional second in the value but not in the layout is still read.
          if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigitAt(value, 1)) {
            const next = nextStdChunk(layout).std;
            if (next === 'FracSecond0' || next === 'FracSecond9') break;
            let n = 2;
            while (n < value.length && isDigitAt(value, n)) n++;
            nsec = parseNanoseconds(value, n);
            value = value.slice(n);
          }
          break;
        }
        case 'PM':
          if (value.length < 2) throw new Bad();
          if (value.startsWith('PM')) pmSet = true;
          else if (value.startsWith('AM')) amSet = true;
          else throw new Bad();
          value = value.slice(2);
          break;
        case 'pm':
          if (value.length < 2) throw new Bad();
          if (value.startsWith('pm')) pmSet = true;
          else if (value.startsWith('am')) amSet = true;
          else throw new Bad();
          value = value.slice(2);
          break;
        case 'TZ': {
          if (value.startsWith('UTC')) {
            z = UTC;
            value = value.slice(3);
            break;
          }
          const n = parseTimeZone(value);
          if (n === 0) throw new Bad();
          zoneName = value.slice(0, n);
          value = value.slice(n);
          break;
        }
        case 'FracSecond0': {
          const ndigit = 1 + ch.digits;
          if (value.length < ndigit) throw new Bad();
          nsec = parseNanoseconds(value, ndigit);
          value = value.slice(ndigit);
          break;
        }
        case 'FracSecond9': {
          if (value.length < 2 || !(value[0] === '.' || value[0] === ',') || !isDigitAt(value, 1)) break;
          let i = 0;
          while (i + 1 < value.length && isDigitAt(value, i + 1)) i++;
          nsec = parseNanoseconds(value, 1 + i);
          value = value.slice(1 + i);
          break;
        }
        default: {
          const iso = ch.std.startsWith('ISO8601');
          if (iso && value[0] === 'Z') {
            value = value.slice(1);
            z = UTC;
            break;
          }
          const colon = ch.std.includes('Colon');
          const short = ch.std.endsWith('ShortTZ');
          const seconds = /Seconds/.test(ch.std);
          let need = short ? 3 : colon ? 6 : 5;
          if (seconds) need = colon ? 9 : 7;
          if (value.length < need) throw new Bad();
          const sign = value[0];
          if (sign !== '+' && sign !== '-') throw new Bad();
          let hh: string;
          let mm = '00';
          let ss = '00';
          if (short) hh = value.slice(1, 3);
          else if (colon) {
            if (value[3] !== ':') throw new Bad();
            hh = value.slice(1, 3);
            mm = value.slice(4, 6);
            if (seconds) {
              if (value[6] !== ':') throw new Bad();
              ss = value.slice(7, 9);
            }
          } else {
            hh = value.slice(1, 3);
            mm = value.slice(3, 5);
            if (seconds) ss = value.slice(5, 7);
          }
          value = value.slice(need);
          if (!/^\d\d$/.test(hh) || !/^\d\d$/.test(mm) || !/^\d\d$/.test(ss)) throw new Bad();
          const h = Number(hh);
          const m = Number(mm);
          const s = Number(ss);
          if (h > 24) range = 'time zone offset hour';
          else if (m > 60) range = 'time zone offset minute';
          else if (s > 60) range = 'time zone offset second';
          zoneOffset = (h * 60 + m) * 60 + s;
          if (sign === '-') zoneOffset = -zoneOffset;
        }
      }
    } catch (e) {
      if (e instanceof Bad) throw new TimeParseError(alayout, avalue, ch.stdstr, hold, '');
      if (e instanceof RangeString) {
        throw new TimeParseError(alayout, avalue, ch.stdstr, value, `: ${e.message} out of range`);
      }
      throw e;
    }
    if (range !== '') throw new TimeParseError(alayout, avalue, ch.stdstr, value, `: ${range} out of range`);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    // Go's conversion, including its reading of day numbers in leap years.
    let d = 0;
    let m = 0;
    if (daysIn(2, year) === 29) {
      if (yday === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yday > 31 + 29) yday--;
    }
    if (yday < 1 || yday > 365) throw new TimeParseError(alayout, avalue, '', value, ': day-of-year out of range');
    if (m === 0) {
      m = Math.floor((yday - 1) / 31) + 1;
      if (DAYS_BEFORE[m] < yday) m++;
      d = yday - DAYS_BEFORE[m - 1];
    }
    if (month >= 0 && month !== m)
      throw new TimeParseError(alayout, avalue, '', value, ': day-of-year does not match month');
    month = m;
    if (day >= 0 && day !== d) throw new TimeParseError(alayout, avalue, '', value, ': day-of-year does not match day');
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) throw new TimeParseError(alayout, avalue, '', value, ': day out of range');
  const split = (ms: number): Parsed => ({ ms: ms + Math.floor(nsec / 1e6), ns: nsec % 1e6, loc: UTC });
  if (z !== null) return { ...split(dateIn(year, month, day, hour, min, sec, z)), loc: z };
  if (zoneOffset !== -1) {
    const ms = civilToUnixMs(year, month, day, hour, min, sec) - zoneOffset * 1000;
    const l = local.lookup(ms);
    if (l.offset === zoneOffset && (zoneName === '' || l.abbr === zoneName)) return { ...split(ms), loc: local };
    return { ...split(ms), loc: fixedZone(zoneName, zoneOffset) };
  }
  if (zoneName !== '') {
    const ms = civilToUnixMs(year, month, day, hour, min, sec);
    const l = local.lookup(ms);
    if (l.abbr === zoneName) return { ...split(ms - l.offset * 1000), loc: local };
    // An unknown abbreviation keeps the wall clock as UTC and only labels it (Go's fake zone).
    let offset = 0;
    if (zoneName.length > 3 && zoneName.startsWith('GMT')) offset = Number(zoneName.slice(3)) * 3600;
    return { ...split(ms), loc: fixedZone(zoneName, offset) };
  }
  return { ...split(dateIn(year, month, day, hour, min, sec, local)), loc: local };
}

class RangeString extends Error {}

function parseNanoseconds(value: string, nbytes: number): number {
  if (!(value[0] === '.' || value[0] === ',')) throw new Bad();
  if (nbytes > 10) {
    value = value.slice(0, 10);
    nbytes = 10;
  }
  const digits = value.slice(1, nbytes);
  if (!/^\d*$/.test(digits)) throw new Bad();
  const ns = Number(digits.padEnd(9, '0'));
  if (ns < 0) throw new RangeString('fractional second');
  return ns;
}
