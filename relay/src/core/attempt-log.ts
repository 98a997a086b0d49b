/**
 * Lazily written delivery counters (attempts, next attempt time, last error) of pending envelopes. The
 * delivery engine records one update per repeated attempt or failure here (first attempts are not written)
 * instead of writing to SQLite at once; the
 * group commit takes them into its next transaction (design "Durability": a crash may lose the latest
 * updates and so grant an extra attempt). Until then the log is the freshest source of an envelope's
 * attempt count.
 */
import type { DeliveryUpdate } from '../store/store.ts';
import type { LazyWrites } from './group-commit.ts';

/** Latest unwritten delivery update per envelope seq. */
export class AttemptLog implements LazyWrites {
  #updates = new Map<number, DeliveryUpdate>();
  #notify: (() => void) | undefined;

  onPending(fn: () => void): void {
    this.#notify = fn;
  }

  /** Records the newest counters of envelope `u.seq` (replacing an unwritten older update). */
  record(u: DeliveryUpdate): void {
    const first = this.#updates.size === 0;
    this.#updates.set(u.seq, u);
    if (first) this.#notify?.();
  }

  /** Attempts recorded but not written yet for `seq`, if any. */
  attemptsOf(seq: number): number | undefined {
    return this.#updates.get(seq)?.attempts;
  }

  /** Drops the unwritten update of `seq` (the envelope was settled, dead-lettered or redriven). */
  forget(seq: number): void {
    this.#updates.delete(seq);
  }

  take(): DeliveryUpdate[] {
    if (this.#updates.size === 0) return [];
    const all = [...this.#updates.values()];
    this.#updates = new Map();
    return all;
  }

  putBack(updates: readonly DeliveryUpdate[]): void {
    for (const u of updates) if (!this.#updates.has(u.seq)) this.#updates.set(u.seq, u);
    if (updates.length > 0) this.#notify?.();
  }
}
