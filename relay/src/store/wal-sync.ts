/**
 * Deferred WAL syncing for the group commit (SPEC ACK-1, design note 8): the commit itself writes the WAL
 * without waiting for the disk (`synchronous=NORMAL`), and one `fdatasync` of the WAL file, run on libuv's
 * thread pool, then makes every commit that returned before it started durable. The event loop keeps
 * reading, verifying and committing the next batch while the disk flushes; a blocking `synchronous=FULL`
 * COMMIT would stall it for the whole flush (about 0.2 ms per commit on this project's machines, up to
 * milliseconds on slow disks).
 *
 * At most one sync is in flight: requests made while one runs wait for the next, which starts as soon as the
 * running one ends, so each sync covers every commit that came before it (group commit on the disk side).
 * Callbacks run exactly once, in request order. {@link WalSync.inOrder} queues work behind them without asking
 * for a sync: what a durable (`synchronous=FULL`) write announces must not overtake batches committed before
 * it (DLV-2: first attempts in ascending seq).
 *
 * Why this is as durable as `synchronous=FULL`: Linux, macOS and Windows flush a file (its inode), not one
 * descriptor, so a sync through our own descriptor of the `-wal` file flushes the frames SQLite wrote through
 * its own. SQLite itself syncs the WAL before every checkpoint, so frames are never overwritten unsynced. The
 * WAL file keeps its inode while the store's connection is open (SQLite deletes it only when the last
 * connection closes); the store closes this descriptor first.
 *
 * A failed sync is final: after an fsync error the kernel may already have dropped the dirty pages, and a
 * retry can succeed without writing them (the PostgreSQL "fsyncgate" finding). Every waiting and later request
 * is answered with that error, and the store refuses further writes until the relay restarts.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

/** Called once the commits before the request are on disk (`null`), or with the error that stopped it. */
export type SyncDone = (error: Error | null) => void;

/** The asynchronous flush primitive (`fs.fdatasync`; injectable so that tests can hold or fail it). */
export type FdatasyncFn = (fd: number, callback: (error: Error | null) => void) => void;

/**
 * Calls every callback, even when one throws; then rethrows the first exception (so that a failing hook
 * surfaces as before, but cannot leave the other callbacks unanswered).
 */
function answerAll(list: readonly SyncDone[], error: Error | null): void {
  let first: { error: unknown } | undefined;
  for (const done of list) {
    try {
      done(error);
    } catch (err) {
      first ??= { error: err };
    }
  }
  if (first !== undefined) throw first.error;
}

/** One WAL file's deferred syncing. */
export class WalSync {
  readonly #path: string;
  readonly #fdatasync: FdatasyncFn;
  #fd: number | undefined;
  /** Callbacks of the sync in flight (covered by it), or undefined when none runs. */
  #running: SyncDone[] | undefined;
  /** Callbacks that wait for the next sync. */
  #waiting: SyncDone[] = [];
  #failure: Error | undefined;
  #closed = false;

  /**
   * @param walPath - the database's `-wal` file; opened on the first sync (it exists once the database was written in WAL mode).
   * @param fdatasyncFn - the flush primitive; defaults to `fs.fdatasync`.
   */
  constructor(walPath: string, fdatasyncFn: FdatasyncFn = fdatasync) {
    this.#path = walPath;
    this.#fdatasync = fdatasyncFn;
  }

  /** The error of the sync that failed, once one has (the store is unusable from then on). */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** Calls `done` once every commit that returned before this call is durable (or with the error). */
  request(done: SyncDone): void {
    if (this.#failure !== undefined || this.#closed) {
      done(this.#failure ?? new Error('the store is closed'));
      return;
    }
    this.#waiting.push(done);
    if (this.#running === undefined) this.#start();
  }

  /**
   * Runs `fn` after every callback requested so far: at once when none is waiting, else right after the last
   * of them (for a durable write that must be announced in commit order; it needs no sync of its own).
   */
  inOrder(fn: () => void): void {
    const last = this.#waiting.length > 0 ? this.#waiting : this.#running;
    if (last === undefined || last.length === 0) fn();
    else last.push(() => fn());
  }

  /**
   * Makes every commit so far durable before returning (a blocking `fdatasync`), then answers every request
   * still waiting, the one in flight included. For shutdown and for callers that need the hooks to have run.
   */
  syncNow(): void {
    const pending = [...(this.#running ?? []), ...this.#waiting];
    if (pending.length === 0) return;
    this.#waiting = [];
    // The sync in flight will still call back; its callbacks are answered here, so empty its list in place.
    this.#running?.splice(0);
    let error: Error | null = this.#failure ?? null;
    if (error === null) {
      try {
        fdatasyncSync(this.#open());
      } catch (err) {
        error = this.#fail(err);
      }
    }
    answerAll(pending, error);
  }

  /** Syncs what is waiting, then closes the descriptor (after the sync in flight, if any, returns). */
  close(): void {
    if (this.#closed) return;
    this.syncNow();
    this.#closed = true;
    if (this.#running === undefined) this.#closeFd();
  }

  #open(): number {
    this.#fd ??= openSync(this.#path, 'r+');
    return this.#fd;
  }

  #closeFd(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #fail(err: unknown): Error {
    this.#failure ??= err instanceof Error ? err : new Error(String(err));
    return this.#failure;
  }

  #start(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    this.#running = batch;
    let fd: number;
    try {
      fd = this.#open();
    } catch (err) {
      this.#finish(batch, this.#fail(err));
      return;
    }
    this.#fdatasync(fd, (err) => this.#finish(batch, err === null ? null : this.#fail(err)));
  }

  #finish(batch: SyncDone[], error: Error | null): void {
    // `#running` stays set while its callbacks run, so that `inOrder` work they cause joins the end of it.
    try {
      answerAll(batch, error ?? this.#failure ?? null);
    } finally {
      this.#running = undefined;
      if (this.#closed) this.#closeFd();
      else if (this.#waiting.length > 0) {
        if (this.#failure === undefined) this.#start();
        else this.syncNow();
      }
    }
  }
}
