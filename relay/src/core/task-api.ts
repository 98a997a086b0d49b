/**
 * Tasks as the HTTP API and the CLI see them (SPEC TSK-18): one task with its history, and filtered pages of
 * tasks. The relay core implements it; the HTTP routes only add authentication and authorization (an agent
 * sees the tasks it owns or handles or has handled; the operator token sees all).
 */
import type { Task } from '@baton/spec';
import type { TaskSelect } from '../store/store.ts';

/**
 * A listing query (the store's {@link TaskSelect}): `owner`, `handler`, `state`, `thread` combine with AND;
 * `visibleTo` restricts to tasks that agent owns, handles or has handled (agent callers; absent for the
 * operator); `after` = only ids greater than it (UUIDv7 ids sort by creation); `limit` 1..1000.
 */
export type TaskQuery = TaskSelect;

/** One page of tasks, ascending id, without their events. */
export interface TaskPage {
  readonly tasks: Task[];
  /** Pass as `after` to get the next page; absent on the last page. */
  readonly next?: string;
}

/** Task queries. */
export interface TaskApi {
  /** The task with its `events` (its history), or undefined when the relay holds no task with that id. */
  get(id: string): Task | undefined;
  /** True when `agent` owns the task or is or was its handler (authorization of GET /v1/tasks/<id>). */
  isParty(task: Task, agent: string): boolean;
  list(query: TaskQuery): TaskPage;
}
