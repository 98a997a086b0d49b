/**
 * The delivery engine (SPEC DLV-1..DLV-5, FLW-1, FLW-2, ACK-2, ACK-6, RPL-2): hands committed envelopes to
 * their recipients, one `deliver` frame per attempt, until a receipt settles the envelope or it is
 * dead-lettered.
 *
 * - Window (FLW-1): at most max_unacked_deliveries in flight per agent; the rest stays in the store.
 * - Slow consumers (FLW-2): no new `deliver` on a connection whose buffer exceeds the high-water mark;
 *   resumes when it drains below half of it.
 * - Attempts (DLV-3): each waits ack_timeout_ms for the receipt; `working` restarts the timer; the attempt
 *   fails on timeout, on close of its connection, or on `reject` (what follows: retry.ts, reroute.ts).
 * - A (re)authentication makes every pending envelope of the agent due at once, lowest seq first (DLV-2).
 * - Expiry (DLV-5): never delivered at or after `exp` (checked at each attempt; the sweeper covers the rest).
 *
 * Attempt counters are written lazily (attempt-log.ts): a crash may grant an extra attempt.
 */
import type { RejectFrame, WorkingFrame } from '@baton/spec';
import type { ErrorInfo, StoredEnvelope } from '../store/store.ts';
import type { DeadLetterItem } from './dead-letter.ts';
import { DeliveryState, capName, type Deliverable, type DeliveryDeps, type DeliveryHooks } from './delivery-state.ts';
import { Mailbox, envelopeKey, type InFlight, type ReceiptFacts, type Retry, type Tracked } from './mailbox.ts';
import type { ReceiptTarget } from './receipt-check.ts';
import { Rerouter } from './reroute.ts';
import { RetryPolicy } from './retry.ts';
import type { Peer } from './types.ts';

export type { Deliverable, DeliveryDeps } from './delivery-state.ts';

/**
 * Serializes a `deliver` frame around stored envelope JSON (the envelope is sent unchanged, DLV-2, DLV-3),
 * with the stored `context` JSON of a clarification (TSK-8) when there is one.
 */
export function deliverFrameText(envelopeJson: string, seq: number, attempt: number, contextJson: string | null = null): string {
  const context = contextJson === null ? '' : `,"context":${contextJson}`;
  return `{"op":"deliver","seq":${seq},"attempt":${attempt},"env":${envelopeJson}${context}}`;
}

/** An envelope about to be attempted. */
type Attempt = Tracked & ReceiptFacts & { json: string; exp: number | null; attempts: number; lastError: ErrorInfo | null; context?: string | null };

/** Deliveries, redeliveries and their timers. */
export class DeliveryEngine implements DeliveryHooks {
  readonly #d: DeliveryDeps;
  readonly #state = new DeliveryState();
  readonly #rerouter: Rerouter;
  readonly #retry: RetryPolicy;
  /** Connections above the high-water mark (FLW-2). */
  readonly #paused = new Set<Peer>();
  #stopped = false;

  constructor(deps: DeliveryDeps) {
    this.#d = deps;
    this.#rerouter = new Rerouter(deps, this.#state, this);
    this.#retry = new RetryPolicy(deps, this.#state, this, this.#rerouter);
  }

  // --- envelopes and connections ---

