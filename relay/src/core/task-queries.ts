/**
 * The relay's {@link TaskApi} (SPEC TSK-18): one task with its history, and filtered pages of tasks, read
 * from the store and shaped as `schemas/task.schema.json`. Authorization is the caller's job (HTTP routes).
 */
import type { Brief, ResultBody, Task, TaskEvent } from '@baton/spec';
import type { RelayStore, StoredTaskEvent, TaskRow } from '../store/store.ts';
import type { TaskApi, TaskPage, TaskQuery } from './task-api.ts';

/** Most tasks one listing returns. */
export const TASKS_MAX_LIMIT = 1000;

function toEvent(e: StoredTaskEvent): TaskEvent {
  return {
    n: e.n, at: e.at, from: e.from, to: e.to,
    cause: { type: e.causeType as TaskEvent['cause']['type'], sender: e.causeSender, id: e.causeId, seq: e.causeSeq },
    ...(e.reason === null ? {} : { reason: e.reason }),
    ...(e.late ? { late: true as const } : {}),
  };
}

/** Task reads over the store. */
export class TaskQueries implements TaskApi {
  readonly #store: RelayStore;

  constructor(store: RelayStore) {
    this.#store = store;
  }

  get(id: string): Task | undefined {
    const row = this.#store.getTask(id);
    return row === undefined ? undefined : { ...this.#view(row), events: this.#store.taskEvents(id).map(toEvent) };
  }

  isParty(task: Task, agent: string): boolean {
    if (task.owner === agent || task.handler === agent) return true;
    const events = task.events ?? this.#store.taskEvents(task.id).map(toEvent);
    return events.some((e) => e.cause.sender === agent && ['receipt', 'update', 'result'].includes(e.cause.type));
  }

  list(q: TaskQuery): TaskPage {
    const limit = Math.max(1, Math.min(TASKS_MAX_LIMIT, Math.floor(q.limit)));
    const rows = this.#store.listTasks({
      limit: limit + 1,
      ...(q.owner === undefined ? {} : { owner: q.owner }),
      ...(q.handler === undefined ? {} : { handler: q.handler }),
      ...(q.state === undefined ? {} : { state: q.state }),
      ...(q.thread === undefined ? {} : { thread: q.thread }),
      ...(q.visibleTo === undefined ? {} : { visibleTo: q.visibleTo }),
      ...(q.after === undefined ? {} : { after: q.after }),
    });
    const tasks = rows.slice(0, limit).map((r) => this.#view(r));
    const last = tasks.at(-1);
    return rows.length > limit && last !== undefined ? { tasks, next: last.id } : { tasks };
  }

  #view(r: TaskRow): Task {
    const flagged = r.thread !== null && (this.#store.thread(r.thread)?.flaggedAt ?? null) !== null;
    return {
      id: r.id, owner: r.owner, handler: r.handler, capability: r.capability, state: r.state, attempts: r.attempts,
      revision: r.revision, thread: r.thread, to: r.to, input: JSON.parse(r.input) as unknown,
      ...(r.brief === null ? {} : { brief: JSON.parse(r.brief) as Brief }),
      deadline: r.deadline, parent: r.parent, idempotency_key: r.idempotencyKey, revise_of: r.reviseOf,
      ...(r.result === null ? {} : { result: JSON.parse(r.result) as ResultBody }),
      ...(r.reason === null ? {} : { reason: r.reason }),
      late_results: r.lateResults, flagged, created_at: r.createdAt, updated_at: r.updatedAt,
    };
  }
}
