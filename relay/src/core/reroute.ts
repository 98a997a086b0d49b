/**
 * Capability routing on retry (SPEC DLV-4): every attempt of a `cap:` envelope re-runs the RTE-3 choice among
 * providers connected now that have not rejected it with a final code; the recorded recipient is updated in
 * the store (at once, not lazily: ACK-3 accepts a receipt only from the current recorded recipient) and the
 * envelope is due at once in the new provider's mailbox.
 *
 * Envelopes whose provider went offline wait in its mailbox; the sweeper calls {@link Rerouter.orphans}
 * every second to move the ones whose next attempt is due to a provider that is online then.
 */
import { capName, type DeliveryDeps, type DeliveryHooks, type DeliveryState } from './delivery-state.ts';
import { envelopeKey, type Retry } from './mailbox.ts';

/** Moves capability-routed envelopes between providers. */
export class Rerouter {
  readonly #d: DeliveryDeps;
  readonly #state: DeliveryState;
  readonly #hooks: DeliveryHooks;
  /** Offline agents that may hold pending capability-routed envelopes. */
  readonly #holders: Set<string>;

  constructor(deps: DeliveryDeps, state: DeliveryState, hooks: DeliveryHooks) {
    this.#d = deps;
    this.#state = state;
    this.#hooks = hooks;
    this.#holders = new Set(deps.store.capHolders());
  }

  /** `agent` went offline holding pending envelopes: some may be capability-routed orphans now. */
  holderOffline(agent: string): void {
    this.#holders.add(agent);
  }

  /** `agent` is online: its own mailbox delivers what it holds. */
  holderOnline(agent: string): void {
    this.#holders.delete(agent);
  }

  /**
   * Chooses the provider for the next attempt of `r`, excluding its final rejecters and `exclude`.
   * @param holder - the provider holding it now (a full mailbox does not disqualify it).
   * @returns the provider, or undefined when `r` is not capability-routed or nobody qualifies.
   */
  choose(r: Retry, holder: string, exclude?: string): string | undefined {
    const name = capName(r.to);
    if (name === undefined) return undefined;
    const rejecters = this.#state.rejectersOf(r.seq);
    const skip = exclude === undefined ? rejecters : new Set([...rejecters, exclude]);
    return this.#d.router.choose(name, { exclude: skip, holder });
  }

  /** Records `to` as the recipient of `r` (store first) and makes it due there at once. */
  move(r: Retry, from: string, to: string): void {
    try {
      this.#d.store.reroute(r.seq, to);
    } catch (err) {
      this.#d.log.error({ err, seq: r.seq }, 'could not re-route an envelope; it stays with its provider');
      return;
    }
    this.#d.ledger.move(from, to);
    this.#state.mailboxes.get(from)?.remove(r.seq, envelopeKey(r.sender, r.id));
    this.#d.attempts.record({ seq: r.seq, attempts: r.attempts, nextAttemptAt: null, lastError: r.lastError });
    const mb = this.#state.mailboxes.get(to);
    if (mb === undefined) {
      this.#holders.add(to);
      return;
    }
    mb.setDue({ ...r, timer: undefined });
    this.#hooks.fill(mb);
  }

  /**
   * Moves due envelopes of offline holders to providers online now.
   * @param limit - most envelopes examined per holder and run.
   */
  orphans(limit: number): void {
    const now = this.#d.clock.now();
    for (const holder of [...this.#holders]) {
      const rows = this.#d.presence.isOnline(holder) ? undefined : this.#d.store.dueCapPending(holder, now, limit);
      if (rows === undefined) {
        this.#holders.delete(holder);
        continue;
      }
      for (const row of rows) {
        if (this.#state.isSettling(row.sender, row.id)) continue;
        const r: Retry = {
          seq: row.seq, sender: row.sender, id: row.id, to: row.to, timer: undefined, lastError: row.lastError,
          attempts: this.#d.attempts.attemptsOf(row.seq) ?? row.attempts,
        };
        const chosen = this.choose(r, holder);
        if (chosen !== undefined && chosen !== holder) this.move(r, holder, chosen);
      }
    }
  }
}
