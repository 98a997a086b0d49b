/**
 * The embedded relay store: one SQLite file through `node:sqlite` (design note 8).
 *
 * WAL journal; `synchronous=FULL` (durability 'fsync', the default) makes every COMMIT reach the disk before
 * it returns, which is what SPEC ACK-1 needs before `accepted` is sent. 'normal' trades the last commits on
 * power loss for speed. All statements are prepared once.
 */
import { mkdirSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { dirname } from 'node:path';
import type {
  AgentRegistration, BatchWrite, EnvelopeStatus, RelayStore, StoredEnvelope, UnforwardedReceipt,
} from './store.ts';

/** How hard the store pushes commits to disk. */
export type Durability = 'fsync' | 'normal';

const SCHEMA = `
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
  UNIQUE (sender, id)
);
CREATE INDEX IF NOT EXISTS envelopes_pending ON envelopes (recipient, seq) WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS receipts (
  for_sender TEXT NOT NULL,
  for_id TEXT NOT NULL,
  json TEXT NOT NULL,
  forwarded INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (for_sender, for_id)
);
`;

interface EnvelopeRow {
  seq: number; sender: string; id: string; type: string; recipient: string | null; digest: string;
  json: string; exp: number | null; status: string;
}

function toStored(row: EnvelopeRow): StoredEnvelope {
  return {
    seq: Number(row.seq), sender: row.sender, id: row.id, type: row.type, recipient: row.recipient,
    digest: row.digest, json: row.json, exp: row.exp === null ? null : Number(row.exp),
    status: row.status as EnvelopeStatus,
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

  constructor(path: string, durability: Durability = 'fsync') {
    mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec(`PRAGMA synchronous = ${durability === 'fsync' ? 'FULL' : 'NORMAL'}`);
    this.#db.exec('PRAGMA busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    const p = (sql: string): StatementSync => this.#db.prepare(sql);
    this.#s = {
      rememberAgent: p('INSERT OR IGNORE INTO agents (did, first_seen) VALUES (?, ?)'),
      knownAgents: p('SELECT did FROM agents'),
      registrations: p('SELECT did, handle, registration FROM agents WHERE registration IS NOT NULL'),
      handleOwner: p('SELECT did FROM handles WHERE handle = ?'),
      findEnvelope: p('SELECT seq, sender, id, type, recipient, digest, json, exp, status FROM envelopes WHERE sender = ? AND id = ?'),
      insertEnvelope: p(`INSERT INTO envelopes (sender, id, type, to_field, recipient, digest, json, accepted_at, exp, status)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`),
      insertDone: p(`INSERT INTO envelopes (sender, id, type, to_field, recipient, digest, json, accepted_at, exp, status)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'delivered')`),
      register: p(`INSERT INTO agents (did, first_seen, handle, registration, registered_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (did) DO UPDATE SET handle = excluded.handle, registration = excluded.registration,
        registered_at = excluded.registered_at`),
      bindHandle: p('INSERT OR IGNORE INTO handles (handle, did) VALUES (?, ?)'),
      markDelivered: p(`UPDATE envelopes SET status = 'delivered', delivered_at = ? WHERE sender = ? AND id = ? AND status = 'pending'`),
      insertReceipt: p('INSERT OR IGNORE INTO receipts (for_sender, for_id, json, forwarded) VALUES (?, ?, ?, ?)'),
      pendingFor: p(`SELECT seq, sender, id, type, recipient, digest, json, exp, status FROM envelopes
        WHERE recipient = ? AND status = 'pending' ORDER BY seq`),
      pendingCounts: p(`SELECT recipient, COUNT(*) AS n FROM envelopes WHERE status = 'pending' AND recipient IS NOT NULL GROUP BY recipient`),
      markExpired: p(`UPDATE envelopes SET status = 'expired' WHERE sender = ? AND id = ? AND status = 'pending'`),
      unforwarded: p('SELECT for_id, json FROM receipts WHERE for_sender = ? AND forwarded = 0 ORDER BY rowid'),
      markForwarded: p('UPDATE receipts SET forwarded = 1 WHERE for_sender = ? AND for_id = ?'),
    };
  }

  #st(name: string): StatementSync {
    const st = this.#s[name];
    if (st === undefined) throw new Error(`unknown statement ${name}`);
    return st;
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

  commitBatch(writes: readonly BatchWrite[]): number[] {
    if (writes.length === 0) return [];
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const seqs = writes.map((w) => this.#write(w));
      this.#db.exec('COMMIT');
      return seqs;
    } catch (err) {
      try { this.#db.exec('ROLLBACK'); } catch { /* the transaction may already be gone */ }
      throw err;
    }
  }

  #write(w: BatchWrite): number {
    // Envelopes that are never delivered (register, receipt) are stored as already done.
    const insert = w.recipient === null ? this.#st('insertDone') : this.#st('insertEnvelope');
    const seq = Number(insert.run(w.sender, w.id, w.type, w.to, w.recipient, w.digest, w.json, w.acceptedAt, w.exp).lastInsertRowid);
    if (w.register !== undefined) {
      this.#st('register').run(w.sender, w.acceptedAt, w.register.handle, w.json, w.acceptedAt);
      if (w.register.handle !== null) this.#st('bindHandle').run(w.register.handle, w.sender);
    }
    if (w.receipt !== undefined) {
      this.#st('markDelivered').run(w.acceptedAt, w.receipt.forSender, w.receipt.forId);
      this.#st('insertReceipt').run(w.receipt.forSender, w.receipt.forId, w.json, w.receipt.forwarded ? 1 : 0);
    }
    return seq;
  }

  pendingFor(recipient: string): StoredEnvelope[] {
    return (this.#st('pendingFor').all(recipient) as unknown as EnvelopeRow[]).map(toStored);
  }

  pendingCounts(): Map<string, number> {
    const rows = this.#st('pendingCounts').all() as { recipient: string; n: number }[];
    return new Map(rows.map((r) => [r.recipient, Number(r.n)]));
  }

  markExpired(sender: string, id: string): void {
    this.#st('markExpired').run(sender, id);
  }

  unforwardedReceipts(sender: string): UnforwardedReceipt[] {
    const rows = this.#st('unforwarded').all(sender) as { for_id: string; json: string }[];
    return rows.map((r) => ({ forId: r.for_id, receiptJson: r.json }));
  }

  markForwarded(sender: string, forId: string): void {
    this.#st('markForwarded').run(sender, forId);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
