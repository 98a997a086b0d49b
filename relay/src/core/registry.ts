/**
 * The agent registry: agents the relay knows (authenticated at least once, SPEC RTE-2) and each agent's
 * latest accepted `register` envelope (TYP-1, MAN-3). An in-memory mirror of the store, loaded at start and
 * updated after each group commit, so routing and discovery never query SQL on the hot path. Registrations are
 * indexed by capability name and by tag, and the agents kept in did order, so that a discovery query or a
 * capability route touches the matching agents only, not every registration.
 */
import type { CapabilityManifest, Envelope, RegisterBody } from '@baton/spec';
import type { RelayStore } from '../store/store.ts';

/** One agent's latest registration. */
export interface Registration {
  readonly agent: string;
  readonly handle: string | undefined;
  /**
   * The `register` envelope as received, serialized once (the text the store holds): discovery answers embed
   * it as it is (MAN-3) instead of serializing ~0.7 KB per entry per query.
   */
  readonly json: string;
  readonly manifests: readonly CapabilityManifest[];
  /** Capability names and tags of the manifests (index keys). */
  readonly names: ReadonlySet<string>;
  readonly tags: ReadonlySet<string>;
}

function addTo(index: Map<string, Set<string>>, key: string, agent: string): Set<string> {
  let set = index.get(key);
  if (set === undefined) index.set(key, (set = new Set()));
  set.add(agent);
  return set;
}

function removeFrom(index: Map<string, Set<string>>, key: string, agent: string, changed: (set: Set<string>) => void): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(agent);
  changed(set);
  if (set.size === 0) index.delete(key);
}

/** Orders did:keys as discovery returns them (code-unit order, DIS-3). */
const byDid = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const EMPTY: ReadonlySet<string> = new Set();

/** Known agents and their registrations. */
export class Registry {
  readonly #known = new Set<string>();
  readonly #registrations = new Map<string, Registration>();
  readonly #byName = new Map<string, Set<string>>();
  readonly #byTag = new Map<string, Set<string>>();
  /** Registered agents in did order; rebuilt on the first read after a new agent registers. */
  #sorted: string[] | undefined;
  /** An index set's agents in did order; dropped when the set changes, rebuilt on the next query. */
  readonly #sortedSets = new WeakMap<ReadonlySet<string>, readonly string[]>();

  /** Loads the persisted state of `store`. */
  constructor(store: RelayStore) {
    for (const did of store.knownAgents()) this.#known.add(did);
    for (const r of store.registrations()) {
      this.setRegistration(JSON.parse(r.registrationJson) as Envelope, r.registrationJson);
    }
  }

  /** True when `did` has authenticated at least once (RTE-2). */
  isKnown(did: string): boolean {
    return this.#known.has(did);
  }

  /** Marks `did` as known (after a successful handshake). */
  addKnown(did: string): void {
    this.#known.add(did);
  }

  /**
   * Replaces the registration of the envelope's author with this committed `register` envelope (TYP-1).
   * @param json - the envelope's serialization as stored (`JSON.stringify` of `envelope`).
   */
  setRegistration(envelope: Envelope, json: string): void {
    const body = envelope.body as unknown as RegisterBody;
    const agent = envelope.from;
    const previous = this.#registrations.get(agent);
    if (previous === undefined) this.#sorted = undefined;
    const changed = (set: ReadonlySet<string>): boolean => this.#sortedSets.delete(set);
    for (const name of previous?.names ?? []) removeFrom(this.#byName, name, agent, changed);
    for (const tag of previous?.tags ?? []) removeFrom(this.#byTag, tag, agent, changed);
    const names = new Set(body.manifests.map((m) => m.name));
    const tags = new Set(body.manifests.flatMap((m) => m.tags ?? []));
    for (const name of names) changed(addTo(this.#byName, name, agent));
    for (const tag of tags) changed(addTo(this.#byTag, tag, agent));
    this.#registrations.set(agent, { agent, handle: body.handle, json, manifests: body.manifests, names, tags });
  }

  /** The agent's latest registration, if any. */
  get(did: string): Registration | undefined {
    return this.#registrations.get(did);
  }

  /** Every registration (unordered). */
  all(): IterableIterator<Registration> {
    return this.#registrations.values();
  }

  /** Agents whose latest registration includes the capability `name` (unordered; do not change the registry while iterating). */
  providersOf(name: string): ReadonlySet<string> {
    return this.#byName.get(name) ?? EMPTY;
  }

  /** Agents whose latest registration has a manifest carrying `tag` (unordered). */
  carriersOf(tag: string): ReadonlySet<string> {
    return this.#byTag.get(tag) ?? EMPTY;
  }

  /** {@link providersOf} in did order (cached until the set changes; do not modify). */
  sortedProvidersOf(name: string): readonly string[] {
    return this.#sortedSet(this.providersOf(name));
  }

  /** {@link carriersOf} in did order (cached until the set changes; do not modify). */
  sortedCarriersOf(tag: string): readonly string[] {
    return this.#sortedSet(this.carriersOf(tag));
  }

  #sortedSet(set: ReadonlySet<string>): readonly string[] {
    let sorted = this.#sortedSets.get(set);
    if (sorted === undefined) {
      sorted = [...set].sort(byDid);
      if (set !== EMPTY) this.#sortedSets.set(set, sorted);
    }
    return sorted;
  }

  /** Every registered agent in did order (cached; do not modify). */
  sortedAgents(): readonly string[] {
    return (this.#sorted ??= [...this.#registrations.keys()].sort(byDid));
  }
}
