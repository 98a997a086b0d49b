/**
 * Recipient-side deduplication of received envelopes by (`from`, `id`) (SPEC.md RPL-4, ACK-6).
 *
 * The relay delivers at least once, so the same envelope can arrive again after a lost receipt or a
 * reconnect. A {@link DedupeCache} remembers what was already acted on, bounded both by time (the window)
 * and by count (least recently seen entries are evicted first), so memory stays flat under load.
 */

/** Options of a {@link DedupeCache}. */
export interface DedupeOptions {
  /**
   * How long an entry is remembered, in ms. SPEC RPL-4 asks for at least the relay's `dedupe_window_ms`.
   * @default 86_400_000 (24 hours, the protocol default)
   */
  windowMs?: number;
  /**
   * The most entries kept; the least recently seen are evicted first.
   * @default 100_000
   */
  maxEntries?: number;
  /** Clock in ms since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * A bounded set of (`from`, `id`) pairs with a time window (RPL-4).
 *
 * Share one instance between successive connections of the same agent (see `ConnectOptions.dedupe`) so that
 * an envelope redelivered on the next connection is still recognised.
 *
 * @example
 * const seen = new DedupeCache({ windowMs: 60_000 });
 * seen.checkAndRemember(env.from, env.id); // false the first time, true afterwards
 */
export class DedupeCache {
  readonly #windowMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** key -> time first seen (ms); Map iteration order gives LRU order because hits are re-inserted. */
  readonly #seen = new Map<string, number>();

  constructor(options: DedupeOptions = {}) {
    this.#windowMs = options.windowMs ?? 86_400_000;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** Number of remembered pairs (expired ones may still be counted until the next call). */
  get size(): number {
    return this.#seen.size;
  }

  /**
   * Returns true when (`from`, `id`) was seen within the window (a duplicate), false otherwise; in both
   * cases the pair is remembered (again) from now on.
   */
  checkAndRemember(from: string, id: string): boolean {
    const key = `${from} ${id}`;
    const now = this.#now();
    const firstSeen = this.#seen.get(key);
    const duplicate = firstSeen !== undefined && now - firstSeen < this.#windowMs;
    this.#seen.delete(key);
    this.#seen.set(key, duplicate ? firstSeen : now);
    this.#evict(now);
    return duplicate;
  }

  /** Returns true when (`from`, `id`) was seen within the window, without remembering it. */
  has(from: string, id: string): boolean {
    const firstSeen = this.#seen.get(`${from} ${id}`);
    return firstSeen !== undefined && this.#now() - firstSeen < this.#windowMs;
  }

  #evict(now: number): void {
    while (this.#seen.size > this.#maxEntries) {
      const oldest = this.#seen.keys().next();
      if (oldest.done === true) break;
      this.#seen.delete(oldest.value);
    }
    // Drop expired entries from the LRU end; stop at the first live one (bounded work per call).
    for (const [key, firstSeen] of this.#seen) {
      if (now - firstSeen < this.#windowMs) break;
      this.#seen.delete(key);
    }
  }
}
