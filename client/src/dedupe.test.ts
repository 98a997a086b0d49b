// Unit tests of DedupeCache: the (from, id) window of RPL-4, LRU bound, injectable clock.
import { describe, expect, it } from 'vitest';
import { DedupeCache } from './dedupe.ts';

describe('DedupeCache', () => {
  it('reports a pair as duplicate within the window and forgets it after', () => {
    let now = 1_000;
    const cache = new DedupeCache({ windowMs: 100, now: () => now });
    expect(cache.checkAndRemember('a', '1')).toBe(false);
    expect(cache.checkAndRemember('a', '1')).toBe(true);
    expect(cache.checkAndRemember('b', '1')).toBe(false);
    now += 99;
    expect(cache.has('a', '1')).toBe(true);
    now += 1;
    expect(cache.has('a', '1')).toBe(false);
    expect(cache.checkAndRemember('a', '1')).toBe(false);
  });

  it('keeps at most maxEntries pairs, evicting the least recently seen', () => {
    const cache = new DedupeCache({ maxEntries: 2 });
    cache.checkAndRemember('a', '1');
    cache.checkAndRemember('a', '2');
    cache.checkAndRemember('a', '1'); // touch: '2' is now the least recently seen
    cache.checkAndRemember('a', '3');
    expect(cache.size).toBe(2);
    expect(cache.has('a', '1')).toBe(true);
    expect(cache.has('a', '2')).toBe(false);
    expect(cache.has('a', '3')).toBe(true);
  });
});
