/**
 * Capability routing (SPEC RTE-3): among the agents connected now whose latest registration includes the
 * capability, choose the one with the fewest unacknowledged deliveries; ties go to the least recently chosen.
 *
 * "Unacknowledged" = envelopes routed to the agent and still pending (no receipt, not expired). The counts
 * are loaded from the store at start and kept in memory.
 */
import type { Presence } from './presence.ts';
import type { Registry } from './registry.ts';

/** Outstanding-delivery bookkeeping and the provider choice. */
export class Router {
  readonly #outstanding: Map<string, number>;
  readonly #lastChosen = new Map<string, number>();
  #tick = 0;
  readonly #registry: Registry;
  readonly #presence: Presence;

  /** @param pending - pending envelope counts per recipient, from the store. */
  constructor(registry: Registry, presence: Presence, pending: Map<string, number>) {
    this.#registry = registry;
    this.#presence = presence;
    this.#outstanding = new Map(pending);
  }

  /** Unacknowledged deliveries of `agent`. */
  outstanding(agent: string): number {
    return this.#outstanding.get(agent) ?? 0;
  }

  /** Counts one more envelope routed to `agent` (call when it is queued for commit). */
  acquire(agent: string): void {
    this.#outstanding.set(agent, this.outstanding(agent) + 1);
  }

  /** Counts one envelope of `agent` as settled (receipt, expiry, or failed commit). */
  release(agent: string): void {
    const n = this.outstanding(agent) - 1;
    if (n > 0) this.#outstanding.set(agent, n);
    else this.#outstanding.delete(agent);
  }

  /**
   * Chooses a connected provider of capability `name` and records the choice, or returns undefined
   * (the caller answers NO_PROVIDER).
   */
  choose(name: string): string | undefined {
    let best: string | undefined;
    let bestLoad = Infinity;
    let bestLast = Infinity;
    for (const agent of this.#registry.providersOf(name)) {
      if (!this.#presence.isOnline(agent)) continue;
      const load = this.outstanding(agent);
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
