/**
 * Presence: which agents have an authenticated connection right now (SPEC CON-9, DIS-3 "online").
 *
 * An agent may hold several connections; the relay delivers each envelope on one of them (the oldest one
 * still open that is not backed up, FLW-2), and `delivered` frames go to every connection of the original sender.
 */
import type { Peer } from './types.ts';

const EMPTY: ReadonlySet<Peer> = new Set();

/** Authenticated connections grouped by agent did:key. */
export class Presence {
  readonly #byAgent = new Map<string, Set<Peer>>();

  /** Registers an authenticated connection. */
  add(peer: Peer): void {
    let set = this.#byAgent.get(peer.agent);
    if (set === undefined) {
      set = new Set();
      this.#byAgent.set(peer.agent, set);
    }
    set.add(peer);
  }

  /** Forgets a connection (on close). */
  remove(peer: Peer): void {
    const set = this.#byAgent.get(peer.agent);
    if (set === undefined) return;
    set.delete(peer);
    if (set.size === 0) this.#byAgent.delete(peer.agent);
  }

  /** True when `agent` has at least one authenticated connection now. */
  isOnline(agent: string): boolean {
    return this.#byAgent.has(agent);
  }

  /** Every open connection of `agent`, oldest first, without copying (do not add or remove while iterating). */
  peers(agent: string): Iterable<Peer> {
    return this.#byAgent.get(agent) ?? EMPTY;
  }

  /** Every open connection of `agent` (a copy). */
  peersOf(agent: string): readonly Peer[] {
    const set = this.#byAgent.get(agent);
    return set === undefined ? [] : [...set];
  }

  /** Every agent online now. */
  onlineAgents(): IterableIterator<string> {
    return this.#byAgent.keys();
  }

  /** Number of authenticated connections. */
  get connectionCount(): number {
    let n = 0;
    for (const set of this.#byAgent.values()) n += set.size;
    return n;
  }
}
