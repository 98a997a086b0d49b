/**
 * What follows a failed delivery attempt (SPEC DLV-4, DLV-6):
 * - after attempt n >= max_delivery_attempts: dead letter, reason MAX_ATTEMPTS_EXCEEDED, last_error = what
 *   failed the attempt (TIMEOUT, CONNECTION_CLOSED or the rejection code);
 * - a final rejection (any code but BUSY): a direct envelope is dead-lettered at once with that code; a
 *   capability-routed one goes to another connected provider that has not rejected it, or is dead-lettered
 *   with that code when none is left;
 * - a closed connection: a capability-routed envelope goes to another connected provider at once;
 * - otherwise the next attempt is due after d = min(redelivery_backoff_max_ms, redelivery_backoff_ms *
 *   2^(n-1)), uniformly random in [d/2, d] ("equal jitter"); then capability routing runs again.
 * Dead-lettering settles the counters, drops the delivery state and delivers the sender's notice.
 */
import type { ErrorInfo } from '../store/store.ts';
import type { DeadLetterItem } from './dead-letter.ts';
import { capName, type DeliveryDeps, type DeliveryHooks, type DeliveryState } from './delivery-state.ts';
import { backoffDelay, type InFlight, type Mailbox, type Retry } from './mailbox.ts';
import type { Rerouter } from './reroute.ts';

/** How an attempt failed: a retryable failure (timeout, BUSY), a closed connection, or a final rejection. */
export type FailureKind = 'retry' | 'closed' | 'final';

/** Decides and schedules what follows failed attempts. */
export class RetryPolicy {
  readonly #d: DeliveryDeps;
  readonly #state: DeliveryState;
  readonly #hooks: DeliveryHooks;
  readonly #rerouter: Rerouter;

  constructor(deps: DeliveryDeps, state: DeliveryState, hooks: DeliveryHooks, rerouter: Rerouter) {
    this.#d = deps;
    this.#state = state;
    this.#hooks = hooks;
    this.#rerouter = rerouter;
  }

  /** Attempt `entry.attempt` to `agent` failed with `error` (the caller already removed it from the window). */
  failed(agent: string, entry: InFlight, error: ErrorInfo, kind: FailureKind): void {
    const n = entry.attempt;
    const retry: Retry = { seq: entry.seq, sender: entry.sender, id: entry.id, to: entry.to, attempts: n, lastError: error, timer: undefined };
    const deadLetter = (reason: string): void => {
      const row = this.#d.store.envelopeAt(entry.seq);
      if (row !== undefined) this.deadLetter([{ row, recipient: agent, reason, attempts: n, lastError: error }]);
    };
    const cap = capName(entry.to) !== undefined;
    if (kind === 'final' && !cap) return deadLetter(error.code);
    if (kind === 'final') this.#state.rejectersOf(entry.seq).add(agent);
    if (n >= this.#d.limits.max_delivery_attempts) return deadLetter('MAX_ATTEMPTS_EXCEEDED');
    if (cap && kind !== 'retry') {
      const chosen = this.#rerouter.choose(retry, agent, agent);
      if (chosen !== undefined) return this.#rerouter.move(retry, agent, chosen);
      if (kind === 'final') return deadLetter(error.code);
    }
    this.#schedule(agent, retry);
  }

  /**
   * Dead-letters envelopes with their notices (one transaction, DLV-6), settles the counters, drops their
   * delivery state and delivers the notices. Envelopes whose receipt is being committed are skipped.
   */
  deadLetter(items: readonly DeadLetterItem[]): void {
    const live = items.filter((i) => !this.#state.isSettling(i.row.sender, i.row.id));
    if (live.length === 0) return;
    let done;
    try {
      done = this.#d.deadLetters.write(live);
    } catch (err) {
      this.#d.log.error({ err, count: live.length }, 'dead-lettering failed; the envelopes stay pending');
      return;
    }
    const freed = new Set<Mailbox>();
    for (const { item, notice } of done) {
      const { row } = item;
      this.#d.ledger.settle(row.sender, item.recipient);
      const mb = this.#state.forget(row.seq, row.sender, row.id, item.recipient, this.#d.attempts);
      if (mb !== undefined) freed.add(mb);
      this.#d.log.debug({ seq: row.seq, reason: item.reason, attempts: item.attempts }, 'envelope dead-lettered');
      if (notice === undefined) continue;
      this.#d.ledger.add(notice.envelope.from, row.sender);
      this.#hooks.accepted({
        seq: notice.seq, sender: notice.envelope.from, id: notice.envelope.id, to: row.sender, recipient: row.sender,
        json: notice.json, exp: null,
      });
    }
    for (const mb of freed) this.#hooks.fill(mb);
  }

  /** Waits the backoff, then re-runs the provider choice (cap:) or makes it due for the same agent. */
  #schedule(agent: string, r: Retry): void {
    const l = this.#d.limits;
    const delay = backoffDelay(r.attempts, l.redelivery_backoff_ms, l.redelivery_backoff_max_ms, this.#d.random);
    this.#d.attempts.record({ seq: r.seq, attempts: r.attempts, nextAttemptAt: this.#d.clock.now() + delay, lastError: r.lastError });
    const mb = this.#state.mailboxes.get(agent);
    if (mb === undefined) return; // offline: its reconnect makes the envelope due (or the orphan sweep re-routes it)
    mb.setWaiting(r);
    r.timer = this.#d.clock.setTimer(delay, () => {
      r.timer = undefined;
      if (mb.waiting.get(r.seq) !== r) return;
      mb.deleteWaiting(r.seq);
      const chosen = this.#rerouter.choose(r, agent);
      if (chosen !== undefined && chosen !== agent) return this.#rerouter.move(r, agent, chosen);
      mb.setDue(r);
      this.#hooks.fill(mb);
    });
  }
}
