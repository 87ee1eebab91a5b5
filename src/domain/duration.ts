// Durations the way Go and kubectl print and parse them.
// Values are seconds as numbers; parsing works in integer nanoseconds (BigInt)
// so that it matches Go's time.ParseDuration exactly, overflow checks included.

const NS_PER_SECOND = 1_000_000_000n;
const TWO_POW_63 = 1n << 63n;
/** Largest time.Duration, in nanoseconds. */
const MAX_DURATION_NS = TWO_POW_63 - 1n;
/** Whole seconds of the largest time.Duration; Round(time.Second) saturates beyond it. */
const MAX_WHOLE_SECONDS = 9_223_372_036;
const MAX_DURATION_STRING = '2562047h47m16.854775807s';
const MIN_DURATION_STRING = '-2562047h47m16.854775808s';

// A Map, not an object literal: a unit such as "constructor" must not hit Object.prototype.
const UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // µ MICRO SIGN
  ['\u03bcs', 1_000n], // μ GREEK SMALL LETTER MU
  ['ms', 1_000_000n],
  ['s', NS_PER_SECOND],
  ['m', 60n * NS_PER_SECOND],
  ['h', 3600n * NS_PER_SECOND],
]);

/** The units of command-line durations: Go's, and `d` for a day of 24 hours (never in the driver's messages). */
const FLAG_UNIT_NS: ReadonlyMap<string, bigint> = new Map([...UNIT_NS, ['d', 24n * 3600n * NS_PER_SECOND]]);

/** Rounds to whole seconds, halfway away from zero, like Go's `d.Round(time.Second)`. */
export function roundToSeconds(seconds: number): number {
  const magnitude = Math.abs(seconds);
  const whole = Math.floor(magnitude);
  // magnitude - whole is exact in binary floating point; adding 0.5 first is not
  // (0.49999999999999994 + 0.5 === 1).
  const rounded = magnitude - whole >= 0.5 ? whole + 1 : whole;
  // `+ 0` turns -0 into 0 so callers never print "-0".
  return (seconds < 0 ? -rounded : rounded) + 0;
}

/** Go's `time.Duration.String()` of the value rounded to whole seconds (`0s`, `5m0s`, `26h3m4s`). */
export function formatGoDuration(seconds: number): string {
  if (Number.isNaN(seconds)) {
    throw new RangeError('formatGoDuration: duration is NaN');
  }
  const total = roundToSeconds(seconds);
  // Go's Round saturates at the int64 nanosecond limits instead of overflowing.
  if (total > MAX_WHOLE_SECONDS) return MAX_DURATION_STRING;
  if (total < -MAX_WHOLE_SECONDS) return MIN_DURATION_STRING;
  if (total === 0) return '0s';
  const magnitude = Math.abs(total);
  const hours = Math.floor(magnitude / 3600);
  const minutes = Math.floor((magnitude % 3600) / 60);
  const secs = magnitude % 60;
  let text: string;
  if (hours > 0) text = `${hours}h${minutes}m${secs}s`;
  else if (minutes > 0) text = `${minutes}m${secs}s`;
  else text = `${secs}s`;
  return total < 0 ? `-${text}` : text;
}

/** A duration string that cannot be read; the message names the value and why. */
export class DurationSyntaxError extends Error {
  override readonly name = 'DurationSyntaxError';
  readonly value: string;
  readonly why: string;

  constructor(value: string, why: string) {
    super(`invalid duration ${quoteValue(value)}: ${why}`);
    this.value = value;
    this.why = why;
  }
}

