/**
 * A frame-level wrapper around a WebSocket: opens it, parses every text message as a frame (SPEC ENC-1,
 * ENC-4, VER-2), sends frames as JSON and reports the close once. Runtime-neutral: it only uses the WHATWG
 * WebSocket API through {@link WebSocketLike}.
 */
import { BatonError, isErrorCode, parseFrame } from '@baton/spec';
import type { ClientFrame, ErrorCode, Frame } from '@baton/spec';
import type { WebSocketConstructor, WebSocketLike } from './types.ts';

/** How a connection ended: the WebSocket close code and reason (ERR-3 puts a registry code in the reason). */
export interface CloseInfo {
  code: number;
  reason: string;
  /** The registry code named by the close reason, when it is one. */
  errorCode?: ErrorCode;
}

/** WebSocket `readyState` value of an open socket (WHATWG). */
const OPEN = 1;

/**
 * One WebSocket carrying Baton frames. Frames that fail to parse are reported to `onInvalid` and otherwise
 * ignored; binary messages are ignored too (a relay never sends them).
 */
export class FrameSocket {
  readonly #ws: WebSocketLike;
  #closeInfo: CloseInfo | undefined;
  readonly #frameListeners = new Set<(frame: Frame) => void>();
  readonly #closeListeners = new Set<(info: CloseInfo) => void>();
  /** Frames that arrived while nobody listened (e.g. a redelivery right after `welcome`), in order. */
  readonly #backlog: Frame[] = [];
  /** Called with a description of each message that is not a valid frame. */
  onInvalid: (message: string) => void = () => {};

  /**
   * Opens a socket to `url`.
   * @throws BatonError `CONNECTION_CLOSED` when the constructor refuses the URL.
   */
  constructor(url: string, WebSocketImpl: WebSocketConstructor) {
    try {
      this.#ws = new WebSocketImpl(url);
    } catch (cause) {
      throw new BatonError('CONNECTION_CLOSED', `cannot open a WebSocket to ${url}`, { cause });
    }
    this.#ws.addEventListener('message', (event) => this.#onMessage(event.data));
    this.#ws.addEventListener('close', (event) => this.#onClose(event.code, event.reason));
    // An 'error' event is always followed by 'close' (WHATWG); nothing to do here but keep it handled.
    this.#ws.addEventListener('error', () => {});
  }

  /** The close details once the socket closed, else undefined. */
  get closed(): CloseInfo | undefined {
    return this.#closeInfo;
  }

  /**
   * Subscribes to parsed frames; returns the unsubscribe function. Frames that arrived while there was no
   * listener are handed to the first new listener, in order, on the next microtask.
   */
  onFrame(listener: (frame: Frame) => void): () => void {
    this.#frameListeners.add(listener);
    if (this.#backlog.length > 0) {
      queueMicrotask(() => {
        while (this.#backlog.length > 0 && this.#frameListeners.has(listener)) listener(this.#backlog.shift()!);
      });
    }
    return () => this.#frameListeners.delete(listener);
  }

  /** Subscribes to the close (called at most once; immediately if already closed); returns the unsubscribe function. */
  onClose(listener: (info: CloseInfo) => void): () => void {
    if (this.#closeInfo !== undefined) {
      listener(this.#closeInfo);
      return () => {};
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /**
   * Sends one frame as a JSON text message.
   * @throws BatonError `CONNECTION_CLOSED` when the socket is not open.
   */
  send(frame: ClientFrame): void {
    if (this.#closeInfo !== undefined || this.#ws.readyState !== OPEN) {
      throw new BatonError('CONNECTION_CLOSED', 'the connection to the relay is not open');
    }
    this.#ws.send(JSON.stringify(frame));
  }

  /** Closes the socket (normal closure by default). */
  close(code = 1000, reason = ''): void {
    try {
      this.#ws.close(code, reason);
    } catch {
      // Already closing or closed: the close event still arrives.
    }
  }

  #onMessage(data: unknown): void {
    if (typeof data !== 'string') {
      this.onInvalid('binary message ignored');
      return;
    }
    const parsed = parseFrame(data);
    if (!parsed.ok) {
      this.onInvalid(`${parsed.code}: ${parsed.message}`);
      return;
    }
    if (this.#frameListeners.size === 0 || this.#backlog.length > 0) {
      this.#backlog.push(parsed.value);
      return;
    }
    for (const listener of [...this.#frameListeners]) listener(parsed.value);
  }

  #onClose(code: number, reason: string): void {
    if (this.#closeInfo !== undefined) return;
    const info: CloseInfo = { code, reason };
    if (isErrorCode(reason)) info.errorCode = reason;
    this.#closeInfo = info;
    for (const listener of [...this.#closeListeners]) listener(info);
    this.#closeListeners.clear();
    this.#frameListeners.clear();
  }
}
