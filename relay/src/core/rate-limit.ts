/**
 * Producer rate limits (SPEC FLW-3): one token bucket per agent key and one per remote IP address. A `send`
 * needs a token from both; the relay checks this right after the frame is parsed as a `send`, before the
 * envelope is verified, so that a flood does not cost signature verifications. `register`, `receipt` and
 * notices are not rate-limited (the caller skips them).
 *
 * Buckets refill continuously at `rate` tokens per second up to `burst`. Internally one token is 1000 units
 * and a bucket gains `rate` units per ms, so with integer clocks all arithmetic is exact. A bucket that is
 * full again is indistinguishable from a missing one, so full buckets are dropped by a lazy sweep; a hard cap
 * evicts the least recently used bucket when an attacker spreads over very many keys or addresses.
 */
import type { Limits } from '@baton/spec';

/** The limits a {@link SendRateLimiter} reads (rates in envelopes per second, bursts in envelopes). */
export type SendRateLimits = Pick<Limits, 'send_rate_per_key' | 'send_burst_per_key' | 'send_rate_per_ip' | 'send_burst_per_ip'>;

/** Outcome of {@link SendRateLimiter.take}: `retryAfterMs` is the wait until both buckets hold a token. */
export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

/** Tuning of the limiter's memory bound (not protocol limits). */
export interface SendRateLimiterOptions {
  /**
   * Most buckets kept per kind (keys, addresses). When a new bucket would exceed it, full buckets are swept and,
   * if none is full, the least recently used one is dropped (its owner starts again with a full burst).
   * @default 100_000
   */
  readonly maxBuckets?: number;
  /** A sweep runs after at least this many takes (and at least as many takes as there are buckets). @default 1024 */
  readonly sweepEvery?: number;
}

const UNITS_PER_TOKEN = 1000;

interface Bucket {
  /** Tokens times 1000. */
  units: number;
  /** Clock time (ms) the units were computed at. */
  at: number;
}

/** One family of buckets (per key, per IP, or one relay-wide name) sharing rate and burst; also used by compile-budget.ts. */
export class BucketSet {
  readonly #rate: number;
  readonly #capacity: number;
  readonly #max: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(rate: number, burst: number, max: number) {
    this.#rate = rate;
    this.#capacity = burst * UNITS_PER_TOKEN;
    this.#max = max;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Units `name` holds at `now` (a missing bucket is full). */
  level(name: string, now: number): number {
    const b = this.#buckets.get(name);
    return b === undefined ? this.#capacity : this.#refilled(b, now);
  }

  /** Ms until `name` holds `tokens` tokens (0 when it has them now). */
  waitMs(name: string, now: number, tokens = 1): number {
    const missing = tokens * UNITS_PER_TOKEN - this.level(name, now);
    return missing <= 0 ? 0 : Math.ceil(missing / this.#rate);
  }

  /** Removes `tokens` tokens from `name` (the caller checked that it has them) and marks it most recently used. */
  consume(name: string, now: number, tokens = 1): void {
    const units = this.level(name, now) - tokens * UNITS_PER_TOKEN;
    this.#buckets.delete(name);
    if (this.#buckets.size >= this.#max) this.#makeRoom(now);
    this.#buckets.set(name, { units, at: now });
  }

  /** Drops every bucket that is full again. */
  sweep(now: number): void {
    for (const [name, b] of this.#buckets) if (this.#refilled(b, now) >= this.#capacity) this.#buckets.delete(name);
  }

  #makeRoom(now: number): void {
    this.sweep(now);
    // Map iteration order is insertion order and `consume` re-inserts, so the first entry is the least recently used.
    const oldest = this.#buckets.keys().next();
    if (this.#buckets.size >= this.#max && oldest.done !== true) this.#buckets.delete(oldest.value);
  }

  #refilled(b: Bucket, now: number): number {
    return Math.min(this.#capacity, b.units + Math.max(0, now - b.at) * this.#rate);
  }
}

/**
 * Token buckets per agent key and per remote IP address (SPEC FLW-3). Memory is bounded: full buckets are
 * dropped by a lazy sweep (amortized O(1) per take) and at most `maxBuckets` are kept per kind.
 * @example
 * const limiter = new SendRateLimiter(limits, clock);
 * const r = limiter.take(session.agent, session.ip);
 * if (!r.ok) session.sendError('RATE_LIMITED', 'send rate exceeded', { id, retry_after_ms: r.retryAfterMs });
 */
export class SendRateLimiter {
  readonly #clock: { now(): number };
  readonly #keys: BucketSet;
  readonly #ips: BucketSet;
  readonly #sweepEvery: number;
  #takesSinceSweep = 0;

  /**
   * @param limits - rates (tokens per second, integers >= 1) and bursts (tokens, integers >= 1).
   * @param clock - time source in ms; the relay's injectable clock.
   */
  constructor(limits: SendRateLimits, clock: { now(): number }, options: SendRateLimiterOptions = {}) {
    const max = options.maxBuckets ?? 100_000;
    this.#clock = clock;
    this.#keys = new BucketSet(limits.send_rate_per_key, limits.send_burst_per_key, max);
    this.#ips = new BucketSet(limits.send_rate_per_ip, limits.send_burst_per_ip, max);
    this.#sweepEvery = options.sweepEvery ?? 1024;
  }

  /**
   * Takes one token from the bucket of `agent` and from the bucket of `ip`. When either is empty nothing is
   * consumed and the result says how long to wait until both hold a token.
   * @param agent - the authenticated agent did:key.
   * @param ip - the connection's remote address.
   * @returns `{ ok: true }`, or `{ ok: false, retryAfterMs }` with an integer >= 1 (ms), for the error frame's
   *   `retry_after_ms` (RATE_LIMITED).
   */
  take(agent: string, ip: string): TakeResult {
    const now = this.#clock.now();
    if (++this.#takesSinceSweep >= Math.max(this.#sweepEvery, this.#keys.size, this.#ips.size)) {
      this.#takesSinceSweep = 0;
      this.#keys.sweep(now);
      this.#ips.sweep(now);
    }
    const wait = Math.max(this.#keys.waitMs(agent, now), this.#ips.waitMs(ip, now));
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    this.#keys.consume(agent, now);
    this.#ips.consume(ip, now);
    return { ok: true };
  }

  /** Buckets currently kept (keys plus addresses); for tests and metrics. */
  get size(): number {
    return this.#keys.size + this.#ips.size;
  }
}
