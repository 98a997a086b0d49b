/**
 * One WebSocket connection, runtime-neutral (SPEC section 8): sends `hello` with a fresh challenge, runs
 * the handshake checks, enforces the handshake timeout (CON-7), then dispatches `send`, `discover`,
 * `reject`, `working` (the two answered only on failure, UNKNOWN_DELIVERY, DLV-3/DLV-4) and `watch` frames
 * (TSK-19); relay-only ops (`watching`, `task-event`, ...) from an agent are INVALID_FRAME. Bad input is answered with an `error` frame; only fatal codes close the connection (ERR-3).
 *
 * Before authentication the only acceptable message is a valid `auth` frame; every failure there closes the
 * connection with 1008 (CON-4, CON-6): MALFORMED_FRAME for unreadable text or binary, INVALID_FRAME for a
 * malformed `auth`, NOT_AUTHENTICATED for any other op.
 */
import {
  ERROR_CODES, base64urlEncode, parseJson, validateFrame,
  type AuthFrame, type DiscoverFrame, type ErrorCode, type Frame, type RejectFrame, type WatchFrame, type WorkingFrame,
} from '@baton/spec';
import { checkAuth, type AuthContext } from './auth.ts';
import type { ErrorExtra, Replier } from './pipeline.ts';
import type { RelaySocket } from './types.ts';

/** What a session needs from the relay core. */
export interface SessionHost {
  /** Handshake facts (everything of AuthContext but the per-connection challenge and time). */
  authContext(): Omit<AuthContext, 'challenge' | 'now'>;
  now(): number;
  helloFields(): { versions: [number, ...number[]]; relay: string; limits: unknown };
  handshakeTimeoutMs(): number;
  authenticated(session: Session): void;
  closed(session: Session): void;
  send(session: Session, env: unknown, version: number): void;
  discover(session: Session, frame: DiscoverFrame): void;
  /** A `reject` frame; returns false when it names no delivery in flight to this agent. */
  reject(session: Session, frame: RejectFrame): boolean;
  /** A `working` frame; returns false when it names no delivery in flight to this agent. */
  working(session: Session, frame: WorkingFrame): boolean;
  /** The socket wrote queued data (FLW-2). */
  drained(session: Session): void;
  /** A `watch` frame (TSK-19): answer `watching` and send the agent's task events from now on. */
  watch(session: Session, frame: WatchFrame): void;
}

type State = 'handshake' | 'open' | 'closed';

