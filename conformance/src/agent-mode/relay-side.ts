// One adapter connection to the fake relay, served exactly as SPEC sections 8-15 say a relay does: `hello`
// with a fresh challenge and the limits, `auth` verified in the CON-4 order (with the relay did and the
// challenge), `welcome`, then every frame checked (VER-3, RTE-1), `accepted` for every valid `send`, `error`
// frames with registry codes otherwise. Everything is recorded; every error the adapter provokes is a
// protocol violation that fails the case. Frames the adapter sends after `welcome` are queued for the case.
import {
  base64urlEncode, isValidDid, parseFrame, SUPPORTED_VERSIONS, verifyAuth, type AuthFrame, type Envelope, type ErrorCode,
  type Frame, type HelloFrame,
} from '@baton/spec';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { FrameQueue, type ReceivedFrame } from '../wire/frame-queue.ts';
import type { FakeRelay } from './fake-relay.ts';
import type { Delivery } from './intake.ts';
import { checkSend } from './intake.ts';

const RELAY_ONLY_OPS = new Set(['hello', 'welcome', 'accepted', 'deliver', 'delivered', 'discovered', 'error']);

/** Server side of one adapter connection. Created by {@link FakeRelay}. */
export class RelaySideConnection {
  readonly label: string;
  /** Frames the adapter sent after `welcome`, for cases to wait on. */
  readonly frames: FrameQueue;
  readonly hello: HelloFrame;
  /** The adapter's `auth` frame once received. */
  auth: AuthFrame | undefined;
  /** The authenticated agent after `welcome`. */
  agent: string | undefined;
  /** The latest `register` envelope accepted on this connection. */
  registration: Envelope | undefined;
  readonly #ws: WebSocket;
  readonly #relay: FakeRelay;
  readonly #handshakeTimer: NodeJS.Timeout;
  #onReady: Array<() => void> = [];

