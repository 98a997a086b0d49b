/**
 * Transitions the relay itself causes (SPEC TSK-11..TSK-13, TSK-16, DLV-6 path of TSK-3), each written with
 * its notices in ONE transaction:
 * - deadlines: a task past its deadline fails with DEADLINE_EXCEEDED, its pending request is withdrawn, and
 *   the owner and the handler get `task-failed` notices;
 * - leases: an in-flight task whose lease ran out is requeued (request pending again: same agent for direct
 *   routing, a new RTE-3 choice for capability routing; `task-requeued` notice to the owner) or, after
 *   max_task_attempts takes, fails with HANDLER_LOST (notices to owner and lost handler); `working` frames
 *   and updates renew leases; at start every in-flight lease gets at least task_lease_ms;
 * - cancel cascade: the task and every open descendant are cancelled, with `task-cancelled` notices;
 * - the first REVISION_LIMIT refusal of a thread flags it and sends a `needs-human` notice;
 * - a dead-lettered request fails its queued task (the change rides on the dead-letter notice).
 * Before writing, the group commit is flushed so that envelopes accepted earlier get lower seqs (TSK-20).
 */
import type { Envelope, KeyPair, Limits } from '@baton/spec';
import type { Logger } from 'pino';
import type { RelayStore, StoredEnvelope, ThreadRecord } from '../store/store.ts';
import type { DeadLetterTaskHook, TaskFailure } from './dead-letter.ts';
import type { DeliveryEngine } from './delivery.ts';
import { capName } from './delivery-state.ts';
import type { Router } from './router.ts';
import type { TaskBook, Transition } from './task-book.ts';
import type { NoticeEffect, TaskEffects, TaskEffectsRunner, Withdrawal } from './task-effects.ts';
import { taskNotice } from './task-notices.ts';
import type { LiveTask } from './task-registry.ts';
import type { Clock } from './types.ts';

/** What the supervisor is built from. */
export interface SupervisorDeps {
  readonly book: TaskBook;
  readonly effects: TaskEffectsRunner;
  readonly store: RelayStore;
  readonly engine: DeliveryEngine;
  readonly router: Router;
  readonly key: KeyPair;
  readonly clock: Clock;
  readonly limits: Limits;
  readonly log: Logger;
  /** Commits the envelopes queued in the group commit now. */
  flush(): void;
}

const ENDED = { leaseUntil: null, question: null } as const;

/** Relay-caused task transitions. */
export class TaskSupervisor implements DeadLetterTaskHook {
  readonly #d: SupervisorDeps;

  /** Re-arms the leases of in-flight tasks loaded from the store (TSK-12). */
  constructor(deps: SupervisorDeps) {
    this.#d = deps;
    const floor = deps.clock.now() + deps.limits.task_lease_ms;
    for (const t of deps.book.registry.open()) {
      if (t.state === 'in-flight') deps.book.registry.set({ ...t, leaseUntil: Math.max(t.leaseUntil ?? 0, floor) });
    }
  }

  /** Fails tasks past their deadline and handles expired leases (called by the sweeper every second). */
  sweep(): void {
    const now = this.#d.clock.now();
    const due = this.#d.book.registry.open().filter((t) => (t.deadline !== null && t.deadline <= now)
      || (t.state === 'in-flight' && t.leaseUntil !== null && t.leaseUntil <= now));
    if (due.length === 0) return;
    this.#d.flush();
    for (const t of due) {
      const task = this.#d.book.registry.peek(t.id);
      if (task === undefined || task.state !== t.state) continue;
      if (task.deadline !== null && task.deadline <= now) this.#fail(task, 'DEADLINE_EXCEEDED');
      else if (task.attempts < this.#d.limits.max_task_attempts) this.#requeue(task);
      else this.#fail(task, 'HANDLER_LOST');
    }
  }

  /** A `working` frame from `agent` naming (owner, task id) of an in-flight task it handles renews its lease. */
  renew(agent: string, owner: string, taskId: string): boolean {
    const task = this.#d.book.registry.peek(taskId);
    if (task === undefined || task.owner !== owner || task.state !== 'in-flight' || task.handler !== agent) return false;
    this.#d.book.registry.set({ ...task, leaseUntil: this.#d.clock.now() + this.#d.limits.task_lease_ms });
    return true;
  }

