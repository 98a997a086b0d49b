// Unit tests of the client's retry delays: reconnect backoff with equal jitter, and the RATE_LIMITED resend delay.
import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './connection.ts';
import { rateLimitDelayMs } from './outbox.ts';

describe('reconnectDelay', () => {
  it('doubles from initialDelayMs up to maxDelayMs, uniformly in [d/2, d]', () => {
    const options = { initialDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((n) => reconnectDelay(n, options, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => reconnectDelay(n, options, () => 1))).toEqual([100, 200, 400, 800, 1_000]);
    expect(reconnectDelay(1_000, options, () => 0.5)).toBe(750);
  });

  it('defaults to 250 ms initial and 30 s max', () => {
    expect(reconnectDelay(1, {}, () => 1)).toBe(250);
    expect(reconnectDelay(30, {}, () => 1)).toBe(30_000);
  });
});

describe('rateLimitDelayMs', () => {
  it('waits retry_after_ms plus at most 10% (capped at 250 ms) of jitter', () => {
    expect(rateLimitDelayMs(200, () => 0)).toBe(200);
    expect(rateLimitDelayMs(200, () => 1)).toBe(221);
    expect(rateLimitDelayMs(10_000, () => 1)).toBe(10_250);
    expect(rateLimitDelayMs(undefined, () => 0)).toBe(1_000);
  });
});
