/**
 * date: Sprig's date functions (now, date, dateInZone, dateModify, ago, duration, durationRound,
 * htmlDate, toDate, unixEpoch and their aliases) over Go's time.Time.
 *
 * Times are GoTime values carrying the methods templates call on a time.Time (`.Year`, `.Unix`,
 * `.Format "…"`, `.UTC`, `.Add`…). Layouts are Go's reference-time layouts (date-layout.ts),
 * durations Go's text forms (date-duration.ts), zones come from Intl (date-zone.ts); "Local" is the
 * process zone, as time.Local is for helm.
 *
 * Sprig's argument rules are kept, surprising ones included: `date` and `dateInZone` take a
 * time.Time or integer Unix seconds and use the current time for anything else (a float64 from
 * values.yaml prints "now"); `toDate` returns the zero time for text it cannot parse; `dateModify`
 * returns the time unchanged for a bad duration; `duration` reads strings and int64s.
 *
 * Known deviation: Go's `duration` reads int64 but not int, so `duration 90` (an int literal) is
 * "0s" in helm; this value model cannot tell int from int64 and prints "1m30s".
 */
import {
  GO_METHODS,
  GoNamedInt,
  GoTime,
  formatGoTimeString,
  goFunc,
  goTypeName,
  int64,
  intValue,
  isInt64,
  type FuncMap,
  type GoFunc,
  type Value,
} from '../../value.js';
import { formatDuration, parseDuration, DurationError } from './date-duration.js';
import { civilToUnixMs, formatLayout, monthName, parseLayout, weekdayName, type Civil } from './date-layout.js';
import { UTC, fixedZone, loadLocation, localLocation, type Location } from './date-zone.js';

export { DurationError, formatDuration, parseDuration } from './date-duration.js';
export { TimeParseError, formatLayout, parseLayout } from './date-layout.js';
export { loadLocation, localLocation, UTC, type Location } from './date-zone.js';

/** DateArgError is a template argument that is not the time.Time a date function declares. */
export class DateArgError extends Error {
  constructor(
    readonly fn: string,
    readonly got: string,
  ) {
    super(`wrong type for value; expected time.Time; got ${got}`);
    this.name = 'DateArgError';
  }
}

const LOC: unique symbol = Symbol('capstan.timeLocation');
/** GO_JSON is the JSON encoders' hook (see ../helm/gojson.ts): what json.Marshal sees. */
const GO_JSON: unique symbol = Symbol.for('capstan.goJSON') as never;
const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';
type TimeWithLoc = GoTime & { [LOC]?: Location; [GO_METHODS]?: Record<string, GoFunc> };

const NS_PER_MS = 1_000_000n;
const INT64_MAX = (1n << 63n) - 1n;
const NS_PER_S = 1_000_000_000n;

/** zeroTime is time.Time{}: January 1, year 1, 00:00:00 UTC. */
export const ZERO_MS = civilToUnixMs(1, 1, 1, 0, 0, 0);

/** makeTime builds the GoTime for an instant shown in loc, with time.Time's template methods. */
export function makeTime(ms: number, ns: number, loc: Location): GoTime {
  const { offset, abbr } = loc.lookup(ms);
  // A zone without a name prints its offset where Go prints the name (Time.String, "MST").
  const t = new GoTime(ms, ns, offset, abbr === '' ? numericAbbr(offset) : abbr) as TimeWithLoc;
  t[LOC] = loc;
  t[GO_METHODS] = timeMethods(t);
  // json.Marshal calls Time.MarshalJSON: RFC 3339 with nanoseconds.
  Object.defineProperty(t, GO_JSON, { value: () => formatTime(t, RFC3339_NANO), enumerable: false });
  return t;
}

function numericAbbr(offset: number): string {
  const a = Math.abs(offset);
  const hh = String(Math.floor(a / 3600)).padStart(2, '0');
  const mm = String(Math.floor((a % 3600) / 60)).padStart(2, '0');
  return (offset < 0 ? '-' : '+') + hh + mm;
}

/** timeFromNanos is makeTime for an instant in Unix nanoseconds. */
export function timeFromNanos(n: bigint, loc: Location): GoTime {
  const ms = n / NS_PER_MS - (n % NS_PER_MS < 0n ? 1n : 0n);
  return makeTime(Number(ms), Number(n - ms * NS_PER_MS), loc);
}

/** unixNanos is t's instant in Unix nanoseconds. */
export function unixNanos(t: GoTime): bigint {
  return BigInt(t.ms) * NS_PER_MS + BigInt(t.ns);
}

function locationOf(t: GoTime): Location {
  return (
    (t as TimeWithLoc)[LOC] ?? (t.offsetSeconds === 0 && t.zone === 'UTC' ? UTC : fixedZone(t.zone, t.offsetSeconds))
  );
}

