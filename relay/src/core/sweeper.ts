/**
 * Periodic work on the relay clock:
 * - every {@link SWEEP_INTERVAL_MS}: dead-letter pending envelopes whose `exp` has passed (DLV-5, EXPIRED) or
 *   that waited longer than mailbox_max_age_ms (MBX-3, MAILBOX_EXPIRED), and re-route due capability-routed
 *   envelopes held by offline providers (DLV-4);
 * - first, the task sweeps: deadlines and leases (TSK-11, TSK-12, task-supervisor.ts);
 * - every {@link PRUNE_INTERVAL_MS}: delete tasks (with their history) that ended more than task_retention_ms
 *   ago, detaching their envelopes (TSK-21), then settled envelopes (delivered, purged) of no stored task older
 *   than dedupe_window_ms (RPL-3), in batches. Dead and pending envelopes are never pruned.
 * A sweep handles at most a batch per kind and a prune run one batch per event-loop turn, so neither holds the
 * event loop for long; a backlog is worked off over the following runs.
 */
import type { Limits } from '@baton/spec';
import type { Logger } from 'pino';
import type { RelayStore } from '../store/store.ts';
import type { DeliveryEngine } from './delivery.ts';
import type { Clock, Timer } from './types.ts';

/** The task sweeps (deadlines and leases, TSK-11, TSK-12), run before the envelope sweeps. */
export interface TaskSweeps {
  sweep(): void;
}

/** Period of the expiry, mailbox-age and orphan sweeps (ms). DLV-5 asks for at least every second. */
export const SWEEP_INTERVAL_MS = 1_000;
/** Period of the dedupe-window prune (ms). */
export const PRUNE_INTERVAL_MS = 60_000;
/** Envelopes dead-lettered per kind and run. */
export const SWEEP_BATCH = 500;
/** Settled envelopes deleted per prune batch; at most {@link PRUNE_BATCHES} batches per run. */
export const PRUNE_BATCH = 1_000;
export const PRUNE_BATCHES = 10;

/** Runs the sweeps until stopped. */
export class Sweeper {
  readonly #store: RelayStore;
  readonly #engine: DeliveryEngine;
  readonly #clock: Clock;
  readonly #limits: Limits;
  readonly #log: Logger;
  #sweepTimer: Timer | undefined;
  #pruneTimer: Timer | undefined;
  readonly #tasks: TaskSweeps | undefined;

  constructor(store: RelayStore, engine: DeliveryEngine, clock: Clock, limits: Limits, log: Logger, tasks?: TaskSweeps) {
    this.#tasks = tasks;
    this.#store = store;
    this.#engine = engine;
    this.#clock = clock;
    this.#limits = limits;
    this.#log = log;
  }

  /** Arms both timers. */
  start(): void {
    this.#sweepTimer = this.#clock.setTimer(SWEEP_INTERVAL_MS, () => this.#tick('sweep'));
    this.#pruneTimer = this.#clock.setTimer(PRUNE_INTERVAL_MS, () => this.#tick('prune'));
  }

  /** Cancels both timers. */
  stop(): void {
    this.#sweepTimer?.cancel();
    this.#pruneTimer?.cancel();
    this.#sweepTimer = undefined;
    this.#pruneTimer = undefined;
  }

  /** One expiry + mailbox-age + orphan sweep (also callable directly). */
  sweep(): void {
    const now = this.#clock.now();
    this.#tasks?.sweep();
    this.#engine.expire(this.#store.expiredPending(now, SWEEP_BATCH), 'EXPIRED');
    this.#engine.expire(this.#store.agedPending(now - this.#limits.mailbox_max_age_ms, SWEEP_BATCH), 'MAILBOX_EXPIRED');
    this.#engine.rerouteOrphans(SWEEP_BATCH);
  }

  /**
   * One prune run (TSK-21, then RPL-3): tasks that ended more than task_retention_ms ago, then settled
   * envelopes older than dedupe_window_ms, one batch of {@link PRUNE_BATCH} per event-loop turn and at most
   * {@link PRUNE_BATCHES} of each, so that a backlog (a week of ended tasks after an upgrade, say) never holds
   * the loop for more than one batch. Calls `done` after the last batch, unless the sweeper was stopped.
   */
  #prune(done: () => void): void {
    const now = this.#clock.now();
    const before = now - this.#limits.dedupe_window_ms;
    const retain = now - this.#limits.task_retention_ms;
    let taskBatches = 0;
    let envelopeBatches = 0;
    const step = (): void => {
      if (this.#pruneTimer === undefined) return;
      let more = false;
      try {
        if (taskBatches < PRUNE_BATCHES) {
          taskBatches++;
          if (this.#store.pruneTasks(retain, PRUNE_BATCH) < PRUNE_BATCH) taskBatches = PRUNE_BATCHES;
          more = true; // the envelopes come next
        } else {
          envelopeBatches++;
          more = this.#store.prune(before, PRUNE_BATCH) === PRUNE_BATCH && envelopeBatches < PRUNE_BATCHES;
        }
      } catch (err) {
        this.#log.error({ err, kind: 'prune' }, 'prune failed; retrying on the next run');
      }
      if (more) setImmediate(step);
      else done();
    };
    step();
  }

  #tick(kind: 'sweep' | 'prune'): void {
    if (kind === 'prune') {
      this.#prune(() => {
        if (this.#pruneTimer !== undefined) this.#pruneTimer = this.#clock.setTimer(PRUNE_INTERVAL_MS, () => this.#tick('prune'));
      });
      return;
    }
    try {
      this.sweep();
    } catch (err) {
      this.#log.error({ err, kind }, 'sweep failed; retrying on the next run');
    }
    if (this.#sweepTimer !== undefined) this.#sweepTimer = this.#clock.setTimer(SWEEP_INTERVAL_MS, () => this.#tick('sweep'));
  }
}
