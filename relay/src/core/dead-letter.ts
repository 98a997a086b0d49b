/**
 * Dead-lettering (SPEC DLV-6): marks pending envelopes dead with a reason and, in the SAME transaction, stores
 * a relay-signed `notice` envelope for each envelope's sender, so that a crash can never keep one without the
 * other. A notice that is itself dead-lettered gets no further notice (no loops).
 *
 * Notice (body-notice.schema.json): `from` = relay did, signed with the relay key, `to` = the original
 * sender, `parent` = the dead envelope's id, `thread` copied from it when present, no `exp`; body
 * `{event:'dead-lettered', for, to, reason, attempts, last_error?, entry}`.
 */
import type { Envelope, KeyPair, DeadLetterNoticeBody } from '@baton/spec';
import type { ErrorInfo, RelayStore, StoredEnvelope, TaskWrite } from '../store/store.ts';
import { buildNotice, type BuiltNotice } from './notice-builder.ts';
import type { Clock } from './types.ts';

/** One envelope to dead-letter. */
export interface DeadLetterItem {
  /** The stored envelope (its status may be stale; only pending rows are changed). */
  readonly row: StoredEnvelope;
  /** The agent last chosen to receive it. */
  readonly recipient: string;
  /** Registry code: MAX_ATTEMPTS_EXCEEDED, EXPIRED, MAILBOX_EXPIRED or the recipient's final rejection code. */
  readonly reason: string;
  /** Deliver frames sent for it. */
  readonly attempts: number;
  readonly lastError: ErrorInfo | null;
}

/** A committed notice, ready to be delivered like any envelope. */
export interface StoredNotice {
  readonly seq: number;
  readonly envelope: Envelope;
  readonly json: string;
}

/** Outcome for one item that really was dead-lettered (it was still pending). */
export interface DeadLettered {
  readonly item: DeadLetterItem;
  readonly notice: StoredNotice | undefined;
}

/**
 * A queued task failed by a dead-lettered request (TSK-3): the change rides on the dead-letter notice; `done`
 * runs after the transaction with whether it committed.
 */
export interface TaskFailure {
  readonly taskId: string;
  readonly write: TaskWrite;
  done(committed: boolean, cause?: { seq: number; envelope: Envelope }): void;
}

/** Hook through which dead-lettering fails the task of a request (DLV-6 path of TSK-3). */
export interface DeadLetterTaskHook {
  /** The task change for a request dead-lettered with `reason`, or undefined when its task is not queued. */
  failQueued(row: StoredEnvelope, reason: string, now: number): TaskFailure | undefined;
}

/** Longest `last_error.message` in a notice (body-notice.schema.json). */
const MAX_MESSAGE = 1024;

/** Writes dead letters and their notices. */
export class DeadLetters {
  readonly #store: RelayStore;
  readonly #key: KeyPair;
  readonly #clock: Clock;
  #tasks: DeadLetterTaskHook | undefined;

  /** @param key - the relay key pair: notices are signed with it. */
  constructor(store: RelayStore, key: KeyPair, clock: Clock) {
    this.#store = store;
    this.#key = key;
    this.#clock = clock;
  }

  /** Installs the task hook (the task engine is built after the delivery engine). */
  setTaskHook(hook: DeadLetterTaskHook): void {
    this.#tasks = hook;
  }

  /**
   * Dead-letters `items` and stores their notices in ONE transaction (DLV-6).
   * @returns the items that were still pending (now dead), each with its notice (none for notices).
   * @throws the store error when the transaction fails (nothing was written).
   */
  write(items: readonly DeadLetterItem[]): DeadLettered[] {
    const now = this.#clock.now();
    const failures = items.map((item) => (item.row.type === 'request' ? this.#tasks?.failQueued(item.row, item.reason, now) : undefined));
    const notices = items.map((item, i) => (item.row.type === 'notice' || item.row.sender === this.#key.did ? undefined : this.#notice(item, now, failures[i])));
    let results;
    try {
      results = this.#store.deadLetter(items.map((item, i) => {
        const n = notices[i];
        return {
          seq: item.row.seq, reason: item.reason, attempts: item.attempts, lastError: item.lastError, deadAt: now,
          ...(n === undefined ? {} : { notice: n.write }),
        };
      }));
    } catch (err) {
      for (const f of failures) f?.done(false);
      throw err;
    }
    const out: DeadLettered[] = [];
    for (const [i, r] of results.entries()) {
      const item = items[i];
      const n = notices[i];
      const stored = n === undefined || r.noticeSeq === null ? undefined : { seq: r.noticeSeq, envelope: n.envelope, json: n.write.json };
      failures[i]?.done(r.dead, stored);
      if (!r.dead || item === undefined) continue;
      out.push({ item, notice: stored });
    }
    return out;
  }

  #notice(item: DeadLetterItem, now: number, failure: TaskFailure | undefined): BuiltNotice {
    const { row } = item;
    const body: DeadLetterNoticeBody = {
      event: 'dead-lettered', for: row.id, to: row.to, reason: item.reason, attempts: item.attempts, entry: row.seq,
    };
    if (item.lastError !== null) body.last_error = { code: item.lastError.code, message: item.lastError.message.slice(0, MAX_MESSAGE) };
    const thread = (JSON.parse(row.json) as { thread?: unknown }).thread;
    return buildNotice(this.#key, {
      to: row.sender, about: row.id, thread: typeof thread === 'string' ? thread : null, body, now,
      ...(failure === undefined ? {} : { taskId: failure.taskId, tasks: [failure.write] }),
    });
  }
}
