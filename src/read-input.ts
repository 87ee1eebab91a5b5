// The one place rds-migrate reads a local input (kubeconfig, credential files, dumps, stdin):
// asynchronously, so Ctrl-C and SIGTERM are handled while it reads; bounded, so an input
// that never ends (/dev/zero, a FIFO nobody closes, `cat /dev/zero |`) cannot grow memory
// without limit; and only from what can end: regular files, FIFOs and pipes.
import { close, constants, createReadStream, open } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { UsageError } from './errors.js';

export interface ReadLimits {
  /** Refuse inputs larger than this many bytes. */
  maxBytes: number;
  /** How the input is named in error lines, e.g. `--from-file "dump.json"`. */
  what: string;
  /** Stops the read (Ctrl-C, the command's deadline); the promise then rejects with its reason. */
  signal: AbortSignal;
}

/** Where an input comes from: a path (a regular file or a FIFO), or a stream that is already open (stdin). */
export type InputSource = { path: string } | { stream: NodeJS.ReadableStream };

/** Bytes asked of the file system per read: large enough to be cheap, small enough that a chunk is handled quickly. */
const FILE_CHUNK_BYTES = 256 * 1024;

/** Human size of a byte cap for error lines: `64 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1 << 30 && bytes % (1 << 30) === 0) return `${bytes / (1 << 30)} GiB`;
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} bytes`;
}

/**
 * Reads a file as UTF-8 text (a leading byte order mark dropped). Regular files over the cap are
 * refused before they are read; FIFOs are read like stdin, up to the cap; devices, sockets and
 * directories are refused. Every failure is a UsageError naming `limits.what`.
 */
export async function readInputFile(path: string, limits: ReadLimits): Promise<string> {
  return collectText({ path }, limits);
}

/**
 * Reads a stream (stdin, a FIFO) as UTF-8 text up to the cap, a leading byte order mark dropped.
 * On failure or abort `release` stops the stream (default: destroy it, as only that stops a pipe that
 * nobody writes to from keeping the process alive; the command is ending anyway).
 */
export function readInputStream(
  stream: NodeJS.ReadableStream,
  limits: ReadLimits,
  release: () => void = () => destroyStream(stream),
): Promise<string> {
  const parts: string[] = [];
  return pumpText(stream as Readable, limits, (text) => void parts.push(text), release).then(() => parts.join(''));
}

/**
 * Reads an input as UTF-8 text, chunk by chunk (invalid bytes become U+FFFD, a leading byte order
 * mark is dropped), and awaits `onText` for each chunk before reading on, so memory holds one chunk
 * at a time. Checks the type and size of a path first, as readInputFile does; stops at the cap,
 * when `limits.signal` aborts (rejecting with its reason) and when `onText` throws.
 */
export async function forEachInputText(
  source: InputSource,
  limits: ReadLimits,
  onText: (text: string) => void | Promise<void>,
): Promise<void> {
  if ('stream' in source) {
    const stream = source.stream;
    return pumpText(stream as Readable, limits, onText, () => destroyStream(stream));
  }
  const opened = await openPath(source.path, limits);
  return pumpText(opened.stream, limits, onText, opened.release);
}

function destroyStream(stream: NodeJS.ReadableStream): void {
  const readable = stream as Partial<Readable>;
  if (typeof readable.destroy === 'function') readable.destroy();
  else stream.pause();
}

function collectText(source: InputSource, limits: ReadLimits): Promise<string> {
  const parts: string[] = [];
  return forEachInputText(source, limits, (text) => void parts.push(text)).then(() => parts.join(''));
}

