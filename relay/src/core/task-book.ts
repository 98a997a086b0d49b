/**
 * Task transitions (SPEC TSK-1..TSK-3): turns a decided transition into the new in-memory task, the store
 * write that rides on the causing envelope (TaskWrite: one INSERT for a new task, one UPDATE and one event
 * per transition), and, once committed, the live event (TSK-19). A failed commit reloads the task from the
 * store. The decision itself (which transition is allowed) is `applyTaskCause` from @baton/spec, called by
 * the checks; this module only records.
 */
import { isTerminal, type TaskEvent, type TaskState, type TaskSummary } from '@baton/spec';
import type { TaskEventRecord, TaskMutable, TaskRow, TaskWrite } from '../store/store.ts';
import type { TaskCauseRef } from '../store/task-tables.ts';
import type { LiveTask, TaskRegistry } from './task-registry.ts';
import type { TaskWatch } from './task-watch.ts';
import type { Clock } from './types.ts';

/** One recorded change of one task, not yet committed. */
export interface Transition {
  /** The task after the change. */
  readonly task: LiveTask;
  /** The store write (attach it to the causing envelope's BatchWrite). */
  readonly write: TaskWrite;
  readonly event: TaskEventRecord | undefined;
}

/** Options of one change: the event's reason and late flag, and extra store work (thread, withdraw, requeue). */
export interface ChangeOptions {
  readonly reason?: string;
  readonly late?: boolean;
  /** False for changes that record no event (lease renewals ride on updates; a flag). @default true */
  readonly event?: boolean;
  readonly extra?: Omit<TaskWrite, 'create' | 'update' | 'event'>;
}

/** The short view of a task (task-summary.schema.json, TSK-17). */
export function taskSummary(t: LiveTask): TaskSummary {
  return {
    id: t.id, owner: t.owner, handler: t.handler, capability: t.capability, state: t.state, attempts: t.attempts,
    revision: t.revision, ...(t.thread === null ? {} : { thread: t.thread }),
  };
}

/** The wire form of an event (task-event.schema.json). */
export function taskEvent(e: TaskEventRecord, cause: TaskCauseRef): TaskEvent {
  return {
    n: e.n, at: e.at, from: e.from, to: e.to,
    cause: { type: cause.type as TaskEvent['cause']['type'], sender: cause.sender, id: cause.id, seq: cause.seq },
    ...(e.reason === null ? {} : { reason: e.reason }),
    ...(e.late ? { late: true as const } : {}),
  };
}

function mutableOf(t: LiveTask): TaskMutable {
  return {
    state: t.state, handler: t.handler, attempts: t.attempts, deadline: t.deadline, leaseUntil: t.leaseUntil,
    question: t.question, result: t.result, reason: t.reason, lateResults: t.lateResults, events: t.events,
    updatedAt: t.updatedAt, endedAt: t.endedAt,
  };
}

/** Records transitions in the registry and publishes committed ones. */
export class TaskBook {
  readonly registry: TaskRegistry;
  readonly #watch: TaskWatch;
  readonly #clock: Clock;

  constructor(registry: TaskRegistry, watch: TaskWatch, clock: Clock) {
    this.registry = registry;
    this.#watch = watch;
    this.#clock = clock;
  }

  /** A new task (queued) created by its request; `requestSeq` is set by the store at commit. */
  create(row: Omit<TaskRow, 'requestSeq' | 'events' | 'updatedAt' | 'endedAt'>, extra: ChangeOptions['extra'] = {}): Transition {
    const now = this.#clock.now();
    const full = { ...row, events: 1, updatedAt: now, endedAt: null };
    const { input: _i, brief: _b, ...rest } = full;
    const task: LiveTask = { ...rest, requestSeq: 0 };
    this.registry.set(task);
    const event: TaskEventRecord = { task: row.id, n: 1, at: now, from: null, to: row.state, reason: null, late: false };
    return { task, write: { ...extra, create: full, event }, event };
  }

  /** Applies `patch` to `before`, records one event (unless `o.event` is false) and returns the transition. */
  change(before: LiveTask, patch: Partial<TaskMutable>, o: ChangeOptions = {}): Transition {
    const now = this.#clock.now();
    const to: TaskState = patch.state ?? before.state;
    const recorded = o.event !== false;
    const ends = isTerminal(to) && !isTerminal(before.state);
    const task: LiveTask = {
      ...before, ...patch, events: before.events + (recorded ? 1 : 0), updatedAt: now, endedAt: ends ? now : before.endedAt,
    };
    this.registry.set(task);
    const event: TaskEventRecord | undefined = recorded
      ? { task: task.id, n: task.events, at: now, from: before.state, to, reason: o.reason ?? null, late: o.late === true }
      : undefined;
    const update = { id: task.id, ...mutableOf(task), handlerChanged: task.handler !== before.handler };
    return { task, event, write: { ...o.extra, update, ...(event === undefined ? {} : { event }) } };
  }

  /** The transition's envelope committed with sequence number `cause.seq`: publishes the live event (TSK-19). */
  committed(t: Transition, cause: TaskCauseRef): void {
    if (t.write.create !== undefined) {
      const current = this.registry.peek(t.task.id);
      if (current !== undefined && current.requestSeq === 0) this.registry.set({ ...current, requestSeq: cause.seq });
    }
    if (t.event !== undefined) this.#watch.publish(t.task.owner, taskSummary(t.task), taskEvent(t.event, cause));
  }

  /** The transition's commit failed: memory returns to what the store holds. */
  failed(t: Transition): void {
    this.registry.reload(t.task.id);
    if (t.write.thread !== undefined) this.registry.forgetThread(t.write.thread.thread);
  }
}
