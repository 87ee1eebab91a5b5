// RFC 3339 timestamps <-> epoch milliseconds. Kubernetes writes metav1.Time as
// `2006-01-02T15:04:05Z` and MicroTime with six fraction digits; both parse here.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const MIN_YEAR = 1970;
const MAX_YEAR = 9999;
/** The largest |epoch ms| a Date can hold (ECMA-262 TimeClip). */
const MAX_DATE_MS = 8.64e15;

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; Date.UTC is arithmetic, not a clock read.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Parses an RFC 3339 timestamp (string, or a valid Date as client-node deserializes them) into epoch ms; anything else gives null. */
export function parseTimestamp(value: unknown): number | null {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) return null;
    const year = value.getUTCFullYear();
    return year < MIN_YEAR || year > MAX_YEAR ? null : ms;
  }
  if (typeof value !== 'string') return null;
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
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  return Number.isFinite(ms) ? ms : null;
}

/** Formats epoch ms as RFC 3339 UTC (`2025-01-02T03:04:05Z`), with a millisecond fraction only when not whole seconds. */
export function formatTimestamp(ms: number): string {
  // Clamped to the Date range so a hostile duration (an inferred start 290 years back)
  // cannot make toISOString throw; NaN is treated as the epoch.
  const safe = Number.isNaN(ms) ? 0 : Math.min(MAX_DATE_MS, Math.max(-MAX_DATE_MS, Math.floor(ms)));
  const iso = new Date(safe).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
