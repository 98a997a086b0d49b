/**
 * A Bloom filter over the (sender, id) pairs of stored envelopes, so that the duplicate check of SPEC RPL-3
 * skips the SQLite lookup for an id that was never stored (nearly every envelope). A false positive only costs
 * that lookup; there are no false negatives as long as every insert is added. Pruned envelopes stay in the
 * filter until the store rebuilds it, which it does when the filter fills (see SqliteStore).
 *
 * Sizing: 16 bits per expected entry and 6 probes, about 0.1% false positives at capacity.
 */

const BITS_PER_ENTRY = 16;
const PROBES = 6;
const MIN_CAPACITY = 65_536;

/** FNV-1a (32 bit) of `sender`, a 0 separator, then `id`, with a seed; a murmur3 finalizer mixes the result. */
function hash(sender: string, id: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < sender.length; i++) h = Math.imul(h ^ sender.charCodeAt(i), 0x01000193);
  h = Math.imul(h, 0x01000193);
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A fixed-size Bloom filter of envelope ids; {@link full} says when to rebuild it larger. */
export class IdFilter {
  readonly #bits: Uint32Array;
  readonly #mask: number;
  readonly capacity: number;
  #count = 0;

  /** @param expected - entries the filter should hold before it reports {@link full} (at least 65,536). */
  constructor(expected: number) {
    let capacity = MIN_CAPACITY;
    while (capacity < expected) capacity *= 2;
    this.capacity = capacity;
    const bits = capacity * BITS_PER_ENTRY;
    this.#bits = new Uint32Array(bits / 32);
    this.#mask = bits - 1;
  }

  /** Entries added. */
  get count(): number {
    return this.#count;
  }

  /** True once more entries were added than the filter was sized for (false positives rise past ~0.1%). */
  get full(): boolean {
    return this.#count > this.capacity;
  }

  add(sender: string, id: string): void {
    const h1 = hash(sender, id, 0);
    const h2 = hash(sender, id, 0x9e3779b9) | 1;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.#mask;
      const word = bit >>> 5;
      this.#bits[word] = (this.#bits[word] ?? 0) | (1 << (bit & 31));
    }
    this.#count++;
  }

  /** False when (sender, id) was certainly never added. */
  mightContain(sender: string, id: string): boolean {
    const h1 = hash(sender, id, 0);
    const h2 = hash(sender, id, 0x9e3779b9) | 1;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.#mask;
      if (((this.#bits[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