  /** A committed envelope (or notice): delivers it now when its recipient is online with a free window slot. */
  accepted(e: Deliverable): void {
    const mb = this.#state.mailboxes.get(e.recipient);
    if (mb === undefined || e.seq <= mb.cursor || this.#stopped) return;
    if (!mb.backlog && mb.due.size === 0 && mb.inFlight.size < this.#d.limits.max_unacked_deliveries) {
      const peer = this.#writablePeer(mb.agent);
      if (peer !== undefined) {
        mb.cursor = e.seq;
        this.#attempt(mb, peer, { ...e, attempts: 0, lastError: null });
        return;
      }
    }
    mb.backlog = true;
  }

  /** `peer` authenticated: every pending envelope of its agent is due at once, lowest seq first (DLV-2, DLV-4). */
  authenticated(peer: Peer): void {
    let mb = this.#state.mailboxes.get(peer.agent);
    if (mb === undefined) {
      mb = new Mailbox(peer.agent);
      this.#state.mailboxes.set(peer.agent, mb);
    }
    mb.reset();
    this.#rerouter.holderOnline(peer.agent);
    this.fill(mb);
  }

  /** `peer` closed (already removed from presence): its deliveries in flight fail with CONNECTION_CLOSED (DLV-3). */
  closed(peer: Peer): void {
    this.#paused.delete(peer);
    const mb = this.#state.mailboxes.get(peer.agent);
    if (mb === undefined || this.#stopped) return;
    const online = this.#d.presence.isOnline(peer.agent);
    if (!online) {
      this.#state.mailboxes.delete(peer.agent);
      mb.drop();
      if (this.#d.ledger.pending(peer.agent) > 0) this.#rerouter.holderOffline(peer.agent);
    }
    const error = { code: 'CONNECTION_CLOSED', message: 'the connection closed before a receipt arrived' };
    for (const [key, entry] of [...mb.inFlight]) {
      if (entry.peer !== peer) continue;
      entry.timer?.cancel();
      mb.deleteInFlight(key);
      if (!this.#state.settling.has(key)) this.#retry.failed(peer.agent, entry, error, 'closed');
    }
    if (online) this.fill(mb);
  }

  /** The adapter wrote queued data for `peer`: resume a paused connection below half the high-water mark (FLW-2). */
  drained(peer: Peer): void {
    if (!this.#paused.has(peer) || peer.bufferedAmount > this.#d.highWaterBytes / 2) return;
    this.#paused.delete(peer);
    const mb = this.#state.mailboxes.get(peer.agent);
    if (mb !== undefined) this.fill(mb);
  }

  // --- recipient frames ---

  /**
   * A `reject` frame from `peer` (DLV-4): BUSY is retryable, any other code is final for this recipient.
   * @returns false when (sender, id) is not in flight to this agent (the caller answers UNKNOWN_DELIVERY).
   */
  reject(peer: Peer, frame: RejectFrame): boolean {
    const found = this.#inFlight(peer, frame);
    if (found === undefined || this.#state.settling.has(found.key)) return false;
    const { mb, entry, key } = found;
    entry.timer?.cancel();
    mb.deleteInFlight(key);
    const error = { code: frame.code, message: frame.message ?? `rejected by the recipient with ${frame.code}` };
    this.#retry.failed(peer.agent, entry, error, frame.code === 'BUSY' ? 'retry' : 'final');
    this.fill(mb);
    return true;
  }

  /**
   * A `working` frame from `peer`: restarts the ack timer of the delivery (DLV-3).
   * @returns false when (sender, id) is not in flight to this agent (UNKNOWN_DELIVERY).
   */
  working(peer: Peer, frame: WorkingFrame): boolean {
    const found = this.#inFlight(peer, frame);
    if (found === undefined) return false;
    if (found.entry.timer !== undefined) {
      found.entry.timer.cancel();
      this.#arm(found.mb, found.entry);
    }
    return true;
  }

  // --- receipts ---

  /**
   * The envelope (sender, id) as a receipt target when it is in flight to `recipient` and its digest and type
   * are known here (ACK-3 without a store read); undefined otherwise (the caller reads the store).
   */
  receiptTarget(recipient: string, sender: string, id: string): ReceiptTarget | undefined {
    const e = this.#state.mailboxes.get(recipient)?.inFlight.get(envelopeKey(sender, id));
    if (e?.digest === undefined || e.type === undefined) return undefined;
    return { seq: e.seq, sender: e.sender, id: e.id, recipient, status: 'pending', digest: e.digest, type: e.type };
  }

  /**
   * A valid receipt for a pending (sender, id) was queued for commit: its delivery can no longer time out or
   * be dead-lettered. @returns false when another receipt for it is already being committed.
   */
  beginSettle(sender: string, id: string, recipient: string): boolean {
    const key = envelopeKey(sender, id);
    if (this.#state.settling.has(key)) return false;
    this.#state.settling.add(key);
    const entry = this.#state.mailboxes.get(recipient)?.inFlight.get(key);
    if (entry !== undefined) {
      entry.timer?.cancel();
      entry.timer = undefined;
    }
    return true;
  }

  /** The receipt committed: the envelope is delivered (DLV-1); frees its window slot. */
  settled(t: { seq: number; sender: string; id: string; recipient: string; wasPending: boolean }): void {
    this.#state.settling.delete(envelopeKey(t.sender, t.id));
    if (t.wasPending) this.#d.ledger.settle(t.sender, t.recipient);
    const mb = this.#state.forget(t.seq, t.sender, t.id, t.recipient, this.#d.attempts);
    if (mb !== undefined) this.fill(mb);
  }

  /** The receipt's commit failed: the delivery is in flight again, with a fresh ack timer. */
  settleFailed(sender: string, id: string, recipient: string): void {
    const key = envelopeKey(sender, id);
    this.#state.settling.delete(key);
    const mb = this.#state.mailboxes.get(recipient);
    const entry = mb?.inFlight.get(key);
    if (mb !== undefined && entry !== undefined && entry.timer === undefined) this.#arm(mb, entry);
  }

  // --- sweeps and the DLQ ---

  /** Dead-letters pending envelopes found by a sweep (EXPIRED, MAILBOX_EXPIRED) with their latest attempt counts. */
  expire(rows: readonly StoredEnvelope[], reason: string): void {
    const items: DeadLetterItem[] = [];
    for (const row of rows) {
      if (row.recipient === null) continue;
      const p = this.#state.mailboxes.get(row.recipient)?.progress(row.seq, envelopeKey(row.sender, row.id));
      items.push({
        row, recipient: row.recipient, reason, attempts: p?.attempts ?? this.#d.attempts.attemptsOf(row.seq) ?? row.attempts,
        lastError: p === undefined ? row.lastError : p.lastError,
      });
    }
    this.#retry.deadLetter(items);
  }

  /** Moves due capability-routed envelopes of offline providers to connected ones (sweeper, DLV-4). */
  rerouteOrphans(limit: number): void {
    this.#rerouter.orphans(limit);
  }

  /**
   * A dead envelope is pending again in the store (DLQ-3): counts it again and delivers it at once when its
   * recipient (for `cap:`, any provider but `exclude`) is connected. Also used to requeue a task's request
   * (TSK-12), excluding the lost handler.
   */
  redriven(row: StoredEnvelope & { recipient: string }, exclude?: string): void {
    this.#state.forget(row.seq, row.sender, row.id, row.recipient, this.#d.attempts);
    this.#d.ledger.add(row.sender, row.recipient);
    const r: Retry = { seq: row.seq, sender: row.sender, id: row.id, to: row.to, attempts: 0, lastError: null, timer: undefined };
    const chosen = this.#rerouter.choose(r, row.recipient, exclude);
    if (chosen !== undefined && chosen !== row.recipient) return this.#rerouter.move(r, row.recipient, chosen);
    const mb = this.#state.mailboxes.get(row.recipient);
    if (mb !== undefined) {
      mb.setDue(r);
      this.fill(mb);
    } else if (capName(row.to) !== undefined) {
      this.#rerouter.holderOffline(row.recipient);
    }
  }

  /** Cancels every timer and ignores further events (relay shutdown). */
  stop(): void {
    this.#stopped = true;
    for (const mb of this.#state.mailboxes.values()) mb.drop();
    this.#state.mailboxes.clear();
  }

  // --- the window ---

  /** Sends attempts while the window has room and a connection is writable (FLW-1, FLW-2, DLV-2). */
  fill(mb: Mailbox): void {
    if (mb.filling || this.#stopped) return;
    mb.filling = true;
    try {
      const window = this.#d.limits.max_unacked_deliveries;
      while (mb.inFlight.size < window && this.#state.mailboxes.get(mb.agent) === mb) {
        const peer = this.#writablePeer(mb.agent);
        if (peer === undefined) return;
        const due = mb.takeDue();
        if (due !== undefined) {
          this.#retryNow(mb, peer, due);
          continue;
        }
        if (!mb.backlog || !this.#firstAttempts(mb, window - mb.inFlight.size)) return;
      }
    } finally {
      mb.filling = false;
    }
  }

  /**
   * Sends up to `room` first attempts from the store, ascending seq above the cursor.
   * @returns false when it had to stop early (no writable connection).
   */
  #firstAttempts(mb: Mailbox, room: number): boolean {
    const rows = this.#d.store.nextPending(mb.agent, mb.cursor, room);
    if (rows.length < room) mb.backlog = false;
    for (const row of rows) {
      const peer = this.#writablePeer(mb.agent);
      if (peer === undefined || mb.inFlight.size >= this.#d.limits.max_unacked_deliveries) {
        mb.backlog = true;
        return false;
      }
      mb.cursor = Math.max(mb.cursor, row.seq);
      const key = envelopeKey(row.sender, row.id);
      if (mb.tracks(row.seq, key) || this.#state.settling.has(key)) continue;
      this.#attempt(mb, peer, { ...row, attempts: this.#d.attempts.attemptsOf(row.seq) ?? row.attempts });
    }
    return true;
  }

  /** Sends a due redelivery, re-reading the envelope from the store. */
  #retryNow(mb: Mailbox, peer: Peer, r: Retry): void {
    const row = this.#d.store.envelopeAt(r.seq);
    if (row === undefined || row.status !== 'pending' || row.recipient !== mb.agent) return;
    if (this.#state.isSettling(r.sender, r.id)) return;
    this.#attempt(mb, peer, { ...r, json: row.json, exp: row.exp, context: row.context, digest: row.digest, type: row.type });
  }

  /** One attempt (DLV-3): a deliver frame, an ack timer, and the lazily written counters. */
  #attempt(mb: Mailbox, peer: Peer, e: Attempt): void {
    const now = this.#d.clock.now();
    if (e.exp !== null && e.exp <= now) {
      // RPL-2, DLV-5: never delivered at or after exp.
      const row = this.#d.store.envelopeAt(e.seq);
      if (row !== undefined) this.#retry.deadLetter([{ row, recipient: mb.agent, reason: 'EXPIRED', attempts: e.attempts, lastError: e.lastError }]);
      return;
    }
    const entry: InFlight = {
      seq: e.seq, sender: e.sender, id: e.id, to: e.to, attempt: e.attempts + 1, peer, lastError: e.lastError, timer: undefined,
      digest: e.digest, type: e.type,
    };
    mb.setInFlight(envelopeKey(e.sender, e.id), entry);
    this.#arm(mb, entry);
    // A first attempt is not written (hot path: it would cost one UPDATE per routed envelope): after a crash it
    // counts as not made, which DLV-8 allows. Later attempts are written lazily.
    if (entry.attempt > 1) {
      this.#d.attempts.record({ seq: e.seq, attempts: entry.attempt, nextAttemptAt: now + this.#d.limits.ack_timeout_ms, lastError: e.lastError });
    }
    peer.sendText(deliverFrameText(e.json, e.seq, entry.attempt, e.context ?? null));
  }

  /** Starts the ack timer of `entry` (DLV-3); when it runs out the attempt fails with TIMEOUT. */
  #arm(mb: Mailbox, entry: InFlight): void {
    const ms = this.#d.limits.ack_timeout_ms;
    entry.timer = this.#d.clock.setTimer(ms, () => {
      entry.timer = undefined;
      const key = envelopeKey(entry.sender, entry.id);
      if (mb.inFlight.get(key) !== entry) return;
      mb.deleteInFlight(key);
      this.#retry.failed(mb.agent, entry, { code: 'TIMEOUT', message: `no receipt within ack_timeout_ms (${ms} ms)` }, 'retry');
      this.fill(mb);
    });
  }

  #inFlight(peer: Peer, frame: { sender: string; id: string }): { mb: Mailbox; entry: InFlight; key: string } | undefined {
    const key = envelopeKey(frame.sender, frame.id);
    const mb = this.#state.mailboxes.get(peer.agent);
    const entry = mb?.inFlight.get(key);
    return mb === undefined || entry === undefined ? undefined : { mb, entry, key };
  }

  /** A connection of `agent` below the high-water mark, oldest first; marks the others paused (FLW-2). */
  #writablePeer(agent: string): Peer | undefined {
    for (const peer of this.#d.presence.peers(agent)) {
      if (this.#paused.has(peer)) continue;
      if (peer.bufferedAmount > this.#d.highWaterBytes) {
        this.#paused.add(peer);
        continue;
      }
      return peer;
    }
    return undefined;
  }
}
