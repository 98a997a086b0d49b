/**
 * The in-memory task registry (SPEC TSK-1..TSK-4): every open task (loaded from the store at start) plus a
 * bounded set of recently ended ones, so that the pipeline checks envelopes of one tick against each other
 * without SQL on the hot path. Transitions are applied here when an envelope is queued for commit; a failed
 * commit reloads the affected tasks from the store. Also indexes sub-tasks by parent (TSK-13), idempotency
 * keys (TSK-14) and caches thread revision counters (TSK-16).
 */
import { isTerminal } from '@baton/spec';
import type { RelayStore, TaskRow, ThreadRecord } from '../store/store.ts';

/** A task as the core keeps it: the row without the request's input and brief. */
export type LiveTask = Omit<TaskRow, 'input' | 'brief'>;

/** Ended tasks kept in memory (late results, same-tick checks); older ones are read from the store. */
export const RECENT_ENDED_MAX = 1_000;

function live(row: TaskRow): LiveTask {
  const { input: _input, brief: _brief, ...rest } = row;
  return rest;
}

const keyOf = (owner: string, key: string): string => `${owner}\u0000${key}`;

/** Open and recently ended tasks. */
export class TaskRegistry {
  readonly #store: RelayStore;
  readonly #tasks = new Map<string, LiveTask>();
  /** Ids of ended tasks held in #tasks, oldest first. */
  readonly #ended = new Set<string>();
  readonly #children = new Map<string, Set<string>>();
  readonly #byKey = new Map<string, string>();
  readonly #threads = new Map<string, ThreadRecord>();

  /** Loads every open task of `store`. */
  constructor(store: RelayStore) {
    this.#store = store;
    for (const row of store.openTasks()) this.set(live(row));
  }

  /** The task `id` from memory, else from the store (kept in memory afterwards), else undefined. */
  get(id: string): LiveTask | undefined {
    const t = this.#tasks.get(id);
    if (t !== undefined) return t;
    const row = this.#store.getTask(id);
    if (row === undefined) return undefined;
    const task = live(row);
    this.set(task);
    return task;
  }

  /** The task `id` if it is in memory (never reads the store). */
  peek(id: string): LiveTask | undefined {
    return this.#tasks.get(id);
  }

  /** Stores the new version of a task (indexes follow). */
  set(task: LiveTask): void {
    const before = this.#tasks.get(task.id);
    this.#tasks.set(task.id, task);
    if (task.idempotencyKey !== null) this.#byKey.set(keyOf(task.owner, task.idempotencyKey), task.id);
    if (task.parent !== null && before === undefined && !isTerminal(task.state)) {
      let set = this.#children.get(task.parent);
      if (set === undefined) this.#children.set(task.parent, (set = new Set()));
      set.add(task.id);
    }
    if (isTerminal(task.state)) this.#end(task);
    else if (before !== undefined && isTerminal(before.state)) this.#ended.delete(task.id);
  }

  /** Forgets what memory holds about `id` and reads it again from the store (after a failed commit). */
  reload(id: string): void {
    this.#drop(id);
    const row = this.#store.getTask(id);
    if (row !== undefined) this.set(live(row));
  }

  /** Open tasks (a snapshot: callers may change tasks while iterating). */
  open(): LiveTask[] {
    return [...this.#tasks.values()].filter((t) => !isTerminal(t.state));
  }

  /** Open sub-tasks of `id`. */
  children(id: string): LiveTask[] {
    const out: LiveTask[] = [];
    for (const c of this.#children.get(id) ?? []) {
      const t = this.#tasks.get(c);
      if (t !== undefined && !isTerminal(t.state)) out.push(t);
    }
    return out;
  }

  /** The task of `owner` with idempotency key `key` created at or after `since` (memory, then store). */
  byKey(owner: string, key: string, since: number): LiveTask | undefined {
    const id = this.#byKey.get(keyOf(owner, key));
    const t = id === undefined ? undefined : this.#tasks.get(id);
    if (t !== undefined && t.createdAt >= since) return t;
    const row = this.#store.taskByKey(owner, key, since);
    return row === undefined ? undefined : (this.#tasks.get(row.id) ?? live(row));
  }

  /** The revision counter of `thread` (cached). */
  thread(thread: string): ThreadRecord {
    let t = this.#threads.get(thread);
    if (t === undefined) {
      t = this.#store.thread(thread) ?? { thread, revisions: 0, flaggedAt: null };
      this.#threads.set(thread, t);
    }
    return t;
  }

  setThread(t: ThreadRecord): void {
    this.#threads.set(t.thread, t);
  }

  /** Drops a cached thread (after a failed commit). */
  forgetThread(thread: string): void {
    this.#threads.delete(thread);
  }

  #end(task: LiveTask): void {
    if (task.parent !== null) this.#children.get(task.parent)?.delete(task.id);
    this.#ended.delete(task.id);
    this.#ended.add(task.id);
    while (this.#ended.size > RECENT_ENDED_MAX) {
      const oldest = this.#ended.values().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
  }

  #drop(id: string): void {
    const t = this.#tasks.get(id);
    this.#tasks.delete(id);
    this.#ended.delete(id);
    if (t === undefined) return;
    if (t.idempotencyKey !== null && this.#byKey.get(keyOf(t.owner, t.idempotencyKey)) === id) this.#byKey.delete(keyOf(t.owner, t.idempotencyKey));
    if (t.parent !== null) this.#children.get(t.parent)?.delete(id);
    if (this.#children.get(id)?.size === 0) this.#children.delete(id);
  }
}
