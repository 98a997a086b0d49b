/**
 * The SQLite schema of the relay store and its migration from earlier data directories.
 *
 * `envelopes` holds every accepted envelope with its delivery state (DLV-1..DLV-6): status
 * `pending | delivered | dead | purged`, attempts, next_attempt_at (ms), last error, dead-letter reason and
 * time. Data directories of the previous version lack those columns: {@link migrate} adds them with
 * ALTER TABLE and turns the old `expired` status into `dead` with reason EXPIRED; the tasks version adds the
 * `context` and `task` columns and the `tasks`, `task_events` and `threads` tables. Partial indexes keep the
 * sweeps (expiry, mailbox age, pruning), the DLQ listing and the receipt replay at `welcome` (ACK-4) off scans
 * of everything stored. Indexes of earlier versions that no statement needs are dropped at start.
 */
import type { DatabaseSync } from 'node:sqlite';
import { inTransaction } from './transaction.ts';

const TABLES = `
CREATE TABLE IF NOT EXISTS agents (
  did TEXT PRIMARY KEY,
  first_seen INTEGER NOT NULL,
  handle TEXT,
  registration TEXT,
  registered_at INTEGER
);
CREATE TABLE IF NOT EXISTS handles (handle TEXT PRIMARY KEY, did TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS envelopes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  sender TEXT NOT NULL,
  id TEXT NOT NULL,
  type TEXT NOT NULL,
  to_field TEXT NOT NULL,
  recipient TEXT,
  digest TEXT NOT NULL,
  json TEXT NOT NULL,
  accepted_at INTEGER NOT NULL,
  exp INTEGER,
  status TEXT NOT NULL,
  delivered_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error_code TEXT,
  last_error_message TEXT,
  dead_reason TEXT,
  dead_at INTEGER,
  UNIQUE (sender, id)
);
CREATE TABLE IF NOT EXISTS receipts (
  for_sender TEXT NOT NULL,
  for_id TEXT NOT NULL,
  json TEXT NOT NULL,
  forwarded INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (for_sender, for_id)
);
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  handler TEXT,
  capability TEXT NOT NULL,
  to_field TEXT NOT NULL,
  state TEXT NOT NULL,
  input TEXT NOT NULL,
  brief TEXT,
  deadline INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  revision INTEGER NOT NULL DEFAULT 0,
  parent TEXT,
  thread TEXT,
  idempotency_key TEXT,
  fingerprint TEXT NOT NULL,
  revise_of TEXT,
  question TEXT,
  result TEXT,
  reason TEXT,
  late_results INTEGER NOT NULL DEFAULT 0,
  events INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER,
  request_seq INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  ended_at INTEGER
);
CREATE TABLE IF NOT EXISTS task_events (
  task TEXT NOT NULL,
  n INTEGER NOT NULL,
  at INTEGER NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  cause_type TEXT NOT NULL,
  cause_sender TEXT NOT NULL,
  cause_id TEXT NOT NULL,
  cause_seq INTEGER NOT NULL,
  reason TEXT,
  late INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (task, n)
);
CREATE TABLE IF NOT EXISTS threads (
  thread TEXT PRIMARY KEY,
  revisions INTEGER NOT NULL DEFAULT 0,
  flagged_at INTEGER
);
`;

/** Columns added by the delivery-guarantees version, with their definitions for ALTER TABLE. */
const DELIVERY_COLUMNS: readonly (readonly [string, string])[] = [
  ['attempts', 'INTEGER NOT NULL DEFAULT 0'],
  ['next_attempt_at', 'INTEGER'],
  ['last_error_code', 'TEXT'],
  ['last_error_message', 'TEXT'],
  ['dead_reason', 'TEXT'],
  ['dead_at', 'INTEGER'],
];

/** Columns added by the tasks version (SPEC TSK-8 deliver context, TSK-21 retention by task). */
const TASK_COLUMNS: readonly (readonly [string, string])[] = [
  ['context', 'TEXT'],
  ['task', 'TEXT'],
];

