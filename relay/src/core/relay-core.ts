/**
 * The relay core: wires store, registry, presence, router, delivery, pipeline and discovery, and hosts the
 * per-connection sessions. Runtime-neutral: adapters hand it a {@link RelaySocket} per connection and feed
 * it messages; nothing here imports `ws` or an HTTP server.
 */
import type { Logger } from 'pino';
import {
  SUPPORTED_VERSIONS,
  type DiscoverFrame, type DiscoveryEntry, type DiscoveryQuery, type KeyPair, type Limits,
} from '@baton/spec';
import type { RelayStore } from '../store/store.ts';
import { Delivery } from './delivery.ts';
import { discover } from './discovery.ts';
import { Pipeline } from './pipeline.ts';
import { Presence } from './presence.ts';
import { Registry } from './registry.ts';
import { Router } from './router.ts';
import { Session, type SessionHost } from './session.ts';
import type { AuthContext } from './auth.ts';
import type { Admission, Clock, RelaySocket } from './types.ts';

/** Everything the core is built from. */
export interface RelayCoreOptions {
  readonly store: RelayStore;
  readonly key: KeyPair;
  readonly limits: Limits;
  readonly clock: Clock;
  readonly admission: Admission;
  readonly allowlist: readonly string[];
  readonly log: Logger;
}

/** Protocol state shared by all connections of one relay. */
export class RelayCore implements SessionHost {
  readonly did: string;
  readonly limits: Limits;
  readonly admission: Admission;
  readonly #store: RelayStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #allowlist: ReadonlySet<string>;
  readonly #presence = new Presence();
  readonly #registry: Registry;
  readonly #delivery: Delivery;
  readonly #pipeline: Pipeline;
  readonly #sessions = new Set<Session>();

  constructor(o: RelayCoreOptions) {
    this.did = o.key.did;
    this.limits = o.limits;
    this.admission = o.admission;
    this.#store = o.store;
    this.#clock = o.clock;
    this.#log = o.log;
    this.#allowlist = new Set(o.allowlist);
    this.#registry = new Registry(o.store);
    const router = new Router(this.#registry, this.#presence, o.store.pendingCounts());
    this.#delivery = new Delivery(o.store, this.#presence, router, o.clock, o.log);
    this.#pipeline = new Pipeline({
      store: o.store, registry: this.#registry, router, delivery: this.#delivery, presence: this.#presence,
      clock: o.clock, limits: o.limits, relayDid: this.did, log: o.log,
    });
  }

  /** Creates the session of a freshly upgraded connection and sends `hello`. */
  open(socket: RelaySocket): Session {
    const session = new Session(socket, this);
    this.#sessions.add(session);
    session.start();
    return session;
  }

  /** Runs a discovery query (DIS-3); used by the WS `discover` frame and by `GET /v1/agents`. */
  query(q: DiscoveryQuery): DiscoveryEntry[] {
    return discover(this.#registry, this.#presence, q);
  }

  /** Number of open connections (authenticated or not). */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  /** Commits queued envelopes and closes every connection (shutdown). */
  shutdown(): void {
    this.#pipeline.flush();
    for (const s of [...this.#sessions]) s.close(1001, 'relay shutting down');
  }

  // --- SessionHost ---

  authContext(): Omit<AuthContext, 'challenge' | 'now'> {
    return {
      relayDid: this.did, maxClockSkewMs: this.limits.max_clock_skew_ms, versions: SUPPORTED_VERSIONS,
      admission: this.admission, allowlist: this.#allowlist,
    };
  }

  now(): number {
    return this.#clock.now();
  }

  helloFields(): { versions: [number, ...number[]]; relay: string; limits: Limits } {
    const [first = 1, ...rest] = SUPPORTED_VERSIONS;
    return { versions: [first, ...rest], relay: this.did, limits: this.limits };
  }

  handshakeTimeoutMs(): number {
    return this.limits.handshake_timeout_ms;
  }

  authenticated(session: Session): void {
    try {
      this.#store.rememberAgent(session.agent, this.#clock.now());
      this.#registry.addKnown(session.agent);
      this.#presence.add(session);
      this.#delivery.onAuthenticated(session);
    } catch (err) {
      this.#log.error({ err }, 'post-authentication work failed');
      session.sendError('INTERNAL_ERROR', 'the relay could not load pending envelopes; reconnect later');
    }
    this.#log.debug({ agent: session.agent, session: session.session }, 'agent authenticated');
  }

  closed(session: Session): void {
    this.#sessions.delete(session);
    if (session.agent !== '') this.#presence.remove(session);
  }

  send(session: Session, env: unknown, version: number): void {
    this.#pipeline.handleSend(session, env, version);
  }

  discover(session: Session, frame: DiscoverFrame): void {
    session.sendText(JSON.stringify({ op: 'discovered', ref: frame.ref, agents: this.query(frame.query) }));
  }
}
