/**
 * The `Agent`: an authenticated, self-healing connection to a relay with the whole client API - register
 * capabilities, discover providers, send requests and messages, follow their delivery outcomes, handle
 * requests - on top of the {@link Connection} (reconnects), the {@link Outbox} (resends until `accepted`), the
 * {@link OutcomeTracker} (receipts and dead letters), the inbox and the provider runtime.
 *
 * Every envelope the relay delivers is schema-checked and verified before anything acts on it (SPEC SIG-4),
 * acknowledged with a signed receipt (ACK-3) and deduplicated by (`from`, `id`) across reconnections (RPL-4).
 */
import { BatonError, createEnvelope } from '@baton/spec';
import type {
  AcceptedFrame, CapabilityManifest, DeliverFrame, DiscoveryEntry, DiscoveryQuery, Envelope, ErrorFrame, Frame, KeyPair, Limits,
} from '@baton/spec';
import type { Connection, ConnectionListener } from './connection.ts';
import { DedupeCache } from './dedupe.ts';
import { DiscoveryClient } from './discovery.ts';
import { handleDeliver } from './inbox.ts';
import type { InboxHost } from './inbox.ts';
import { OutcomeTracker } from './outcomes.ts';
import type { RecipientCheck } from './outcomes.ts';
import { Outbox, rateLimitDelayMs } from './outbox.ts';
import type { OutboxScope } from './outbox.ts';
import { ProviderRuntime } from './provider-runtime.ts';
import { Registration } from './registration.ts';
import { PendingCall, performCall } from './requester.ts';
import type { CallHost } from './requester.ts';
import { closedError, errorFromFrame } from './result-errors.ts';
import { performDelegate } from './delegation.ts';
import { OwnerTasks } from './owner-tasks.ts';
import type { DelegateOptions, QuestionHandler, TaskEventListener, TaskHandle } from './task-types.ts';
import type { CloseInfo } from './transport.ts';
import type {
  CallOutcome, CapabilityHandler, ClientLogger, ConnectOptions, ConnectionState, DeliveryOutcome, HandleOptions, MessageHandler,
  RequestOptions, RequestTarget, TraceEvent,
} from './types.ts';
import type { WaitOptions } from './waiters.ts';

/** Options of calls that wait for the relay or a recipient (`register`, `discover`, `send`, `sendAndConfirm`). */
export interface WaitForRelayOptions {
  /** Deadline in ms. @default ConnectOptions.requestTimeoutMs */
  timeoutMs?: number;
  /** Aborts the wait with `ABORTED`. */
  signal?: AbortSignal;
}

const consoleLogger: ClientLogger = { warn: (message, details) => console.warn(`[baton] ${message}`, details ?? '') };

/**
 * A connected, authenticated Baton agent. Create it with `connect()`; the constructor is internal.
 *
 * Connection losses are repaired automatically (see `ConnectOptions.reconnect`): pending operations survive
 * them and fail with `CONNECTION_CLOSED` only when the agent closes for good (`close()`, a fatal refusal,
 * reconnection off or given up). Envelopes not yet `accepted` are resent unchanged on the new connection.
 *
 * Outcomes (design "Promise"): `send()` resolves once the relay stored the message (`accepted`);
 * `sendAndConfirm()` resolves with the recipient's verified receipt or rejects with the dead-letter reason;
 * `request()`/`call()` reject with the dead-letter reason when the request is dead-lettered; `onOutcome()`
 * reports `delivered` or `dead-lettered` for every request, message and result this agent sends.
 *
 * @example
 * const agent = await connect({ url: 'ws://127.0.0.1:8787/v1/ws', key: generateKeyPair() });
 * agent.handle('echo', async (input) => input);
 * await agent.register({ name: 'echo', version: '1.0.0', description: 'Echoes', input_schema: {}, output_schema: {}, timeout_ms: 1000 });
 */
export class Agent {
  /** This agent's did:key (SPEC ID-1). */
  readonly did: string;
  /** The relay's did:key, from `hello` (CON-2); a relay with another identity is never reconnected to. */
  readonly relay: string;

  readonly #connection: Connection;
  readonly #key: KeyPair;
  readonly #timeoutMs: number;
  readonly #logger: ClientLogger;
  readonly #onTrace: ((event: TraceEvent) => void) | undefined;
  readonly #dedupe: DedupeCache;
  readonly #envelopes: Outbox<AcceptedFrame>;
  readonly #discoveries: Outbox<DiscoveryEntry[]>;
  readonly #discovery: DiscoveryClient;
  readonly #registration: Registration;
  readonly #outcomes: OutcomeTracker;
  readonly #provider: ProviderRuntime;
  readonly #inbox: InboxHost;
  readonly #tasks: OwnerTasks;
  readonly #pendingCalls = new Map<string, PendingCall>();
  readonly #messageHandlers = new Set<MessageHandler>();
  readonly #closing = new AbortController();
  /** `deliver` frames that arrived before the application's first turn after `connect()` resolved. */
  #early: DeliverFrame[] | undefined = [];

