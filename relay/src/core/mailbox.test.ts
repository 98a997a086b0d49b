// Unit tests of the redelivery backoff (SPEC DLV-4): d = min(max, base * 2^(n-1)), equal jitter in [d/2, d].
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './mailbox.ts';

describe('backoffDelay', () => {
  it('doubles per failed attempt from the base, caps at the maximum, and jitters uniformly in [d/2, d]', () => {
    const low = (): number => 0;
    const high = (): number => 0.999_999;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1_000, 60_000, low))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 1_000, 60_000, high))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffDelay(7, 1_000, 60_000, low)).toBe(30_000);
    expect(backoffDelay(8, 1_000, 60_000, high)).toBe(60_000);
    expect(backoffDelay(1_000_000, 1_000, 60_000, () => 0.5)).toBe(45_000);
    expect(backoffDelay(3, 0, 0, high)).toBe(0);
  });
});
