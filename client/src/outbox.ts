/**
 * Frames awaiting their answer from the relay - `send` frames awaiting `accepted`, `discover` frames awaiting
 * `discovered` - kept across reconnections: everything still unanswered is sent again, byte-identical, on the
 * next connection (the relay's dedupe by (sender, id), RPL-3, answers a repeat `accepted` duplicate), and an
 * entry refused with `RATE_LIMITED` is sent again after `retry_after_ms` (FLW-3). Entries end at their answer,
 * their deadline (`TIMEOUT`), their AbortSignal (`ABORTED`) or the agent's final close.
 */
import { BatonError } from '@baton/spec';
import type { ClientFrame } from '@baton/spec';
import { WaiterMap } from './waiters.ts';
import type { WaitOptions } from './waiters.ts';

/**
 * How long an entry lives: `durable` entries are resent after a reconnect; `connection` entries (receipts,
 * which answer a delivery made on one connection - after a loss the relay delivers again and a new receipt
 * is made) fail with `CONNECTION_CLOSED` when that connection is lost.
 */
export type OutboxScope = 'durable' | 'connection';

interface Entry {
  readonly frame: ClientFrame;
  readonly scope: OutboxScope;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
}

/** Where the outbox writes: the agent's connection. */
export interface OutboxLink {
  readonly isOpen: boolean;
  /** Sends now; may throw when the socket just closed (the entry is then resent on the next connection). */
  send(frame: ClientFrame): void;
}

/**
 * How long to wait before resending an envelope refused with `RATE_LIMITED`, in ms: the relay's
 * `retry_after_ms` (1,000 when absent) plus up to 10% (at most 250 ms) of jitter, so that a burst of refused
 * envelopes does not come back in the same millisecond.
 */
export function rateLimitDelayMs(retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const base = Math.max(0, retryAfterMs ?? 1_000);
  return base + random() * Math.min(250, 1 + base / 10);
}

/** Pending frames keyed by envelope id or discovery ref; `T` is the answer's type. */
export class Outbox<T> {
  readonly #link: OutboxLink;
  readonly #waiters = new WaiterMap<T>();
  readonly #entries = new Map<string, Entry>();
  /** Set by {@link failAll}: later submissions fail at once with it. */
  #closedError: unknown;

  constructor(link: OutboxLink) {
    this.#link = link;
  }

  /** Number of frames awaiting an answer. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Sends `frame` (now if the connection is open, else on the next one) and waits for its answer.
   * @throws BatonError `TIMEOUT`, `ABORTED`, the code of an `error` frame passed to {@link reject},
   *   `CONNECTION_CLOSED` (final close; for `connection` scope also a lost connection).
   */
  submit(key: string, frame: ClientFrame, wait: WaitOptions, scope: OutboxScope = 'durable'): Promise<T> {
    if (this.#closedError !== undefined) return Promise.reject(this.#closedError);
    const answer = this.#waiters.wait(key, wait);
    const entry: Entry = { frame, scope, retryTimer: undefined };
    this.#entries.set(key, entry);
    const forget = (): void => {
      if (this.#entries.get(key) !== entry) return;
      if (entry.retryTimer !== undefined) clearTimeout(entry.retryTimer);
      this.#entries.delete(key);
    };
    answer.then(forget, forget);
    if (this.#link.isOpen) this.#transmit(entry);
    else if (scope === 'connection') this.#waiters.reject(key, new BatonError('CONNECTION_CLOSED', 'not connected to the relay'));
    return answer;
  }

  /** Settles the entry `key` with its answer; false when nothing waited. */
  resolve(key: string, value: T): boolean {
    return this.#waiters.resolve(key, value);
  }

  /** Fails the entry `key` (e.g. with the relay's `error` frame); false when nothing waited. */
  reject(key: string, error: unknown): boolean {
    return this.#waiters.reject(key, error);
  }

  /**
   * Sends entry `key` again after `delayMs` (the relay said RATE_LIMITED). Its deadline still applies.
   * @returns false when no such entry waits.
   */
  retryLater(key: string, delayMs: number): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    if (entry.retryTimer !== undefined) clearTimeout(entry.retryTimer);
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined;
      if (this.#entries.get(key) === entry && this.#link.isOpen) this.#transmit(entry);
    }, Math.max(0, delayMs));
    return true;
  }

  /** A new connection is up: sends every durable entry again, in submission order (except those waiting out a rate limit). */
  resendAll(): void {
    for (const entry of [...this.#entries.values()]) {
      if (entry.retryTimer === undefined) this.#transmit(entry);
    }
  }

  /** The connection was lost: fails the `connection`-scoped entries with `CONNECTION_CLOSED`. */
  dropConnectionScoped(error: unknown): void {
    for (const [key, entry] of [...this.#entries]) {
      if (entry.scope === 'connection') this.#waiters.reject(key, error);
    }
  }

  /** The agent closed for good: fails everything, now and later. */
  failAll(error: unknown): void {
    this.#closedError = error;
    this.#waiters.rejectAll(error);
  }

  #transmit(entry: Entry): void {
    try {
      this.#link.send(entry.frame);
    } catch {
      // The socket closed under us: the entry stays and goes out again on the next connection.
    }
  }
}
