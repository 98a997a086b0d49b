/**
 * The relay's budget for compiling capability schemas (SPEC MAN-7): token buckets of compile units (spec's
 * compile-cost.ts; a unit measured 8-37 µs of the event loop across schema shapes, V8's compiling of the
 * generated code included, bench/HISTORY.md round 12) per remote IP address and
 * one for the whole relay. A registration whose new schemas cost more than both buckets hold is refused with
 * RATE_LIMITED and the wait until they would hold it; schemas the relay holds compiled already cost nothing.
 *
 * Why both: compiling runs on the event loop, so every agent waits while it runs. The per-IP bucket keeps one
 * address from taking the relay's whole budget; the relay-wide one bounds the share of the event loop that
 * compiling can take however many addresses an attacker has (2,000 units/s by default: at most about 7% of one core).
 * A worker thread would not take the work off the event loop: most of it is V8 compiling the generated code,
 * which has to happen in the thread that runs the validator (round 12).
 */
import type { Limits } from '@baton/spec';
import { BucketSet, type TakeResult } from './rate-limit.ts';

/** The limits a {@link CompileBudget} reads (rates in units per second, bursts in units). */
export type CompileLimits = Pick<Limits, 'compile_rate_per_ip' | 'compile_burst_per_ip' | 'compile_rate_relay' | 'compile_burst_relay'>;

const RELAY = '';
const SWEEP_EVERY = 1024;

/** Compile-unit buckets per IP address and for the relay (SPEC MAN-7). */
export class CompileBudget {
  readonly #clock: { now(): number };
  readonly #ips: BucketSet;
  readonly #relay: BucketSet;
  #takes = 0;

  /**
   * @param limits - rates (units per second, integers >= 1) and bursts (units, at least MAX_REGISTRATION_COST so
   *   that every registration MAN-7 allows can be admitted; config.ts checks it).
   * @param clock - time source in ms.
   * @param maxBuckets - most per-IP buckets kept (full ones are dropped first, then the least recently used).
   */
  constructor(limits: CompileLimits, clock: { now(): number }, maxBuckets = 100_000) {
    this.#clock = clock;
    this.#ips = new BucketSet(limits.compile_rate_per_ip, limits.compile_burst_per_ip, maxBuckets);
    this.#relay = new BucketSet(limits.compile_rate_relay, limits.compile_burst_relay, 1);
  }

  /**
   * Takes `units` from the bucket of `ip` and from the relay's, or nothing when either holds less.
   * @param units - the compile cost of a registration's schemas not compiled yet (spec `uncompiledCost`).
   * @returns `{ ok: true }` (always for 0 units), or `{ ok: false, retryAfterMs }` (ms, >= 1) for RATE_LIMITED.
   */
  take(ip: string, units: number): TakeResult {
    if (units <= 0) return { ok: true };
    const now = this.#clock.now();
    if (++this.#takes >= SWEEP_EVERY) {
      this.#takes = 0;
      this.#ips.sweep(now);
    }
    const wait = Math.max(this.#ips.waitMs(ip, now, units), this.#relay.waitMs(RELAY, now, units));
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    this.#ips.consume(ip, now, units);
    this.#relay.consume(RELAY, now, units);
    return { ok: true };
  }
}
