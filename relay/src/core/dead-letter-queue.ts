/**
 * The relay's {@link DeadLetterApi} (SPEC DLQ-1..DLQ-4) over the store and the delivery engine: list and
 * inspect dead entries, re-drive one (pending again with attempts reset, delivered at once when its recipient
 * is connected), or purge one (the row stays for deduplication, RPL-3). Authorization is the caller's job.
 */
import type { DeadLetterEntry, Envelope } from '@baton/spec';
import type { DeadLetterRow, RelayStore } from '../store/store.ts';
import type { DeadLetterApi, DeadLetterPage, DeadLetterQuery, RedriveOutcome } from './dead-letter-api.ts';
import type { DeliveryEngine } from './delivery.ts';
import type { TaskRegistry } from './task-registry.ts';
import type { Clock } from './types.ts';

/** Most entries one listing returns. */
export const DLQ_MAX_LIMIT = 1000;

/** The wire form of a dead-letter entry (dlq-entry.schema.json), without the envelope. */
export function toEntry(row: DeadLetterRow): DeadLetterEntry {
  const entry: DeadLetterEntry = {
    entry: row.seq, sender: row.sender, id: row.id, type: row.type, to: row.to, recipient: row.recipient,
    reason: row.reason, attempts: row.attempts, accepted_at: row.acceptedAt, dead_lettered_at: row.deadAt,
  };
  if (row.lastError !== null) entry.last_error = { code: row.lastError.code, message: row.lastError.message };
  return entry;
}

/** DLQ operations of one relay. */
export class DeadLetterQueue implements DeadLetterApi {
  readonly #store: RelayStore;
  readonly #engine: DeliveryEngine;
  readonly #clock: Clock;
  readonly #tasks: TaskRegistry | undefined;

  constructor(store: RelayStore, engine: DeliveryEngine, clock: Clock, tasks?: TaskRegistry) {
    this.#store = store;
    this.#engine = engine;
    this.#clock = clock;
    this.#tasks = tasks;
  }

  /** Entries ordered by entry ascending; `limit` is clamped to 1..{@link DLQ_MAX_LIMIT}. */
  list(query: DeadLetterQuery): DeadLetterPage {
    const limit = Math.max(1, Math.min(DLQ_MAX_LIMIT, Math.floor(query.limit)));
    const rows = this.#store.listDead({
      limit: limit + 1,
      ...(query.after === undefined ? {} : { after: query.after }),
      ...(query.sender === undefined ? {} : { sender: query.sender }),
    });
    const entries = rows.slice(0, limit).map(toEntry);
    const last = entries.at(-1);
    return rows.length > limit && last !== undefined ? { entries, next: last.entry } : { entries };
  }

  get(entry: number): (DeadLetterEntry & { envelope: Envelope }) | undefined {
    const row = this.#store.findDead(entry);
    return row === undefined ? undefined : { ...toEntry(row), envelope: JSON.parse(row.json) as Envelope };
  }

  /**
   * DLQ-3: `expired` when the envelope's exp has passed (it could never be delivered, RPL-2);
   * `task-terminal` for a request whose task has ended (its dead letter failed it, TSK-3: a task never
   * changes state again, so its request is not delivered again).
   */
  redrive(entry: number): RedriveOutcome {
    const row = this.#store.findDead(entry);
    if (row === undefined || row.recipient === null) return 'not-found';
    if (row.exp !== null && row.exp <= this.#clock.now()) return 'expired';
    const task = row.type === 'request' ? this.#tasks?.get(row.id) : undefined;
    if (task !== undefined && task.owner === row.sender && task.endedAt !== null) return 'task-terminal';
    if (!this.#store.redrive(entry)) return 'not-found';
    this.#engine.redriven({ ...row, recipient: row.recipient, status: 'pending', attempts: 0, lastError: null });
    return 'redriven';
  }

  purge(entry: number): 'purged' | 'not-found' {
    return this.#store.purge(entry) ? 'purged' : 'not-found';
  }
}
