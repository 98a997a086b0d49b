/**
 * The relay core: wires store, registry, presence, ledger, router, delivery engine, dead letters, sweeper,
 * pipeline and discovery, and hosts the per-connection sessions. Runtime-neutral: adapters hand it a
 * {@link RelaySocket} per connection and feed it messages; nothing here imports `ws` or an HTTP server.
 */
import type { Logger } from 'pino';
import {
  SUPPORTED_VERSIONS,
  type DiscoverFrame, type DiscoveryQuery, type KeyPair, type Limits, type RejectFrame,
  type WatchFrame, type WorkingFrame,
} from '@baton/spec';
import type { RelayStore } from '../store/store.ts';
import { AttemptLog } from './attempt-log.ts';
import type { DeadLetterApi } from './dead-letter-api.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { DeadLetters } from './dead-letter.ts';
import { DeliveryEngine } from './delivery.ts';
import { discover, discoveryJson } from './discovery.ts';
import { Ledger } from './ledger.ts';
import { Pipeline } from './pipeline.ts';
import { VerifyPool } from './verify-pool.ts';
import { Presence } from './presence.ts';
import { SendRateLimiter } from './rate-limit.ts';
import { CompileBudget } from './compile-budget.ts';
import { ReceiptForwarder } from './receipts.ts';
import { Registry } from './registry.ts';
import { Router } from './router.ts';
import { SendRate } from './send-rate.ts';
import { Session, type SessionHost } from './session.ts';
import { Sweeper } from './sweeper.ts';
import type { TaskApi } from './task-api.ts';
import { TaskBook } from './task-book.ts';
import { TaskEffectsRunner } from './task-effects.ts';
import { TaskQueries } from './task-queries.ts';
import { TaskRegistry } from './task-registry.ts';
import { TaskSupervisor } from './task-supervisor.ts';
import { TaskWatch } from './task-watch.ts';
import type { AuthContext } from './auth.ts';
import type { Admission, Clock, RelaySocket } from './types.ts';

/** Default slow-consumer high-water mark (FLW-2): 1 MiB. */
export const DEFAULT_DELIVERY_HIGH_WATER_BYTES = 1_048_576;

/** Everything the core is built from. */
export interface RelayCoreOptions {
  readonly store: RelayStore;
  readonly key: KeyPair;
  readonly limits: Limits;
  readonly clock: Clock;
  readonly admission: Admission;
  readonly allowlist: readonly string[];
  readonly log: Logger;
  /**
   * FLW-2: no new `deliver` goes to a connection whose WebSocket buffer holds more than this many bytes;
   * deliveries resume below half of it. @default 1_048_576
   */
  readonly deliveryHighWaterBytes?: number;
  /** Uniform random numbers in [0, 1) for the redelivery jitter (DLV-4). @default Math.random */
  readonly random?: () => number;
  /** Worker threads verifying envelope signatures (verify-pool.ts); 0 = inline. @default 0 */
  readonly verifyThreads?: number;
}

/** Protocol state shared by all connections of one relay. */
export class RelayCore implements SessionHost {
  readonly did: string;
  readonly limits: Limits;
  readonly admission: Admission;
  /** The dead-letter queue (DLQ-1..DLQ-4), for the HTTP routes and embedders. */
  readonly dlq: DeadLetterApi;
  /** Task queries (TSK-18), for the HTTP routes and embedders. */
  readonly tasks: TaskApi;
  readonly #store: RelayStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #allowlist: ReadonlySet<string>;
  readonly #presence = new Presence();
  readonly #registry: Registry;
  readonly #engine: DeliveryEngine;
  readonly #receipts: ReceiptForwarder;
  readonly #pipeline: Pipeline;
  readonly #sweeper: Sweeper;
  readonly #supervisor: TaskSupervisor;
  readonly #watch = new TaskWatch();
  readonly #sessions = new Set<Session>();
  readonly #verifier: VerifyPool;