/** civil breaks t down in its own zone. */
export function civil(t: GoTime): Civil {
  const d = new Date(t.ms + t.offsetSeconds * 1000);
  const jan1 = civilToUnixMs(d.getUTCFullYear(), 1, 1, 0, 0, 0);
  const dayStart = civilToUnixMs(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, 0);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    nanosecond: d.getUTCMilliseconds() * 1e6 + t.ns,
    weekday: d.getUTCDay(),
    yday: Math.round((dayStart - jan1) / 86_400_000) + 1,
    offset: t.offsetSeconds,
    abbr: t.zone,
  };
}

/** formatTime is time.Time.Format. */
export function formatTime(t: GoTime, layout: string): string {
  return formatLayout(civil(t), layout);
}

function nowTime(): GoTime {
  const ns = Number(process.hrtime.bigint() % NS_PER_MS);
  return makeTime(Date.now(), ns, localLocation());
}

function unixSeconds(s: bigint, loc: Location): GoTime {
  return timeFromNanos(s * NS_PER_S, loc);
}

function requireTime(v: Value, fn: string): GoTime {
  if (v instanceof GoTime) return v;
  throw new DateArgError(fn, goTypeName(v));
}

function addDuration(t: GoTime, d: bigint): GoTime {
  return timeFromNanos(unixNanos(t) + d, locationOf(t));
}

/** since is time.Since: now minus t, as Duration nanoseconds. */
function since(t: GoTime): bigint {
  return unixNanos(nowTime()) - unixNanos(t);
}

function roundDuration(d: bigint, m: bigint): bigint {
  let r = d % m;
  if (d < 0n) {
    r = -r;
    return r + r < m ? d + r : d - m + r;
  }
  return r + r < m ? d - r : d + m - r;
}

/** dateInZone is Sprig's dateInZone: format a time (or Unix seconds, or now) in a zone. */
export function dateInZone(layout: string, date: Value, zone: string): string {
  let t: GoTime;
  if (date instanceof GoTime) t = date;
  else if (typeof date === 'bigint' || isInt64(date)) t = unixSeconds(intValue(date), localLocation());
  else t = nowTime();
  const loc = loadLocation(zone) ?? UTC;
  return formatTime(makeTime(t.ms, t.ns, loc), layout);
}

/** toDate is Sprig's mustToDate: time.ParseInLocation(layout, value, time.Local). */
export function toDate(layout: string, value: string): GoTime {
  const p = parseLayout(layout, value, localLocation());
  return makeTime(p.ms, p.ns, p.loc);
}

function durationRound(v: Value): string {
  let d = 0n;
  if (typeof v === 'string') {
    try {
      d = parseDuration(v);
    } catch (e) {
      if (!(e instanceof DurationError)) throw e;
    }
  } else if (isInt64(v))
    d = v.value; // an int64 only (an int is 0), as sprig's type switch
  else if (v instanceof GoTime) d = since(v);
  const u = BigInt.asUintN(64, d < 0n ? -d : d);
  const hour = 3600n * NS_PER_S;
  const steps: [bigint, string][] = [
    [hour * 24n * 365n, 'y'],
    [hour * 24n * 30n, 'mo'],
    [hour * 24n, 'd'],
    [hour, 'h'],
    [60n * NS_PER_S, 'm'],
    [NS_PER_S, 's'],
  ];
  for (const [size, unit] of steps) if (u > size) return String(u / size) + unit;
  return '0s';
}

function duration(v: Value): string {
  let n = 0n;
  if (typeof v === 'string') {
    // strconv.ParseInt: a syntax error is 0, a range error the nearest int64.
    if (/^[+-]?\d+$/.test(v)) {
      const x = BigInt(v);
      n = x > INT64_MAX ? INT64_MAX : x < -INT64_MAX - 1n ? -INT64_MAX - 1n : x;
    }
  } else if (isInt64(v)) n = v.value; // an int64 only (an int is 0), as sprig's type switch
  return formatDuration(BigInt.asIntN(64, n * NS_PER_S));
}

function ago(v: Value): string {
  let t: GoTime;
  if (v instanceof GoTime) t = v;
  else if (typeof v === 'bigint' || isInt64(v)) t = unixSeconds(intValue(v), localLocation());
  else t = nowTime();
  return formatDuration(roundDuration(since(t), NS_PER_S));
}

function dateModify(mod: string, date: Value, fn: string): GoTime {
  const t = requireTime(date, fn);
  return addDuration(t, parseDuration(mod));
}

