// Unit tests of the SQLite store's delivery state against real database files: migration of a data directory
// written by the previous version, dead letter + notice in one transaction (DLV-6), redrive/purge (DLQ-3,
// DLQ-4), lazily written counters, the sweep queries, the dedupe-window prune (RPL-3) and the retention of task
// envelopes (TSK-21), also in a data directory of the previous prune layout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.ts';
import type { BatchWrite, TaskRow } from './store.ts';

let dir: string;
let path: string;
let store: SqliteStore | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-store-test-'));
  path = join(dir, 'baton.sqlite');
});
afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function open(): SqliteStore {
  store = new SqliteStore(path, 'normal');
  return store;
}

function write(id: string, o: Partial<BatchWrite> = {}): BatchWrite {
  return {
    sender: 'did:key:zA', id, type: 'message', to: 'did:key:zB', recipient: 'did:key:zB', digest: `d-${id}`,
    json: `{"id":"${id}"}`, acceptedAt: 1_000, exp: null, ...o,
  };
}

/** A completed task (or an open one with `endedAt` null) as the task book would create it. */
function task(id: string, endedAt: number | null): Omit<TaskRow, 'requestSeq'> {
  return {
    id, owner: 'did:key:zA', handler: null, capability: 'work.do', to: 'cap:work.do', state: endedAt === null ? 'queued' : 'completed',
    input: '{}', brief: null, deadline: null, attempts: 0, revision: 0, parent: null, thread: null, idempotencyKey: null,
    fingerprint: 'f', reviseOf: null, question: null, result: null, reason: null, lateResults: 0, events: 0, leaseUntil: null,
    createdAt: 1_000, updatedAt: endedAt ?? 1_000, endedAt,
  };
}

/** A settled (never delivered) envelope of task `taskId`, accepted at 1 s. */
function taskEnvelope(id: string, taskId: string, create?: Omit<TaskRow, 'requestSeq'>): BatchWrite {
  return write(id, { recipient: null, taskId, ...(create === undefined ? {} : { tasks: [{ create }] }) });
}

/** The envelopes table and a few rows exactly as the previous relay version wrote them. */
const OLD_SCHEMA = `
CREATE TABLE envelopes (seq INTEGER PRIMARY KEY AUTOINCREMENT, sender TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
  to_field TEXT NOT NULL, recipient TEXT, digest TEXT NOT NULL, json TEXT NOT NULL, accepted_at INTEGER NOT NULL, exp INTEGER,
  status TEXT NOT NULL, delivered_at INTEGER, UNIQUE (sender, id));
CREATE INDEX envelopes_pending ON envelopes (recipient, seq) WHERE status = 'pending';
INSERT INTO envelopes (sender, id, type, to_field, recipient, digest, json, accepted_at, exp, status)
  VALUES ('did:key:zA', 'old-pending', 'message', 'did:key:zB', 'did:key:zB', 'd1', '{}', 10, NULL, 'pending'),
         ('did:key:zA', 'old-expired', 'message', 'did:key:zB', 'did:key:zB', 'd2', '{}', 20, 25, 'expired'),
         ('did:key:zA', 'old-done', 'message', 'did:key:zB', 'did:key:zB', 'd3', '{}', 30, NULL, 'delivered');
`;

