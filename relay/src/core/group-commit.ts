/**
 * Group commit (SPEC ACK-1, design note 8): envelopes accepted during one tick are queued, written in ONE
 * store transaction on the next `setImmediate`, and only then acknowledged. `accepted` is never sent before
 * COMMIT returns; when the commit throws, every envelope of the batch is reported as failed (the caller
 * answers INTERNAL_ERROR and nothing is routed).
 *
 * Lazy writes (delivery counters, see attempt-log.ts) ride on the same transaction. When no envelope comes
 * along they are flushed on their own after {@link LAZY_FLUSH_DELAY_MS}.
 *
 * The queue is also visible to the pipeline: deduplication (RPL-3) and handle binding (MAN-2) must see
 * envelopes that are accepted but not committed yet.
 */
import type { BatchWrite, DeliveryUpdate, RelayStore } from '../store/store.ts';

/** One envelope waiting for the next commit. */
export interface Queued {
  readonly sender: string;
  readonly id: string;
  readonly digest: string;
  /** Handle this envelope binds (register only). */
  readonly handle?: string;
  /** Builds the store write at flush time (so that flush-time facts, like presence, can be recorded). */
  toWrite(): BatchWrite;
  /** Relay notices written right after this envelope in the same transaction (task cascades, TSK-13). */
  readonly followups?: readonly BatchWrite[];
}

/** Callbacks run after a batch commits or fails; `items` are in acceptance order. */
export interface GroupCommitHooks<T extends Queued> {
  /**
   * `seqs[i]` is the relay sequence number the store assigned to `items[i]`, `followupSeqs[i]` those of its
   * followups.
   */
  committed(items: readonly T[], seqs: readonly number[], followupSeqs: readonly (readonly number[])[]): void;
  failed(items: readonly T[], error: unknown): void;
}

/** A source of writes that may wait for the next commit. */
export interface LazyWrites {
  /** Removes and returns every waiting update. */
  take(): DeliveryUpdate[];
  /** Returns updates of a failed transaction (newer ones recorded meanwhile win). */
  putBack(updates: readonly DeliveryUpdate[]): void;
  /** Registers the callback run when updates start waiting. */
  onPending(fn: () => void): void;
}

/** Longest time (ms, real time) lazy writes wait for an envelope batch to ride on. */
export const LAZY_FLUSH_DELAY_MS = 50;

function key(sender: string, id: string): string {
  return `${sender}\u0000${id}`;
}

/** Per-tick batching of store writes. */
export class GroupCommit<T extends Queued> {
  #queue: T[] = [];
  #byKey = new Map<string, T>();
  #handles = new Map<string, string>();
  #scheduled: NodeJS.Immediate | undefined;
  #lazyTimer: NodeJS.Timeout | undefined;
  readonly #store: RelayStore;
  readonly #hooks: GroupCommitHooks<T>;
  readonly #lazy: LazyWrites | undefined;
  readonly #onLazyFailure: (error: unknown) => void;

  /**
   * @param lazy - optional lazy writes to include in every transaction.
   * @param onLazyFailure - called when a transaction holding only lazy writes fails (they are kept for the next one).
   */
  constructor(store: RelayStore, hooks: GroupCommitHooks<T>, lazy?: LazyWrites, onLazyFailure: (error: unknown) => void = () => {}) {
    this.#store = store;
    this.#hooks = hooks;
    this.#lazy = lazy;
    this.#onLazyFailure = onLazyFailure;
    lazy?.onPending(() => {
      if (this.#lazyTimer !== undefined || this.#scheduled !== undefined) return;
      this.#lazyTimer = setTimeout(() => this.flush(), LAZY_FLUSH_DELAY_MS);
      this.#lazyTimer.unref();
    });
  }

  /** The queued (not yet committed) envelope (`sender`, `id`), if any. */
  find(sender: string, id: string): T | undefined {
    return this.#byKey.get(key(sender, id));
  }

  /** The agent a queued registration binds `handle` to, if any. */
  handleClaim(handle: string): string | undefined {
    return this.#handles.get(handle);
  }

  /** Number of envelopes waiting for commit. */
  get size(): number {
    return this.#queue.length;
  }

  /** Queues an accepted envelope; the batch is committed on the next tick. */
  enqueue(item: T): void {
    this.#queue.push(item);
    this.#byKey.set(key(item.sender, item.id), item);
    if (item.handle !== undefined && !this.#handles.has(item.handle)) this.#handles.set(item.handle, item.sender);
    this.#scheduled ??= setImmediate(() => this.flush());
  }

  /** Commits everything queued now, lazy writes included (also called on shutdown). */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    if (this.#lazyTimer !== undefined) clearTimeout(this.#lazyTimer);
    this.#scheduled = undefined;
    this.#lazyTimer = undefined;
    const items = this.#queue;
    const updates = this.#lazy?.take() ?? [];
    if (items.length === 0 && updates.length === 0) return;
    this.#queue = [];
    this.#byKey = new Map();
    this.#handles = new Map();
    let all: number[];
    try {
      all = this.#store.commitBatch(items.flatMap((i) => [i.toWrite(), ...(i.followups ?? [])]), updates);
    } catch (error) {
      this.#lazy?.putBack(updates);
      if (items.length > 0) this.#hooks.failed(items, error);
      else this.#onLazyFailure(error);
      return;
    }
    if (items.length === 0) return;
    const seqs: number[] = [];
    const followupSeqs: number[][] = [];
    let at = 0;
    for (const item of items) {
      const n = item.followups?.length ?? 0;
      seqs.push(all[at] ?? 0);
      followupSeqs.push(all.slice(at + 1, at + 1 + n));
      at += 1 + n;
    }
    this.#hooks.committed(items, seqs, followupSeqs);
  }
}
