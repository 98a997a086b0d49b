/**
 * Terminal outcomes of the envelopes an agent sends to someone (design "Promise", ACK-4, DLV-6): each ends
 * `delivered` (the relay forwards the recipient's receipt in a `delivered` frame; it is verified here against
 * the envelope sent) or `dead-lettered` (the relay sends a signed `notice`, verified on intake). The tracker
 * remembers sent envelopes until their outcome, reports outcomes to subscribers and settles waits by id.
 */
import type { DeliveredFrame, Envelope, DeadLetterNoticeBody } from '@baton/spec';
import { receiptProblem } from './receipts.ts';
import { errorFromNotice } from './result-errors.ts';
import type { ClientLogger, DeliveryOutcome } from './types.ts';
import { WaiterMap } from './waiters.ts';
import type { WaitOptions } from './waiters.ts';

/** Tells whether `did` may sign the receipt of a tracked envelope (its recipient, or a provider of its capability). */
export type RecipientCheck = (did: string) => boolean | Promise<boolean>;

/** An outcome plus, for a dead letter, the notice body it came from (for error details). */
export type OutcomeListener = (outcome: DeliveryOutcome, notice?: DeadLetterNoticeBody) => void;

interface Settled {
  outcome: DeliveryOutcome;
  notice?: DeadLetterNoticeBody;
}

interface Tracked {
  readonly env: Envelope;
  readonly isRecipient: RecipientCheck;
}

/** Sent envelopes awaiting their outcome, bounded in number (oldest forgotten first). */
export class OutcomeTracker {
  readonly #logger: ClientLogger;
  readonly #maxTracked: number;
  readonly #tracked = new Map<string, Tracked>();
  readonly #waiters = new WaiterMap<Settled>();
  readonly #listeners = new Set<OutcomeListener>();
  /** Set by {@link failAll}: later waits fail at once with it. */
  #closedError: unknown;

  /**
   * @param maxTracked most envelopes remembered at once; the relay keeps a sender below `max_unacked_sends`
   *   unsettled envelopes (FLW-3), so that limit is the natural bound.
   */
  constructor(logger: ClientLogger, maxTracked: number) {
    this.#logger = logger;
    this.#maxTracked = Math.max(1, maxTracked);
  }

  /** Remembers `env` until its outcome; `isRecipient` decides who may sign its receipt. */
  track(env: Envelope, isRecipient: RecipientCheck): void {
    this.#tracked.set(env.id, { env, isRecipient });
    while (this.#tracked.size > this.#maxTracked) {
      const oldest = this.#tracked.keys().next();
      if (oldest.done === true) break;
      this.#tracked.delete(oldest.value);
    }
  }

  /** Forgets `id` (the relay refused it, so it has no outcome) and fails a wait for it with `error`. */
  forget(id: string, error: unknown): void {
    this.#tracked.delete(id);
    this.#waiters.reject(id, error);
  }

  /** Subscribes to every outcome; returns the unsubscribe function. */
  subscribe(listener: OutcomeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Waits for the outcome of tracked envelope `id`: resolves with the verified receipt.
   * @throws BatonError with the notice's reason (`MAX_ATTEMPTS_EXCEEDED`, `EXPIRED`, `MAILBOX_EXPIRED`,
   *   `UNSUPPORTED_CAPABILITY`, ...; `details` = the notice body), `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
   */
  async confirm(id: string, wait: WaitOptions): Promise<Envelope> {
    if (this.#closedError !== undefined) throw this.#closedError;
    const { outcome, notice } = await this.#waiters.wait(id, wait);
    if (outcome.status === 'delivered') return outcome.receipt;
    throw errorFromNotice(notice!);
  }

  /** Fails every wait, now and later (final close). */
  failAll(error: unknown): void {
    this.#closedError = error;
    this.#waiters.rejectAll(error);
  }

  /**
   * Handles a `delivered` frame: reports `delivered` when the receipt proves delivery of the tracked envelope
   * (ACK-4); an unverifiable receipt is logged and ignored, one for an untracked id is ignored.
   */
  async onDelivered(frame: DeliveredFrame): Promise<void> {
    const tracked = this.#tracked.get(frame.id);
    if (tracked === undefined) return;
    const from = typeof frame.receipt?.from === 'string' ? frame.receipt.from : '';
    const trusted = from !== '' && await tracked.isRecipient(from);
    const problem = receiptProblem(frame.receipt, tracked.env, () => trusted);
    if (problem !== null) {
      this.#logger.warn('ignored an untrustworthy receipt', { id: frame.id, problem });
      return;
    }
    if (this.#tracked.get(frame.id) !== tracked) return;
    this.#settle({ outcome: { id: frame.id, status: 'delivered', receipt: frame.receipt } });
  }

  /** Handles a verified `notice` from the relay (DLV-6): reports `dead-lettered` for `body.for`. */
  onNotice(notice: Envelope): void {
    const body = notice.body as unknown as DeadLetterNoticeBody;
    const outcome: DeliveryOutcome = {
      id: body.for,
      status: 'dead-lettered',
      reason: body.reason,
      attempts: body.attempts,
      entry: body.entry,
      ...(body.last_error !== undefined ? { lastError: body.last_error } : {}),
    };
    this.#settle({ outcome, notice: body });
  }

  #settle(settled: Settled): void {
    const { outcome, notice } = settled;
    this.#tracked.delete(outcome.id);
    this.#waiters.resolve(outcome.id, settled);
    for (const listener of [...this.#listeners]) {
      try {
        listener(outcome, notice);
      } catch (error) {
        this.#logger.warn('outcome listener failed', { id: outcome.id, error: String(error) });
      }
    }
  }
}
