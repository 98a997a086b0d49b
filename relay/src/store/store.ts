/**
 * The storage interface the relay core uses (design note 8).
 *
 * The core never talks SQL: it calls these methods, so a PostgreSQL store can replace the embedded SQLite
 * store without touching routing or delivery code. Every method is synchronous because the embedded store is;
 * `commitBatch` is the only write on the hot path and is called once per tick (group commit, SPEC ACK-1).
 */

/** Delivery state of a stored envelope. `pending` = accepted, no receipt yet (it is redelivered, ACK-6). */
export type EnvelopeStatus = 'pending' | 'delivered' | 'expired';

/** One stored envelope, as the core needs it. */
export interface StoredEnvelope {
  /** Relay sequence number: acceptance order (ACK-2). */
  readonly seq: number;
  readonly sender: string;
  readonly id: string;
  readonly type: string;
  /** The agent the envelope is (or will be) delivered to; `null` for envelopes never delivered (register, receipt). */
  readonly recipient: string | null;
  /** Hex SHA-256 of the envelope signing input (SPEC SIG-1, TYP-4). */
  readonly digest: string;
  /** The envelope exactly as received, as JSON text. */
  readonly json: string;
  /** Expiry, ms since epoch, or `null`. */
  readonly exp: number | null;
  readonly status: EnvelopeStatus;
}

/** An agent's latest registration (SPEC TYP-1, MAN-3). */
export interface AgentRegistration {
  readonly did: string;
  readonly handle: string | null;
  /** The `register` envelope exactly as received, as JSON text. */
  readonly registrationJson: string;
}

/** A committed receipt that was not yet handed to the original sender in a `delivered` frame (ACK-4). */
export interface UnforwardedReceipt {
  readonly forId: string;
  readonly receiptJson: string;
}

/** One accepted envelope to write in a group commit. */
export interface BatchWrite {
  readonly sender: string;
  readonly id: string;
  readonly type: string;
  readonly to: string;
  readonly recipient: string | null;
  readonly digest: string;
  readonly json: string;
  /** Acceptance time, ms since epoch. */
  readonly acceptedAt: number;
  readonly exp: number | null;
  /** For `register`: the registration to store (replaces the previous one) and the handle to bind. */
  readonly register?: { readonly handle: string | null };
  /**
   * For `receipt`: the envelope it acknowledges (`forSender` = receipt `to`, `forId` = `body.for`), and whether
   * the receipt is forwarded to the online sender right after this commit (otherwise on its next login).
   */
  readonly receipt?: { readonly forSender: string; readonly forId: string; readonly forwarded: boolean };
}

/** The relay's persistent state. Methods throw on storage failure; the core turns that into INTERNAL_ERROR. */
export interface RelayStore {
  /** Records that `did` authenticated at `now` (SPEC RTE-2 "known"); no-op when already known. */
  rememberAgent(did: string, now: number): void;
  /** All agents that ever authenticated. */
  knownAgents(): string[];
  /** Every agent's latest registration. */
  registrations(): AgentRegistration[];
  /** The did bound to `handle`, if any (MAN-2). */
  handleOwner(handle: string): string | undefined;
  /** The stored envelope (`sender`, `id`), if any (RPL-3 dedupe, ACK-3 receipt checks). */
  findEnvelope(sender: string, id: string): StoredEnvelope | undefined;
  /**
   * Writes all envelopes of one tick in ONE transaction (group commit) and returns the relay sequence number
   * assigned to each write, in order. Throws if the transaction fails.
   */
  commitBatch(writes: readonly BatchWrite[]): number[];
  /** Envelopes awaiting a receipt from `recipient`, in acceptance order. */
  pendingFor(recipient: string): StoredEnvelope[];
  /** Number of pending envelopes per recipient (router state after a restart). */
  pendingCounts(): Map<string, number>;
  /** Marks a pending envelope expired (RPL-2: never delivered after `exp`). */
  markExpired(sender: string, id: string): void;
  /** Receipts for envelopes sent by `sender` that were not yet forwarded in a `delivered` frame. */
  unforwardedReceipts(sender: string): UnforwardedReceipt[];
  /** Marks the receipt for (`sender`, `forId`) as forwarded. */
  markForwarded(sender: string, forId: string): void;
  close(): void;
}
