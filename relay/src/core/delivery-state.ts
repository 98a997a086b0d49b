/**
 * What the parts of the delivery engine share: their dependencies, the in-memory delivery state (mailboxes of
 * online agents, receipts being committed, final rejecters of capability-routed envelopes), and the two
 * engine operations the retry policy and the re-router call back into.
 */
import type { Limits } from '@baton/spec';
import type { Logger } from 'pino';
import type { RelayStore } from '../store/store.ts';
import type { AttemptLog } from './attempt-log.ts';
import type { DeadLetters } from './dead-letter.ts';
import type { Ledger } from './ledger.ts';
import { envelopeKey, type Mailbox, type ReceiptFacts, type Tracked } from './mailbox.ts';
import type { Presence } from './presence.ts';
import type { Router } from './router.ts';
import type { Clock } from './types.ts';

/** A committed envelope to deliver. */
export interface Deliverable extends Tracked, ReceiptFacts {
  readonly recipient: string;
  /** The envelope exactly as received, JSON text. */
  readonly json: string;
  readonly exp: number | null;
  /** JSON text of the deliver frame's context (TSK-8), if any. */
  readonly context?: string | null;
}

/** What the delivery engine is built from. */
export interface DeliveryDeps {
  readonly store: RelayStore;
  readonly presence: Presence;
  readonly router: Router;
  readonly ledger: Ledger;
  readonly attempts: AttemptLog;
  readonly deadLetters: DeadLetters;
  readonly clock: Clock;
  readonly limits: Limits;
  readonly log: Logger;
  /** Uniform in [0, 1): the backoff jitter (DLV-4). */
  readonly random: () => number;
  /** FLW-2 high-water mark, bytes. */
  readonly highWaterBytes: number;
}

/** Engine operations used by the retry policy and the re-router. */
export interface DeliveryHooks {
  /** Sends what the mailbox's window and connections allow. */
  fill(mb: Mailbox): void;
  /** A committed envelope (here: a notice) to deliver. */
  accepted(e: Deliverable): void;
}

/** The capability name of a `cap:<name>` target, else undefined. */
export function capName(to: string): string | undefined {
  return to.startsWith('cap:') ? to.slice(4) : undefined;
}

/** In-memory delivery state. */
export class DeliveryState {
  /** Mailboxes of the agents online now. */
  readonly mailboxes = new Map<string, Mailbox>();
  /** Envelopes (by key) whose receipt is being committed: never failed or dead-lettered meanwhile. */
  readonly settling = new Set<string>();
  /** Agents that rejected a capability-routed envelope with a final code, by seq (memory only, DLV-4). */
  readonly #rejecters = new Map<number, Set<string>>();

  /** The final rejecters of envelope `seq` (created empty on first use). */
  rejectersOf(seq: number): Set<string> {
    let set = this.#rejecters.get(seq);
    if (set === undefined) {
      set = new Set();
      this.#rejecters.set(seq, set);
    }
    return set;
  }

  /** True when the receipt of (sender, id) is being committed. */
  isSettling(sender: string, id: string): boolean {
    return this.settling.has(envelopeKey(sender, id));
  }

  /**
   * Forgets everything kept in memory about a settled or dead envelope.
   * @returns the recipient's mailbox when a window slot was freed (the caller fills it).
   */
  forget(seq: number, sender: string, id: string, recipient: string, attempts: AttemptLog): Mailbox | undefined {
    this.#rejecters.delete(seq);
    attempts.forget(seq);
    const mb = this.mailboxes.get(recipient);
    return mb?.remove(seq, envelopeKey(sender, id)) === true ? mb : undefined;
  }
}