  /** @internal Use `connect()`. */
  constructor(connection: Connection, options: ConnectOptions) {
    const { hello, welcome } = connection.session;
    this.#connection = connection;
    this.#key = options.key;
    this.did = welcome.agent;
    this.relay = hello.relay;
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#logger = options.logger ?? consoleLogger;
    this.#onTrace = options.onTrace;
    this.#dedupe = options.dedupe ?? new DedupeCache({ windowMs: hello.limits.dedupe_window_ms });
    const link = { get isOpen() { return connection.state === 'open'; }, send: (frame: Parameters<Connection['send']>[0]) => connection.send(frame) };
    this.#envelopes = new Outbox(link);
    this.#discoveries = new Outbox(link);
    this.#discovery = new DiscoveryClient(this.#discoveries, options.discoveryCacheMs ?? 5_000, this.#logger, (event) => this.#trace(event));
    this.#registration = new Registration(this.#key, this.relay, (env, wait) => this.#sendEnvelope(env, wait));
    this.#outcomes = new OutcomeTracker(this.#logger, hello.limits.max_unacked_sends);
    this.#outcomes.subscribe((outcome, notice) => this.#pendingCalls.get(outcome.id)?.onOutcome(outcome, notice));
    this.#tasks = new OwnerTasks({
      did: this.did, relay: this.relay, key: this.#key, logger: this.#logger, defaultTimeoutMs: this.#timeoutMs, link,
      sendEnvelope: (env, wait) => this.#sendEnvelope(env, wait), findProviders: (...args) => this.#discovery.findProviders(...args),
    });
    this.#outcomes.subscribe((outcome, notice) => this.#tasks.onOutcome(outcome, notice));
    this.#provider = new ProviderRuntime({
      did: this.did, key: this.#key, logger: this.#logger,
      sendAwaited: async (env) => { await this.#sendEnvelope(env, { timeoutMs: this.#timeoutMs, what: `accepted for ${env.type} ${env.id}` }); },
      leaseMs: () => this.limits.task_lease_ms ?? 60_000,
      delegate: (target, input, options) => this.delegate(target, input, options),
      dedupe: this.#dedupe,
      manifest: (name) => this.#registration.manifest(name),
      sendResult: (env) => this.#sendQuietly(env, 'durable', (did) => did === env.to),
      sendReceipt: (env) => this.#sendQuietly(env, 'connection'),
      sendControl: (frame) => this.#sendNow(frame),
      ackTimeoutMs: () => this.limits.ack_timeout_ms,
      closeSignal: this.#closing.signal,
      now: () => Date.now(),
      trace: (event) => this.#trace(event),
    });
    this.#inbox = {
      did: this.did, relay: this.relay, key: this.#key, dedupe: this.#dedupe, logger: this.#logger, provider: this.#provider,
      messageHandlers: this.#messageHandlers,
      sendReceipt: (env) => this.#sendQuietly(env, 'connection'),
      onResult: (env) => void (this.#pendingCalls.get(env.parent ?? '')?.onResult(env) ?? this.#tasks.onResult(env)),
      onNotice: (env) => this.#outcomes.onNotice(env),
      onTaskNotice: (body) => { this.#tasks.onNotice(body); this.#provider.onTaskNotice(body); this.#pendingCalls.get(body.for)?.onTaskNotice(body); },
      onUpdate: (env, context) => this.#tasks.onUpdate(env, context),
      trace: (event) => this.#trace(event),
      now: () => Date.now(),
    };
    connection.attach(this.#listener());
    // Deliveries that came with `welcome` wait one macrotask, so the code right after `await connect()`
    // (onMessage, handle) runs first; requests also wait for the first registration (ProviderRuntime).
    setTimeout(() => {
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const frame of early) if (!this.isClosed) handleDeliver(this.#inbox, frame);
    }, 0);
  }

  /** The opaque session id from the current (or last) `welcome` (CON-5); it changes on every reconnection. */
  get session(): string {
    return this.#connection.session.welcome.session;
  }

  /** The relay's announced limits (LIM-1), from the current (or last) `hello`. */
  get limits(): Limits {
    return this.#connection.session.hello.limits;
  }

  /** `open` (authenticated), `reconnecting` (between sockets) or `closed` (for good). */
  get state(): ConnectionState {
    return this.#connection.state;
  }

  /** True once the agent closed for good (by `close()`, a fatal refusal, or reconnection off / given up). */
  get isClosed(): boolean {
    return this.#connection.state === 'closed';
  }

  /** Resolves with the close code and reason of the last socket when the agent closes for good. */
  get closed(): Promise<CloseInfo> {
    return this.#connection.closed;
  }

  /** The manifests currently registered (in registration order). */
  get manifests(): CapabilityManifest[] {
    return this.#registration.manifests;
  }

  /**
   * Adds (or replaces, by name) a capability and sends one `register` envelope holding every manifest of this
   * agent (TYP-1: a newer registration replaces the previous one). Resolves with the envelope once the relay
   * answered `accepted`; on failure the manifest set is restored. The agent keeps a copy of `manifest`:
   * changing the object afterwards changes neither what is registered nor what inputs are validated against.
   * @throws BatonError `INVALID_MANIFEST` (checked locally, nothing sent), the relay's code (`HANDLE_TAKEN`,
   *   `INVALID_MANIFEST`, ...), `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
   */
  async register(manifest: CapabilityManifest, options: { handle?: string } & WaitForRelayOptions = {}): Promise<Envelope> {
    const env = await this.#registration.register(manifest, options.handle, this.#wait(options, 'accepted for register'));
    this.#discovery.clearCache();
    this.#provider.onRegistered();
    return env;
  }

  /**
   * Sets the handler that answers requests for `capability` (replacing any previous one), with its
   * concurrency limit and receipt timing (see {@link HandleOptions}). A request for a capability that is not
   * both registered and handled here is refused with a `reject` frame `UNSUPPORTED_CAPABILITY`, so that the
   * relay can route it to another provider (design DLV-4) - except while this agent has not registered yet,
   * or has a handler whose manifest is not registered yet: then the request waits for the registration (up to
   * `ack_timeout_ms / 3`) or is refused with the retryable `BUSY`, so requests redelivered right after a
   * restart are not lost.
   * @throws RangeError when `options.concurrency` is not a positive integer.
   */
  handle(capability: string, handler: CapabilityHandler, options: HandleOptions = {}): void {
    this.#provider.setHandler(capability, handler, options);
  }

  /**
   * Asks the relay which agents match `query` (DIS-1) and returns only the entries whose signed registration
   * verifies and backs them (MAN-3); other entries are dropped and logged.
   * @throws BatonError the relay's code (`INVALID_FRAME`, ...), `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
   */
  discover(query: DiscoveryQuery = {}, options: WaitForRelayOptions = {}): Promise<DiscoveryEntry[]> {
    return this.#discovery.discover(query, this.#wait(options, 'discovered'));
  }

  /**
   * Runs `target` with `input` and returns the validated output. `target` is a capability name (capability
   * routing, `to: cap:<name>`, RTE-3) or `{ capability, agent }` (direct routing, RTE-2). The input is
   * checked against the provider's signed `input_schema` before anything is sent (MAN-4); the request carries
   * `exp = now + timeoutMs`.
   * @throws BatonError `NO_PROVIDER` (nobody offers it), `UNSUPPORTED_CAPABILITY` (the given agent does not),
   *   `INPUT_SCHEMA_VIOLATION` or `SCHEMA_TOO_COMPLEX` (MAN-6; not sent), the relay's rejection code, a dead-letter reason from the relay's
   *   notice (`MAX_ATTEMPTS_EXCEEDED`, `EXPIRED`, `MAILBOX_EXPIRED`, the providers' rejection code such as
   *   `UNSUPPORTED_CAPABILITY`; `details` = the notice body, DLV-6), the provider's result code (unknown codes
   *   become `HANDLER_ERROR`), `OUTPUT_SCHEMA_VIOLATION` or `SCHEMA_TOO_COMPLEX`, `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
   */
  async request(target: RequestTarget, input: unknown, options: RequestOptions = {}): Promise<unknown> {
    const outcome = await performCall(this.#callHost(), target, input, options, false);
    return outcome.output;
  }

  /**
   * Same as {@link request} but returns the whole verified trail: output, provider, and the request, receipt
   * and result envelopes. Waits up to a second after the result for a late `delivered`.
   * @throws BatonError as {@link request}.
   */
  call(target: RequestTarget, input: unknown, options: RequestOptions = {}): Promise<CallOutcome> {
    return performCall(this.#callHost(), target, input, options, true);
  }

  /**
   * Sends a one-way `message` envelope (TYP-5) to an agent's did:key; resolves with it once `accepted` (ACK-1:
   * the relay stored it). Its later outcome is reported by {@link onOutcome}; use {@link sendAndConfirm} to
   * wait for it.
   * @throws BatonError the relay's code (`UNKNOWN_RECIPIENT`, `MAILBOX_FULL`, ...), `TIMEOUT` (also when
   *   `RATE_LIMITED` retries run past the deadline), `ABORTED`, `CONNECTION_CLOSED`.
   */
  async send(to: string, body: Record<string, unknown>, options: WaitForRelayOptions = {}): Promise<Envelope> {
    const env = createEnvelope(this.#key, { type: 'message', to, body });
    this.#outcomes.track(env, (did) => did === to);
    await this.#sendEnvelope(env, this.#wait(options, `accepted for message ${env.id}`));
    return env;
  }

  /**
   * Sends a `message` like {@link send} and waits for its terminal outcome: resolves with the recipient's
   * receipt, verified against the message (ACK-4), or rejects with the reason of the relay's dead-letter
   * notice (DLV-6). `TIMEOUT` only means the outcome was not known within `timeoutMs` (e.g. the recipient is
   * offline): the message stays in its mailbox and its outcome still reaches {@link onOutcome}.
   * @throws BatonError as {@link send}, and `MAX_ATTEMPTS_EXCEEDED`, `MAILBOX_EXPIRED`, `EXPIRED`, the
   *   recipient's rejection code (`details` = the notice body).
   */
  async sendAndConfirm(to: string, body: Record<string, unknown>, options: WaitForRelayOptions = {}): Promise<Envelope> {
    const env = createEnvelope(this.#key, { type: 'message', to, body });
    const wait = this.#wait(options, `the delivery outcome of message ${env.id}`);
    this.#outcomes.track(env, (did) => did === to);
    const confirmed = this.#outcomes.confirm(env.id, wait);
    confirmed.catch(() => {});
    await this.#sendEnvelope(env, wait);
    return confirmed;
  }

  /**
   * Subscribes to verified, first-seen `message` envelopes addressed to this agent; returns the unsubscribe
   * function. Subscribe right after `connect()` resolves (before any `await`): messages waiting in the mailbox
   * are delivered at once, and a message is receipted even when no handler is subscribed.
   */
  onMessage(handler: MessageHandler): () => void {
    this.#messageHandlers.add(handler);
    return () => this.#messageHandlers.delete(handler);
  }

  /**
   * Subscribes to the terminal outcome of every request, message and result this agent sends (see
   * {@link DeliveryOutcome}); returns the unsubscribe function. Dead letters are reported from the relay's
   * verified notice even for envelopes sent by an earlier process with this key.
   */
  onOutcome(listener: (outcome: DeliveryOutcome) => void): () => void {
    return this.#outcomes.subscribe((outcome) => listener(outcome));
  }

  /**
   * Delegates a task (section 21): checks `input` like {@link request}, signs the request ({@link DelegateOptions}) and resolves
   * once accepted with its {@link TaskHandle} (an idempotent duplicate's: the EXISTING task, TSK-14). @throws see `performDelegate`.
   */
  delegate(target: RequestTarget, input: unknown, options: DelegateOptions = {}): Promise<TaskHandle> {
    return performDelegate({ ...this.#callHost(), tasks: this.#tasks, forget: (id) => this.#outcomes.forget(id, null) }, target, input, options);
  }

  /** A handle on task `id` this agent owns (e.g. after a restart): its later result, questions and notices reach it. */
  task(id: string): TaskHandle {
    return this.#tasks.handle(id);
  }

  /** Answers questions about tasks without a handle-level `onQuestion` (e.g. asked before a restart, TSK-8). */
  onQuestion(fn: QuestionHandler): () => void {
    return this.#tasks.onAnyQuestion(fn);
  }

  /** Sends `watch` and resolves on `watching` (TSK-19); renewed after reconnections. @throws BatonError `TIMEOUT`, `CONNECTION_CLOSED`. */
  watch(options: WaitForRelayOptions = {}): Promise<void> {
    return this.#tasks.watch(this.#wait(options, 'watching'));
  }

  /** Subscribes to live `task-event` frames of this agent's tasks (after {@link watch}); returns the unsubscribe function. */
  onTaskEvent(listener: TaskEventListener): () => void {
    return this.#tasks.subscribeTaskEvents(listener);
  }

  /** Closes the connection for good (normal closure, no reconnect); pending operations fail with `CONNECTION_CLOSED`. */
  async close(): Promise<void> {
    await this.#connection.close(1000, '');
  }

  // ---- internals -------------------------------------------------------------------------------------

  #wait(options: WaitForRelayOptions, what: string): WaitOptions {
    return { timeoutMs: options.timeoutMs ?? this.#timeoutMs, signal: options.signal, what };
  }

  #trace(event: TraceEvent): void {
    try {
      this.#onTrace?.(event);
    } catch {
      // A failing observer must not break the protocol.
    }
  }

  #sendEnvelope(env: Envelope, wait: WaitOptions, scope: OutboxScope = 'durable'): Promise<AcceptedFrame> {
    return this.#envelopes.submit(env.id, { op: 'send', env }, wait, scope);
  }

  /** Sends a receipt (`connection` scope) or a result (`durable`, tracked); failures are logged. */
  #sendQuietly(env: Envelope, scope: OutboxScope, isRecipient?: RecipientCheck): void {
    if (isRecipient !== undefined) this.#outcomes.track(env, isRecipient);
    this.#sendEnvelope(env, { timeoutMs: this.#timeoutMs, what: `accepted for ${env.type} ${env.id}` }, scope).catch((error: unknown) => {
      if (error instanceof BatonError && error.code === 'CONNECTION_CLOSED') return; // redelivery brings it back
      this.#logger.warn(`the relay did not accept our ${env.type}`, { id: env.id, error: String(error) });
    });
  }

  /** Sends a `reject`/`working` frame if connected; otherwise the relay redelivers and it is answered again. */
  #sendNow(frame: Parameters<Connection['send']>[0]): void {
    if (this.#connection.state !== 'open') return;
    try {
      this.#connection.send(frame);
    } catch {
      // Lost with the socket: see above.
    }
  }

  #callHost(): CallHost {
    return {
      key: this.#key,
      defaultTimeoutMs: this.#timeoutMs,
      logger: this.#logger,
      pendingCalls: this.#pendingCalls,
      findProviders: (capability, agent, fresh, wait) => this.#discovery.findProviders(capability, agent, fresh, wait),
      sendEnvelope: (env, wait) => this.#sendEnvelope(env, wait),
      track: (env, isRecipient) => this.#outcomes.track(env, isRecipient),
    };
  }

  #listener(): ConnectionListener {
    return {
      frame: (frame) => this.#onFrame(frame),
      down: (info) => {
        this.#envelopes.dropConnectionScoped(closedError(info, 'was lost'));
        this.#tasks.onDown(closedError(info, 'was lost'));
        this.#trace({ kind: 'disconnected', code: info.code, reason: info.reason });
      },
      up: (session, attempts) => {
        this.#trace({ kind: 'reconnected', session: session.welcome.session, attempts });
        this.#envelopes.resendAll();
        this.#discoveries.resendAll();
        this.#tasks.onReconnected();
      },
      closed: (info) => {
        this.#closing.abort();
        const error = closedError(info, 'closed');
        this.#envelopes.failAll(error);
        this.#discoveries.failAll(error);
        this.#outcomes.failAll(error);
        this.#tasks.failAll(error);
        for (const pending of this.#pendingCalls.values()) pending.fail(error);
      },
    };
  }

  #onFrame(frame: Frame): void {
    switch (frame.op) {
      case 'accepted':
        this.#envelopes.resolve(frame.id, frame);
        return;
      case 'error':
        this.#onError(frame);
        return;
      case 'discovered':
        this.#discoveries.resolve(frame.ref, frame.agents);
        return;
      case 'delivered':
        void this.#outcomes.onDelivered(frame);
        return;
      case 'watching':
      case 'task-event':
        this.#tasks.onFrame(frame);
        return;
      case 'deliver':
        if (this.#early !== undefined) this.#early.push(frame);
        else handleDeliver(this.#inbox, frame);
        return;
      default:
        return; // hello/welcome again or client frames: nothing to do (VER-2).
    }
  }

  #onError(frame: ErrorFrame): void {
    if (frame.id !== undefined) {
      if (frame.code === 'RATE_LIMITED' && this.#envelopes.retryLater(frame.id, rateLimitDelayMs(frame.retry_after_ms))) return;
      const error = errorFromFrame(frame);
      if (this.#envelopes.reject(frame.id, error)) {
        this.#outcomes.forget(frame.id, error);
        return;
      }
    }
    const byRef = frame.ref === undefined ? undefined : [frame.ref, errorFromFrame(frame)] as const;
    if (byRef !== undefined && (this.#discoveries.reject(...byRef) || this.#tasks.rejectWatch(...byRef))) return;
    this.#logger.warn('error frame from the relay', { code: frame.code, message: frame.message, ...(frame.id !== undefined ? { id: frame.id } : {}) });
  }
}
