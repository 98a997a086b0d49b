// VerifyPool on real worker threads: verdicts match inline verification for valid and tampered signatures,
// a lone job is verified inline, a burst starts the workers, and InOrder hands verdicts on in submission order.
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, sign } from '@baton/spec';
import { InOrder } from './in-order.ts';
import { MAX_BATCH_JOBS, MAX_IN_FLIGHT_BYTES_PER_THREAD, MAX_IN_FLIGHT_PER_THREAD, VerifyPool } from './verify-pool.ts';

interface Case { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array; valid: boolean }

function cases(n: number): Case[] {
  const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  return Array.from({ length: n }, (_, i) => {
    const key = keys[i % keys.length]!;
    const message = new TextEncoder().encode(`message ${i} ${'x'.repeat(i % 300)}`);
    const signature = sign(key.secretKey, message);
    const kind = i % 5;
    if (kind === 1) signature[10] = (signature[10] ?? 0) ^ 1; // tampered R
    if (kind === 2) return { publicKey: key.publicKey, message: new TextEncoder().encode(`other ${i}`), signature, valid: false };
    if (kind === 3) return { publicKey: keys[(i + 1) % keys.length]!.publicKey, message, signature, valid: false };
    return { publicKey: key.publicKey, message, signature, valid: kind !== 1 };
  });
}

const pools: VerifyPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('VerifyPool', () => {
  it('verifies a lone job inline, without starting a worker', () => {
    const pool = new VerifyPool(2);
    pools.push(pool);
    const [c] = cases(1);
    let verdict: boolean | undefined;
    pool.verify(c!.publicKey, c!.message, c!.signature, (v) => { verdict = v; });
    expect(verdict).toBe(true);
    expect(pool.running).toBe(0);
  });

  it.each([1, 2])('gives the same verdicts as inline verification for a burst on %i worker(s), in submission order through InOrder', async (threads) => {
    const pool = new VerifyPool(threads);
    pools.push(pool);
    const all = cases(400);
    const order = new InOrder<boolean>();
    const seen: { index: number; valid: boolean }[] = [];
    await new Promise<void>((resolve) => {
      all.forEach((c, index) => pool.verify(c.publicKey, c.message, c.signature, order.open((valid) => {
        seen.push({ index, valid });
        if (seen.length === all.length) resolve();
      })));
    });
    expect(pool.running).toBe(threads);
    expect(seen.map((s) => s.index)).toEqual(all.map((_, i) => i));
    expect(seen.map((s) => s.valid)).toEqual(all.map((c) => c.valid));
    expect(order.pending).toBe(0);
  });

  /** Submits every case in one event-loop turn; resolves with the verdicts in order and how many were inline. */
  async function burst(pool: VerifyPool, all: readonly Case[]): Promise<{ seen: boolean[]; inline: number }> {
    const order = new InOrder<boolean>();
    const seen: boolean[] = [];
    let inline = 0;
    await new Promise<void>((resolve) => {
      for (const c of all) {
        let inCall = true;
        const resume = order.open((valid) => {
          seen.push(valid);
          if (seen.length === all.length) resolve();
        });
        pool.verify(c.publicKey, c.message, c.signature, (valid) => {
          if (inCall) inline++;
          resume(valid);
        });
        inCall = false;
      }
    });
    return { seen, inline };
  }

  it('answers a burst in batches of at most MAX_BATCH_JOBS, so verdicts return while later jobs are verified', async () => {
    const pool = new VerifyPool(1);
    pools.push(pool);
    const all = cases(5 * MAX_BATCH_JOBS + 1);
    // verdicts handed over in one synchronous run (one worker message, or the inline first job) form one group
    const groups: number[] = [];
    let open = false;
    await new Promise<void>((resolve) => {
      let answered = 0;
      for (const c of all) {
        pool.verify(c.publicKey, c.message, c.signature, (valid) => {
          expect(valid).toBe(c.valid);
          if (!open) {
            open = true;
            groups.push(0);
            queueMicrotask(() => { open = false; });
          }
          groups[groups.length - 1]! += 1;
          if (++answered === all.length) resolve();
        });
      }
    });
    expect(groups[0]).toBe(1); // the first job of the turn, inline
    expect(groups.slice(1)).toEqual([MAX_BATCH_JOBS, MAX_BATCH_JOBS, MAX_BATCH_JOBS, MAX_BATCH_JOBS, MAX_BATCH_JOBS]);
  });

  it('verifies inline once the workers hold their share of jobs (back-pressure), keeping verdicts and order', async () => {
    const pool = new VerifyPool(1);
    pools.push(pool);
    const all = cases(MAX_IN_FLIGHT_PER_THREAD + 300);
    const { seen, inline } = await burst(pool, all);
    expect(seen).toEqual(all.map((c) => c.valid));
    // the first job (pool idle) and every job past the workers' share were verified before verify() returned
    expect(inline).toBe(1 + (all.length - 1 - MAX_IN_FLIGHT_PER_THREAD));
  });

  it('verifies inline once the workers hold their share of bytes (large envelopes), keeping verdicts and order', async () => {
    const pool = new VerifyPool(1);
    pools.push(pool);
    const key = generateKeyPair();
    const all = Array.from({ length: 100 }, (_, i): Case => {
      const message = new Uint8Array(60 * 1024).fill(i);
      const signature = sign(key.secretKey, message);
      if (i % 7 === 3) signature[0] = (signature[0] ?? 0) ^ 1;
      return { publicKey: key.publicKey, message, signature, valid: i % 7 !== 3 };
    });
    const { seen, inline } = await burst(pool, all);
    expect(seen).toEqual(all.map((c) => c.valid));
    // each job occupies its message plus 100 bytes (key, signature, length) of the worker's batch buffer
    const pooled = Math.ceil(MAX_IN_FLIGHT_BYTES_PER_THREAD / (60 * 1024 + 100));
    expect(pooled).toBeLessThan(all.length - 1);
    expect(inline).toBe(1 + (all.length - 1 - pooled));
  });

  it('answers a malformed key or signature with false', async () => {
    const pool = new VerifyPool(1);
    pools.push(pool);
    const [c] = cases(1);
    const verdicts: boolean[] = [];
    await new Promise<void>((resolve) => {
      const done = (v: boolean): void => { verdicts.push(v); if (verdicts.length === 3) resolve(); };
      pool.verify(c!.publicKey, c!.message, c!.signature, done);
      pool.verify(c!.publicKey.subarray(0, 31), c!.message, c!.signature, done);
      pool.verify(c!.publicKey, c!.message, c!.signature.subarray(0, 63), done);
    });
    expect(verdicts).toEqual([true, false, false]);
  });

  it('rejects a negative thread count', () => {
    expect(() => new VerifyPool(-1)).toThrow(RangeError);
  });
});

describe('InOrder', () => {
  it('runs continuations in the order they were opened, whatever order their values arrive in', () => {
    const order = new InOrder<string>();
    const ran: string[] = [];
    const give = ['a', 'b', 'c'].map((name) => order.open((v) => ran.push(`${name}=${v}`)));
    give[2]!('3');
    give[1]!('2');
    expect(ran).toEqual([]);
    give[0]!('1');
    give[0]!('again');
    expect(ran).toEqual(['a=1', 'b=2', 'c=3']);
    order.open((v) => ran.push(`d=${v}`))('4');
    expect(ran.at(-1)).toBe('d=4');
    const late = order.open((v) => ran.push(`e=${v}`));
    order.clear();
    late('5');
    expect(ran).toHaveLength(4);
  });
});
