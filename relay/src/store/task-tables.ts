/**
 * SQLite statements of the task tables (SPEC TSK-1, TSK-14, TSK-16, TSK-18, TSK-21): writing a task change
 * inside the caller's transaction (the causing envelope's, ACK-1), loading open tasks at start, single-task
 * and listing reads, the idempotency lookup, thread counters, and the retention prune. The tables themselves
 * are created by schema.ts.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { TaskState } from '@baton/spec';
import type { StoredTaskEvent, TaskMutable, TaskRow, TaskSelect, TaskWrite, ThreadRecord } from './task-records.ts';
import { LIMIT_PARAM } from './sql-limit.ts';

const TASK_COLS = `id, owner, handler, capability, to_field, state, input, brief, deadline, attempts, revision, parent,
  thread, idempotency_key, fingerprint, revise_of, question, result, reason, late_results, events, lease_until,
  request_seq, created_at, updated_at, ended_at`;

type Sql = string | number | null;

interface RawTask {
  id: string; owner: string; handler: string | null; capability: string; to_field: string; state: string;
  input: string; brief: string | null; deadline: number | null; attempts: number; revision: number;
  parent: string | null; thread: string | null; idempotency_key: string | null; fingerprint: string;
  revise_of: string | null; question: string | null; result: string | null; reason: string | null;
  late_results: number; events: number; lease_until: number | null; request_seq: number; created_at: number;
  updated_at: number; ended_at: number | null;
}

interface RawEvent {
  task: string; n: number; at: number; from_state: string | null; to_state: string; cause_type: string;
  cause_sender: string; cause_id: string; cause_seq: number; reason: string | null; late: number;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function toTask(r: RawTask): TaskRow {
  return {
    id: r.id, owner: r.owner, handler: r.handler, capability: r.capability, to: r.to_field, state: r.state as TaskState,
    input: r.input, brief: r.brief, deadline: num(r.deadline), attempts: Number(r.attempts), revision: Number(r.revision),
    parent: r.parent, thread: r.thread, idempotencyKey: r.idempotency_key, fingerprint: r.fingerprint, reviseOf: r.revise_of,
    question: r.question, result: r.result, reason: r.reason, lateResults: Number(r.late_results), events: Number(r.events),
    leaseUntil: num(r.lease_until), requestSeq: Number(r.request_seq), createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at), endedAt: num(r.ended_at),
  };
}

function toEvent(r: RawEvent): StoredTaskEvent {
  return {
    task: r.task, n: Number(r.n), at: Number(r.at), from: r.from_state as TaskState | null, to: r.to_state as TaskState,
    reason: r.reason, late: Number(r.late) === 1, causeType: r.cause_type, causeSender: r.cause_sender,
    causeId: r.cause_id, causeSeq: Number(r.cause_seq),
  };
}

/** The columns an update writes besides `handler`, in the order of {@link mutable}. */
const UPDATE_SET = `state = ?, attempts = ?, deadline = ?, lease_until = ?, question = ?, result = ?, reason = ?, late_results = ?,
  events = ?, updated_at = ?, ended_at = ?`;

function mutable(m: TaskMutable): Sql[] {
  return [m.state, m.attempts, m.deadline, m.leaseUntil, m.question, m.result, m.reason, m.lateResults, m.events, m.updatedAt, m.endedAt];
}

/** The cause of a task event: the envelope written with it. */
export interface TaskCauseRef {
  readonly type: string;
  readonly sender: string;
  readonly id: string;
  readonly seq: number;
}

/** Prepared task statements over one database. */
export class SqliteTasks {
  readonly #db: DatabaseSync;
  readonly #s: Record<string, StatementSync>;

