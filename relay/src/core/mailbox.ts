/**
 * Per-recipient delivery state of an online agent (FLW-1, DLV-2, DLV-3): the deliveries in flight (the
 * window), envelopes that failed an attempt and wait for their backoff, envelopes due again now, and the
 * resume position in the store. The envelopes themselves stay in the store (NOT in memory): a mailbox holds
 * only sequence numbers, ids, attempt counts and timers, so memory per recipient is bounded by the window and
 * the number of envelopes waiting for a redelivery.
 *
 * First attempts come from the store in ascending seq (`cursor` = highest seq fetched so far, `backlog` =
 * the store may hold pending envelopes above it). Redeliveries (and envelopes re-routed here) go through
 * `due` and may be sent after higher seqs (DLV-2).
 */
import type { ErrorInfo } from '../store/store.ts';
import type { Peer, Timer } from './types.ts';

/** Map key of an envelope: (sender, id). */
export function envelopeKey(sender: string, id: string): string {
  return `${sender}\u0000${id}`;
}

/** Identity of a routed envelope, as the delivery engine tracks it. */
export interface Tracked {
  readonly seq: number;
  readonly sender: string;
  readonly id: string;
  /** The envelope's `to`: an agent did:key, or `cap:<name>` for capability routing. */
  readonly to: string;
}

/** What the receipt check (ACK-3) needs of a delivery, when the engine got it with the envelope. */
export interface ReceiptFacts {
  /** The envelope's digest (SIG-4). */
  readonly digest?: string | undefined;
  /** The envelope's type. */
  readonly type?: string | undefined;
}

/** One deliver frame waiting for its receipt (DLV-3). */
export interface InFlight extends Tracked, ReceiptFacts {
  /** This attempt's number (1 for the first). */
  readonly attempt: number;
  /** The connection the deliver frame went out on; its close fails the attempt. */
  readonly peer: Peer;
  /** Error of the previous attempt, kept for the dead-letter entry. */
  readonly lastError: ErrorInfo | null;
  /** Ack timer; undefined while a receipt for the delivery is being committed. */
  timer: Timer | undefined;
}

/** An envelope between attempts: waiting for its backoff, or due now. */
export interface Retry extends Tracked {
  /** Attempts made so far. */
  readonly attempts: number;
  readonly lastError: ErrorInfo | null;
  /** Backoff timer while waiting; undefined once due. */
  timer: Timer | undefined;
}

/** What an absent map reads as. */
const EMPTY: ReadonlyMap<never, never> = new Map<never, never>();

/** Delivery state of one online recipient. */
export class Mailbox {
  readonly agent: string;
  // The three maps are created on first write: an idle agent's mailbox holds none (reads see EMPTY).
  #inFlight: Map<string, InFlight> | undefined;
  #waiting: Map<number, Retry> | undefined;
  #due: Map<number, Retry> | undefined;
  /** Highest seq fetched from the store for a first attempt. */
  cursor = 0;
  /** True when the store may hold pending envelopes of this agent above `cursor` that are not tracked here. */
  backlog = true;
  /** Re-entrancy guard of the engine's fill loop. */
  filling = false;

  constructor(agent: string) {
    this.agent = agent;
  }

  /** Deliveries in flight, by {@link envelopeKey}; size <= max_unacked_deliveries (FLW-1). */
  get inFlight(): ReadonlyMap<string, InFlight> {
    return this.#inFlight ?? EMPTY;
  }

  /** Failed envelopes waiting for their backoff (DLV-4), by seq. */
  get waiting(): ReadonlyMap<number, Retry> {
    return this.#waiting ?? EMPTY;
  }

  /** Envelopes due for another attempt, waiting for a window slot or a writable connection, by seq (FIFO). */
  get due(): ReadonlyMap<number, Retry> {
    return this.#due ?? EMPTY;
  }

  /** Records a delivery in flight. */
  setInFlight(key: string, entry: InFlight): void {
    (this.#inFlight ??= new Map()).set(key, entry);
  }

  /** Forgets a delivery in flight (its timer is the caller's). */
  deleteInFlight(key: string): void {
    this.#inFlight?.delete(key);
  }

  /** Records an envelope waiting for its backoff. */
  setWaiting(r: Retry): void {
    (this.#waiting ??= new Map()).set(r.seq, r);
  }

  /** Forgets a waiting envelope (its timer is the caller's). */
  deleteWaiting(seq: number): void {
    this.#waiting?.delete(seq);
  }

  /** Makes an envelope due (after those due already). */
  setDue(r: Retry): void {
    (this.#due ??= new Map()).set(r.seq, r);
  }

  /** Removes and returns the first due envelope, if any. */
  takeDue(): Retry | undefined {
    const first = this.#due?.values().next();
    if (first === undefined || first.done === true) return undefined;
    this.#due!.delete(first.value.seq);
    return first.value;
  }

  /**
   * The agent (re)authenticated: every pending envelope is due at once (DLV-4), from the lowest seq up
   * (DLV-2). Deliveries in flight on other connections stay in flight.
   */
  reset(): void {
    for (const r of this.waiting.values()) r.timer?.cancel();
    this.#waiting?.clear();
    this.#due?.clear();
    this.cursor = 0;
    this.backlog = true;
  }

  /** True when the envelope is in flight, waiting or due here (so a store scan must skip it). */
  tracks(seq: number, key: string): boolean {
    return this.inFlight.has(key) || this.waiting.has(seq) || this.due.has(seq);
  }

  /**
   * Forgets the envelope (settled, dead-lettered or moved away), cancelling its timers.
   * @returns true when it was in flight (a window slot was freed).
   */
  remove(seq: number, key: string): boolean {
    const flying = this.inFlight.get(key);
    flying?.timer?.cancel();
    this.#inFlight?.delete(key);
    this.waiting.get(seq)?.timer?.cancel();
    this.#waiting?.delete(seq);
    this.#due?.delete(seq);
    return flying !== undefined;
  }

  /** Attempts made and last error of a tracked envelope, if tracked. */
  progress(seq: number, key: string): { attempts: number; lastError: ErrorInfo | null } | undefined {
    const flying = this.inFlight.get(key);
    if (flying !== undefined) return { attempts: flying.attempt, lastError: flying.lastError };
    const r = this.waiting.get(seq) ?? this.due.get(seq);
    return r === undefined ? undefined : { attempts: r.attempts, lastError: r.lastError };
  }

  /** Cancels every timer (the agent went offline, or the relay stops). */
  drop(): void {
    for (const f of this.inFlight.values()) f.timer?.cancel();
    for (const r of this.waiting.values()) r.timer?.cancel();
  }
}

/**
 * Redelivery delay after failed attempt `n` (DLV-4): d = min(max, base * 2^(n-1)), "equal jitter" = uniformly
 * random in [d/2, d].
 * @param n - the failed attempt's number, >= 1.
 * @param random - uniform in [0, 1).
 * @returns delay in ms.
 */
export function backoffDelay(n: number, baseMs: number, maxMs: number, random: () => number): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(n - 1, 0), 52));
  return Math.min(d, Math.ceil(d / 2 + random() * (d / 2)));
}
