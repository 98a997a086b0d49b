/**
 * The agent's link to its relay across sockets: owns the current {@link FrameSocket}, runs the handshake
 * (SPEC CON-2..CON-5) on every new socket with the same key, and reconnects with exponential backoff and
 * jitter when a socket is lost without `close()` having been asked for. Fatal handshake refusals
 * (`NOT_ADMITTED`, `AUTH_FAILED`) are never retried.
 */
import { BatonError } from '@baton/spec';
import type { ClientFrame, ErrorCode, Frame, KeyPair } from '@baton/spec';
import { performHandshake } from './handshake.ts';
import type { HandshakeResult } from './handshake.ts';
import { FrameSocket } from './transport.ts';
import type { CloseInfo } from './transport.ts';
import type { ConnectionState, ReconnectOptions, WebSocketConstructor } from './types.ts';

/** Close and handshake codes after which reconnecting cannot help. */
const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['NOT_ADMITTED', 'AUTH_FAILED']);

/** What the connection reports to its owner (the Agent). */
export interface ConnectionListener {
  /** A frame arrived on the current socket. */
  frame(frame: Frame): void;
  /** The socket was lost; the connection is now `reconnecting`. */
  down(info: CloseInfo): void;
  /** A new socket completed the handshake (`attempts` = reconnect attempts it took). */
  up(session: HandshakeResult, attempts: number): void;
  /** The connection closed for good (`close()`, a fatal code, reconnection off or given up). */
  closed(info: CloseInfo): void;
}

/** Options of {@link Connection.open}. */
export interface ConnectionOptions {
  url: string;
  key: KeyPair;
  WebSocket: WebSocketConstructor;
  /** Time allowed for `hello` + `welcome` on each socket, in ms. */
  handshakeTimeoutMs: number;
  reconnect: false | ReconnectOptions;
}

/**
 * Delay before reconnect attempt `attempt` (1-based), in ms: d = min(max, initial * 2^(attempt-1)), then
 * uniformly random in [d/2, d] ("equal jitter", so that many agents do not come back in lockstep).
 */
export function reconnectDelay(attempt: number, options: ReconnectOptions, random: () => number = Math.random): number {
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 30_000;
  const d = Math.min(max, initial * 2 ** Math.min(attempt - 1, 40));
  return d / 2 + random() * (d / 2);
}

/** One agent's connection to a relay, surviving socket losses. Create it with {@link Connection.open}. */
export class Connection {
  readonly #options: ConnectionOptions;
  #socket: FrameSocket;
  #session: HandshakeResult;
  #state: ConnectionState = 'open';
  #listener: ConnectionListener | undefined;
  #closeRequested: { code: number; reason: string } | undefined;
  #pendingSocket: FrameSocket | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #resolveClosed!: (info: CloseInfo) => void;
  /** Resolves once the connection closed for good. */
  readonly closed: Promise<CloseInfo>;

  private constructor(options: ConnectionOptions, socket: FrameSocket, session: HandshakeResult) {
    this.#options = options;
    this.#socket = socket;
    this.#session = session;
    this.closed = new Promise((resolve) => { this.#resolveClosed = resolve; });
  }

  /**
   * Opens the first socket and authenticates. The first connection is not retried: its failure is thrown.
   * @throws BatonError as `performHandshake` (`AUTH_FAILED`, `NOT_ADMITTED`, `TIMEOUT`, `CONNECTION_CLOSED`, ...).
   */
  static async open(options: ConnectionOptions): Promise<Connection> {
    const socket = new FrameSocket(options.url, options.WebSocket);
    const session = await performHandshake(socket, options.key, options.handshakeTimeoutMs);
    return new Connection(options, socket, session);
  }

  /** `open`, `reconnecting` or `closed`. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The `hello` and `welcome` of the current (or last) socket. */
  get session(): HandshakeResult {
    return this.#session;
  }

  /** Starts reporting to `listener`; frames that arrived before are handed over in order. */
  attach(listener: ConnectionListener): void {
    this.#listener = listener;
    this.#watch(this.#socket);
  }

  /**
   * Sends one frame on the current socket.
   * @throws BatonError `CONNECTION_CLOSED` when no socket is open (reconnecting or closed).
   */
  send(frame: ClientFrame): void {
    if (this.#state !== 'open') throw new BatonError('CONNECTION_CLOSED', `the connection to the relay is ${this.#state}`);
    this.#socket.send(frame);
  }

  /** Closes for good (no reconnect); resolves with the close details. */
  close(code = 1000, reason = ''): Promise<CloseInfo> {
    if (this.#state === 'closed') return this.closed;
    this.#closeRequested = { code, reason };
    if (this.#state === 'open') {
      this.#socket.close(code, reason);
    } else if (this.#pendingSocket !== undefined) {
      this.#pendingSocket.close(code, reason);
    } else {
      this.#finish({ code, reason });
    }
    return this.closed;
  }

  #watch(socket: FrameSocket): void {
    socket.onFrame((frame) => this.#listener?.frame(frame));
    socket.onClose((info) => this.#onSocketClose(info));
  }

  #onSocketClose(info: CloseInfo): void {
    if (this.#state !== 'open') return;
    const fatal = info.errorCode !== undefined && FATAL_CODES.has(info.errorCode);
    if (this.#closeRequested !== undefined || fatal || this.#options.reconnect === false) {
      this.#finish(info);
      return;
    }
    this.#state = 'reconnecting';
    this.#listener?.down(info);
    this.#schedule(1, info);
  }

  #schedule(attempt: number, last: CloseInfo): void {
    const options = this.#options.reconnect === false ? {} : this.#options.reconnect;
    if (attempt > (options.maxAttempts ?? Infinity)) {
      this.#finish(last);
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#attempt(attempt);
    }, reconnectDelay(attempt, options));
  }

  async #attempt(attempt: number): Promise<void> {
    let socket: FrameSocket;
    let session: HandshakeResult;
    try {
      socket = new FrameSocket(this.#options.url, this.#options.WebSocket);
      this.#pendingSocket = socket;
      session = await performHandshake(socket, this.#options.key, this.#options.handshakeTimeoutMs);
    } catch (error) {
      this.#pendingSocket = undefined;
      const code: ErrorCode = error instanceof BatonError ? error.code : 'CONNECTION_CLOSED';
      const info: CloseInfo = { code: 1006, reason: code, errorCode: code };
      if (this.#closeRequested !== undefined) this.#finish({ ...this.#closeRequested });
      else if (FATAL_CODES.has(code)) this.#finish({ code: 1008, reason: code, errorCode: code });
      else this.#schedule(attempt + 1, info);
      return;
    }
    this.#pendingSocket = undefined;
    if (this.#closeRequested !== undefined) {
      socket.close(this.#closeRequested.code, this.#closeRequested.reason);
      this.#finish({ ...this.#closeRequested });
      return;
    }
    if (session.hello.relay !== this.#session.hello.relay) {
      // Another relay identity behind the same URL: its notices would be signed by a key this agent never
      // trusted, so stop rather than talk to it.
      socket.close(1000, '');
      this.#finish({ code: 1008, reason: 'AUTH_FAILED', errorCode: 'AUTH_FAILED' });
      return;
    }
    this.#socket = socket;
    this.#session = session;
    this.#state = 'open';
    this.#watch(socket);
    this.#listener?.up(session, attempt);
  }

  #finish(info: CloseInfo): void {
    if (this.#state === 'closed') return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#state = 'closed';
    this.#listener?.closed(info);
    this.#resolveClosed(info);
  }
}
