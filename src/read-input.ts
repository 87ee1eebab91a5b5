// The one place rds-migrate reads a local input (kubeconfig, credential files, dumps, stdin):
// asynchronously, so Ctrl-C and SIGTERM are handled while it reads; bounded, so an input
// that never ends (/dev/zero, a FIFO nobody closes, `cat /dev/zero |`) cannot grow memory
// without limit; and only from what can end: regular files, FIFOs and pipes.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
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
  if (info.isFile() && info.size > limits.maxBytes) {
    throw new UsageError(`cannot read ${limits.what}: it is ${info.size} bytes, over the ${formatBytes(limits.maxBytes)} limit`);
  }
  const stream = createReadStream(path);
  return readInputStream(stream, limits, () => stream.destroy());
}

/**
 * Reads a stream (stdin, a FIFO) as UTF-8 text up to the cap, a leading byte order mark dropped.
 * On failure or abort `release` stops the stream (default: pause it; stdin is not ours to close).
 */
export function readInputStream(
  stream: NodeJS.ReadableStream,
  limits: ReadLimits,
  release: () => void = () => stream.pause(),
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const decoder = new StringDecoder('utf8');
    let text = '';
    let bytes = 0;
    let settled = false;
    const finish = (err: unknown, value?: string): void => {
      if (settled) return;
      settled = true;
      limits.signal.removeEventListener('abort', onAbort);
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      if (err !== undefined) {
        release();
        reject(err);
      } else resolve(value ?? '');
    };
    const onAbort = (): void => finish(limits.signal.reason);
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buffer.length;
      if (bytes > limits.maxBytes) {
        finish(new UsageError(`cannot read ${limits.what}: it is over the ${formatBytes(limits.maxBytes)} limit`));
        return;
      }
      text += decoder.write(buffer);
    };
    const onEnd = (): void => {
      text += decoder.end();
      finish(undefined, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onError = (err: unknown): void => finish(new UsageError(`cannot read ${limits.what}: ${describeFsError(err)}`));
    if (limits.signal.aborted) {
      finish(limits.signal.reason);
      return;
    }
    limits.signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
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
