// Input checks of the command line. Each returns why a value is wrong, or null when it
// is fine; the caller names the flag.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN_PART = DNS_LABEL;

/** Why `value` is not a DNS-1123 label (namespace names), or null. */
export function dnsLabelProblem(value: string): string | null {
  if (value === '') return 'must not be empty';
  if (value.length > 63) return `must be at most 63 characters (has ${value.length})`;
  if (!DNS_LABEL.test(value))
    return "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
  return null;
}

/** Why `value` is not a DNS-1123 subdomain (PVC and node names), or null. */
export function dnsSubdomainProblem(value: string): string | null {
  if (value === '') return 'must not be empty';
  if (value.length > 253) return `must be at most 253 characters (has ${value.length})`;
  // Length is checked first, so these linear per-part tests stay cheap on hostile input.
  if (!value.split('.').every((part) => DNS_SUBDOMAIN_PART.test(part))) {
    return "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
  }
  return null;
}

const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\u{e0000}-\u{e007f}]/u;

/** Why `value` is not one line of printable text (failure reasons, components), or null. */
export function printableLineProblem(value: string, maxBytes: number): string | null {
  if (value.trim() === '') return 'must not be empty';
  // C0, DEL, C1, line/paragraph separators, bidi controls and invisible characters would break
  // or disguise the message: the same set the table sanitizer (src/domain/sanitize.ts) removes.
  if (UNPRINTABLE.test(value)) {
    return 'must be one line of printable text (no control characters, line breaks, bidi controls or invisible characters)';
  }
  if (value !== value.trim()) return 'must not start or end with white space';
  const bytes = utf8Length(value);
  if (bytes > maxBytes) return `must be at most ${maxBytes} bytes (has ${bytes})`;
  return null;
}

/** Why `value` is not a usable CSI volume ID in a message (`[<vol>]: …`), or null. */
export function volumeIdProblem(value: string): string | null {
  if (value === '') return 'must not be empty';
  if (value.length > 253) return `must be at most 253 characters (has ${value.length})`;
  if (!/^[\x21-\x7e]+$/.test(value) || value.includes(']') || value.includes('[')) {
    return 'must be printable ASCII without spaces or brackets';
  }
  return null;
}

/** Length of a string in UTF-8 bytes, without Node's Buffer. */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
