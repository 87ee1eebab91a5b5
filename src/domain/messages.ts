// The driver's Migration* event messages: formatting them byte for byte
// and reading them back tolerantly. The reader is a hand-written cursor scanner, not
// a regex, so hostile messages cost linear time.

import { formatGoDuration, parseDuration } from './duration.js';
import type { MigrationMessageInput, MigrationReason, ParsedMessage } from './types.js';

const COMBINED_PREFIX = '(combined from similar events):';
/** Longer messages are not the driver's (it writes well under 1 KiB); don't scan them. */
const MAX_MESSAGE_LENGTH = 64 * 1024;

const VERBS: Readonly<Record<MigrationReason, string>> = {
  MigrationStarted: 'started',
  MigrationCompleted: 'completed',
  MigrationFailed: 'failed',
};

/** Formats a Migration* message exactly as the driver writes it, durations rounded to seconds. */
export function formatMigrationMessage(input: MigrationMessageInput): string {
  const head = `[${input.volumeId}]: KubeVirt live migration ${VERBS[input.reason]} - source: ${input.sourceNode}`;
  switch (input.reason) {
    case 'MigrationStarted':
      return `${head}, target: ${input.targetNode}, timeout: ${formatGoDuration(input.timeoutSeconds)}`;
    case 'MigrationCompleted':
      return `${head} -> target: ${input.targetNode} (duration: ${formatGoDuration(input.durationSeconds)})`;
    case 'MigrationFailed':
      return (
        `${head}, attempted target: ${input.targetNode}, reason: ${input.failureReason}, ` +
        `elapsed: ${formatGoDuration(input.elapsedSeconds)}`
      );
  }
}

function isMigrationReason(reason: string): reason is MigrationReason {
  return Object.hasOwn(VERBS, reason);
}

function isSpace(code: number): boolean {
  // ASCII whitespace plus NBSP; String.prototype.trim handles the rest at the ends.
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0;
}

/** A position in the message; every method either advances or reports failure. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  skipSpaces(): void {
    while (this.pos < this.text.length && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
  }

  /** Consumes `literal` after optional spaces. */
  accept(literal: string): boolean {
    this.skipSpaces();
    if (!this.text.startsWith(literal, this.pos)) return false;
    this.pos += literal.length;
    return true;
  }

  /** Consumes `word` then `:` (spaces allowed around both). */
  acceptLabel(word: string): boolean {
    return this.accept(word) && this.accept(':');
  }

  /** A node name: a non-empty run without spaces or commas, also ending at `->`, `→` or `(`. */
  node(): string | null {
    this.skipSpaces();
    const start = this.pos;
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c === ',' || c === '(' || c === '\u2192' || isSpace(text.charCodeAt(this.pos))) break;
      if (c === '-' && text[this.pos + 1] === '>') break;
      this.pos++;
    }
    return this.pos > start ? text.slice(start, this.pos) : null;
  }

  rest(): string {
    return this.text.slice(this.pos);
  }
}

/** Whole-message durations are positive Go durations; anything else makes the message unparsed. */
function readDuration(text: string): number | null {
  try {
    return parseDuration(text.trim());
  } catch {
    return null;
  }
}

/** Finds the `]` that closes the leading `[volume]`: the first one followed by `:`. */
function readVolumeId(scanner: Scanner): string | null {
  const text = scanner.text;
  if (text[0] !== '[') return null;
  let from = 1;
  for (;;) {
    const close = text.indexOf(']', from);
    if (close < 0) return null;
    scanner.pos = close + 1;
    if (scanner.accept(':')) {
      const volumeId = text.slice(1, close).trim();
      return volumeId === '' ? null : volumeId;
    }
    from = close + 1;
  }
}

/** Reads a Migration* message back into its fields; null for another reason or an unparsable message. */
export function parseMigrationMessage(reason: string, message: string): ParsedMessage | null {
  if (!isMigrationReason(reason) || message.length > MAX_MESSAGE_LENGTH) return null;
  let text = message.trim();
  if (text.startsWith(COMBINED_PREFIX)) text = text.slice(COMBINED_PREFIX.length).trim();

  const scanner = new Scanner(text);
  const volumeId = readVolumeId(scanner);
  if (volumeId === null) return null;
  if (
    !scanner.accept('KubeVirt') ||
    !scanner.accept('live') ||
    !scanner.accept('migration') ||
    !scanner.accept(VERBS[reason]) ||
    !scanner.accept('-') ||
    !scanner.acceptLabel('source')
  ) {
    return null;
  }
  const sourceNode = scanner.node();
  if (sourceNode === null) return null;

  switch (reason) {
    case 'MigrationStarted': {
      if (!scanner.accept(',') || !scanner.acceptLabel('target')) return null;
      const targetNode = scanner.node();
      if (targetNode === null || !scanner.accept(',') || !scanner.acceptLabel('timeout')) return null;
      const timeoutSeconds = readDuration(scanner.rest());
      if (timeoutSeconds === null) return null;
      return { volumeId, sourceNode, targetNode, timeoutSeconds, durationSeconds: null, failureReason: null };
    }
    case 'MigrationCompleted': {
      // The driver writes "->"; its documentation shows "→".
      if (!(scanner.accept('->') || scanner.accept('\u2192')) || !scanner.acceptLabel('target')) return null;
      const targetNode = scanner.node();
      if (targetNode === null || !scanner.accept('(') || !scanner.acceptLabel('duration')) return null;
      const rest = scanner.rest();
      if (!rest.endsWith(')')) return null;
      const durationSeconds = readDuration(rest.slice(0, -1));
      if (durationSeconds === null) return null;
      return { volumeId, sourceNode, targetNode, timeoutSeconds: null, durationSeconds, failureReason: null };
    }
    case 'MigrationFailed': {
      if (!scanner.accept(',') || !scanner.accept('attempted') || !scanner.acceptLabel('target')) return null;
      const targetNode = scanner.node();
      if (targetNode === null || !scanner.accept(',') || !scanner.acceptLabel('reason')) return null;
      return readFailureTail(volumeId, sourceNode, targetNode, scanner.rest());
    }
  }
}

/** `<free text>, elapsed: <dur>`: the free text may hold commas and even ", elapsed: ", so split at the last one. */
function readFailureTail(volumeId: string, sourceNode: string, targetNode: string, tail: string): ParsedMessage | null {
  const label = tail.lastIndexOf('elapsed');
  if (label < 0) return null;
  const after = new Scanner(tail);
  after.pos = label + 'elapsed'.length;
  if (!after.accept(':')) return null;
  const durationSeconds = readDuration(after.rest());
  if (durationSeconds === null) return null;

  let comma = label - 1;
  while (comma >= 0 && isSpace(tail.charCodeAt(comma))) comma--;
  if (comma < 0 || tail[comma] !== ',') return null;
  const failureReason = tail.slice(0, comma).trim();
  return { volumeId, sourceNode, targetNode, timeoutSeconds: null, durationSeconds, failureReason };
}