/** Opens a path for reading after checking what it is: a regular file within the cap, or a FIFO. */
async function openPath(path: string, limits: ReadLimits): Promise<{ stream: Readable; release: () => void }> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    throw new UsageError(`cannot read ${limits.what}: ${describeFsError(err)}`);
  }
  if (info.isDirectory()) throw new UsageError(`cannot read ${limits.what}: is a directory`);
  if (!info.isFile() && !info.isFIFO()) {
    throw new UsageError(`cannot read ${limits.what}: not a regular file, FIFO or pipe (a device or socket never ends)`);
  }
  if (info.isFile()) {
    if (info.size > limits.maxBytes) {
      throw new UsageError(`cannot read ${limits.what}: it is ${info.size} bytes, over the ${formatBytes(limits.maxBytes)} limit`);
    }
    const stream = createReadStream(path, { highWaterMark: FILE_CHUNK_BYTES });
    return { stream, release: () => stream.destroy() };
  }
  // A FIFO is read through the event loop (epoll), not by blocking reads in libuv's thread pool:
  // a blocked read could not be cancelled and would keep the process alive after Ctrl-C.
  const fd = await openFifo(path, limits);
  const socket = new Socket({ fd, readable: true, writable: false });
  return { stream: socket, release: () => socket.destroy() };
}

/**
 * Opens a FIFO for reading. The open waits, in a thread of libuv's pool, until a writer opens the
 * other end (as `cat fifo` does); on abort this side becomes that writer for a moment, so that the
 * waiting thread is freed and cannot keep the process alive.
 */
function openFifo(path: string, limits: ReadLimits): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      reject(limits.signal.reason);
      open(path, constants.O_WRONLY | constants.O_NONBLOCK, (err, fd) => {
        if (!err) close(fd, () => {});
      });
    };
    if (limits.signal.aborted) {
      reject(limits.signal.reason);
      return;
    }
    limits.signal.addEventListener('abort', onAbort, { once: true });
    open(path, constants.O_RDONLY, (err, fd) => {
      limits.signal.removeEventListener('abort', onAbort);
      if (settled) {
        if (!err) close(fd, () => {});
        return;
      }
      settled = true;
      if (err) reject(new UsageError(`cannot read ${limits.what}: ${describeFsError(err)}`));
      else resolve(fd);
    });
  });
}

/**
 * Pulls chunks from a stream (paused mode, so nothing is read ahead of `onText`), decodes them and
 * hands them on, counting bytes against the cap. On any failure `release` stops the stream.
 */
async function pumpText(
  stream: Readable,
  limits: ReadLimits,
  onText: (text: string) => void | Promise<void>,
  release: () => void,
): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let bytes = 0;
  let atStart = true;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | null = null;
  const onReadable = (): void => wake?.();
  const onEnd = (): void => {
    ended = true;
    wake?.();
  };
  const onError = (err: unknown): void => {
    failure ??= new UsageError(`cannot read ${limits.what}: ${describeFsError(err)}`);
    wake?.();
  };
  const onAbort = (): void => wake?.();
  const hand = async (decoded: string): Promise<void> => {
    let text = decoded;
    if (atStart && text !== '') {
      atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text !== '') await onText(text);
  };
  stream.on('readable', onReadable);
  stream.on('end', onEnd);
  stream.on('error', onError);
  limits.signal.addEventListener('abort', onAbort);
  try {
    for (;;) {
      limits.signal.throwIfAborted();
      if (failure !== undefined) throw failure;
      const chunk: Buffer | string | null = stream.read();
      if (chunk !== null) {
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        bytes += buffer.length;
        if (bytes > limits.maxBytes) {
          throw new UsageError(`cannot read ${limits.what}: it is over the ${formatBytes(limits.maxBytes)} limit`);
        }
        await hand(decoder.write(buffer));
        continue;
      }
      if (ended || stream.readableEnded) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
    await hand(decoder.end());
    limits.signal.throwIfAborted();
  } catch (err) {
    release();
    throw err;
  } finally {
    stream.off('readable', onReadable);
    stream.off('end', onEnd);
    stream.off('error', onError);
    limits.signal.removeEventListener('abort', onAbort);
  }
}

/** A file-system error in words, for error lines. */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'not a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENAMETOOLONG') return 'file name too long';
  if (code === 'EPERM') return 'operation not permitted';
  return code ?? 'read error';
}
