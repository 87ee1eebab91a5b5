// The live commands' view of the cluster: the records of several watched
// collections, each kept up to date by its own watch, and a way to wait for the next batch of
// changes. The records are what the one-shot reads return (no raw objects), so memory follows
// what the command shows, however long it runs.

import type { Context } from '../context.js';
import { ClusterError } from '../errors.js';
import type { RecordChange } from '../kube/gateway.js';

/** pending: reading the state; synced: following changes; forbidden: a 403 before the state was read. */
export type SourceState = 'pending' | 'synced' | 'forbidden';

/** One watched collection's records, by key (`namespace/name` or `name`). */
export class LiveSource<T> {
  readonly records = new Map<string, T>();
  state: SourceState = 'pending';
  /** Why a forbidden source could not be read. */
  error: ClusterError | null = null;
  private readonly halt = new AbortController();

  constructor(
    /** What it follows, for diagnostics. */
    readonly name: string,
    /** When it started, epoch ms. */
    readonly startedAt: number,
    /** Whether a 403 leaves it forbidden (a warning) instead of failing the command. */
    readonly optional: boolean,
  ) {}

  get signal(): AbortSignal {
    return this.halt.signal;
  }

  get stopped(): boolean {
    return this.halt.signal.aborted;
  }

  stop(): void {
    this.halt.abort(new Error(`stopped following ${this.name}`));
  }

  values(): T[] {
    return [...this.records.values()];
  }
}

/** The watched collections of one command, and the changes they bring. */
export class LiveSet {
  private readonly sources = new Set<LiveSource<unknown>>();
  private dirty = false;
  private failure: { error: unknown } | null = null;
  private wake: (() => void) | null = null;
  private wakeScheduled = false;

  constructor(private readonly ctx: Pick<Context, 'signal' | 'now' | 'logger'>) {}

  /**
   * Starts following a collection: `open` is called with the signal that stops it. A refusal
   * fails the command (the next `next()` throws it), except a 403 before the state was read on
   * an optional source: that source is then `forbidden`, as a one-shot read would warn.
   */
  follow<T>(name: string, open: (signal: AbortSignal) => AsyncIterable<RecordChange<T>>, { optional = false } = {}): LiveSource<T> {
    const source = new LiveSource<T>(name, this.ctx.now(), optional);
    this.sources.add(source as LiveSource<unknown>);
    void this.pump(source, open(AbortSignal.any([this.ctx.signal, source.signal])));
    return source;
  }

  /** Stops following a source; its records are dropped with it. */
  drop(source: LiveSource<unknown>): void {
    source.stop();
    this.sources.delete(source);
    this.changed();
  }

  /** Stops following everything: the command is done (its watches must not keep the process alive). */
  close(): void {
    for (const source of this.sources) source.stop();
    this.sources.clear();
  }

  /** The sources still reading their state. */
  pending(): LiveSource<unknown>[] {
    return [...this.sources].filter((s) => s.state === 'pending');
  }

  /**
   * Waits for the next batch of changes (the changes that arrive together are one batch) or for
   * `ms` to pass, whichever comes first; says whether anything changed. Throws when a source
   * failed or the command was interrupted.
   */
  next(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const { signal } = this.ctx;
      const finish = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.wake = null;
        if (this.failure !== null) {
          reject(this.failure.error);
          return;
        }
        const changed = this.dirty;
        this.dirty = false;
        resolve(changed);
      };
      const onAbort = (): void => {
        this.failure ??= { error: signal.reason };
        finish();
      };
      const timer = setTimeout(finish, ms);
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.wake = finish;
      if (this.dirty || this.failure !== null) this.schedule();
    });
  }

  private async pump<T>(source: LiveSource<T>, changes: AsyncIterable<RecordChange<T>>): Promise<void> {
    try {
      for await (const change of changes) {
        if (change.type === 'upsert') source.records.set(change.key, change.record);
        else if (change.type === 'delete') source.records.delete(change.key);
        else source.state = 'synced';
        this.changed();
      }
    } catch (err) {
      if (source.stopped) return;
      if (source.optional && source.state === 'pending' && err instanceof ClusterError && err.status === 403) {
        source.state = 'forbidden';
        source.error = err;
        this.ctx.logger.debug(`continuing without ${source.name}`);
        this.changed();
        return;
      }
      this.failure ??= { error: err };
      this.schedule();
    }
  }

  private changed(): void {
    this.dirty = true;
    this.schedule();
  }

  /** Wakes the waiter once the changes that arrived with this one are in (after pending I/O callbacks). */
  private schedule(): void {
    if (this.wake === null || this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.wake?.();
    });
  }
}

/**
 * Waits until no source of `live` is reading its state any more (each has synced or was
 * forbidden). Throws what failed a source, or the interruption.
 */
export async function settle(live: LiveSet): Promise<void> {
  while (live.pending().length > 0) await live.next(60_000);
}

/** How often a live command looks again when nothing changed: ages and states that time alone changes. */
export const TICK_MS = 1000;

/**
 * Calls `look` at once, then after each batch of changes and at least every `tickMs`, until it
 * returns true. `look` may take its time (it rebuilds a report), but the loop keeps to about a
 * fifth of the time: after a look that took t ms it waits at least 4t before the next one, while
 * the watches go on collecting changes.
 */
export async function followChanges(
  live: LiveSet,
  ctx: Pick<Context, 'signal' | 'now'>,
  tickMs: number,
  look: (changed: boolean) => boolean,
): Promise<void> {
  let changed = true;
  for (;;) {
    const started = ctx.now();
    if (look(changed)) return;
    const rest = 4 * (ctx.now() - started);
    if (rest >= 1) await pause(rest, ctx.signal);
    changed = await live.next(Math.max(1, tickMs - rest));
  }
}

/** Sleeps `ms`; an abort ends it with the signal's reason (Ctrl-C, wait's --timeout). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
