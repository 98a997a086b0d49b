/**
 * Tasks as the HTTP API and the CLI see them (SPEC TSK-18): one task with its history, and filtered pages of
 * tasks. The relay core implements it; the HTTP routes only add authentication and authorization (an agent
 * sees the tasks it owns or handles or has handled; the operator token sees all).
 */
import type { Task, TaskState } from '@baton/spec';

/** A listing query; every filter is optional and they combine with AND. */
export interface TaskQuery {
  readonly owner?: string;
  readonly handler?: string;
  readonly state?: TaskState;
  readonly thread?: string;
  /**
   * Restricts the listing to tasks this agent owns, handles or has handled (an agent caller; absent for the
   * operator).
   */
  readonly visibleTo?: string;
  /** Only tasks with `id > after` (UUIDv7 ids sort by creation time). */
  readonly after?: string;
  /** 1..1000. */
  readonly limit: number;
}

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
