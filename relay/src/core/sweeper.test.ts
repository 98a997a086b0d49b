// Unit tests of the prune run's pacing (RPL-3, TSK-21): one batch per event-loop turn, tasks before envelopes,
// at most PRUNE_BATCHES of each, the next run armed only after the last batch, and nothing more once stopped.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '@baton/spec';
import type { Logger } from 'pino';
import type { RelayStore } from '../store/store.ts';
import type { DeliveryEngine } from './delivery.ts';
import { PRUNE_BATCH, PRUNE_BATCHES, PRUNE_INTERVAL_MS, Sweeper } from './sweeper.ts';
import type { Clock, Timer } from './types.ts';

/** A clock whose timers run only when the test fires them. */
class ManualClock implements Clock {
  readonly timers: { ms: number; fn: () => void; cancelled: boolean }[] = [];
  now(): number {
    return 1_000_000_000;
  }
  setTimer(ms: number, fn: () => void): Timer {
    const t = { ms, fn, cancelled: false };
    this.timers.push(t);
    return { cancel: () => { t.cancelled = true; } };
  }
  /** Runs the newest pending timer of period `ms`. */
  fire(ms: number): void {
    const t = this.timers.filter((x) => x.ms === ms && !x.cancelled).at(-1);
    if (t === undefined) throw new Error(`no timer of ${ms} ms`);
    t.cancelled = true;
    t.fn();
  }
  pending(ms: number): number {
    return this.timers.filter((x) => x.ms === ms && !x.cancelled).length;
  }
}

const turns = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** A store whose task prune finds `taskBatches` full batches and then a short one, and whose envelope prune always finds a full batch. */
function backlogStore(taskBatches: number): { store: RelayStore; calls: string[] } {
  const calls: string[] = [];
  let tasks = 0;
  const store = {
    pruneTasks: () => {
      calls.push('tasks');
      return ++tasks <= taskBatches ? PRUNE_BATCH : 5;
    },
    prune: () => {
      calls.push('envelopes');
      return PRUNE_BATCH;
    },
  } as unknown as RelayStore;
  return { store, calls };
}

const log = { error: () => undefined } as unknown as Logger;
const engine = {} as DeliveryEngine;

describe('Sweeper prune run', () => {
  it('runs one batch per event-loop turn, tasks first, at most PRUNE_BATCHES of envelopes, then arms the next run', async () => {
    const { store, calls } = backlogStore(2);
    const clock = new ManualClock();
    const sweeper = new Sweeper(store, engine, clock, DEFAULT_LIMITS, log);
    sweeper.start();
    clock.fire(PRUNE_INTERVAL_MS);
    expect(calls).toEqual(['tasks']);
    await turns(1);
    expect(calls).toHaveLength(2);
    expect(clock.pending(PRUNE_INTERVAL_MS)).toBe(0);
    await turns(PRUNE_BATCHES + 5);
    expect(calls).toEqual([...Array(3).fill('tasks'), ...Array(PRUNE_BATCHES).fill('envelopes')]);
    expect(clock.pending(PRUNE_INTERVAL_MS)).toBe(1);
    sweeper.stop();
  });

  it('does nothing more once stopped in the middle of a run', async () => {
    const { store, calls } = backlogStore(0);
    const clock = new ManualClock();
    const sweeper = new Sweeper(store, engine, clock, DEFAULT_LIMITS, log);
    sweeper.start();
    clock.fire(PRUNE_INTERVAL_MS);
    await turns(2);
    sweeper.stop();
    const made = calls.length;
    await turns(PRUNE_BATCHES + 5);
    expect(calls).toHaveLength(made);
    expect(clock.pending(PRUNE_INTERVAL_MS)).toBe(0);
  });
});
