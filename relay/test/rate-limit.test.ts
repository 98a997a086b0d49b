// Unit tests of the producer token buckets (SPEC FLW-3) with a hand-moved clock: burst, continuous refill,
// per-IP buckets shared across keys, exact retry_after_ms values, nothing consumed on refusal, bounded memory.
import { describe, expect, it } from 'vitest';
import { SendRateLimiter, type SendRateLimits } from '../src/core/rate-limit.ts';

class ManualClock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
}

const LIMITS: SendRateLimits = { send_rate_per_key: 10, send_burst_per_key: 3, send_rate_per_ip: 4, send_burst_per_ip: 5 };

function takeN(limiter: SendRateLimiter, n: number, agent: string, ip: string): boolean[] {
  return Array.from({ length: n }, () => limiter.take(agent, ip).ok);
}

describe('SendRateLimiter', () => {
  it('allows a burst per key, then refuses with the exact wait until the next token', () => {
    const clock = new ManualClock();
    const limiter = new SendRateLimiter(LIMITS, clock);
    expect(takeN(limiter, 3, 'a', 'ip1')).toEqual([true, true, true]);
    // 10 tokens/s = one token per 100 ms
    expect(limiter.take('a', 'ip1')).toEqual({ ok: false, retryAfterMs: 100 });
    clock.t += 99;
    expect(limiter.take('a', 'ip1')).toEqual({ ok: false, retryAfterMs: 1 });
    clock.t += 1;
    expect(limiter.take('a', 'ip1')).toEqual({ ok: true });
    expect(limiter.take('a', 'ip1')).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it('refills continuously (fractions of a token accumulate) and never above the burst', () => {
    const clock = new ManualClock();
    const limiter = new SendRateLimiter({ ...LIMITS, send_rate_per_key: 3 }, clock);
    expect(takeN(limiter, 3, 'a', 'ip1')).toEqual([true, true, true]);
    // 3 tokens/s: one token takes 333.33 ms, so the wait is rounded up to 334
    expect(limiter.take('a', 'ip1')).toEqual({ ok: false, retryAfterMs: 334 });
    clock.t += 200;
    expect(limiter.take('a', 'ip1')).toEqual({ ok: false, retryAfterMs: 134 });
    clock.t += 134;
    expect(limiter.take('a', 'ip1').ok).toBe(true);
    // a long idle period refills to the burst, not beyond (ip bucket: 5 tokens, so it is not the limit here)
    clock.t += 60_000;
    expect(takeN(limiter, 4, 'a', 'ip1')).toEqual([true, true, true, false]);
  });

  it('shares the per-IP bucket across keys, and keeps keys apart across addresses', () => {
    const clock = new ManualClock();
    const limiter = new SendRateLimiter(LIMITS, clock);
    expect(takeN(limiter, 3, 'a', 'ip1')).toEqual([true, true, true]);
    expect(takeN(limiter, 2, 'b', 'ip1')).toEqual([true, true]);
    // ip1 is empty (burst 5); 4 tokens/s = 250 ms per token, though b's own bucket still has one token
    expect(limiter.take('b', 'ip1')).toEqual({ ok: false, retryAfterMs: 250 });
    expect(limiter.take('c', 'ip1')).toEqual({ ok: false, retryAfterMs: 250 });
    // the same key from another address is limited by its key bucket only
    expect(limiter.take('b', 'ip2')).toEqual({ ok: true });
    expect(limiter.take('b', 'ip2')).toEqual({ ok: false, retryAfterMs: 100 });
  });

  it('consumes nothing on refusal and answers the wait until BOTH buckets have a token', () => {
    const clock = new ManualClock();
    const limiter = new SendRateLimiter({ send_rate_per_key: 1, send_burst_per_key: 1, send_rate_per_ip: 2, send_burst_per_ip: 1 }, clock);
    expect(limiter.take('a', 'ip1').ok).toBe(true);
    // key bucket: 1000 ms to a token, ip bucket: 500 ms; the answer is the larger
    expect(limiter.take('a', 'ip1')).toEqual({ ok: false, retryAfterMs: 1000 });
    // the refused take above did not drain ip1: another key on ip1 waits only for the ip bucket
    expect(limiter.take('b', 'ip1')).toEqual({ ok: false, retryAfterMs: 500 });
    clock.t += 500;
    expect(limiter.take('b', 'ip1').ok).toBe(true);
    // a's refusals took nothing from its key bucket either: a token exactly 1000 ms after its first send
    clock.t += 500;
    expect(limiter.take('a', 'ip2').ok).toBe(true);
  });

  it('drops buckets that are full again, so memory does not grow with idle senders', () => {
    const clock = new ManualClock();
    const limiter = new SendRateLimiter(LIMITS, clock, { sweepEvery: 16 });
    for (let i = 0; i < 1000; i++) expect(limiter.take(`agent-${i}`, `ip-${i}`).ok).toBe(true);
    // nobody is idle yet: every bucket still lacks a token and is kept
    expect(limiter.size).toBe(2000);
    clock.t += 1000; // every bucket is full again (key: 100 ms per token, ip: 250 ms per token)
    for (let i = 0; i < 2000; i++) limiter.take('busy', 'busy-ip');
    expect(limiter.size).toBe(2);
  });

  it('keeps at most maxBuckets per kind, evicting the least recently used when none is full', () => {
    const clock = new ManualClock();
    const limiter = new SendRateLimiter(LIMITS, clock, { maxBuckets: 3, sweepEvery: 1_000_000 });
    takeN(limiter, 3, 'a', 'ip');
    limiter.take('b', 'ip-b');
    limiter.take('c', 'ip-c');
    limiter.take('d', 'ip-d');
    expect(limiter.size).toBe(6);
    // 'a' was used least recently and was evicted: it starts over with a full burst
    expect(limiter.take('a', 'ip-a').ok).toBe(true);
    expect(takeN(limiter, 2, 'a', 'ip-a')).toEqual([true, true]);
    expect(limiter.take('a', 'ip-a').ok).toBe(false);
    expect(limiter.size).toBe(6);
  });
});
