/**
 * What a task change does besides its own row (SPEC TSK-11..TSK-13, TSK-17): relay notices written in the
 * same transaction (each may carry the transition it causes), pending requests withdrawn from delivery (no
 * dead letter), and, after the commit, their delivery, the settled counters and the live events (TSK-19).
 * Shared by the pipeline (cancel cascade) and the task supervisor (deadlines, leases).
 */
import type { BatchWrite, RelayStore } from '../store/store.ts';
import type { DeliveryEngine } from './delivery.ts';
import type { Ledger } from './ledger.ts';
import type { BuiltNotice } from './notice-builder.ts';
import type { TaskBook, Transition } from './task-book.ts';
import type { LiveTask } from './task-registry.ts';

/** A relay notice and the transition it causes, if any. */
export interface NoticeEffect {
  readonly notice: BuiltNotice;
  readonly transition?: Transition;
}

/** A pending request taken out of delivery (its receipt can no longer settle it: `beginSettle` was called). */
export interface Withdrawal {
  readonly seq: number;
  readonly sender: string;
  readonly id: string;
  readonly recipient: string;
}

/** Everything one task step does. */
export interface TaskEffects {
  /** The task the causing envelope belongs to (retention, TSK-21). */
  readonly taskId: string;
  /** Transitions caused by the envelope itself (written with it). */
  readonly own: readonly Transition[];
  readonly notices: readonly NoticeEffect[];
  readonly withdrawn: readonly Withdrawal[];
  /** JSON text of the deliver frame's context (TSK-8). */
  readonly context?: string;
}

/** Runs the after-commit and after-failure work of task effects. */
export class TaskEffectsRunner {
  readonly #book: TaskBook;
  readonly #engine: DeliveryEngine;
  readonly #ledger: Ledger;
  readonly #store: RelayStore;

  constructor(book: TaskBook, engine: DeliveryEngine, ledger: Ledger, store: RelayStore) {
    this.#book = book;
    this.#engine = engine;
    this.#ledger = ledger;
    this.#store = store;
  }

  /**
   * Takes the pending request of a queued task out of delivery, if it is pending and no receipt for it is
   * being committed. Call before the transition that withdraws it is queued.
   */
  withdraw(task: LiveTask): Withdrawal | undefined {
    if (task.state !== 'queued' || task.requestSeq === 0) return undefined;
    const row = this.#store.envelopeAt(task.requestSeq);
    if (row === undefined || row.status !== 'pending' || row.recipient === null) return undefined;
    if (!this.#engine.beginSettle(row.sender, row.id, row.recipient)) return undefined;
    return { seq: row.seq, sender: row.sender, id: row.id, recipient: row.recipient };
  }

  /** The store writes of the effects' notices (in order), each with the task change it causes. */
  noticeWrites(e: TaskEffects): BatchWrite[] {
    return e.notices.map((n) => (n.transition === undefined ? n.notice.write : { ...n.notice.write, tasks: [n.transition.write] }));
  }

  /**
   * The effects committed: `noticeSeqs[i]` is the seq of notice i; `cause` the envelope that carried `own`.
   */
  committed(e: TaskEffects, cause: { type: string; sender: string; id: string; seq: number } | undefined, noticeSeqs: readonly number[]): void {
    if (cause !== undefined) for (const t of e.own) this.#book.committed(t, cause);
    for (const w of e.withdrawn) this.#engine.settled({ ...w, wasPending: true });
    for (const [i, n] of e.notices.entries()) {
      const seq = noticeSeqs[i];
      if (seq === undefined) continue;
      const env = n.notice.envelope;
      if (n.transition !== undefined) this.#book.committed(n.transition, { type: 'notice', sender: env.from, id: env.id, seq });
      this.#ledger.add(env.from, env.to);
      this.#engine.accepted({
        seq, sender: env.from, id: env.id, to: env.to, recipient: env.to, json: n.notice.write.json, exp: null,
        digest: n.notice.write.digest, type: 'notice',
      });
    }
  }

  /** The commit failed: tasks are reloaded from the store and withdrawn requests are in flight again. */
  failed(e: TaskEffects): void {
    for (const t of e.own) this.#book.failed(t);
    for (const n of e.notices) if (n.transition !== undefined) this.#book.failed(n.transition);
    for (const w of e.withdrawn) this.#engine.settleFailed(w.sender, w.id, w.recipient);
  }
}