/** timeMethods are the time.Time methods a template can call on t. */
function timeMethods(t: GoTime): Record<string, GoFunc> {
  const c = () => civil(t);
  const other = (v: Value, m: string) => unixNanos(requireTime(v, m));
  return {
    String: goFunc(() => formatGoTimeString(t), []),
    // toJson and toYaml go through encoding/json, which asks the time for RFC 3339 text.
    MarshalJSON: goFunc(() => JSON.stringify(formatTime(t, RFC3339_NANO)), [], {
      returnsError: true,
    }),
    Format: goFunc((layout: string) => formatTime(t, layout), ['string']),
    Year: goFunc(() => BigInt(c().year), []),
    Month: goFunc(() => new GoNamedInt('time.Month', BigInt(c().month), monthName(c().month)), []),
    Day: goFunc(() => BigInt(c().day), []),
    Hour: goFunc(() => BigInt(c().hour), []),
    Minute: goFunc(() => BigInt(c().minute), []),
    Second: goFunc(() => BigInt(c().second), []),
    Nanosecond: goFunc(() => BigInt(c().nanosecond), []),
    YearDay: goFunc(() => BigInt(c().yday), []),
    Weekday: goFunc(() => new GoNamedInt('time.Weekday', BigInt(c().weekday), weekdayName(c().weekday)), []),
    // The Unix* methods return int64.
    Unix: goFunc(() => int64(BigInt(Math.floor(t.ms / 1000))), []),
    UnixMilli: goFunc(() => int64(BigInt(t.ms)), []),
    UnixMicro: goFunc(() => int64(unixNanos(t) / 1000n - (unixNanos(t) % 1000n < 0n ? 1n : 0n)), []),
    UnixNano: goFunc(() => int64(unixNanos(t)), []),
    UTC: goFunc(() => makeTime(t.ms, t.ns, UTC), []),
    Local: goFunc(() => makeTime(t.ms, t.ns, localLocation()), []),
    IsZero: goFunc(() => t.ms === ZERO_MS && t.ns === 0, []),
    Add: goFunc((d: bigint) => addDuration(t, d), ['duration']),
    AddDate: goFunc(
      (y: bigint, m: bigint, d: bigint) => {
        const x = c();
        const base = civilToUnixMs(
          x.year + Number(y),
          x.month + Number(m),
          x.day + Number(d),
          x.hour,
          x.minute,
          x.second,
        );
        const loc = locationOf(t);
        const off = loc.lookup(base - x.offset * 1000).offset;
        return makeTime(base - off * 1000 + (t.ms - Math.floor(t.ms / 1000) * 1000), t.ns, loc);
      },
      ['int', 'int', 'int'],
    ),
    Before: goFunc((o: Value) => unixNanos(t) < other(o, 'Before'), ['time']),
    After: goFunc((o: Value) => unixNanos(t) > other(o, 'After'), ['time']),
    Equal: goFunc((o: Value) => unixNanos(t) === other(o, 'Equal'), ['time']),
  };
}

/** dateFuncs are Sprig's date functions with their Go signatures. */
export const dateFuncs: FuncMap = {
  now: goFunc(() => nowTime(), []),
  date: goFunc((layout: string, date: Value) => dateInZone(layout, date, 'Local'), ['string', 'any']),
  dateInZone: goFunc(dateInZone, ['string', 'any', 'string']),
  date_in_zone: goFunc(dateInZone, ['string', 'any', 'string']),
  htmlDate: goFunc((date: Value) => dateInZone('2006-01-02', date, 'Local'), ['any']),
  htmlDateInZone: goFunc((date: Value, zone: string) => dateInZone('2006-01-02', date, zone), ['any', 'string']),
  dateModify: goFunc(
    (mod: string, date: Value) => {
      try {
        return dateModify(mod, date, 'dateModify');
      } catch (e) {
        if (e instanceof DurationError) return requireTime(date, 'dateModify');
        throw e;
      }
    },
    ['string', 'time'],
  ),
  date_modify: goFunc(
    (mod: string, date: Value) => {
      try {
        return dateModify(mod, date, 'date_modify');
      } catch (e) {
        if (e instanceof DurationError) return requireTime(date, 'date_modify');
        throw e;
      }
    },
    ['string', 'time'],
  ),
  mustDateModify: goFunc((mod: string, date: Value) => dateModify(mod, date, 'mustDateModify'), ['string', 'time'], {
    returnsError: true,
  }),
  must_date_modify: goFunc(
    (mod: string, date: Value) => dateModify(mod, date, 'must_date_modify'),
    ['string', 'time'],
    {
      returnsError: true,
    },
  ),
  ago: goFunc(ago, ['any']),
  duration: goFunc(duration, ['any']),
  durationRound: goFunc(durationRound, ['any']),
  toDate: goFunc(
    (layout: string, value: string) => {
      try {
        return toDate(layout, value);
      } catch {
        return makeTime(ZERO_MS, 0, UTC);
      }
    },
    ['string', 'string'],
  ),
  mustToDate: goFunc(toDate, ['string', 'string'], { returnsError: true }),
  unixEpoch: goFunc((date: Value) => String(Math.floor(requireTime(date, 'unixEpoch').ms / 1000)), ['time']),
};
