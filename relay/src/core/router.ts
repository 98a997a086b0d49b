/**
 * Capability routing (SPEC RTE-3, DLV-4, MBX-2): among the agents connected now whose latest registration
 * includes the capability, choose the one with the fewest unacknowledged deliveries; ties go to the least
 * recently chosen. Providers whose mailbox is full (mailbox_max_envelopes pending) are skipped, and so are
 * providers the caller excludes (those that rejected the envelope with a final code, DLV-4).
 *
 * "Unacknowledged" = envelopes routed to the agent and still pending (the {@link Ledger} counts).
 */
import type { Ledger } from './ledger.ts';
import type { Presence } from './presence.ts';
import type { Registry } from './registry.ts';

/** Options of {@link Router.choose}. */
export interface ChooseOptions {
  /** Agents that may not be chosen. */
  readonly exclude?: ReadonlySet<string>;
  /** An agent that already holds the envelope: its full mailbox does not disqualify it. */
  readonly holder?: string;
}

/** The provider choice. */
export class Router {
  readonly #lastChosen = new Map<string, number>();
  #tick = 0;
  readonly #registry: Registry;
  readonly #presence: Presence;
  readonly #ledger: Ledger;
  readonly #mailboxMax: number;

  /** @param mailboxMax - mailbox_max_envelopes (MBX-2). */
  constructor(registry: Registry, presence: Presence, ledger: Ledger, mailboxMax: number) {
    this.#registry = registry;
    this.#presence = presence;
    this.#ledger = ledger;
    this.#mailboxMax = mailboxMax;
  }

  /** True when `agent` already holds mailbox_max_envelopes pending envelopes (MBX-2). */
  isFull(agent: string): boolean {
    return this.#ledger.pending(agent) >= this.#mailboxMax;
  }

  /**
   * Chooses a connected provider of capability `name` and records the choice, or returns undefined (at
   * acceptance the caller answers NO_PROVIDER).
   */
  choose(name: string, o: ChooseOptions = {}): string | undefined {
    let best: string | undefined;
    let bestLoad = Infinity;
    let bestLast = Infinity;
    for (const agent of this.#registry.providersOf(name)) {
      if (!this.#presence.isOnline(agent) || o.exclude?.has(agent) === true) continue;
      if (agent !== o.holder && this.isFull(agent)) continue;
      const load = this.#ledger.pending(agent);
      const last = this.#lastChosen.get(agent) ?? -1;
      if (load < bestLoad || (load === bestLoad && last < bestLast)) {
        best = agent;
        bestLoad = load;
        bestLast = last;
      }
    }
    if (best !== undefined) this.#lastChosen.set(best, ++this.#tick);
    return best;
  }
}
