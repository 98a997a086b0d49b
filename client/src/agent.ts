/**
 * The `Agent`: one authenticated connection to a relay, with the whole client API - register capabilities,
 * discover providers, send requests and messages, handle requests - on top of the frame transport.
 *
 * Every envelope the relay delivers is schema-checked and verified before anything acts on it (SPEC SIG-4),
 * acknowledged with a signed receipt (ACK-3) and deduplicated by (`from`, `id`) (RPL-4).
 */
import { BatonError, createEnvelope, validateRegisterBody } from '@baton/spec';
import type {
  AcceptedFrame, CapabilityManifest, DiscoveryEntry, DiscoveryQuery, Envelope, Frame, HelloFrame, KeyPair, Limits, WelcomeFrame,
} from '@baton/spec';
import { DedupeCache } from './dedupe.ts';
import { DiscoveryCache, discoveryEntryProblem, providersOf } from './discovery.ts';
import { admitDelivered } from './inbound.ts';
import { processRequest } from './provider.ts';
import type { ProviderHost } from './provider.ts';
import { createReceipt } from './receipts.ts';
import { PendingCall, performCall } from './requester.ts';
import type { CallHost } from './requester.ts';
import { errorFromFrame } from './result-errors.ts';
import type { CloseInfo, FrameSocket } from './transport.ts';
import type {
  CallOutcome, CapabilityHandler, ClientLogger, ConnectOptions, MessageHandler, Provider, RequestOptions, RequestTarget, TraceEvent,
} from './types.ts';
import { WaiterMap } from './waiters.ts';
import type { WaitOptions } from './waiters.ts';

/** Options of calls that only wait for the relay (`register`, `discover`, `send`). */
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
 * @example
 * const agent = await connect({ url: 'ws://127.0.0.1:8787/v1/ws', key: generateKeyPair() });
 * agent.handle('echo', async (input) => input);
 * await agent.register({ name: 'echo', version: '1.0.0', description: 'Echoes', input_schema: {}, output_schema: {}, timeout_ms: 1000 });
 */
export class Agent {
  /** This agent's did:key (SPEC ID-1). */
  readonly did: string;
  /** The relay's did:key, from `hello` (CON-2). */
  readonly relay: string;
  /** The opaque session id from `welcome` (CON-5). */
  readonly session: string;
  /** The relay's announced limits (LIM-1). */
  readonly limits: Limits;

  readonly #socket: FrameSocket;
  readonly #key: KeyPair;
  readonly #timeoutMs: number;
  readonly #logger: ClientLogger;
  readonly #onTrace: ((event: TraceEvent) => void) | undefined;
  readonly #dedupe: DedupeCache;
  readonly #discoveryCache: DiscoveryCache;
  readonly #accepted = new WaiterMap<AcceptedFrame>();
  readonly #discovered = new WaiterMap<DiscoveryEntry[]>();
  readonly #pendingCalls = new Map<string, PendingCall>();
  readonly #manifests = new Map<string, CapabilityManifest>();
  readonly #handlers = new Map<string, CapabilityHandler>();
  readonly #messageHandlers = new Set<MessageHandler>();
  readonly #closing = new AbortController();
  #handle: string | undefined;
  #registering: Promise<unknown> = Promise.resolve();
  #refCounter = 0;
  readonly #closed: Promise<CloseInfo>;

