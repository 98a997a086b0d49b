/**
 * The agent registry: agents the relay knows (authenticated at least once, SPEC RTE-2) and each agent's
 * latest accepted `register` envelope (TYP-1, MAN-3). An in-memory mirror of the store, loaded at start and
 * updated after each group commit, so routing and discovery never query SQL on the hot path.
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
}

/** Known agents and their registrations. */
export class Registry {
  readonly #known = new Set<string>();
  readonly #registrations = new Map<string, Registration>();

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
    this.#registrations.set(envelope.from, {
      agent: envelope.from,
      handle: body.handle,
      envelope,
      manifests: body.manifests,
    });
  }

  /** The agent's latest registration, if any. */
  get(did: string): Registration | undefined {
    return this.#registrations.get(did);
  }

  /** Every registration (unordered). */
  all(): IterableIterator<Registration> {
    return this.#registrations.values();
  }

  /** Agents whose latest registration includes the capability `name`. */
  *providersOf(name: string): Generator<string> {
    for (const r of this.#registrations.values()) {
      if (r.manifests.some((m) => m.name === name)) yield r.agent;
    }
  }
}
