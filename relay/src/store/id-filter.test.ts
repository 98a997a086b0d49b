// IdFilter: no false negatives, a false-positive rate near its design point, and `full` past capacity.
import { describe, expect, it } from 'vitest';
import { IdFilter } from './id-filter.ts';

const sender = (i: number): string => `did:key:z6Mk${(i % 97).toString(36).padStart(44, 'x')}`;

describe('IdFilter', () => {
  it('never misses an added id and rarely claims an unadded one', () => {
    const f = new IdFilter(100_000);
    for (let i = 0; i < 100_000; i++) f.add(sender(i), `id-${i}`);
    let missed = 0;
    for (let i = 0; i < 100_000; i++) if (!f.mightContain(sender(i), `id-${i}`)) missed++;
    expect(missed).toBe(0);
    let falsePositives = 0;
    for (let i = 100_000; i < 200_000; i++) if (f.mightContain(sender(i), `id-${i}`)) falsePositives++;
    expect(falsePositives / 100_000).toBeLessThan(0.005);
    // the same id from another sender is another entry
    expect(f.mightContain(sender(1), 'id-0') && f.mightContain(sender(2), 'id-0') && f.mightContain(sender(3), 'id-0')).toBe(false);
  });

  it('reports full once it holds more than its capacity', () => {
    const f = new IdFilter(10);
    expect(f.capacity).toBe(65_536);
    for (let i = 0; i < f.capacity; i++) f.add('s', String(i));
    expect(f.full).toBe(false);
    f.add('s', 'one more');
    expect(f.full).toBe(true);
  });
});