  constructor(ws: WebSocket, relay: FakeRelay, label: string) {
    this.#ws = ws;
    this.#relay = relay;
    this.label = label;
    this.frames = new FrameQueue(relay.timeoutMs);
    this.hello = {
      op: 'hello', versions: [...SUPPORTED_VERSIONS] as [number, ...number[]], relay: relay.did,
      challenge: base64urlEncode(crypto.getRandomValues(new Uint8Array(32))), ts: Date.now(), limits: relay.limits,
    };
    relay.recorder.record('open', label, 'adapter connected');
    ws.on('message', (data, isBinary) => this.#onMessage(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), isBinary));
    ws.on('close', (code, reason) => {
      clearTimeout(this.#handshakeTimer);
      relay.recorder.record('close', label, `close ${code}${reason.length ? ` ${reason.toString('utf8')}` : ''}`);
      this.frames.closed({ code, reason: reason.toString('utf8') });
    });
    ws.on('error', () => undefined);
    this.send({ ...this.hello, ...relay.options.helloExtra });
    this.#handshakeTimer = setTimeout(() => this.#fatal('HANDSHAKE_TIMEOUT', 'no auth within handshake_timeout_ms (CON-7)'), relay.limits.handshake_timeout_ms);
  }

  /** True while the WebSocket is open. */
  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  /** Sends any frame object (recorded). */
  send(frame: unknown): void {
    const text = JSON.stringify(frame);
    this.#relay.recorder.record('out', this.label, text);
    if (this.open) this.#ws.send(text);
  }

  /**
   * Delivers `env` in a `deliver` frame with its relay `seq` and the next `attempt` (ACK-2, DLV-3).
   * @param extra members added to the frame (VER-2 cases)
   * @returns the delivery record
   */
  deliver(env: Envelope, extra: Record<string, unknown> = {}): Delivery {
    const d = this.#relay.recordDelivery(env);
    this.send({ op: 'deliver', seq: d.seq, attempt: d.attempts, env, ...extra });
    return d;
  }

  /** Sends a WebSocket ping; resolves true when a pong arrives within the relay timeout (CON-8). */
  ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), this.#relay.timeoutMs);
      this.#ws.once('pong', () => {
        clearTimeout(timer);
        this.#relay.recorder.record('in', this.label, '<pong>');
        resolve(true);
      });
      this.#relay.recorder.record('out', this.label, '<ping>');
      this.#ws.ping();
    });
  }

  /** Resolves once `welcome` was sent; rejects never (a failed handshake closes the connection instead). */
  ready(): Promise<void> {
    return this.agent !== undefined ? Promise.resolve() : new Promise((resolve) => this.#onReady.push(resolve));
  }

  /** Terminates the connection. */
  close(): void {
    this.#ws.terminate();
  }

  #error(code: ErrorCode, message: string, id?: string): void {
    this.#relay.violation(`${this.label}: relay answered ${code}: ${message}`);
    this.send(id === undefined ? { op: 'error', code, message } : { op: 'error', code, message, id });
  }

  #fatal(code: ErrorCode, message: string): void {
    if (!this.open) return;
    this.#error(code, message);
    this.#ws.close(1008, code);
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    const text = data.toString('utf8');
    this.#relay.recorder.record('in', this.label, isBinary ? `<binary ${data.length} bytes>` : text);
    if (isBinary) {
      if (this.agent === undefined) this.#fatal('MALFORMED_FRAME', 'binary message (ENC-1)');
      else this.#error('MALFORMED_FRAME', 'binary message (ENC-1)');
      return;
    }
    const parsed = parseFrame(text);
    if (this.agent === undefined) {
      this.#handshake(parsed);
      return;
    }
    if (!parsed.ok) {
      this.frames.push({ op: undefined, raw: text });
      this.#error(parsed.code, parsed.message);
      return;
    }
    this.frames.push(parsed.value as unknown as ReceivedFrame);
    this.#dispatch(parsed.value);
  }

  #handshake(parsed: ReturnType<typeof parseFrame>): void {
    if (!parsed.ok) {
      if (parsed.code === 'MALFORMED_FRAME') this.#fatal('MALFORMED_FRAME', parsed.message);
      else if (parsed.code === 'INVALID_FRAME' && parsed.message.startsWith('auth ')) this.#fatal('INVALID_FRAME', parsed.message);
      else this.#fatal('NOT_AUTHENTICATED', `${parsed.message} before welcome (CON-6)`);
      return;
    }
    const f = parsed.value;
    if (f.op !== 'auth') return this.#fatal('NOT_AUTHENTICATED', `${f.op} before welcome (CON-6)`);
    this.auth = f;
    if (!this.hello.versions.includes(f.v)) return this.#fatal('UNSUPPORTED_VERSION', `auth.v ${f.v} is not in hello.versions`);
    if (!isValidDid(f.agent)) return this.#fatal('AUTH_FAILED', 'auth.agent is not a valid did:key');
    if (Math.abs(f.ts - Date.now()) > this.#relay.limits.max_clock_skew_ms) return this.#fatal('CLOCK_SKEW', 'auth.ts is outside max_clock_skew_ms');
    if (!verifyAuth(f, this.hello.challenge, this.hello.relay)) {
      return this.#fatal('AUTH_FAILED', 'auth.sig does not verify over this challenge and relay did (CON-3)');
    }
    if (f.agent !== this.#relay.options.agentDid) return this.#fatal('NOT_ADMITTED', `${f.agent} is not the did of BATON_AGENT_SECRET`);
    clearTimeout(this.#handshakeTimer);
    this.agent = f.agent;
    const pending = this.#relay.takeWelcomeMailbox();
    // Worst-case timing, as a relay resuming a mailbox may produce: welcome and the redeliveries in one write.
    const socket = (this.#ws as unknown as { _socket?: Socket })._socket;
    socket?.cork();
    this.send({ op: 'welcome', v: f.v, agent: f.agent, relay: this.#relay.did, session: `s-${this.label}`, ...this.#relay.options.welcomeExtra });
    for (const env of pending) this.deliver(env);
    socket?.uncork();
    for (const resolve of this.#onReady.splice(0)) resolve();
  }

  #dispatch(f: Frame): void {
    if (f.op === 'auth') return this.#error('INVALID_FRAME', 'auth after welcome (CON-6)');
    if (RELAY_ONLY_OPS.has(f.op)) return this.#error('INVALID_FRAME', `${f.op} is sent only by the relay (VER-3)`);
    if (f.op === 'discover') return this.send({ op: 'discovered', ref: f.ref, agents: [] });
    if (f.op === 'reject' || f.op === 'working') {
      const d = this.#relay.delivery(f.sender, f.id);
      if (f.op === 'working' && this.#relay.handlesTask(f.sender, f.id)) return; // a lease renewal (TSK-12)
      if (!d || d.settled) return this.#error('UNKNOWN_DELIVERY', `no delivery of ${f.id} from ${f.sender} is in flight, nor a task the agent handles`, f.id);
      if (f.op === 'reject') d.settled = true;
      return;
    }
    if (f.op !== 'send') return;
    const r = checkSend(f.env, this.#relay.intakeState(this.agent ?? ''));
    if (!r.ok) return this.#error(r.code, r.message, r.id);
    const refusal = r.duplicate ? undefined : this.#relay.takeRefusal(r.env);
    if (refusal) return this.send({ op: 'error', ...refusal.frame, id: r.env.id });
    this.#relay.accept(r.env, r.digest, r.duplicate);
    if (r.env.type === 'register' && !r.duplicate) this.registration = r.env;
    this.send(r.duplicate ? { op: 'accepted', id: r.env.id, duplicate: true } : { op: 'accepted', id: r.env.id });
  }
}