  /** @internal Use `connect()`. */
  constructor(socket: FrameSocket, options: ConnectOptions, hello: HelloFrame, welcome: WelcomeFrame) {
    this.#socket = socket;
    this.#key = options.key;
    this.did = welcome.agent;
    this.relay = hello.relay;
    this.session = welcome.session;
    this.limits = hello.limits;
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#logger = options.logger ?? consoleLogger;
    this.#onTrace = options.onTrace;
    this.#dedupe = options.dedupe ?? new DedupeCache({ windowMs: hello.limits.dedupe_window_ms });
    this.#discoveryCache = new DiscoveryCache(options.discoveryCacheMs ?? 5_000);
    socket.onInvalid = (message) => this.#logger.warn('ignored an invalid frame from the relay', { message });
    socket.onFrame((frame) => this.#onFrame(frame));
    this.#closed = new Promise((resolve) => socket.onClose((info) => { this.#onClose(info); resolve(info); }));
  }

  /** True once the connection closed (by `close()`, the relay or the network). */
  get isClosed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** Resolves with the WebSocket close code and reason when the connection closes. */
  get closed(): Promise<CloseInfo> {
    return this.#closed;
  }

  /** The manifests currently registered (in registration order). */
  get manifests(): CapabilityManifest[] {
    return [...this.#manifests.values()];
  }

  /**
   * Adds (or replaces, by name) a capability and sends one `register` envelope holding every manifest of this
   * agent (TYP-1: a newer registration replaces the previous one). Resolves with the envelope once the relay
   * answered `accepted`; on failure the manifest set is restored.
   * @throws BatonError `INVALID_MANIFEST` (checked locally, nothing sent), the relay's code (`HANDLE_TAKEN`,
   *   `INVALID_MANIFEST`, ...), `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
   */
  register(manifest: CapabilityManifest, options: { handle?: string } & WaitForRelayOptions = {}): Promise<Envelope> {
    const run = this.#registering.then(() => this.#register(manifest, options));
    this.#registering = run.catch(() => {});
    return run;
  }

  async #register(manifest: CapabilityManifest, options: { handle?: string } & WaitForRelayOptions): Promise<Envelope> {
    const previous = new Map(this.#manifests);
    this.#manifests.set(manifest.name, manifest);
    const handle = options.handle ?? this.#handle;
    const body = { ...(handle !== undefined ? { handle } : {}), manifests: [...this.#manifests.values()] };
    try {
      const check = validateRegisterBody(body);
      if (!check.ok) throw new BatonError('INVALID_MANIFEST', check.message);
      const env = createEnvelope(this.#key, { type: 'register', to: this.relay, body: body as unknown as Record<string, unknown> });
      await this.#sendEnvelope(env, this.#wait(options, `accepted for register ${env.id}`));
      this.#handle = handle;
      this.#discoveryCache.clear();
      return env;
    } catch (error) {
      this.#manifests.clear();
      for (const [name, m] of previous) this.#manifests.set(name, m);
      throw error;
    }
  }

  /**
   * Sets the handler that answers requests for `capability` (replacing any previous one). Requests are
   * answered only for capabilities that are also registered; see `processRequest` for the result codes.
   */
  handle(capability: string, handler: CapabilityHandler): void {
    this.#handlers.set(capability, handler);
  }

  /**
   * Asks the relay which agents match `query` (DIS-1) and returns only the entries whose signed registration
   * verifies and backs them (MAN-3); other entries are dropped and logged.
   * @throws BatonError the relay's code (`INVALID_FRAME`, ...), `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
   */
  async discover(query: DiscoveryQuery = {}, options: WaitForRelayOptions = {}): Promise<DiscoveryEntry[]> {
    const ref = `d${++this.#refCounter}-${Math.random().toString(36).slice(2, 10)}`;
    const answer = this.#discovered.wait(ref, this.#wait(options, `discovered for ${ref}`));
    try {
      this.#socket.send({ op: 'discover', ref, query });
    } catch (error) {
      this.#discovered.reject(ref, error);
    }
    const entries = await answer;
    return entries.filter((entry) => {
      const problem = discoveryEntryProblem(entry);
      if (problem === null) return true;
      this.#logger.warn('dropped an unverifiable discovery entry', { agent: entry?.agent, problem });
      this.#trace({ kind: 'dropped', reason: `discovery entry: ${problem}`, env: entry?.registration });
      return false;
    });
  }

  /**
   * Runs `target` with `input` and returns the validated output. `target` is a capability name (capability
   * routing, `to: cap:<name>`, RTE-3) or `{ capability, agent }` (direct routing, RTE-2). The input is
   * checked against the provider's signed `input_schema` before anything is sent (MAN-4); the request carries
   * `exp = now + timeoutMs`.
   * @throws BatonError `NO_PROVIDER` (nobody offers it), `UNSUPPORTED_CAPABILITY` (the given agent does not),
   *   `INPUT_SCHEMA_VIOLATION` (not sent), the relay's rejection code, the provider's result code (unknown codes
   *   become `HANDLER_ERROR`), `OUTPUT_SCHEMA_VIOLATION`, `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
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
   * Sends a one-way `message` envelope (TYP-5) to an agent's did:key; resolves with it once `accepted`.
   * @throws BatonError the relay's code (`UNKNOWN_RECIPIENT`, ...), `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
   */
  async send(to: string, body: Record<string, unknown>, options: WaitForRelayOptions = {}): Promise<Envelope> {
    const env = createEnvelope(this.#key, { type: 'message', to, body });
    await this.#sendEnvelope(env, this.#wait(options, `accepted for message ${env.id}`));
    return env;
  }

  /** Subscribes to verified, first-seen `message` envelopes addressed to this agent; returns the unsubscribe function. */
  onMessage(handler: MessageHandler): () => void {
    this.#messageHandlers.add(handler);
    return () => this.#messageHandlers.delete(handler);
  }

  /** Closes the connection (normal closure); pending operations fail with `CONNECTION_CLOSED`. */
  async close(): Promise<void> {
    this.#socket.close(1000, '');
    await this.#closed;
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

  #sendEnvelope(env: Envelope, wait: WaitOptions): Promise<AcceptedFrame> {
    const accepted = this.#accepted.wait(env.id, wait);
    try {
      this.#socket.send({ op: 'send', env });
    } catch (error) {
      this.#accepted.reject(env.id, error);
    }
    return accepted;
  }

  #sendQuietly(env: Envelope): void {
    this.#sendEnvelope(env, { timeoutMs: this.#timeoutMs, what: `accepted for ${env.type} ${env.id}` }).catch((error: unknown) => {
      if (!this.isClosed) this.#logger.warn(`the relay did not accept our ${env.type}`, { id: env.id, error: String(error) });
    });
  }

  async #findProviders(capability: string, agent: string | undefined, fresh: boolean, wait: WaitOptions): Promise<Provider[]> {
    const query: DiscoveryQuery = agent === undefined ? { capability } : { capability, include_offline: true, limit: 500 };
    const key = JSON.stringify(query);
    let entries = fresh ? undefined : this.#discoveryCache.get(key);
    if (entries === undefined) {
      entries = await this.discover(query, { timeoutMs: wait.timeoutMs, ...(wait.signal !== undefined ? { signal: wait.signal } : {}) });
      this.#discoveryCache.set(key, entries);
    }
    const providers = providersOf(entries, capability);
    return agent === undefined ? providers : providers.filter((p) => p.agent === agent);
  }

  #callHost(): CallHost {
    return {
      key: this.#key,
      defaultTimeoutMs: this.#timeoutMs,
      logger: this.#logger,
      pendingCalls: this.#pendingCalls,
      findProviders: (capability, agent, fresh, wait) => this.#findProviders(capability, agent, fresh, wait),
      sendEnvelope: (env, wait) => this.#sendEnvelope(env, wait),
    };
  }

  #providerHost(): ProviderHost {
    return {
      key: this.#key,
      capability: (name) => {
        const manifest = this.#manifests.get(name);
        const handler = this.#handlers.get(name);
        return manifest !== undefined && handler !== undefined ? { manifest, handler } : undefined;
      },
      sendQuietly: (env) => this.#sendQuietly(env),
      closeSignal: this.#closing.signal,
      now: () => Date.now(),
      trace: (event) => this.#trace(event),
    };
  }

