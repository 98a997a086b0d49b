/**
 * Task records as the store reads and writes them (SPEC TSK-1, TSK-16, TSK-18, TSK-21): the task row, one
 * history event, the write that rides on the envelope that caused a transition (same transaction, ACK-1),
 * and the listing query. JSON members (input, brief, result) travel as JSON text.
 */
import type { TaskState } from '@baton/spec';

/** The columns of one task that change over its life. */
export interface TaskMutable {
  readonly state: TaskState;
  /** The agent currently responsible (null in `queued`), kept after the task ends. */
  readonly handler: string | null;
  /** Times a handler took the task (TSK-1, TSK-12). */
  readonly attempts: number;
  /** ms since epoch, or null. */
  readonly deadline: number | null;
  /** Lease expiry of an in-flight task, ms since epoch (TSK-12); null otherwise. */
  readonly leaseUntil: number | null;
  /** Id of the `update` that asked the open question (awaiting-input), else null (TSK-8). */
  readonly question: string | null;
  /** JSON text of the ending result's body, or null. */
  readonly result: string | null;
  /** Registry code of the end (DEADLINE_EXCEEDED, HANDLER_LOST, CANCELLED, a dead-letter reason), or null. */
  readonly reason: string | null;
  readonly lateResults: number;
  /** Events recorded so far (the last event's `n`). */
  readonly events: number;
  /** ms since epoch. */
  readonly updatedAt: number;
  /** When the task became terminal, ms since epoch; null while open. */
  readonly endedAt: number | null;
}

/** A whole task row. */
export interface TaskRow extends TaskMutable {
  readonly id: string;
  readonly owner: string;
  readonly capability: string;
  readonly to: string;
  /** JSON text of the request's body.input. */
  readonly input: string;
  /** JSON text of body.brief, or null. */
  readonly brief: string | null;
  readonly revision: number;
  readonly parent: string | null;
  readonly thread: string | null;
  readonly idempotencyKey: string | null;
  /** Hex SHA-256 of JCS({to, capability, input}) (TSK-14 comparison). */
  readonly fingerprint: string;
  readonly reviseOf: string | null;
  /** Relay sequence number of the request envelope. */
  readonly requestSeq: number;
  readonly createdAt: number;
}

/** One history event; the cause is the envelope written together with it. */
export interface TaskEventRecord {
  readonly task: string;
  readonly n: number;
  readonly at: number;
  readonly from: TaskState | null;
  readonly to: TaskState;
  readonly reason: string | null;
  readonly late: boolean;
}

/** A stored event with its cause. */
export interface StoredTaskEvent extends TaskEventRecord {
  readonly causeType: string;
  readonly causeSender: string;
  readonly causeId: string;
  readonly causeSeq: number;
}

/** Revision count and flag of a thread (TSK-16). */
export interface ThreadRecord {
  readonly thread: string;
  readonly revisions: number;
  /** ms since epoch of the first REVISION_LIMIT refusal, or null. */
  readonly flaggedAt: number | null;
}

/**
 * The task part of one envelope write: creates the task (request; `requestSeq` is filled in by the store)
 * or updates it, records the event caused by the envelope, and optionally updates the thread and settles
 * pending requests that stop being delivered (cancel, deadline: status delivered, no DLQ entry).
 */
export interface TaskWrite {
  readonly create?: Omit<TaskRow, 'requestSeq'>;
  /**
   * The task's new mutable state. `handlerChanged: false` says `handler` is the one stored: the UPDATE then
   * leaves the column (and its index page) alone; absent, the handler is written.
   */
  readonly update?: TaskMutable & { readonly id: string; readonly handlerChanged?: boolean };
  /** Absent for writes that change nothing recorded (a late request refusal's notice). */
  readonly event?: TaskEventRecord;
  readonly thread?: ThreadRecord;
  /** Seqs of pending request envelopes to settle without a dead letter. */
  readonly withdraw?: readonly number[];
  /**
   * Seq of a settled request envelope to make pending again for `recipient` (TSK-12 requeue): attempts 0,
   * due now.
   */
  readonly requeue?: { readonly seq: number; readonly recipient: string };
}

/** A task listing query (TSK-18); filters combine with AND. */
export interface TaskSelect {
  readonly owner?: string;
  readonly handler?: string;
  readonly state?: TaskState;
  readonly thread?: string;
  /** Tasks this agent owns, handles or has handled. */
  readonly visibleTo?: string;
  /** Only ids > after. */
  readonly after?: string;
  readonly limit: number;
}
