/**
 * A bounded least-recently-used cache over a `Map` (insertion order = recency order). Used for the per-key
 * caches of the crypto and did:key code, so that a relay holding many idle agents keeps at most `capacity`
 * entries per cache instead of one per agent it ever saw.
 */

/** Map-backed LRU cache: `get` refreshes an entry, `set` evicts the least recently used one when full. */
export class LruCache<K, V> {
  readonly #map = new Map<K, V>();
  readonly #capacity: number;

  /** @param capacity - most entries kept, >= 1. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`);
    this.#capacity = capacity;
  }

  /** Entries held now. */
  get size(): number {
    return this.#map.size;
  }

  /** The value of `key` (then the most recently used entry), or undefined. */
  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used one when full. */
  set(key: K, value: V): void {
    this.#map.delete(key);
    if (this.#map.size >= this.#capacity) this.#map.delete(this.#map.keys().next().value as K);
    this.#map.set(key, value);
  }

  /** The cached value of `key`, or `make()` stored as the most recently used entry. */
  getOrSet(key: K, make: () => V): V {
    let value = this.get(key);
    if (value === undefined) {
      value = make();
      this.set(key, value);
    }
    return value;
  }
}
