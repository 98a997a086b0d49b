/**
 * Receipt forwarding (SPEC ACK-4, ACK-5): a committed receipt reaches the original sender inside a
 * `delivered` frame on every connection it has open, or right after its next `welcome`. Receipts are never
 * delivered with `deliver`. Receipts for relay notices are addressed to the relay itself: there is nobody to
 * forward them to (they are stored as forwarded).
 */
import type { RelayStore } from '../store/store.ts';
import type { Presence } from './presence.ts';
import type { Peer } from './types.ts';

/** Serializes a `delivered` frame around stored receipt JSON. */
export function deliveredFrameText(id: string, receiptJson: string): string {
  return `{"op":"delivered","id":${JSON.stringify(id)},"receipt":${receiptJson}}`;
}

/** Sends `delivered` frames. */
export class ReceiptForwarder {
  readonly #store: RelayStore;
  readonly #presence: Presence;

  constructor(store: RelayStore, presence: Presence) {
    this.#store = store;
    this.#presence = presence;
  }

  /**
   * Forwards a committed receipt to every connection of the original sender (ACK-4).
   * @returns true when the sender was online.
   */
  forward(originalSender: string, forId: string, receiptJson: string): boolean {
    const peers = this.#presence.peersOf(originalSender);
    const text = deliveredFrameText(forId, receiptJson);
    for (const peer of peers) peer.sendText(text);
    return peers.length > 0;
  }

  /** Sends `peer` the receipts its agent missed while offline, and records them as forwarded (ACK-4). */
  replay(peer: Peer): void {
    for (const r of this.#store.unforwardedReceipts(peer.agent)) {
      peer.sendText(deliveredFrameText(r.forId, r.receiptJson));
      this.#store.markForwarded(peer.agent, r.forId);
    }
  }
}