describe('SqliteStore', () => {
  it('migrates a data directory of the previous version: new columns, expired -> dead EXPIRED', () => {
    const old = new DatabaseSync(path);
    old.exec(OLD_SCHEMA);
    old.close();
    const s = open();
    expect(s.findEnvelope('did:key:zA', 'old-pending')).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(s.findDead(2)).toMatchObject({ id: 'old-expired', status: 'dead', reason: 'EXPIRED', deadAt: 25, attempts: 0 });
    expect(s.findEnvelope('did:key:zA', 'old-done')?.status).toBe('delivered');
    expect(s.nextPending('did:key:zB', 0, 10).map((e) => e.id)).toEqual(['old-pending']);
    s.close();
    // opening again is a no-op
    expect(open().listDead({ limit: 10 }).map((e) => e.id)).toEqual(['old-expired']);
  });

  it('writes a dead letter and its notice in one transaction, and neither when the notice cannot be stored', () => {
    const s = open();
    const [seq, other] = s.commitBatch([write('e1'), write('e2')]) as [number, number];
    const notice = (id: string): BatchWrite => write(id, { sender: 'did:key:zRelay', type: 'notice', to: 'did:key:zA', recipient: 'did:key:zA' });
    const lastError = { code: 'TIMEOUT', message: 'no receipt' };
    const [done] = s.deadLetter([{ seq, reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 5, lastError, deadAt: 2_000, notice: notice('n1') }]);
    expect(done).toEqual({ dead: true, noticeSeq: expect.any(Number) });
    expect(s.findDead(seq)).toMatchObject({ reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 5, lastError, deadAt: 2_000 });
    expect(s.envelopeAt(done?.noticeSeq ?? 0)).toMatchObject({ type: 'notice', recipient: 'did:key:zA', status: 'pending' });
    // not pending any more: nothing changes, no second notice
    expect(s.deadLetter([{ seq, reason: 'EXPIRED', attempts: 5, lastError: null, deadAt: 3_000, notice: notice('n2') }]))
      .toEqual([{ dead: false, noticeSeq: null }]);
    // a notice that violates UNIQUE (sender, id) rolls the dead letter back too
    expect(() => s.deadLetter([{ seq: other, reason: 'EXPIRED', attempts: 1, lastError: null, deadAt: 3_000, notice: notice('n1') }])).toThrow();
    expect(s.envelopeAt(other)?.status).toBe('pending');
    expect(s.unsettledCounts()).toEqual(new Map([['did:key:zA', 1]]));
    expect(s.pendingCounts()).toEqual(new Map([['did:key:zB', 1], ['did:key:zA', 1]]));
  });

  it('records lazy counters only for pending envelopes; redrive resets them; purge keeps the row', () => {
    const s = open();
    const [seq] = s.commitBatch([write('e1')]) as [number];
    s.commitBatch([], [{ seq, attempts: 3, nextAttemptAt: 9_000, lastError: { code: 'BUSY', message: 'later' } }]);
    expect(s.envelopeAt(seq)).toMatchObject({ attempts: 3, lastError: { code: 'BUSY', message: 'later' } });
    s.deadLetter([{ seq, reason: 'BUSY', attempts: 3, lastError: null, deadAt: 5 }]);
    s.commitBatch([], [{ seq, attempts: 9, nextAttemptAt: null, lastError: null }]);
    expect(s.findDead(seq)?.attempts).toBe(3);
    expect(s.redrive(seq)).toBe(true);
    expect(s.envelopeAt(seq)).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(s.redrive(seq)).toBe(false);
    s.deadLetter([{ seq, reason: 'EXPIRED', attempts: 0, lastError: null, deadAt: 6 }]);
    expect(s.purge(seq)).toBe(true);
    expect(s.purge(seq)).toBe(false);
    expect(s.findDead(seq)).toBeUndefined();
    expect(s.findEnvelope('did:key:zA', 'e1')?.status).toBe('purged');
  });

  it('finds expired, aged and due capability-routed envelopes for the sweeps', () => {
    const s = open();
    s.commitBatch([
      write('soon', { exp: 5_000 }), write('later', { exp: 50_000, acceptedAt: 4_000 }),
      write('cap', { to: 'cap:work.do', recipient: 'did:key:zP', acceptedAt: 2_000 }),
    ]);
    expect(s.expiredPending(5_000, 10).map((e) => e.id)).toEqual(['soon']);
    expect(s.agedPending(2_000, 10).map((e) => e.id)).toEqual(['soon', 'cap']);
    expect(s.capHolders()).toEqual(['did:key:zP']);
    const cap = s.findEnvelope('did:key:zA', 'cap');
    s.commitBatch([], [{ seq: cap?.seq ?? 0, attempts: 1, nextAttemptAt: 10_000, lastError: null }]);
    expect(s.dueCapPending('did:key:zP', 9_999, 10)).toEqual([]);
    expect(s.dueCapPending('did:key:zP', 10_000, 10)?.map((e) => e.id)).toEqual(['cap']);
    expect(s.dueCapPending('did:key:zB', 10_000, 10)).toBeUndefined();
    s.reroute(cap?.seq ?? 0, 'did:key:zQ');
    expect(s.dueCapPending('did:key:zP', 10_000, 10)).toBeUndefined();
  });

  it('prunes settled envelopes older than the window with their forwarded receipts; keeps pending and dead ones', () => {
    const s = open();
    const [delivered, pending, dead, fresh] = s.commitBatch([
      write('delivered'), write('pending'), write('dead'), write('fresh', { acceptedAt: 9_000 }),
    ]) as [number, number, number, number];
    s.commitBatch([
      write('r1', { sender: 'did:key:zB', type: 'receipt', to: 'did:key:zA', recipient: null, receipt: { forSender: 'did:key:zA', forId: 'delivered', forwarded: true } }),
      write('r2', { sender: 'did:key:zB', type: 'receipt', to: 'did:key:zA', recipient: null, acceptedAt: 9_000, receipt: { forSender: 'did:key:zA', forId: 'fresh', forwarded: false } }),
    ]);
    s.deadLetter([{ seq: dead, reason: 'EXPIRED', attempts: 0, lastError: null, deadAt: 1_500 }]);
    expect(s.prune(5_000, 1)).toBe(1);
    expect(s.prune(5_000, 100)).toBe(1); // the other settled row accepted before 5 s: receipt r1
    expect(s.prune(5_000, 100)).toBe(0);
    expect(s.envelopeAt(delivered)).toBeUndefined();
    expect(s.envelopeAt(pending)?.status).toBe('pending');
    expect(s.envelopeAt(dead)?.status).toBe('dead');
    expect(s.envelopeAt(fresh)?.status).toBe('delivered');
    expect(s.unforwardedReceipts('did:key:zA', 10).map((r) => r.forId)).toEqual(['fresh']);
  });

  it('keeps only receipts still owed to an offline sender; the latest receipt for an envelope wins (ACK-4)', () => {
    const s = open();
    const receipt = (id: string, forId: string, forwarded: boolean): BatchWrite =>
      write(id, { sender: 'did:key:zB', type: 'receipt', to: 'did:key:zA', recipient: null, json: `{"id":"${id}"}`, receipt: { forSender: 'did:key:zA', forId, forwarded } });
    const owed = (): string[] => s.unforwardedReceipts('did:key:zA', 10).map((r) => `${r.forId}:${r.receiptJson}`);
    s.commitBatch([write('m1'), write('m2'), receipt('r1', 'm1', false), receipt('r2', 'm2', true)]);
    expect(owed()).toEqual(['m1:{"id":"r1"}']);
    s.commitBatch([receipt('r3', 'm1', false)]);
    expect(owed()).toEqual(['m1:{"id":"r3"}']);
    s.commitBatch([receipt('r4', 'm1', true)]);
    expect(owed()).toEqual([]);
    expect(s.findEnvelope('did:key:zA', 'm1')?.status).toBe('delivered');
  });

  it('keeps the envelopes of a stored task past the dedupe window and prunes them once the task is pruned (TSK-21)', () => {
    const s = open();
    s.commitBatch([
      taskEnvelope('ended-req', 't-ended', task('t-ended', 2_000)), taskEnvelope('ended-result', 't-ended'),
      taskEnvelope('open-req', 't-open', task('t-open', null)), write('free', { recipient: null }),
    ]);
    expect(s.prune(5_000, 100)).toBe(1);
    expect(s.findEnvelope('did:key:zA', 'free')).toBeUndefined();
    expect(s.findEnvelope('did:key:zA', 'ended-req')).toBeDefined();
    expect(s.pruneTasks(3_000, 10)).toBe(1);
    expect(s.getTask('t-ended')).toBeUndefined();
    expect(s.prune(5_000, 100)).toBe(2);
    expect(s.findEnvelope('did:key:zA', 'ended-result')).toBeUndefined();
    expect(s.findEnvelope('did:key:zA', 'open-req')).toBeDefined();
    expect(s.getTask('t-open')).toBeDefined();
  });

  it('replaces the task indexes of an older data directory; listings read theirs in id order', () => {
    open().commitBatch([taskEnvelope('req', 't-1', task('t-1', null))]);
    store?.close();
    const db = new DatabaseSync(path);
    db.exec(`DROP INDEX tasks_thread_id; DROP INDEX tasks_owner_id; DROP INDEX tasks_handler_id; DROP INDEX task_events_acted;
      CREATE INDEX task_events_sender ON task_events (cause_sender, task);
      CREATE INDEX tasks_thread ON tasks (thread); CREATE INDEX tasks_parent ON tasks (parent);
      CREATE INDEX tasks_owner ON tasks (owner); CREATE INDEX tasks_handler ON tasks (handler);`);
    db.close();
    const s = open();
    const check = new DatabaseSync(path);
    const indexes = (check.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'tasks_%'`)
      .all() as { name: string }[]).map((r) => r.name).sort();
    expect(indexes).toEqual(['tasks_ended', 'tasks_handler_id', 'tasks_key', 'tasks_open', 'tasks_owner_id', 'tasks_thread_id']);
    const eventIndexes = (check.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'task_events_%'`)
      .all() as { name: string }[]).map((r) => r.name);
    expect(eventIndexes).toEqual(['task_events_acted']);
    const plan = (sql: string, ...params: string[]): string => (check.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params) as { detail: string }[]).map((r) => r.detail).join('; ');
    for (const col of ['owner', 'handler', 'thread']) {
      const p = plan(`SELECT id FROM tasks t WHERE t.${col} = ? AND t.id > ? ORDER BY t.id LIMIT 10`, 'x', 'y');
      expect(p).toMatch(new RegExp(`USING (COVERING )?INDEX tasks_${col}_id \\(${col}=\\? AND id>\\?\\)`));
      expect(p).not.toMatch(/TEMP B-TREE/);
    }
    const acted = plan(`SELECT DISTINCT e.task FROM task_events e WHERE e.cause_sender = ? AND e.cause_type IN ('receipt', 'update', 'result')
      AND e.task > ? ORDER BY e.task LIMIT 10`, 'x', 'y');
    expect(acted).toMatch(/USING (COVERING )?INDEX task_events_acted \(cause_sender=\? AND task>\?\)/);
    check.close();
    expect(s.getTask('t-1')).toBeDefined();
  });

  it('writes a task update without its handler when the write says the handler is unchanged', () => {
    const s = open();
    s.commitBatch([taskEnvelope('req', 't-1', { ...task('t-1', null), handler: 'did:key:zB' })]);
    const update = (handler: string, handlerChanged: boolean | undefined, state: 'in-flight' | 'completed'): BatchWrite =>
      write(`u-${state}-${String(handlerChanged)}`, { recipient: null, taskId: 't-1', tasks: [{ update: {
        id: 't-1', state, handler, attempts: 1, deadline: null, leaseUntil: null, question: null, result: null, reason: null,
        lateResults: 0, events: 1, updatedAt: 2_000, endedAt: null, ...(handlerChanged === undefined ? {} : { handlerChanged }),
      } }] });
    s.commitBatch([update('did:key:zC', false, 'in-flight')]);
    expect(s.getTask('t-1')).toMatchObject({ handler: 'did:key:zB', state: 'in-flight' });
    s.commitBatch([update('did:key:zC', undefined, 'completed')]);
    expect(s.getTask('t-1')).toMatchObject({ handler: 'did:key:zC', state: 'completed' });
  });

  it('lists the tasks an agent owns, handles or acted on, page by page, with the other filters (TSK-18)', () => {
    const s = open();
    const agents = ['did:key:zA', 'did:key:zB', 'did:key:zC'];
    const states = ['queued', 'in-flight', 'completed'] as const;
    const rows: { id: string; owner: string; handler: string | null; state: string; thread: string | null; actors: string[] }[] = [];
    const writes: BatchWrite[] = [];
    for (let i = 0; i < 120; i++) {
      const id = `t-${String(i).padStart(3, '0')}`;
      const owner = agents[i % 3]!;
      const handler = i % 4 === 0 ? null : agents[(i * 2 + 1) % 3]!;
      const state = states[i % 3]!;
      const thread = i % 5 === 0 ? 'th-1' : null;
      // an update or result sent by an agent that is neither owner nor handler (a delegate that handled it before)
      const actor = agents[(i + 2) % 3]!;
      const acts = i % 2 === 0 && actor !== owner && actor !== handler;
      rows.push({ id, owner, handler, state, thread, actors: acts ? [actor] : [] });
      writes.push(write(`req-${id}`, { recipient: null, taskId: id, tasks: [{ create: { ...task(id, null), owner, handler, state, thread } }] }));
      if (acts) {
        // two events from the actor (an update, then a result): the task is listed once
        for (const [n, type] of [[2, 'update'], [3, 'result']] as const) {
          writes.push(write(`${type}-${id}`, {
            sender: actor, type, recipient: null, taskId: id,
            tasks: [{ event: { task: id, n, at: 1_000, from: 'queued', to: state, reason: null, late: false } }],
          }));
        }
      }
    }
    s.commitBatch(writes);
    const visible = (a: string) => (r: (typeof rows)[number]): boolean => r.owner === a || r.handler === a || r.actors.includes(a);
    // each way of being visible occurs (the events one alone for some tasks)
    expect(rows.filter((r) => r.actors.length > 0).length).toBeGreaterThan(10);
    expect(rows.filter((r) => r.handler !== null && r.handler !== r.owner).length).toBeGreaterThan(10);
    for (const agent of agents) {
      for (const extra of [{}, { state: 'in-flight' as const }, { thread: 'th-1' }, { owner: 'did:key:zB' }, { handler: 'did:key:zC' }]) {
        const expected = rows.filter(visible(agent)).filter((r) => Object.entries(extra).every(([k, v]) => r[k as 'state'] === v)).map((r) => r.id);
        // page through with a small limit: every page in id order, nothing skipped or repeated
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = s.listTasks({ visibleTo: agent, ...extra, limit: 7, ...(after === undefined ? {} : { after }) }).map((t) => t.id);
          seen.push(...page);
          if (page.length < 7) break;
          after = page.at(-1);
        }
        expect(seen).toEqual(expected);
      }
      expect(s.listTasks({ owner: agent, limit: 1_000 }).map((t) => t.id)).toEqual(rows.filter((r) => r.owner === agent).map((r) => r.id));
      expect(s.listTasks({ handler: agent, after: 't-050', limit: 5 }).map((t) => t.id))
        .toEqual(rows.filter((r) => r.handler === agent && r.id > 't-050').slice(0, 5).map((r) => r.id));
    }
  });

  it('moves a data directory of the previous prune layout over: envelopes of already pruned tasks become prunable', () => {
    open().commitBatch([
      taskEnvelope('kept', 't-kept', task('t-kept', 9_000)), taskEnvelope('orphan', 't-gone'), write('free', { recipient: null }),
    ]);
    store?.close();
    const db = new DatabaseSync(path);
    db.exec(`DROP INDEX envelopes_settled_free; DROP INDEX envelopes_task;
      CREATE INDEX envelopes_settled ON envelopes (accepted_at) WHERE status IN ('delivered', 'purged');`);
    db.close();
    const s = open();
    const indexes = (new DatabaseSync(path).prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'envelopes_%'`)
      .all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toContain('envelopes_settled_free');
    expect(indexes).not.toContain('envelopes_settled');
    expect(s.prune(5_000, 100)).toBe(2);
    expect(s.findEnvelope('did:key:zA', 'orphan')).toBeUndefined();
    expect(s.findEnvelope('did:key:zA', 'kept')).toBeDefined();
  });
});
