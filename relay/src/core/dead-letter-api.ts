/**
 * The dead-letter queue as the HTTP API and the CLI see it (SPEC DLQ-1..DLQ-4): list, inspect, re-drive and
 * purge entries. The relay core implements it; the HTTP routes only add authentication and authorization.
 */
import type { DeadLetterEntry, Envelope } from '@baton/spec';

/** One page of a DLQ listing, ordered by entry ascending. */
export interface DeadLetterPage {
  readonly entries: DeadLetterEntry[];
  /** Pass as `after` to get the next page; absent on the last page. */
  readonly next?: number;
}

/** A listing query. `sender` restricts to one sender's entries (agents always get their own only). */
export interface DeadLetterQuery {
  readonly sender?: string;
  /** Only entries with `entry > after`. */
  readonly after?: number;
  /** 1..1000. */
  readonly limit: number;
}

/**
 * Outcome of a re-drive: `expired` when the envelope's `exp` has passed (it cannot be delivered any more);
 * `task-terminal` when it is a request whose task has ended (409 TASK_TERMINAL).
 */
export type RedriveOutcome = 'redriven' | 'not-found' | 'expired' | 'task-terminal';

/** Dead-letter queue operations. `entry` is the envelope's relay sequence number. */
export interface DeadLetterApi {
  list(query: DeadLetterQuery): DeadLetterPage;
  /** The entry with its stored envelope, or undefined when no dead (unpurged) entry has that number. */
  get(entry: number): (DeadLetterEntry & { envelope: Envelope }) | undefined;
  /** Moves a dead entry back to pending with attempts reset to 0, due now (DLQ-3). */
  redrive(entry: number): RedriveOutcome;
  /** Marks a dead entry purged (the row is kept for deduplication, RPL-3). */
  purge(entry: number): 'purged' | 'not-found';
}
