/**
 * Group commit (SPEC ACK-1, design note 8): envelopes accepted during one tick are queued, written in ONE
 * store transaction on the next `setImmediate`, and only then acknowledged. `accepted` is never sent before
 * COMMIT returns; when the commit throws, every envelope of the batch is reported as failed (the caller
 * answers INTERNAL_ERROR and nothing is routed).
 *
 * The queue is also visible to the pipeline: deduplication (RPL-3) and handle binding (MAN-2) must see
 * envelopes that are accepted but not committed yet.
 */
import type { BatchWrite, RelayStore } from '../store/store.ts';

/** One envelope waiting for the next commit. */
export interface Queued {
  readonly sender: string;
  readonly id: string;
  readonly digest: string;
  /** Handle this envelope binds (register only). */
  readonly handle?: string;
  /** Builds the store write at flush time (so that flush-time facts, like presence, can be recorded). */
  toWrite(): BatchWrite;
}

/** Callbacks run after a batch commits or fails; `items` are in acceptance order. */
export interface GroupCommitHooks<T extends Queued> {
  /** `seqs[i]` is the relay sequence number the store assigned to `items[i]`. */
  committed(items: readonly T[], seqs: readonly number[]): void;
  failed(items: readonly T[], error: unknown): void;
}

function key(sender: string, id: string): string {
  return `${sender}\u0000${id}`;
}

/** Per-tick batching of store writes. */
export class GroupCommit<T extends Queued> {
  #queue: T[] = [];
  #byKey = new Map<string, T>();
  #handles = new Map<string, string>();
  #scheduled: NodeJS.Immediate | undefined;
  readonly #store: RelayStore;
  readonly #hooks: GroupCommitHooks<T>;

  constructor(store: RelayStore, hooks: GroupCommitHooks<T>) {
    this.#store = store;
    this.#hooks = hooks;
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

  /** Commits everything queued now (also called on shutdown). */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    const items = this.#queue;
    if (items.length === 0) return;
    this.#queue = [];
    this.#byKey = new Map();
    this.#handles = new Map();
    let seqs: number[];
    try {
      seqs = this.#store.commitBatch(items.map((i) => i.toWrite()));
    } catch (error) {
      this.#hooks.failed(items, error);
      return;
    }
    this.#hooks.committed(items, seqs);
  }
}
