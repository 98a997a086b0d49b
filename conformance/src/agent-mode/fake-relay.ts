// The relay the suite plays in agent mode: a `ws` server on an ephemeral loopback port with its own key,
// announcing DEFAULT_LIMITS (ack_timeout_ms shortened), serving each adapter connection with
// RelaySideConnection, and keeping the relay state the checks need: known agents, envelopes accepted from
// the adapter (dedupe, RPL-3), deliveries made to it (seq, attempts, digest; ACK-3), the mailbox handed over
// on the next `welcome` (ACK-2, ACK-6) and the protocol violations the adapter provoked.
// It never redelivers or times out on its own: each case drives deliveries explicitly (deterministic runs).
import { createServer, type Server } from 'node:http';
import { DEFAULT_LIMITS, envelopeDigest, generateKeyPair, type Envelope, type KeyPair, type Limits } from '@baton/spec';
import { WebSocketServer } from 'ws';
import { CaseFailure } from '../assert.ts';
import type { WireRecorder } from '../wire/recorder.ts';
import type { Delivery, IntakeState } from './intake.ts';
import { RelaySideConnection } from './relay-side.ts';

/** Options of {@link FakeRelay.start}. */
export interface FakeRelayOptions {
  /** The did the adapter must authenticate as (derived from BATON_AGENT_SECRET); others get NOT_ADMITTED. */
  agentDid: string;
  /** Default wait for one frame, in ms; also the announced `ack_timeout_ms`. */
  timeoutMs: number;
  /** Longest wait for `auth` (announced as `handshake_timeout_ms`), in ms. */
  handshakeTimeoutMs: number;
  /** The first case's wire log (see {@link FakeRelay.recorder}). */
  recorder: WireRecorder;
  /** Members added to every `hello` (VER-2 cases). */
  helloExtra?: Record<string, unknown>;
  /** Members added to every `welcome` (VER-2 cases). */
  welcomeExtra?: Record<string, unknown>;
}

const key = (from: string, id: string): string => `${from} ${id}`;

/** A one-shot refusal (see {@link FakeRelay.refuseOnce}); `usedAt` is set when the error frame is sent. */
export interface Refusal {
  match: (env: Envelope) => boolean;
  frame: { code: string; message: string; retry_after_ms?: number };
  /** ms since epoch when the refusal was sent, else undefined. */
  usedAt?: number;
}

/** A started fake relay. */
export class FakeRelay {
  /** Where frames are recorded: the current case's wire log (the session swaps it per case). */
  recorder: WireRecorder;
  /** The relay's key: it signs notices (DLV-6). */
  readonly key: KeyPair = generateKeyPair();
  readonly options: FakeRelayOptions;
  /** The limits announced in `hello`. */
  readonly limits: Limits;
  /** Every error the adapter provoked, as `<connection>: relay answered <CODE>: <message>`. */
  readonly violations: string[] = [];
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #known = new Set<string>();
  readonly #accepted = new Map<string, string>();
  readonly #deliveries = new Map<string, Delivery>();
  /** (requester, request id) of every request the adapter sent a result for. */
  readonly #resulted = new Set<string>();
  #mailbox: Envelope[] = [];
  readonly #refusals: Refusal[] = [];
  #seq = 0;
  /** Adapter connections in arrival order (`adapter#1`, `adapter#2` after a restart, ...). */
  readonly connections: RelaySideConnection[] = [];
  #connWaiters: Array<() => void> = [];
  #url = '';

