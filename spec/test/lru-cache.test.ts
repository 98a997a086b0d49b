/** LruCache: bounded size, least recently used entry evicted, `get` refreshes recency. */
import { describe, expect, it } from 'vitest';
import { LruCache } from '../src/util/lru-cache.ts';

describe('LruCache', () => {
  it('keeps at most capacity entries, evicting the least recently used', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // 'a' is now the most recent: 'b' goes next
    cache.set('c', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('getOrSet makes a value once and reuses it while cached', () => {
    const cache = new LruCache<string, object>(1);
    let made = 0;
    const make = (): object => ({ n: ++made });
    const first = cache.getOrSet('k', make);
    expect(cache.getOrSet('k', make)).toBe(first);
    cache.getOrSet('other', make);
    expect(cache.getOrSet('k', make)).not.toBe(first);
    expect(made).toBe(3);
  });

  it('setting an existing key replaces it without growing', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('a', 2);
    cache.set('b', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBe(2);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