  #onFrame(frame: Frame): void {
    switch (frame.op) {
      case 'accepted':
        this.#accepted.resolve(frame.id, frame);
        return;
      case 'error': {
        const error = errorFromFrame(frame);
        const settled = (frame.id !== undefined && this.#accepted.reject(frame.id, error))
          || (frame.ref !== undefined && this.#discovered.reject(frame.ref, error));
        if (!settled) this.#logger.warn('error frame from the relay', { code: frame.code, message: frame.message });
        return;
      }
      case 'discovered':
        this.#discovered.resolve(frame.ref, frame.agents);
        return;
      case 'delivered':
        void this.#pendingCalls.get(frame.id)?.onDelivered(frame.receipt);
        return;
      case 'deliver':
        this.#onDeliver(frame.env);
        return;
      default:
        return; // hello/welcome again or client frames: nothing to do (VER-2).
    }
  }

  #drop(reason: string, env: unknown): void {
    this.#logger.warn(`dropped a delivered envelope: ${reason}`, { id: (env as { id?: unknown } | null)?.id });
    this.#trace({ kind: 'dropped', reason, env });
  }

  #onDeliver(raw: unknown): void {
    const intake = admitDelivered(raw, this.did);
    if (!intake.ok) return this.#drop(intake.reason, raw);
    const { env, digest } = intake;
    this.#trace({ kind: 'received', env });
    const duplicate = this.#dedupe.checkAndRemember(env.from, env.id);
    this.#sendQuietly(createReceipt(this.#key, env, digest));
    if (duplicate) {
      this.#trace({ kind: 'duplicate', env });
      return;
    }
    if (env.type === 'request') {
      void processRequest(this.#providerHost(), env);
      return;
    }
    if (env.exp !== undefined && env.exp <= Date.now()) return this.#drop('EXPIRED: exp passed (RPL-2)', env);
    if (env.type === 'result') {
      if (env.parent !== undefined) void this.#pendingCalls.get(env.parent)?.onResult(env);
      return;
    }
    for (const handler of [...this.#messageHandlers]) {
      Promise.resolve()
        .then(() => handler(env.body, env))
        .catch((error: unknown) => this.#logger.warn('message handler failed', { id: env.id, error: String(error) }));
    }
  }

  #onClose(info: CloseInfo): void {
    this.#closing.abort();
    const error = new BatonError('CONNECTION_CLOSED', `the connection to the relay closed (${info.code}${info.reason ? ` ${info.reason}` : ''})`, {
      details: info,
    });
    this.#accepted.rejectAll(error);
    this.#discovered.rejectAll(error);
    for (const pending of this.#pendingCalls.values()) pending.fail(error);
  }
}