  private constructor(options: FakeRelayOptions) {
    this.options = options;
    this.recorder = options.recorder;
    this.limits = { ...DEFAULT_LIMITS, ack_timeout_ms: options.timeoutMs, handshake_timeout_ms: options.handshakeTimeoutMs };
    this.#known.add(options.agentDid);
    this.#server = createServer((_req, res) => res.writeHead(404).end());
    this.#wss = new WebSocketServer({ server: this.#server, path: '/v1/ws', maxPayload: this.limits.max_frame_bytes });
    this.#wss.on('connection', (ws) => {
      const conn = new RelaySideConnection(ws, this, `adapter#${this.connections.length + 1}`);
      this.connections.push(conn);
      for (const w of this.#connWaiters.splice(0)) w();
    });
  }

  /** Starts a fake relay on 127.0.0.1 with an ephemeral port. */
  static async start(options: FakeRelayOptions): Promise<FakeRelay> {
    const relay = new FakeRelay(options);
    await new Promise<void>((resolve) => relay.#server.listen(0, '127.0.0.1', resolve));
    const addr = relay.#server.address();
    relay.#url = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1/ws`;
    return relay;
  }

  /** `ws://127.0.0.1:<port>/v1/ws`, the value of BATON_RELAY_URL. */
  get url(): string {
    return this.#url;
  }

  get did(): string {
    return this.key.did;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** Makes `did` a known agent (results and receipts may be addressed to it). */
  know(did: string): void {
    this.#known.add(did);
  }

  /** Records a protocol violation by the adapter (fails the case at teardown). */
  violation(text: string): void {
    this.violations.push(text);
  }

  /**
   * Resolves with the next adapter connection (the `n`-th overall, 1-based), waiting up to `timeoutMs`.
   * @throws CaseFailure when it does not connect in time.
   */
  connection(n: number, timeoutMs: number, why: () => string): Promise<RelaySideConnection> {
    const existing = this.connections[n - 1];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CaseFailure(`adapter connection #${n} to ${this.#url} within ${timeoutMs} ms`, why())), timeoutMs);
      timer.unref(); // a case that failed otherwise must not keep the process alive
      const wait = (): void => {
        const c = this.connections[n - 1];
        if (!c) return void this.#connWaiters.push(wait);
        clearTimeout(timer);
        resolve(c);
      };
      this.#connWaiters.push(wait);
    });
  }

  /** Envelopes to deliver right after the next `welcome`, as a relay resuming a mailbox does (ACK-2, ACK-6). */
  queueForWelcome(env: Envelope): void {
    this.#mailbox.push(env);
  }

  /** @internal Hands the mailbox to a connection at `welcome`. */
  takeWelcomeMailbox(): Envelope[] {
    const m = this.#mailbox;
    this.#mailbox = [];
    return m;
  }

  /**
   * Makes the relay refuse the next valid envelope from the adapter matching `match` with an `error` frame
   * (e.g. RATE_LIMITED with retry_after_ms, FLW-3/FLW-4) instead of `accepted`; not a violation.
   */
  refuseOnce(match: (env: Envelope) => boolean, code: string, extra: { retry_after_ms?: number } = {}): Refusal {
    const r: Refusal = { match, frame: { code, message: `conformance: ${code} on purpose`, ...extra } };
    this.#refusals.push(r);
    return r;
  }

  /** @internal The pending refusal for `env`, marked used. */
  takeRefusal(env: Envelope): Refusal | undefined {
    const i = this.#refusals.findIndex((r) => r.match(env));
    if (i < 0) return undefined;
    const [r] = this.#refusals.splice(i, 1);
    if (r) r.usedAt = Date.now();
    return r;
  }

  /** A delivery made to the adapter, by (sender, id). */
  delivery(sender: string, id: string): Delivery | undefined {
    return this.#deliveries.get(key(sender, id));
  }

  /**
   * True when the adapter handles the in-flight task of request (sender, id): it receipted the delivered
   * request and sent no result for it yet. Its `working` frames then renew the lease (TSK-12, DLV-3).
   */
  handlesTask(sender: string, id: string): boolean {
    const d = this.delivery(sender, id);
    return d !== undefined && d.settled && d.env.type === 'request' && !this.#resulted.has(key(sender, id));
  }

  /** @internal Records one more attempt of `env` (same seq for every attempt). */
  recordDelivery(env: Envelope): Delivery {
    const k = key(env.from, env.id);
    let d = this.#deliveries.get(k);
    if (!d) {
      d = { env, seq: ++this.#seq, attempts: 0, digest: envelopeDigest(env), settled: false };
      this.#deliveries.set(k, d);
    }
    d.attempts += 1;
    d.settled = false;
    return d;
  }

  /** @internal The state RTE-1 checks read. */
  intakeState(agent: string): IntakeState {
    return {
      now: Date.now(), limits: this.limits, relayDid: this.did, agent,
      known: (did) => this.#known.has(did),
      acceptedDigest: (from, id) => this.#accepted.get(key(from, id)),
      delivery: (sender, id) => this.delivery(sender, id),
    };
  }

  /** @internal Commits an accepted envelope: dedupe memory, and a receipt settles its delivery. */
  accept(env: Envelope, digest: string, duplicate: boolean): void {
    if (duplicate) return;
    this.#accepted.set(key(env.from, env.id), digest);
    if (env.type === 'receipt') {
      const d = this.delivery(env.to, (env.body as { for: string }).for);
      if (d) d.settled = true;
    }
    if (env.type === 'result' && env.parent !== undefined) this.#resulted.add(key(env.to, env.parent));
  }

  /** Closes every connection and the server. */
  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
