// RFC 3339 timestamps <-> epoch milliseconds. Kubernetes writes metav1.Time as
// `2006-01-02T15:04:05Z` and MicroTime with six fraction digits; both parse here.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const MIN_YEAR = 1970;
const MAX_YEAR = 9999;
/** Epoch ms of 10000-01-01T00:00:00Z: below it, four-digit years. */
const YEAR_10000_MS = 253402300800000;
/** The largest |epoch ms| a Date can hold (ECMA-262 TimeClip). */
const MAX_DATE_MS = 8.64e15;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1–12) of the proleptic Gregorian calendar Date.UTC uses. */
function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 0;
}

/** The value of `length` ASCII digits at `from`, or -1 when any of them is not a digit. */
function digitsAt(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The shape metav1.Time is always written in, `2006-01-02T15:04:05Z`, read without a regex:
 * epoch ms, null when out of range, undefined when the text has another shape (the regex decides).
 */
function parseSecondsZulu(text: string): number | null | undefined {
  const c = (i: number): number => text.charCodeAt(i);
  if (c(4) !== 45 || c(7) !== 45 || c(13) !== 58 || c(16) !== 58) return undefined; // - - : :
  if ((c(10) | 0x20) !== 0x74 || (c(19) | 0x20) !== 0x7a) return undefined; // T or t, Z or z
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * Parses an RFC 3339 timestamp (string, or a valid Date as client-node deserializes them) into epoch ms;
 * anything else gives null, and so does an instant outside 1970-01-01T00:00:00Z … 9999-12-31T23:59:59.999Z,
 * which could not be written back as RFC 3339 UTC (`9999-12-31T23:59:59-23:59` is in the year 10000).
 */
export function parseTimestamp(value: unknown): number | null {
  if (value instanceof Date) return inRange(value.getTime());
  if (typeof value !== 'string') return null;
  if (value.length === 20) {
    const fast = parseSecondsZulu(value);
    if (fast !== undefined) return fast;
  }
  const m = RFC3339.exec(value);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, zulu, sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (year < MIN_YEAR || year > MAX_YEAR) return null;
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  // Go's time.Parse rejects leap seconds (second 60) too.
  if (hour > 23 || minute > 59 || second > 59) return null;
  // Sub-millisecond digits are truncated: epoch ms is the domain's resolution.
  const millis = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (zulu === undefined) {
    const offH = Number(oh);
    const offM = Number(om);
    if (offH > 23 || offM > 59) return null;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offH * 60 + offM);
  }
  return inRange(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000);
}

/** `ms` when it is an instant formatTimestamp writes with a four-digit year from 1970, else null. */
function inRange(ms: number): number | null {
  return Number.isFinite(ms) && ms >= 0 && ms < YEAR_10000_MS ? ms : null;
}

const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Formats epoch ms as RFC 3339 UTC (`2025-01-02T03:04:05Z`), with a millisecond fraction only when not whole seconds. */
export function formatTimestamp(ms: number): string {
  if (ms >= 0 && ms < YEAR_10000_MS) {
    // The usual case by arithmetic (days to civil date, H. Hinnant's algorithm): half the
    // time of Date#toISOString while the code is still cold, as it is in a one-shot CLI.
    const whole = Math.floor(ms);
    const millis = whole % 1000;
    const seconds = (whole - millis) / 1000;
    const days = Math.floor(seconds / 86400);
    const ofDay = seconds - days * 86400;
    const z = days + 719468;
    const era = Math.floor(z / 146097);
    const dayOfEra = z - era * 146097;
    const yearOfEra = Math.floor(
      (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
    );
    const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
    const mp = Math.floor((5 * dayOfYear + 2) / 153);
    const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
    const month = mp < 10 ? mp + 3 : mp - 9;
    const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    const text = `${String(year).padStart(4, '0')}-${twoDigits(month)}-${twoDigits(day)}T${twoDigits(Math.floor(ofDay / 3600))}:${twoDigits(Math.floor(ofDay / 60) % 60)}:${twoDigits(ofDay % 60)}`;
    return millis === 0 ? `${text}Z` : `${text}.${String(millis).padStart(3, '0')}Z`;
  }
  // Clamped to the Date range so a hostile duration (an inferred start 290 years back)
  // cannot make toISOString throw; NaN is treated as the epoch.
  const safe = Number.isNaN(ms) ? 0 : Math.min(MAX_DATE_MS, Math.max(-MAX_DATE_MS, Math.floor(ms)));
  const iso = new Date(safe).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