const INDEXES = `
CREATE INDEX IF NOT EXISTS tasks_open ON tasks (state) WHERE ended_at IS NULL;
CREATE INDEX IF NOT EXISTS tasks_key ON tasks (owner, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_thread_id ON tasks (thread, id) WHERE thread IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_handler_id ON tasks (handler, id);
CREATE INDEX IF NOT EXISTS tasks_owner_id ON tasks (owner, id);
CREATE INDEX IF NOT EXISTS tasks_ended ON tasks (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS task_events_acted ON task_events (cause_sender, task) WHERE cause_type IN ('receipt', 'update', 'result');
CREATE INDEX IF NOT EXISTS envelopes_pending ON envelopes (recipient, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS envelopes_pending_exp ON envelopes (exp) WHERE status = 'pending' AND exp IS NOT NULL;
CREATE INDEX IF NOT EXISTS envelopes_pending_age ON envelopes (accepted_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS envelopes_settled_free ON envelopes (accepted_at) WHERE status IN ('delivered', 'purged') AND task IS NULL;
CREATE INDEX IF NOT EXISTS envelopes_task ON envelopes (task) WHERE task IS NOT NULL;
CREATE INDEX IF NOT EXISTS envelopes_dead ON envelopes (seq) WHERE status = 'dead';
CREATE INDEX IF NOT EXISTS envelopes_dead_sender ON envelopes (sender, seq) WHERE status = 'dead';
CREATE INDEX IF NOT EXISTS receipts_unforwarded ON receipts (for_sender) WHERE forwarded = 0;
`;

/**
 * Creates the tables and indexes, or brings an existing database up to date (idempotent).
 * @throws the SQLite error when the database cannot be written.
 */
export function migrate(db: DatabaseSync): void {
  db.exec(TABLES);
  const present = new Set((db.prepare('PRAGMA table_info(envelopes)').all() as { name: string }[]).map((c) => c.name));
  const missing = [...DELIVERY_COLUMNS, ...TASK_COLUMNS].filter(([name]) => !present.has(name));
  if (missing.length > 0) {
    inTransaction(db, () => {
      for (const [name, definition] of missing) db.exec(`ALTER TABLE envelopes ADD COLUMN ${name} ${definition}`);
      // The previous version marked envelopes that expired before delivery 'expired': they are dead letters now.
      if (missing.some(([name]) => name === 'dead_reason')) {
        db.exec(`UPDATE envelopes SET status = 'dead', dead_reason = 'EXPIRED', dead_at = COALESCE(exp, accepted_at)
          WHERE status = 'expired'`);
      }
    });
  }
  detachPrunedTasks(db);
  dropIndexes(db, RETIRED_INDEXES);
  db.exec(INDEXES);
}

/**
 * Indexes of earlier versions that no statement needs (bench/HISTORY.md round 8). `tasks_parent` served no query and
 * every task insert wrote a page of it. `tasks_thread` indexed every task, mostly under NULL: `tasks_thread_id`
 * holds only tasks with a thread. `tasks_owner` and `tasks_handler` gave the listing (TSK-18) an agent's tasks
 * out of id order, sorted whole for every page: `tasks_owner_id` and `tasks_handler_id` give them in id order.
 * `task_events_sender` indexed every event, so listing what an agent acted on (a receipt, update or result)
 * read all of its own request events too: `task_events_acted` holds only those three kinds.
 */
const RETIRED_INDEXES: readonly string[] = ['tasks_parent', 'tasks_thread', 'tasks_owner', 'tasks_handler', 'task_events_sender'];

function dropIndexes(db: DatabaseSync, names: readonly string[]): void {
  const present = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as { name: string }[]).map((r) => r.name);
  for (const name of names.filter((n) => present.includes(n))) db.exec(`DROP INDEX ${name}`);
}

/**
 * Data directories of the previous layout pruned settled envelopes by scanning every settled row past the dedupe
 * window and skipping those of retained tasks (index `envelopes_settled`): with many retained task envelopes,
 * every prune batch read all of them. Envelopes of a task are now pruned only once the task itself is pruned,
 * which detaches them (`task` = NULL, see SqliteTasks.pruneTasks): this detaches the envelopes of tasks the
 * previous version had already pruned, then drops the old index. Runs once; no-op on a current database.
 */
function detachPrunedTasks(db: DatabaseSync): void {
  if (db.prepare(`SELECT 1 AS x FROM sqlite_master WHERE type = 'index' AND name = 'envelopes_settled'`).get() === undefined) return;
  inTransaction(db, () => {
    db.exec('UPDATE envelopes SET task = NULL WHERE task IS NOT NULL AND task NOT IN (SELECT id FROM tasks)');
    db.exec('DROP INDEX envelopes_settled');
  });
}
