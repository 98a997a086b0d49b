/**
 * Delivery (SPEC ACK-2, ACK-4..ACK-6, RPL-2): hands committed envelopes to a connection of their recipient,
 * replays pending ones (acceptance order) when the recipient authenticates, never delivers past `exp`, and
 * forwards committed receipts to the original sender inside `delivered` frames (receipts are never delivered
 * with `deliver`).
 */
import type { Logger } from 'pino';
import type { RelayStore } from '../store/store.ts';
import type { Presence } from './presence.ts';
import type { Router } from './router.ts';
import type { Clock, Peer } from './types.ts';

/** The parts of a stored envelope delivery needs. */
export interface Deliverable {
  /** Relay sequence number (DLV-2). */
  readonly seq: number;
  readonly sender: string;
  readonly id: string;
  readonly recipient: string;
  /** The envelope exactly as received, JSON text. */
  readonly json: string;
  readonly exp: number | null;
}

/** Serializes a `deliver` frame around stored envelope JSON (the envelope is sent unchanged). */
export function deliverFrameText(envelopeJson: string, seq: number, attempt: number): string {
  return `{"op":"deliver","seq":${seq},"attempt":${attempt},"env":${envelopeJson}}`;
}

/** Serializes a `delivered` frame around stored receipt JSON. */
export function deliveredFrameText(id: string, receiptJson: string): string {
  return `{"op":"delivered","id":${JSON.stringify(id)},"receipt":${receiptJson}}`;
}

/** Sends envelopes and receipts to connected agents. */
export class Delivery {
  readonly #store: RelayStore;
  readonly #presence: Presence;
  readonly #router: Router;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(store: RelayStore, presence: Presence, router: Router, clock: Clock, log: Logger) {
    this.#store = store;
    this.#presence = presence;
    this.#router = router;
    this.#clock = clock;
    this.#log = log;
  }

  /**
   * Delivers a just-committed envelope on one connection of its recipient (CON-9); when the recipient is
   * offline it stays pending until the recipient next authenticates.
   */
  deliverNew(item: Deliverable): void {
    const peer = this.#presence.pick(item.recipient);
    if (peer !== undefined) this.#send(peer, item);
  }

  /**
   * Called right after `peer` authenticated: delivers every pending envelope of the agent in acceptance order
   * (ACK-2, ACK-6), then forwards receipts the agent missed while offline (ACK-4).
   */
  onAuthenticated(peer: Peer): void {
    for (const stored of this.#store.pendingFor(peer.agent)) {
      if (stored.recipient === null) continue;
      this.#send(peer, { seq: stored.seq, sender: stored.sender, id: stored.id, recipient: stored.recipient, json: stored.json, exp: stored.exp });
    }
    for (const r of this.#store.unforwardedReceipts(peer.agent)) {
      peer.sendText(deliveredFrameText(r.forId, r.receiptJson));
      this.#store.markForwarded(peer.agent, r.forId);
    }
  }

  /**
   * Forwards a committed receipt to every connection of the original sender (ACK-4). Returns true when the
   * sender was online (the store recorded the receipt as forwarded in the same commit).
   */
  forwardReceipt(originalSender: string, forId: string, receiptJson: string): boolean {
    const peers = this.#presence.peersOf(originalSender);
    const text = deliveredFrameText(forId, receiptJson);
    for (const peer of peers) peer.sendText(text);
    return peers.length > 0;
  }

  #send(peer: Peer, item: Deliverable): void {
    if (item.exp !== null && item.exp <= this.#clock.now()) {
      // RPL-2: never deliver after exp.
      try {
        this.#store.markExpired(item.sender, item.id);
      } catch (err) {
        this.#log.error({ err }, 'could not mark envelope expired');
        return;
      }
      this.#router.release(item.recipient);
      this.#log.debug({ sender: item.sender, id: item.id }, 'envelope expired before delivery');
      return;
    }
    peer.sendText(deliverFrameText(item.json, item.seq, 1));
  }
}