/** Per-connection protocol state. Create it when the socket opens, then call {@link Session.start}. */
export class Session implements Replier {
  readonly session = globalThis.crypto.randomUUID();
  readonly #socket: RelaySocket;
  readonly #host: SessionHost;
  /** CON-2 challenge; '' once authenticated (an idle agent keeps no copy). */
  #challenge = base64urlEncode(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  #state: State = 'handshake';
  #agent = '';
  #version = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(socket: RelaySocket, host: SessionHost) {
    this.#socket = socket;
    this.#host = host;
  }

  /** The authenticated agent did:key ('' before `welcome`). */
  get agent(): string {
    return this.#agent;
  }

  /** True after `welcome` and before close. */
  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /** Bytes queued on the socket, not yet sent (for backpressure decisions). */
  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  /** The remote IP address ('' when unknown). */
  get ip(): string {
    return this.#socket.remoteAddress;
  }

  /** Sends `hello` (CON-2) and arms the handshake timeout (CON-7). */
  start(): void {
    this.#sendFrame({ op: 'hello', ...this.#host.helloFields(), challenge: this.#challenge, ts: this.#host.now() });
    this.#timer = setTimeout(() => {
      if (this.#state === 'handshake') this.sendError('HANDSHAKE_TIMEOUT', 'no valid auth within handshake_timeout_ms');
    }, this.#host.handshakeTimeoutMs());
  }

  /** Handles one incoming message; `null` stands for a binary message (ENC-1). Never throws. */
  receive(text: string | null): void {
    if (this.#state === 'closed') return;
    if (text === null) return this.#fail('MALFORMED_FRAME', 'binary messages are not allowed; send JSON text');
    let value: unknown;
    try {
      value = parseJson(text);
    } catch (err) {
      return this.#fail('MALFORMED_FRAME', err instanceof Error ? err.message : 'malformed JSON');
    }
    const checked = validateFrame(value);
    if (this.#state === 'handshake') return this.#handshake(value, checked);
    if (!checked.ok) return this.sendError(checked.code, checked.message);
    this.#dispatch(checked.value);
  }

  /** The transport closed (any reason). Idempotent. */
  closedByTransport(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#host.closed(this);
  }

  /** Sends serialized frame text; no-op once closed. */
  sendText(text: string): void {
    if (this.#state === 'closed') return;
    try {
      this.#socket.send(text);
    } catch {
      // The transport reports the failure through its close event.
    }
  }

  /** Sends an `error` frame (ERR-2); closes with 1008 and the code as reason when the code is fatal (ERR-3). */
  sendError(code: ErrorCode, message: string, extra: ErrorExtra = {}): void {
    this.#sendFrame({ op: 'error', code, message, ...extra });
    if (ERROR_CODES[code].fatal) this.#closeWith(code);
  }

  /** Closes the connection from the relay side (shutdown). */
  close(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.closedByTransport();
    this.#socket.close(code, reason);
  }

  #sendFrame(frame: Record<string, unknown>): void {
    this.sendText(JSON.stringify(frame));
  }

  /** Sends an error then closes with 1008 (for handshake failures whose code is not itself fatal). */
  #fail(code: ErrorCode, message: string): void {
    if (this.#state !== 'handshake') return this.sendError(code, message);
    this.#sendFrame({ op: 'error', code, message });
    this.#closeWith(code);
  }

  #closeWith(code: ErrorCode): void {
    this.close(1008, code);
  }

  #handshake(value: unknown, checked: ReturnType<typeof validateFrame>): void {
    const op = typeof value === 'object' && value !== null ? (value as { op?: unknown }).op : undefined;
    if (op !== 'auth') return this.#fail('NOT_AUTHENTICATED', 'authenticate with an auth frame first');
    if (!checked.ok) return this.#fail('INVALID_FRAME', checked.message);
    const frame = checked.value as AuthFrame;
    const failure = checkAuth(frame, { ...this.#host.authContext(), challenge: this.#challenge, now: this.#host.now() });
    if (failure !== null) return this.#fail(failure.code, failure.message);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined; // an idle agent keeps no timer object alive
    this.#challenge = '';
    this.#state = 'open';
    this.#agent = frame.agent;
    this.#version = frame.v;
    this.#sendFrame({ op: 'welcome', v: frame.v, agent: frame.agent, relay: this.#host.helloFields().relay, session: this.session });
    this.#socket.onDrain(() => {
      if (this.#state === 'open') this.#host.drained(this);
    });
    this.#host.authenticated(this);
  }

  #unknownDelivery(frame: RejectFrame | WorkingFrame): void {
    this.sendError('UNKNOWN_DELIVERY', `no delivery of ${frame.id} from ${frame.sender} is in flight to you`, { id: frame.id });
  }

  #dispatch(frame: Frame): void {
    switch (frame.op) {
      case 'send':
        return this.#host.send(this, frame.env, this.#version);
      case 'discover':
        return this.#host.discover(this, frame);
      case 'reject':
        if (!this.#host.reject(this, frame)) this.#unknownDelivery(frame);
        return;
      case 'working':
        if (!this.#host.working(this, frame)) this.#unknownDelivery(frame);
        return;
      case 'watch':
        return this.#host.watch(this, frame);
      case 'auth':
        return this.sendError('INVALID_FRAME', 'already authenticated; a second auth is ignored');
      default:
        return this.sendError('INVALID_FRAME', `op ${frame.op} is not sent by agents`);
    }
  }
}
