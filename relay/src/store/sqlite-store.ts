/**
 * The embedded relay store: one SQLite file through `node:sqlite` (design note 8).
 *
 * WAL journal; `synchronous=FULL` (durability 'fsync', the default) makes every COMMIT reach the disk before
 * it returns, which is what SPEC ACK-1 needs before `accepted` is sent. 'normal' trades the last commits on
 * power loss for speed. All statements are prepared once; the schema and its migration live in schema.ts.
 */
import { mkdirSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { dirname } from 'node:path';
import { migrate } from './schema.ts';
import { SqliteTasks } from './task-tables.ts';
import { inTransaction } from './transaction.ts';
import { LIMIT_PARAM } from './sql-limit.ts';
import type {
  AgentRegistration, BatchWrite, DeadLetterResult, DeadLetterRow, DeadLetterSelect, DeadLetterWrite, DeliveryUpdate,
  EnvelopeStatus, RelayStore, StoredEnvelope, StoredTaskEvent, TaskRow, TaskSelect, ThreadRecord, UnforwardedReceipt,
} from './store.ts';

/** How hard the store pushes commits to disk. */
export type Durability = 'fsync' | 'normal';

const COLS = `seq, sender, id, type, to_field, recipient, digest, json, exp, status, attempts, accepted_at, last_error_code,
  last_error_message, context`;
const DEAD_COLS = `${COLS}, dead_reason, dead_at`;
const CAP = `to_field LIKE 'cap:%'`;

interface EnvelopeRow {
  seq: number; sender: string; id: string; type: string; to_field: string; recipient: string | null; digest: string;
  json: string; exp: number | null; status: string; attempts: number; accepted_at: number;
  last_error_code: string | null; last_error_message: string | null; context: string | null;
}

interface DeadRow extends EnvelopeRow {
  dead_reason: string | null; dead_at: number | null;
}

function toStored(row: EnvelopeRow): StoredEnvelope {
  return {
    seq: Number(row.seq), sender: row.sender, id: row.id, type: row.type, to: row.to_field, recipient: row.recipient,
    digest: row.digest, json: row.json, exp: row.exp === null ? null : Number(row.exp),
    status: row.status as EnvelopeStatus, attempts: Number(row.attempts), acceptedAt: Number(row.accepted_at),
    lastError: row.last_error_code === null ? null : { code: row.last_error_code, message: row.last_error_message ?? '' },
    context: row.context ?? null,
  };
}

function toDead(row: DeadRow): DeadLetterRow {
  return {
    ...toStored(row), reason: row.dead_reason ?? 'EXPIRED', deadAt: Number(row.dead_at ?? row.accepted_at),
  };
}

/**
 * SQLite implementation of {@link RelayStore}.
 * @param path - database file; its directory is created if missing.
 * @param durability - 'fsync' (synchronous=FULL, default) or 'normal' (synchronous=NORMAL).
 */
export class SqliteStore implements RelayStore {
  readonly #db: DatabaseSync;
  readonly #s: Record<string, StatementSync>;
  readonly #tasks: SqliteTasks;

  constructor(path: string, durability: Durability = 'fsync') {
    mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec(`PRAGMA synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
    this.#db.exec('PRAGMA busy_timeout = 5000');
    migrate(this.#db);
    this.#tasks = new SqliteTasks(this.#db);
    const p = (sql: string): StatementSync => this.#db.prepare(sql);
    const insert = (status: string): StatementSync => p(`INSERT INTO envelopes
      (sender, id, type, to_field, recipient, digest, json, accepted_at, exp, context, task, status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '${status}')`);
    this.#s = {
      rememberAgent: p('INSERT OR IGNORE INTO agents (did, first_seen) VALUES (?, ?)'),
      knownAgents: p('SELECT did FROM agents'),
      registrations: p('SELECT did, handle, registration FROM agents WHERE registration IS NOT NULL'),
      handleOwner: p('SELECT did FROM handles WHERE handle = ?'),
      findEnvelope: p(`SELECT ${COLS} FROM envelopes WHERE sender = ? AND id = ?`),
      envelopeAt: p(`SELECT ${COLS} FROM envelopes WHERE seq = ?`),
      insertPending: insert('pending'),
      insertDone: insert('delivered'),
      register: p(`INSERT INTO agents (did, first_seen, handle, registration, registered_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (did) DO UPDATE SET handle = excluded.handle, registration = excluded.registration,
        registered_at = excluded.registered_at`),
      bindHandle: p('INSERT OR IGNORE INTO handles (handle, did) VALUES (?, ?)'),
      markDelivered: p(`UPDATE envelopes SET status = 'delivered', delivered_at = ?, next_attempt_at = NULL
        WHERE sender = ? AND id = ? AND status = 'pending'`),
      // A receipt owed to an offline sender. The latest receipt wins: after a task is requeued (TSK-12) the new
      // handler's receipt is the one to forward.
      owedReceipt: p(`INSERT INTO receipts (for_sender, for_id, json, forwarded) VALUES (?, ?, ?, 0)
        ON CONFLICT (for_sender, for_id) DO UPDATE SET json = excluded.json, forwarded = 0`),
      recordAttempt: p(`UPDATE envelopes SET attempts = ?, next_attempt_at = ?, last_error_code = ?, last_error_message = ?
        WHERE seq = ? AND status = 'pending'`),
      nextPending: p(`SELECT ${COLS} FROM envelopes WHERE recipient = ? AND status = 'pending' AND seq > ? ORDER BY seq ${LIMIT_PARAM}`),
      pendingCounts: p(`SELECT recipient, COUNT(*) AS n FROM envelopes WHERE status = 'pending' AND recipient IS NOT NULL GROUP BY recipient`),
      unsettledCounts: p(`SELECT sender, COUNT(*) AS n FROM envelopes WHERE status = 'pending' AND type != 'notice' GROUP BY sender`),
      reroute: p(`UPDATE envelopes SET recipient = ? WHERE seq = ? AND status = 'pending'`),
      deadLetter: p(`UPDATE envelopes SET status = 'dead', dead_reason = ?, dead_at = ?, attempts = ?, last_error_code = ?,
        last_error_message = ?, next_attempt_at = NULL WHERE seq = ? AND status = 'pending'`),
      redrive: p(`UPDATE envelopes SET status = 'pending', attempts = 0, next_attempt_at = NULL, last_error_code = NULL,
        last_error_message = NULL, dead_reason = NULL, dead_at = NULL WHERE seq = ? AND status = 'dead'`),
      purge: p(`UPDATE envelopes SET status = 'purged' WHERE seq = ? AND status = 'dead'`),
      listDead: p(`SELECT ${DEAD_COLS} FROM envelopes WHERE status = 'dead' AND seq > ? ORDER BY seq ${LIMIT_PARAM}`),
      listDeadOf: p(`SELECT ${DEAD_COLS} FROM envelopes WHERE status = 'dead' AND sender = ? AND seq > ? ORDER BY seq ${LIMIT_PARAM}`),
      findDead: p(`SELECT ${DEAD_COLS} FROM envelopes WHERE seq = ? AND status = 'dead'`),
      expiredPending: p(`SELECT ${COLS} FROM envelopes WHERE status = 'pending' AND exp IS NOT NULL AND exp <= ? ORDER BY exp ${LIMIT_PARAM}`),
      agedPending: p(`SELECT ${COLS} FROM envelopes WHERE status = 'pending' AND accepted_at <= ? ORDER BY accepted_at ${LIMIT_PARAM}`),
      capHolders: p(`SELECT DISTINCT recipient FROM envelopes WHERE status = 'pending' AND recipient IS NOT NULL AND ${CAP}`),
      anyCap: p(`SELECT 1 AS x FROM envelopes WHERE recipient = ? AND status = 'pending' AND ${CAP} LIMIT 1`),
      dueCap: p(`SELECT ${COLS} FROM envelopes WHERE recipient = ? AND status = 'pending' AND ${CAP}
        AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY seq ${LIMIT_PARAM}`),
      // envelopes of a stored task are not candidates (TSK-21): they are detached when the task is pruned
      pruneSelect: p(`SELECT seq, sender, id FROM envelopes WHERE status IN ('delivered', 'purged') AND task IS NULL
        AND accepted_at < ? ORDER BY accepted_at ${LIMIT_PARAM}`),
      pruneEnvelope: p('DELETE FROM envelopes WHERE seq = ?'),
      pruneReceipt: p('DELETE FROM receipts WHERE for_sender = ? AND for_id = ? AND forwarded = 1'),
      // served by the partial index receipts_unforwarded (schema.ts): the sender's forwarded receipts are not read
      unforwarded: p(`SELECT for_id, json FROM receipts WHERE for_sender = ? AND forwarded = 0 ORDER BY rowid ${LIMIT_PARAM}`),
      markForwarded: p('UPDATE receipts SET forwarded = 1 WHERE for_sender = ? AND for_id = ?'),
    };
  }

  #st(name: string): StatementSync {
    const st = this.#s[name];
    if (st === undefined) throw new Error(`unknown statement ${name}`);
    return st;
  }

  #rows(name: string, ...params: (string | number | null)[]): StoredEnvelope[] {
    return (this.#st(name).all(...params) as unknown as EnvelopeRow[]).map(toStored);
  }

  /** Runs `fn` in one IMMEDIATE transaction; rolls back and rethrows on failure. */
  #tx<T>(fn: () => T): T {
    return inTransaction(this.#db, fn);
  }

  rememberAgent(did: string, now: number): void {
    this.#st('rememberAgent').run(did, now);
  }

  knownAgents(): string[] {
    return (this.#st('knownAgents').all() as { did: string }[]).map((r) => r.did);
  }

  registrations(): AgentRegistration[] {
    const rows = this.#st('registrations').all() as { did: string; handle: string | null; registration: string }[];
    return rows.map((r) => ({ did: r.did, handle: r.handle, registrationJson: r.registration }));
  }

  handleOwner(handle: string): string | undefined {
    const row = this.#st('handleOwner').get(handle) as { did: string } | undefined;
    return row?.did;
  }

  findEnvelope(sender: string, id: string): StoredEnvelope | undefined {
    const row = this.#st('findEnvelope').get(sender, id) as EnvelopeRow | undefined;
    return row === undefined ? undefined : toStored(row);
  }

  envelopeAt(seq: number): StoredEnvelope | undefined {
    const row = this.#st('envelopeAt').get(seq) as EnvelopeRow | undefined;
    return row === undefined ? undefined : toStored(row);
  }

  commitBatch(writes: readonly BatchWrite[], updates: readonly DeliveryUpdate[] = []): number[] {
    if (writes.length === 0 && updates.length === 0) return [];
    return this.#tx(() => {
      for (const u of updates) {
        this.#st('recordAttempt').run(u.attempts, u.nextAttemptAt, u.lastError?.code ?? null, u.lastError?.message ?? null, u.seq);
      }
      return writes.map((w) => this.#write(w));
    });
  }

  #write(w: BatchWrite): number {
    // Envelopes that are never delivered (register, receipt) are stored as already done.
    const insert = w.recipient === null ? this.#st('insertDone') : this.#st('insertPending');
    const seq = Number(insert.run(w.sender, w.id, w.type, w.to, w.recipient, w.digest, w.json, w.acceptedAt, w.exp,
      w.context ?? null, w.taskId ?? null).lastInsertRowid);
    if (w.register !== undefined) {
      this.#st('register').run(w.sender, w.acceptedAt, w.register.handle, w.json, w.acceptedAt);
      if (w.register.handle !== null) this.#st('bindHandle').run(w.register.handle, w.sender);
    }
    if (w.receipt !== undefined) {
      this.#st('markDelivered').run(w.acceptedAt, w.receipt.forSender, w.receipt.forId);
      // `receipts` only keeps what is still owed to an offline sender (ACK-4): a receipt forwarded right away is
      // not written there; it only clears an older one still owed for the same envelope (the latest receipt wins)
      if (w.receipt.forwarded) this.#st('markForwarded').run(w.receipt.forSender, w.receipt.forId);
      else this.#st('owedReceipt').run(w.receipt.forSender, w.receipt.forId, w.json);
    }
    for (const t of w.tasks ?? []) this.#tasks.write(t, { type: w.type, sender: w.sender, id: w.id, seq }, w.acceptedAt);
    return seq;
  }

  nextPending(recipient: string, afterSeq: number, limit: number): StoredEnvelope[] {
    return this.#rows('nextPending', recipient, afterSeq, limit);
  }

  pendingCounts(): Map<string, number> {
    const rows = this.#st('pendingCounts').all() as { recipient: string; n: number }[];
    return new Map(rows.map((r) => [r.recipient, Number(r.n)]));
  }

  unsettledCounts(): Map<string, number> {
    const rows = this.#st('unsettledCounts').all() as { sender: string; n: number }[];
    return new Map(rows.map((r) => [r.sender, Number(r.n)]));
  }

  reroute(seq: number, recipient: string): void {
    this.#st('reroute').run(recipient, seq);
  }

  deadLetter(items: readonly DeadLetterWrite[]): DeadLetterResult[] {
    if (items.length === 0) return [];
    return this.#tx(() => items.map((d) => {
      const changed = this.#st('deadLetter').run(d.reason, d.deadAt, d.attempts, d.lastError?.code ?? null,
        d.lastError?.message ?? null, d.seq).changes;
      if (Number(changed) === 0) return { dead: false, noticeSeq: null };
      return { dead: true, noticeSeq: d.notice === undefined ? null : this.#write(d.notice) };
    }));
  }

  redrive(seq: number): boolean {
    return Number(this.#st('redrive').run(seq).changes) === 1;
  }

  purge(seq: number): boolean {
    return Number(this.#st('purge').run(seq).changes) === 1;
  }

  listDead(q: DeadLetterSelect): DeadLetterRow[] {
    const after = q.after ?? 0;
    const rows = q.sender === undefined
      ? this.#st('listDead').all(after, q.limit)
      : this.#st('listDeadOf').all(q.sender, after, q.limit);
    return (rows as unknown as DeadRow[]).map(toDead);
  }

  findDead(seq: number): DeadLetterRow | undefined {
    const row = this.#st('findDead').get(seq) as DeadRow | undefined;
    return row === undefined ? undefined : toDead(row);
  }

  expiredPending(now: number, limit: number): StoredEnvelope[] {
    return this.#rows('expiredPending', now, limit);
  }

  agedPending(acceptedBefore: number, limit: number): StoredEnvelope[] {
    return this.#rows('agedPending', acceptedBefore, limit);
  }

  capHolders(): string[] {
    return (this.#st('capHolders').all() as { recipient: string }[]).map((r) => r.recipient);
  }

  dueCapPending(recipient: string, now: number, limit: number): StoredEnvelope[] | undefined {
    const due = this.#rows('dueCap', recipient, now, limit);
    if (due.length > 0) return due;
    return this.#st('anyCap').get(recipient) === undefined ? undefined : [];
  }

  prune(before: number, limit: number): number {
    const rows = this.#st('pruneSelect').all(before, limit) as { seq: number; sender: string; id: string }[];
    if (rows.length === 0) return 0;
    this.#tx(() => {
      for (const r of rows) {
        this.#st('pruneReceipt').run(r.sender, r.id);
        this.#st('pruneEnvelope').run(r.seq);
      }
    });
    return rows.length;
  }

  pruneTasks(before: number, limit: number): number {
    return this.#tx(() => this.#tasks.pruneTasks(before, limit));
  }

  openTasks(): TaskRow[] {
    return this.#tasks.openTasks();
  }

  getTask(id: string): TaskRow | undefined {
    return this.#tasks.getTask(id);
  }

  taskEvents(id: string): StoredTaskEvent[] {
    return this.#tasks.taskEvents(id);
  }

  taskByKey(owner: string, key: string, since: number): TaskRow | undefined {
    return this.#tasks.taskByKey(owner, key, since);
  }

  thread(thread: string): ThreadRecord | undefined {
    return this.#tasks.thread(thread);
  }

  listTasks(q: TaskSelect): TaskRow[] {
    return this.#tasks.listTasks(q);
  }

  unforwardedReceipts(sender: string, limit: number): UnforwardedReceipt[] {
    const rows = this.#st('unforwarded').all(sender, limit) as { for_id: string; json: string }[];
    return rows.map((r) => ({ forId: r.for_id, receiptJson: r.json }));
  }

  markForwarded(sender: string, forIds: readonly string[]): void {
    if (forIds.length === 0) return;
    this.#tx(() => {
      for (const forId of forIds) this.#st('markForwarded').run(sender, forId);
    });
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