  constructor(db: DatabaseSync) {
    this.#db = db;
    const p = (sql: string): StatementSync => db.prepare(sql);
    this.#s = {
      insert: p(`INSERT INTO tasks (${TASK_COLS}) VALUES (${Array(26).fill('?').join(', ')})`),
      update: p(`UPDATE tasks SET handler = ?, ${UPDATE_SET} WHERE id = ?`),
      // SQLite rewrites an index whose column is SET even to its old value: one WAL frame per commit saved
      updateKeepHandler: p(`UPDATE tasks SET ${UPDATE_SET} WHERE id = ?`),
      event: p(`INSERT INTO task_events (task, n, at, from_state, to_state, cause_type, cause_sender, cause_id, cause_seq, reason, late)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      thread: p(`INSERT INTO threads (thread, revisions, flagged_at) VALUES (?, ?, ?)
        ON CONFLICT (thread) DO UPDATE SET revisions = excluded.revisions, flagged_at = excluded.flagged_at`),
      withdraw: p(`UPDATE envelopes SET status = 'delivered', delivered_at = ?, next_attempt_at = NULL WHERE seq = ? AND status = 'pending'`),
      requeue: p(`UPDATE envelopes SET status = 'pending', recipient = ?, attempts = 0, next_attempt_at = NULL, last_error_code = NULL,
        last_error_message = NULL WHERE seq = ?`),
      open: p(`SELECT ${TASK_COLS} FROM tasks WHERE ended_at IS NULL`),
      get: p(`SELECT ${TASK_COLS} FROM tasks WHERE id = ?`),
      events: p('SELECT * FROM task_events WHERE task = ? ORDER BY n'),
      byKey: p(`SELECT ${TASK_COLS} FROM tasks WHERE owner = ? AND idempotency_key = ? AND created_at >= ? ORDER BY created_at DESC LIMIT 1`),
      getThread: p('SELECT thread, revisions, flagged_at FROM threads WHERE thread = ?'),
      endedBefore: p(`SELECT id FROM tasks WHERE ended_at IS NOT NULL AND ended_at < ? ${LIMIT_PARAM}`),
      deleteTask: p('DELETE FROM tasks WHERE id = ?'),
      deleteEvents: p('DELETE FROM task_events WHERE task = ?'),
      detachEnvelopes: p('UPDATE envelopes SET task = NULL WHERE task = ?'),
    };
  }

  #st(name: string): StatementSync {
    const st = this.#s[name];
    if (st === undefined) throw new Error(`unknown statement ${name}`);
    return st;
  }

  /** Writes one task change caused by the envelope `cause` (inside the caller's transaction). */
  write(w: TaskWrite, cause: TaskCauseRef, now: number): void {
    const c = w.create;
    if (c !== undefined) {
      this.#st('insert').run(c.id, c.owner, c.handler, c.capability, c.to, c.state, c.input, c.brief, c.deadline, c.attempts,
        c.revision, c.parent, c.thread, c.idempotencyKey, c.fingerprint, c.reviseOf, c.question, c.result, c.reason,
        c.lateResults, c.events, c.leaseUntil, cause.seq, c.createdAt, c.updatedAt, c.endedAt);
    }
    const u = w.update;
    if (u !== undefined) {
      if (u.handlerChanged === false) this.#st('updateKeepHandler').run(...mutable(u), u.id);
      else this.#st('update').run(u.handler, ...mutable(u), u.id);
    }
    const e = w.event;
    if (e !== undefined) {
      this.#st('event').run(e.task, e.n, e.at, e.from, e.to, cause.type, cause.sender, cause.id, cause.seq, e.reason, e.late ? 1 : 0);
    }
    if (w.thread !== undefined) this.#st('thread').run(w.thread.thread, w.thread.revisions, w.thread.flaggedAt);
    for (const seq of w.withdraw ?? []) this.#st('withdraw').run(now, seq);
    if (w.requeue !== undefined) this.#st('requeue').run(w.requeue.recipient, w.requeue.seq);
  }

  /** Every task that is not terminal (loaded at start). */
  openTasks(): TaskRow[] {
    return (this.#st('open').all() as unknown as RawTask[]).map(toTask);
  }

  getTask(id: string): TaskRow | undefined {
    const row = this.#st('get').get(id) as RawTask | undefined;
    return row === undefined ? undefined : toTask(row);
  }

  taskEvents(id: string): StoredTaskEvent[] {
    return (this.#st('events').all(id) as unknown as RawEvent[]).map(toEvent);
  }

  /** The newest task of `owner` with idempotency key `key` created at or after `since` (TSK-14). */
  taskByKey(owner: string, key: string, since: number): TaskRow | undefined {
    const row = this.#st('byKey').get(owner, key, since) as RawTask | undefined;
    return row === undefined ? undefined : toTask(row);
  }

  thread(thread: string): ThreadRecord | undefined {
    const row = this.#st('getThread').get(thread) as { thread: string; revisions: number; flagged_at: number | null } | undefined;
    return row === undefined ? undefined : { thread: row.thread, revisions: Number(row.revisions), flaggedAt: num(row.flagged_at) };
  }

  /**
   * Tasks matching `q`, ascending id, at most `q.limit`. Each filter with an index of its own (owner, handler,
   * thread: each indexed with `id` after it) is read in id order from `after` on and stops at the limit, so a
   * page costs about its size, not the number of tasks that match (bench/HISTORY.md round 8: 40-97 ms per page of
   * 100 for an agent with 100,000 tasks before). `visibleTo` is the union of three such reads: tasks it owns,
   * tasks it handles and tasks it sent a receipt, update or result for (the partial index `task_events_acted`,
   * whose condition the query repeats word for word so that SQLite uses it), each cut at the limit before the
   * union.
   */
  listTasks(q: TaskSelect): TaskRow[] {
    const filters: string[] = [];
    const values: Sql[] = [];
    const eq = (col: string, v: string | undefined): void => {
      if (v === undefined) return;
      filters.push(`t.${col} = ?`);
      values.push(v);
    };
    eq('owner', q.owner);
    eq('handler', q.handler);
    eq('state', q.state);
    eq('thread', q.thread);
    // `after` is written per read: on the events read it must bound e.task, which that read's index orders by
    const after = (col: string): { sql: string; values: Sql[] } =>
      q.after === undefined ? { sql: '', values: [] } : { sql: ` AND ${col} > ?`, values: [q.after] };
    const and = filters.map((f) => ` AND ${f}`).join('');
    let sql: string;
    let params: Sql[];
    if (q.visibleTo === undefined) {
      const a = after('t.id');
      sql = `SELECT ${TASK_COLS} FROM tasks t WHERE 1 = 1${and}${a.sql} ORDER BY t.id ${LIMIT_PARAM}`;
      params = [...values, ...a.values, q.limit];
    } else {
      const v = q.visibleTo;
      const t = after('t.id');
      const e = after('e.task');
      sql = `SELECT ${TASK_COLS} FROM tasks WHERE id IN (
        SELECT id FROM (SELECT t.id FROM tasks t WHERE t.owner = ?${and}${t.sql} ORDER BY t.id ${LIMIT_PARAM})
        UNION ALL SELECT id FROM (SELECT t.id FROM tasks t WHERE t.handler = ?${and}${t.sql} ORDER BY t.id ${LIMIT_PARAM})
        UNION ALL SELECT id FROM (SELECT DISTINCT e.task AS id FROM task_events e JOIN tasks t ON t.id = e.task
          WHERE e.cause_sender = ? AND e.cause_type IN ('receipt', 'update', 'result')${and}${e.sql} ORDER BY e.task ${LIMIT_PARAM})
      ) ORDER BY id ${LIMIT_PARAM}`;
      params = [v, ...values, ...t.values, q.limit, v, ...values, ...t.values, q.limit, v, ...values, ...e.values, q.limit, q.limit];
    }
    return (this.#db.prepare(sql).all(...params) as unknown as RawTask[]).map(toTask);
  }

  /** Deletes at most `limit` tasks that ended before `before`, with their events (TSK-21). @returns how many. */
  pruneTasks(before: number, limit: number): number {
    const ids = (this.#st('endedBefore').all(before, limit) as { id: string }[]).map((r) => r.id);
    for (const id of ids) {
      this.#st('deleteEvents').run(id);
      this.#st('deleteTask').run(id);
      this.#st('detachEnvelopes').run(id);
    }
    return ids.length;
  }
}
