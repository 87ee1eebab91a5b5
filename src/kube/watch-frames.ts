// The wire format of a watch: newline-delimited JSON objects `{"type": T, "object": {...}}`
// (apimachinery's watch.Event over the JSON stream framer). Split and decoded here, bounded
// per frame, so that a stream running for hours never holds more than one frame.

/** The event types of apimachinery's watch.EventType. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** One decoded frame of a watch stream. */
export interface WatchFrame {
  type: WatchEventType;
  object: Record<string, unknown>;
}

/** A single frame exceeded the size bound: the stream cannot be read safely. */
export class FrameTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`a watch event exceeded ${Math.round(maxBytes / 1024)} KiB`);
  }
}

const NEWLINE = 0x0a;
const EVENT_TYPES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/**
 * Splits a byte stream into lines. Bytes are kept only until their line ends, and a line longer
 * than `maxFrameBytes` throws FrameTooLargeError as soon as it is known to be too long. Lines are
 * cut on the byte 0x0A, which never occurs inside a multi-byte UTF-8 character.
 */
export class FrameSplitter {
  private parts: Buffer[] = [];
  private pending = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds one chunk; returns the lines it completed (without their newline). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.keep(chunk.subarray(start, end));
      lines.push(Buffer.concat(this.parts, this.pending).toString('utf8'));
      this.parts = [];
      this.pending = 0;
      start = end + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
    return lines;
  }

  /** The bytes after the last newline (a stream that ended mid-frame); empty when none. */
  rest(): string {
    return Buffer.concat(this.parts, this.pending).toString('utf8');
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.pending += bytes.length;
    if (this.pending > this.maxFrameBytes) throw new FrameTooLargeError(this.maxFrameBytes);
    this.parts.push(bytes);
  }
}

/**
 * Decodes one line of a watch stream. Returns null for a blank line, and 'garbage' for anything
 * that is not a watch event with a known type and an object.
 */
export function decodeWatchFrame(line: string): WatchFrame | null | 'garbage' {
  if (line.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return 'garbage';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'garbage';
  const { type, object } = parsed as { type?: unknown; object?: unknown };
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return 'garbage';
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return 'garbage';
  return { type: type as WatchEventType, object: object as Record<string, unknown> };
}
