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

/** Receipts replayed per event-loop turn after a `welcome`: one read and one transaction each. */
export const REPLAY_CHUNK = 256;

/** How long a replay waits for a connection above its high-water mark to drain, ms. */
const REPLAY_DRAIN_WAIT_MS = 10;

/** Sends `delivered` frames. */
export class ReceiptForwarder {
  readonly #store: RelayStore;
  readonly #presence: Presence;
  readonly #highWaterBytes: number;
  readonly #onError: (err: unknown) => void;
  #stopped = false;

  /**
   * @param highWaterBytes - a replay pauses while the connection has more than this queued (FLW-2)
   * @param onError - called when a replay continuation fails (storage error); the replay stops there
   */
  constructor(store: RelayStore, presence: Presence, highWaterBytes: number, onError: (err: unknown) => void) {
    this.#store = store;
    this.#presence = presence;
    this.#highWaterBytes = highWaterBytes;
    this.#onError = onError;
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

  /**
   * Sends `peer` the receipts its agent missed while offline, and records them as forwarded (ACK-4): the first
   * {@link REPLAY_CHUNK} now, the rest one chunk per event-loop turn while the connection stays open and below
   * its high-water mark, so that an agent with a large backlog neither stalls the relay nor floods its socket.
   * @throws the storage error of the first chunk (later chunks report theirs to `onError`).
   */
  replay(peer: Peer): void {
    if (this.#replayChunk(peer)) this.#continueLater(peer, 0);
  }

  /** Stops replays in progress (shutdown). */
  stop(): void {
    this.#stopped = true;
  }

  /** Sends one chunk; true when more may be waiting. */
  #replayChunk(peer: Peer): boolean {
    const rows = this.#store.unforwardedReceipts(peer.agent, REPLAY_CHUNK);
    for (const r of rows) peer.sendText(deliveredFrameText(r.forId, r.receiptJson));
    this.#store.markForwarded(peer.agent, rows.map((r) => r.forId));
    return rows.length === REPLAY_CHUNK;
  }

  #continueLater(peer: Peer, delayMs: number): void {
    const next = (): void => {
      if (this.#stopped || !this.#presence.peersOf(peer.agent).includes(peer)) return;
      if (peer.bufferedAmount > this.#highWaterBytes) return this.#continueLater(peer, REPLAY_DRAIN_WAIT_MS);
      try {
        if (this.#replayChunk(peer)) this.#continueLater(peer, 0);
      } catch (err) {
        this.#onError(err);
      }
    };
    if (delayMs === 0) setImmediate(next);
    else setTimeout(next, delayMs).unref();
  }
}