/** Keeps the error one short line even for hostile input. */
function quoteValue(value: string): string {
  const shown = value.length > 64 ? `${value.slice(0, 61)}...` : value;
  return JSON.stringify(shown);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses Go `time.ParseDuration` syntax (`90s`, `1h30m`, `1.5h`, `.5s`, `1m1m`) or a
 * bare number of seconds (`300`, `1.5`) into seconds. The driver's messages are read with
 * exactly this; `allowDays` adds the `d` unit of command-line durations (parseFlagDuration).
 */
export function parseDuration(text: string, options?: { allowNegative?: boolean; allowDays?: boolean }): number {
  // Explicitly typed so that TypeScript narrows after a call.
  const fail: (why: string) => never = (why) => {
    throw new DurationSyntaxError(text, why);
  };
  if (text === '') fail('empty');
  // Go rejects whitespace too, but only as an "unknown unit"; say what is wrong.
  if (/\s/u.test(text)) fail('must not contain whitespace');

  let pos = 0;
  let negative = false;
  if (text[0] === '-' || text[0] === '+') {
    negative = text[0] === '-';
    pos = 1;
  }
  // Go special-cases a lone (optionally signed) "0" as valid without a unit.
  if (text.length - pos === 1 && text[pos] === '0') return 0;
  if (pos === text.length) fail('no number after the sign');

  const units = options?.allowDays === true ? FLAG_UNIT_NS : UNIT_NS;
  const outOfRange: () => never = () => fail(`out of range (the limit is ${MAX_DURATION_STRING})`);
  let total = 0n;
  let pairs = 0;
  while (pos < text.length) {
    const pairStart = pos;
    const first = text[pos];
    if (!(first === '.' || isDigit(first))) {
      const unit = readUnit(text, pos);
      fail(units.has(unit) ? `unit "${unit}" has no number` : `expected a number at "${unit}"`);
    }

    // Integer part, with Go's leadingInt overflow rule.
    let intPart = 0n;
    const intStart = pos;
    while (isDigit(text[pos])) {
      if (intPart > TWO_POW_63 / 10n) outOfRange();
      intPart = intPart * 10n + BigInt(text.charCodeAt(pos) - 48);
      if (intPart > TWO_POW_63) outOfRange();
      pos++;
    }
    const hasIntDigits = pos > intStart;

    // Fraction, with Go's leadingFraction rule: digits past int64 precision are ignored.
    let fraction = 0n;
    let scale = 1;
    let hasFracDigits = false;
    if (text[pos] === '.') {
      pos++;
      let overflow = false;
      while (isDigit(text[pos])) {
        hasFracDigits = true;
        if (!overflow) {
          const next = fraction * 10n + BigInt(text.charCodeAt(pos) - 48);
          if (fraction > MAX_DURATION_NS / 10n || next > TWO_POW_63) {
            overflow = true;
          } else {
            fraction = next;
            scale *= 10;
          }
        }
        pos++;
      }
    }
    if (!hasIntDigits && !hasFracDigits) fail('a number needs at least one digit');

    const unit = readUnit(text, pos);
    let unitNs = NS_PER_SECOND;
    if (unit === '') {
      if (pos < text.length) fail(`unexpected "." after "${text.slice(pairStart, pos)}"`);
      // The extension to Go's syntax: a whole string that is just a number means seconds.
      if (pairs > 0) fail(`missing unit after "${text.slice(pairStart, pos)}"`);
    } else {
      const known = units.get(unit);
      if (known === undefined) {
        fail(`unknown unit "${unit}" (use ${units === FLAG_UNIT_NS ? 'ns, us, ms, s, m, h or d' : 'ns, us, ms, s, m or h'})`);
      }
      unitNs = known;
      pos += unit.length;
    }

    if (intPart > TWO_POW_63 / unitNs) outOfRange();
    let value = intPart * unitNs;
    if (fraction > 0n) {
      // Go computes the fraction through float64 to stay nanosecond-accurate for hours.
      value += BigInt(Math.trunc(Number(fraction) * (Number(unitNs) / scale)));
      if (value > TWO_POW_63) outOfRange();
    }
    total += value;
    if (total > TWO_POW_63) outOfRange();
    pairs++;
  }

  if (!negative && total > MAX_DURATION_NS) outOfRange();
  if (negative && total > 0n && options?.allowNegative !== true) fail('must not be negative');

  const seconds = Number(total / NS_PER_SECOND) + Number(total % NS_PER_SECOND) / 1e9;
  return negative && total > 0n ? -seconds : seconds;
}

/** Parses a duration given on the command line: Go syntax, a bare number of seconds, or with days (`2d`, `1d12h`). */
export function parseFlagDuration(text: string): number {
  return parseDuration(text, { allowDays: true });
}

/** The unit run Go reads: everything up to the next digit or '.'. */
function readUnit(text: string, from: number): string {
  let end = from;
  while (end < text.length && text[end] !== '.' && !isDigit(text[end])) end++;
  return text.slice(from, end);
}

/** kubectl's `HumanDuration` (describe/events AGE): truncating, `<invalid>` at or below -2 s. */
export function formatAge(seconds: number): string {
  if (!Number.isFinite(seconds)) return '<invalid>';
  // int(d.Seconds()) truncates toward zero; one second of clock skew still reads as "now".
  const s = Math.trunc(seconds);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const minutes = Math.trunc(s / 60);
  if (minutes < 10) {
    const rest = s % 60;
    return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(s / 3600);
  if (hours < 8) {
    const rest = minutes % 60;
    return rest === 0 ? `${hours}h` : `${hours}h${rest}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const rest = hours % 24;
    return rest === 0 ? `${days}d` : `${days}d${rest}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const rest = days % 365;
    return rest === 0 ? `${years}y` : `${years}y${rest}d`;
  }
  return `${years}y`;
}
