/**
 * In-memory counters of unsettled envelopes, loaded from the store at start and kept exact afterwards:
 * - per recipient: pending envelopes routed to it (its mailbox size; MBX-2 MAILBOX_FULL, RTE-3 routing load);
 * - per sender: accepted envelopes not yet settled (receipted or dead), relay notices excluded (FLW-3
 *   `max_unacked_sends`).
 * Envelopes queued for the group commit are counted already (the pipeline adds them when it queues them).
 */
import type { RelayStore } from '../store/store.ts';

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}

/** Pending-per-recipient and unsettled-per-sender counts. */
export class Ledger {
  readonly #pending: Map<string, number>;
  readonly #unsettled: Map<string, number>;
  readonly #relayDid: string;

  /** @param relayDid - envelopes from this sender (notices) are never counted as unsettled sends. */
  constructor(store: RelayStore, relayDid: string) {
    this.#pending = store.pendingCounts();
    this.#unsettled = store.unsettledCounts();
    this.#relayDid = relayDid;
  }

  /** Pending envelopes routed to `recipient` (its mailbox size). */
  pending(recipient: string): number {
    return this.#pending.get(recipient) ?? 0;
  }

  /** Accepted, unsettled envelopes sent by `sender`. */
  unsettled(sender: string): number {
    return this.#unsettled.get(sender) ?? 0;
  }

  /** Counts one more pending envelope from `sender` to `recipient`. */
  add(sender: string, recipient: string): void {
    bump(this.#pending, recipient, 1);
    if (sender !== this.#relayDid) bump(this.#unsettled, sender, 1);
  }

  /** Counts one envelope from `sender` to `recipient` as settled (receipt, dead letter, or failed commit). */
  settle(sender: string, recipient: string): void {
    bump(this.#pending, recipient, -1);
    if (sender !== this.#relayDid) bump(this.#unsettled, sender, -1);
  }

  /** Moves one pending envelope from the mailbox of `from` to the mailbox of `to` (capability re-routing). */
  move(from: string, to: string): void {
    bump(this.#pending, from, -1);
    bump(this.#pending, to, 1);
  }
}
