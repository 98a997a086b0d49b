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
  /** The `register` envelope exactly as received (returned in discovery, MAN-3). */
  readonly envelope: Envelope;
  readonly manifests: readonly CapabilityManifest[];
  /** Capability names and tags of the manifests (index keys). */
  readonly names: ReadonlySet<string>;
  readonly tags: ReadonlySet<string>;
}

function addTo(index: Map<string, Set<string>>, key: string, agent: string): void {
  let set = index.get(key);
  if (set === undefined) index.set(key, (set = new Set()));
  set.add(agent);
}

function removeFrom(index: Map<string, Set<string>>, key: string, agent: string): void {
  const set = index.get(key);
  if (set === undefined) return;
  set.delete(agent);
  if (set.size === 0) index.delete(key);
}

/** Orders did:keys as discovery returns them (code-unit order, DIS-3). */
export const byDid = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const EMPTY: ReadonlySet<string> = new Set();

/** Known agents and their registrations. */
export class Registry {
  readonly #known = new Set<string>();
  readonly #registrations = new Map<string, Registration>();
  readonly #byName = new Map<string, Set<string>>();
  readonly #byTag = new Map<string, Set<string>>();
  /** Registered agents in did order; rebuilt on the first read after a new agent registers. */
  #sorted: string[] | undefined;

  /** Loads the persisted state of `store`. */
  constructor(store: RelayStore) {
    for (const did of store.knownAgents()) this.#known.add(did);
    for (const r of store.registrations()) {
      this.setRegistration(JSON.parse(r.registrationJson) as Envelope);
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

  /** Replaces the registration of the envelope's author with this committed `register` envelope (TYP-1). */
  setRegistration(envelope: Envelope): void {
    const body = envelope.body as unknown as RegisterBody;
    const agent = envelope.from;
    const previous = this.#registrations.get(agent);
    if (previous === undefined) this.#sorted = undefined;
    for (const name of previous?.names ?? []) removeFrom(this.#byName, name, agent);
    for (const tag of previous?.tags ?? []) removeFrom(this.#byTag, tag, agent);
    const names = new Set(body.manifests.map((m) => m.name));
    const tags = new Set(body.manifests.flatMap((m) => m.tags ?? []));
    for (const name of names) addTo(this.#byName, name, agent);
    for (const tag of tags) addTo(this.#byTag, tag, agent);
    this.#registrations.set(agent, { agent, handle: body.handle, envelope, manifests: body.manifests, names, tags });
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

  /** Every registered agent in did order (cached; do not modify). */
  sortedAgents(): readonly string[] {
    return (this.#sorted ??= [...this.#registrations.keys()].sort(byDid));
  }
}