  /** Loads the store's state and starts the sweeper's timers on `o.clock`. */
  constructor(o: RelayCoreOptions) {
    this.did = o.key.did;
    this.limits = o.limits;
    this.admission = o.admission;
    this.#store = o.store;
    this.#clock = o.clock;
    this.#log = o.log;
    this.#allowlist = new Set(o.allowlist);
    this.#registry = new Registry(o.store);
    const ledger = new Ledger(o.store, this.did);
    const router = new Router(this.#registry, this.#presence, ledger, o.limits.mailbox_max_envelopes);
    const attempts = new AttemptLog();
    const deadLetters = new DeadLetters(o.store, o.key, o.clock);
    const highWaterBytes = o.deliveryHighWaterBytes ?? DEFAULT_DELIVERY_HIGH_WATER_BYTES;
    this.#engine = new DeliveryEngine({
      store: o.store, presence: this.#presence, router, ledger, attempts, deadLetters,
      clock: o.clock, limits: o.limits, log: o.log, random: o.random ?? Math.random, highWaterBytes,
    });
    this.#receipts = new ReceiptForwarder(o.store, this.#presence, highWaterBytes,
      (err) => o.log.error({ err }, 'replaying missed receipts failed; the rest are sent after the next welcome'));
    const book = new TaskBook(new TaskRegistry(o.store), this.#watch, o.clock);
    const effects = new TaskEffectsRunner(book, this.#engine, ledger, o.store);
    this.#supervisor = new TaskSupervisor({
      book, effects, store: o.store, engine: this.#engine, router, key: o.key, clock: o.clock, limits: o.limits, log: o.log,
      flush: () => this.#pipeline.flush(),
    });
    deadLetters.setTaskHook(this.#supervisor);
    this.#verifier = new VerifyPool(o.verifyThreads ?? 0, (err) => o.log.error({ err }, 'a signature verification thread failed; its envelopes were verified inline'));
    this.#pipeline = new Pipeline({
      store: o.store, registry: this.#registry, router, ledger, engine: this.#engine, receipts: this.#receipts,
      presence: this.#presence, rate: new SendRate(new SendRateLimiter(o.limits, o.clock), ledger, o.limits), attempts,
      compile: new CompileBudget(o.limits, o.clock),
      clock: o.clock, limits: o.limits, relayDid: this.did, key: o.key, log: o.log, book, effects, supervisor: this.#supervisor,
      verifier: this.#verifier,
    });
    this.dlq = new DeadLetterQueue(o.store, this.#engine, o.clock, book.registry);
    this.tasks = new TaskQueries(o.store);
    this.#sweeper = new Sweeper(o.store, this.#engine, o.clock, o.limits, o.log, this.#supervisor);
    this.#sweeper.start();
  }

  /** Creates the session of a freshly upgraded connection and sends `hello`. */
  open(socket: RelaySocket): Session {
    const session = new Session(socket, this);
    this.#sessions.add(session);
    session.start();
    return session;
  }

  /**
   * Runs a discovery query (DIS-3); used by the WS `discover` frame and by `GET /v1/agents`.
   * @returns the JSON text of the `DiscoveryEntry` array (discovery-entry.schema.json), registrations embedded as stored.
   */
  queryJson(q: DiscoveryQuery): string {
    return discoveryJson(discover(this.#registry, this.#presence, q));
  }

  /** Number of open connections (authenticated or not). */
  get connectionCount(): number {
    return this.#sessions.size;
  }

  /**
   * Stops timers, commits queued envelopes and delivery counters, and closes every connection (shutdown).
   * Deliveries in flight keep their attempt numbers; they are redelivered after the restart.
   */
  shutdown(): void {
    this.#sweeper.stop();
    this.#engine.stop();
    this.#pipeline.stop();
    this.#receipts.stop();
    void this.#verifier.close();
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
      // RTE-2 first-seen record: only for a new agent (the known set mirrors the agents table, which is never pruned)
      if (!this.#registry.isKnown(session.agent)) {
        this.#store.rememberAgent(session.agent, this.#clock.now());
        this.#registry.addKnown(session.agent);
      }
      this.#presence.add(session);
      this.#engine.authenticated(session);
      this.#receipts.replay(session);
    } catch (err) {
      this.#log.error({ err }, 'post-authentication work failed');
      session.sendError('INTERNAL_ERROR', 'the relay could not load pending envelopes; reconnect later');
    }
    this.#log.debug({ agent: session.agent, session: session.session }, 'agent authenticated');
  }

  closed(session: Session): void {
    this.#sessions.delete(session);
    if (session.agent === '') return;
    this.#presence.remove(session);
    this.#watch.remove(session);
    try {
      this.#engine.closed(session);
    } catch (err) {
      this.#log.error({ err }, 'could not fail the deliveries of a closed connection');
    }
  }

  send(session: Session, env: unknown, version: number): void {
    this.#pipeline.handleSend(session, env, version);
  }

  discover(session: Session, frame: DiscoverFrame): void {
    session.sendText(`{"op":"discovered","ref":${JSON.stringify(frame.ref)},"agents":${this.queryJson(frame.query)}}`);
  }

  reject(session: Session, frame: RejectFrame): boolean {
    return this.#guard('reject', () => this.#engine.reject(session, frame), true);
  }

  /** DLV-3 widened by TSK-12: a `working` frame naming an in-flight task the agent handles renews its lease. */
  working(session: Session, frame: WorkingFrame): boolean {
    return this.#guard('working', () => {
      const delivery = this.#engine.working(session, frame);
      return this.#supervisor.renew(session.agent, frame.sender, frame.id) || delivery;
    }, true);
  }

  /** TSK-19: marks the connection as watching its agent's tasks. */
  watch(session: Session, frame: WatchFrame): void {
    this.#watch.add(session);
    session.sendText(JSON.stringify({ op: 'watching', ref: frame.ref }));
  }

  drained(session: Session): void {
    this.#guard('drain', () => this.#engine.drained(session), undefined);
  }

  /** Runs engine work for one frame; a store failure is logged, never thrown into the transport. */
  #guard<T>(what: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      this.#log.error({ err }, `${what} failed`);
      return fallback;
    }
  }
}
