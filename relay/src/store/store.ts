/**
 * The storage interface the relay core uses (design note 8).
 *
 * The core never talks SQL: it calls these methods, so a PostgreSQL store can replace the embedded SQLite
 * store without touching routing or delivery code. Every method is synchronous because the embedded store is.
 * `commitBatch` is the write on the hot path and is called once per tick (group commit, SPEC ACK-1); it also
 * carries the lazily written delivery counters. Dead-lettering writes the envelope's new state and its notice
 * in one transaction (DLV-6).
 */

import type { StoredTaskEvent, TaskRow, TaskSelect, TaskWrite, ThreadRecord } from './task-records.ts';

export type { StoredTaskEvent, TaskMutable, TaskRow, TaskSelect, TaskWrite, ThreadRecord, TaskEventRecord } from './task-records.ts';

/**
 * Delivery state of a stored envelope: `pending` = accepted, no receipt yet (delivered until receipted or
 * dead-lettered, DLV-1); `delivered` = receipted (register and receipt envelopes are stored as delivered);
 * `dead` = in the dead-letter queue (DLV-6); `purged` = removed from the DLQ, row kept for dedupe (RPL-3).
 */
export type EnvelopeStatus = 'pending' | 'delivered' | 'dead' | 'purged';

/** A registry code with a human-readable message (a delivery's last error). */
export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
}

/** The columns every stored envelope has, whether read back or about to be written. */
export interface EnvelopeRecord {
  readonly sender: string;
  readonly id: string;
  readonly type: string;
  /** The envelope's `to` (an agent did:key or `cap:<name>`). */
  readonly to: string;
  /** The agent the envelope is (or will be) delivered to; `null` for envelopes never delivered (register, receipt). */
  readonly recipient: string | null;
  /** Hex SHA-256 of the envelope signing input (SPEC SIG-1, TYP-4). */
  readonly digest: string;
  /** The envelope exactly as received, as JSON text. */
  readonly json: string;
  /** Acceptance time, ms since epoch. */
  readonly acceptedAt: number;
  /** Expiry, ms since epoch, or `null`. */
  readonly exp: number | null;
}

/** One stored envelope, as the core needs it. */
export interface StoredEnvelope extends EnvelopeRecord {
  /** Relay sequence number: acceptance order (DLV-2), also the DLQ entry number. */
  readonly seq: number;
  readonly status: EnvelopeStatus;
  /** Deliver frames sent so far (as last written; the core may know a newer value, see DeliveryUpdate). */
  readonly attempts: number;
  /** What failed the last attempt, as last written. */
  readonly lastError: ErrorInfo | null;
  /** JSON text of the deliver frame's `context` (TSK-8), or null. */
  readonly context: string | null;
}

/** A dead (or purged) envelope with its dead-letter facts (DLQ-2). */
export interface DeadLetterRow extends StoredEnvelope {
  /** Registry code: MAX_ATTEMPTS_EXCEEDED, EXPIRED, MAILBOX_EXPIRED or the recipient's rejection code. */
  readonly reason: string;
  /** Dead-lettering time, ms since epoch. */
  readonly deadAt: number;
}

/** An agent's latest registration (SPEC TYP-1, MAN-3). */
export interface AgentRegistration {
  readonly did: string;
  readonly handle: string | null;
  /** The `register` envelope exactly as received, as JSON text. */
  readonly registrationJson: string;
}

/** A committed receipt that was not yet handed to the original sender in a `delivered` frame (ACK-4). */
export interface UnforwardedReceipt {
  readonly forId: string;
  readonly receiptJson: string;
}

/** One accepted envelope to write in a group commit (or a relay notice written with its dead letter). */
export interface BatchWrite extends EnvelopeRecord {
  /** For `register`: the registration to store (replaces the previous one) and the handle to bind. */
  readonly register?: { readonly handle: string | null };
  /**
   * For `receipt`: the envelope it acknowledges (`forSender` = receipt `to`, `forId` = `body.for`), and whether
   * the receipt counts as forwarded right after this commit (sender online, or the relay itself for notices).
   */
  readonly receipt?: { readonly forSender: string; readonly forId: string; readonly forwarded: boolean };
  /** JSON text of the deliver frame's `context` (update awaiting-input, answer; TSK-8). */
  readonly context?: string;
  /** The task the envelope belongs to (retention, TSK-21). */
  readonly taskId?: string;
  /** The task changes the envelope causes, written in the same transaction (TSK-1, ACK-1). */
  readonly tasks?: readonly TaskWrite[];
}

/**
 * Delivery counters of one pending envelope, written lazily (they ride on the next group commit; a crash may
 * lose the latest ones and so grant an extra attempt). Ignored when the envelope is no longer pending.
 */
export interface DeliveryUpdate {
  readonly seq: number;
  readonly attempts: number;
  /** When the next attempt is due, ms since epoch; `null` = due now. */
  readonly nextAttemptAt: number | null;
  readonly lastError: ErrorInfo | null;
}

/** Dead-letters one pending envelope (DLV-6) and, unless `notice` is absent, stores the relay's notice. */
export interface DeadLetterWrite {
  readonly seq: number;
  readonly reason: string;
  readonly attempts: number;
  readonly lastError: ErrorInfo | null;
  /** ms since epoch. */
  readonly deadAt: number;
  /** The notice envelope to store (pending, addressed to the envelope's sender). */
  readonly notice?: BatchWrite;
}