  /** TSK-13: cancels `root` (by the owner's `env`) and its open descendants; the caller commits with `env`. */
  cancel(root: LiveTask, env: Envelope): TaskEffects {
    const { book, key, clock } = this.#d;
    const now = clock.now();
    const withdrawn: Withdrawal[] = [];
    const notices: NoticeEffect[] = [];
    const own = this.#cancelOne(root, withdrawn);
    if (root.handler !== null && root.handler !== env.from) notices.push({ notice: taskNotice(key, root.handler, own.task, 'task-cancelled', 'CANCELLED', now) });
    const queue = book.registry.children(root.id);
    for (let sub = queue.shift(); sub !== undefined; sub = queue.shift()) {
      queue.push(...book.registry.children(sub.id));
      const t = this.#cancelOne(sub, withdrawn);
      const to = [...new Set([sub.owner, sub.handler].filter((a): a is string => a !== null && a !== env.from))];
      if (to.length === 0) to.push(sub.owner);
      for (const [i, agent] of to.entries()) {
        notices.push({ notice: taskNotice(key, agent, t.task, 'task-cancelled', 'CANCELLED', now), ...(i === 0 ? { transition: t } : {}) });
      }
    }
    return { taskId: root.id, own: [own], notices, withdrawn };
  }

  /** TSK-16: flags `thread` and tells `sender` about the revised task (own transaction). */
  needsHuman(sender: string, revised: LiveTask, thread: ThreadRecord): void {
    const { book, key, clock } = this.#d;
    book.registry.setThread(thread);
    const notice = taskNotice(key, sender, revised, 'needs-human', 'REVISION_LIMIT', clock.now(), [{ thread }],
      `thread ${thread.thread} reached max_revisions (${this.#d.limits.max_revisions})`);
    if (!this.#commit({ taskId: revised.id, own: [], notices: [{ notice }], withdrawn: [] })) book.registry.forgetThread(thread.thread);
  }

  failQueued(row: StoredEnvelope, reason: string): TaskFailure | undefined {
    const { book } = this.#d;
    const task = book.registry.get(row.id);
    if (task === undefined || task.owner !== row.sender || task.state !== 'queued') return undefined;
    const t = book.change(task, { state: 'failed', reason, ...ENDED }, { reason });
    return {
      taskId: task.id, write: t.write,
      done: (committed, cause) => {
        if (committed && cause !== undefined) book.committed(t, { type: 'notice', sender: cause.envelope.from, id: cause.envelope.id, seq: cause.seq });
        else book.failed(t);
      },
    };
  }

  #cancelOne(task: LiveTask, withdrawn: Withdrawal[]): Transition {
    const w = this.#d.effects.withdraw(task);
    if (w !== undefined) withdrawn.push(w);
    return this.#d.book.change(task, { state: 'cancelled', reason: 'CANCELLED', ...ENDED }, {
      reason: 'CANCELLED', ...(w === undefined ? {} : { extra: { withdraw: [w.seq] } }),
    });
  }

  #fail(task: LiveTask, reason: string): void {
    const { book, key, clock } = this.#d;
    const w = this.#d.effects.withdraw(task);
    const t = book.change(task, { state: 'failed', reason, ...ENDED }, { reason, ...(w === undefined ? {} : { extra: { withdraw: [w.seq] } }) });
    const notices: NoticeEffect[] = [{ notice: taskNotice(key, task.owner, t.task, 'task-failed', reason, clock.now()), transition: t }];
    if (task.handler !== null && task.handler !== task.owner) notices.push({ notice: taskNotice(key, task.handler, t.task, 'task-failed', reason, clock.now()) });
    this.#commit({ taskId: task.id, own: [], notices, withdrawn: w === undefined ? [] : [w] });
  }

  #requeue(task: LiveTask): void {
    const { book, key, clock, store, router } = this.#d;
    const row = store.envelopeAt(task.requestSeq);
    if (row === undefined) return this.#fail(task, 'HANDLER_LOST');
    const cap = capName(task.to);
    const lost = task.handler ?? '';
    const recipient = cap === undefined ? task.to : (router.choose(cap, { exclude: new Set([lost]) }) ?? lost);
    const t = book.change(task, { state: 'queued', handler: null, ...ENDED }, { reason: 'HANDLER_LOST', extra: { requeue: { seq: row.seq, recipient } } });
    const notice = taskNotice(key, task.owner, t.task, 'task-requeued', 'HANDLER_LOST', clock.now());
    if (this.#commit({ taskId: task.id, own: [], notices: [{ notice, transition: t }], withdrawn: [] })) {
      this.#d.engine.redriven({ ...row, recipient, status: 'pending', attempts: 0, lastError: null }, cap === undefined ? undefined : lost);
    }
  }

  /** Writes the effects' notices (with their transitions) in one transaction. @returns true when committed. */
  #commit(e: TaskEffects): boolean {
    let seqs: number[];
    try {
      seqs = this.#d.store.commitBatch(this.#d.effects.noticeWrites(e));
    } catch (err) {
      this.#d.log.error({ err, task: e.taskId }, 'could not write a task transition; retrying on the next sweep');
      this.#d.effects.failed(e);
      return false;
    }
    this.#d.effects.committed(e, undefined, seqs);
    return true;
  }
}