/** Outcome of one {@link DeadLetterWrite}: `dead` false when the envelope was not pending any more. */
export interface DeadLetterResult {
  readonly dead: boolean;
  /** Sequence number of the stored notice, or null. */
  readonly noticeSeq: number | null;
}

/** A DLQ listing query (ascending entry order). */
export interface DeadLetterSelect {
  readonly sender?: string;
  /** Only entries with seq > after. */
  readonly after?: number;
  readonly limit: number;
}

/** The relay's persistent state. Methods throw on storage failure; the core turns that into INTERNAL_ERROR. */
export interface RelayStore {
  /** Records that `did` authenticated at `now` (SPEC RTE-2 "known"); no-op when already known. */
  rememberAgent(did: string, now: number): void;
  /** All agents that ever authenticated. */
  knownAgents(): string[];
  /** Every agent's latest registration. */
  registrations(): AgentRegistration[];
  /** The did bound to `handle`, if any (MAN-2). */
  handleOwner(handle: string): string | undefined;
  /** The stored envelope (`sender`, `id`), if any (RPL-3 dedupe, ACK-3 receipt checks). */
  findEnvelope(sender: string, id: string): StoredEnvelope | undefined;
  /** The stored envelope with relay sequence number `seq`, if any. */
  envelopeAt(seq: number): StoredEnvelope | undefined;
  /**
   * Writes all envelopes of one tick and the lazy delivery counters in ONE transaction (group commit) and
   * returns the relay sequence number assigned to each write, in order. Throws if the transaction fails.
   */
  commitBatch(writes: readonly BatchWrite[], updates?: readonly DeliveryUpdate[]): number[];
  /** Pending envelopes of `recipient` with seq > `afterSeq`, ascending, at most `limit` (DLV-2, FLW-1). */
  nextPending(recipient: string, afterSeq: number, limit: number): StoredEnvelope[];
  /** Pending envelopes per recipient (mailbox sizes, MBX-2; routing load, RTE-3). */
  pendingCounts(): Map<string, number>;
  /** Pending envelopes per sender, relay notices excluded (unsettled sends, FLW-3). */
  unsettledCounts(): Map<string, number>;
  /** Records a new recipient for a pending capability-routed envelope (DLV-4 capability routing on retry). */
  reroute(seq: number, recipient: string): void;
  /** Dead-letters envelopes and stores their notices, all in ONE transaction (DLV-6). */
  deadLetter(items: readonly DeadLetterWrite[]): DeadLetterResult[];
  /** Moves a dead envelope back to pending: attempts 0, reason and errors cleared, due now (DLQ-3). */
  redrive(seq: number): boolean;
  /** Marks a dead envelope purged (row kept, RPL-3). */
  purge(seq: number): boolean;
  /** Dead (not purged) entries, ascending seq. */
  listDead(q: DeadLetterSelect): DeadLetterRow[];
  /** The dead (not purged) entry `seq`, if any. */
  findDead(seq: number): DeadLetterRow | undefined;
  /** Pending envelopes whose `exp` is at or before `now`, oldest exp first (DLV-5). */
  expiredPending(now: number, limit: number): StoredEnvelope[];
  /** Pending envelopes accepted at or before `acceptedBefore`, oldest first (MBX-3). */
  agedPending(acceptedBefore: number, limit: number): StoredEnvelope[];
  /** Recipients holding pending capability-routed envelopes (loaded once at start). */
  capHolders(): string[];
  /**
   * Pending capability-routed envelopes of `recipient` whose next attempt is due at `now`, ascending seq;
   * `undefined` when the recipient holds no pending capability-routed envelope at all.
   */
  dueCapPending(recipient: string, now: number, limit: number): StoredEnvelope[] | undefined;
  /**
   * Deletes at most `limit` settled (delivered or purged) envelopes accepted before `before` and their
   * forwarded receipts (RPL-3 dedupe window), oldest first. Envelopes of a stored task are kept (TSK-21) until
   * {@link pruneTasks} removes the task. Reads only candidates, however many task envelopes are retained.
   * Returns the number deleted.
   */
  prune(before: number, limit: number): number;
  /**
   * Deletes at most `limit` tasks that ended before `before`, with their events, and detaches their envelopes,
   * which {@link prune} then deletes like any other once the dedupe window has passed (TSK-21). @returns how many.
   */
  pruneTasks(before: number, limit: number): number;
  /** Every task that is not terminal (loaded at start). */
  openTasks(): TaskRow[];
  /** The task `id`, if stored. */
  getTask(id: string): TaskRow | undefined;
  /** The history of task `id`, ascending n. */
  taskEvents(id: string): StoredTaskEvent[];
  /** The newest task of `owner` with idempotency key `key` created at or after `since`, ms (TSK-14). */
  taskByKey(owner: string, key: string, since: number): TaskRow | undefined;
  /** The revision counter and flag of a thread (TSK-16), if any. */
  thread(thread: string): ThreadRecord | undefined;
  /** Tasks matching `q`, ascending id (TSK-18). */
  listTasks(q: TaskSelect): TaskRow[];
  /**
   * At most `limit` receipts for envelopes sent by `sender` that were not yet forwarded in a `delivered` frame,
   * oldest first. Reads only the unforwarded ones, however many receipts `sender` has stored.
   */
  unforwardedReceipts(sender: string, limit: number): UnforwardedReceipt[];
  /** Marks the receipts for (`sender`, each of `forIds`) as forwarded, in one transaction. */
  markForwarded(sender: string, forIds: readonly string[]): void;
  close(): void;
}
