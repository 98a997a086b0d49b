// A raw WebSocket connection to the implementation under test: records every frame, and lets a case wait
// for the next frame matching a predicate, or for the close, with a per-wait timeout (never a fixed sleep).
import WebSocket from 'ws';
import { CaseFailure } from '../assert.ts';
import { FrameQueue, toFrame, type CloseInfo, type ReceivedFrame } from './frame-queue.ts';
import type { WireRecorder } from './recorder.ts';

export type { CloseInfo, ReceivedFrame } from './frame-queue.ts';

/** One recorded WebSocket connection. Create with {@link WireConnection.open}. */
export class WireConnection {
  readonly label: string;
  readonly #ws: WebSocket;
  readonly #rec: WireRecorder;
  readonly #frames: FrameQueue;
  /** Local arrival time (ms since epoch) of every received frame. */
  readonly #arrivals = new WeakMap<ReceivedFrame, number>();

  private constructor(ws: WebSocket, label: string, rec: WireRecorder, timeoutMs: number) {
    this.#ws = ws;
    this.label = label;
    this.#rec = rec;
    this.#frames = new FrameQueue(timeoutMs);
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', (code, reason) => this.#onClose({ code, reason: reason.toString('utf8') }));
    ws.on('error', () => undefined);
  }

  /**
   * Opens a connection to `url` and resolves once the upgrade completes.
   * @param options.autoPong answer WebSocket pings (default true; false to test CON-8 heartbeats).
   * @throws CaseFailure when the connection cannot be opened within `timeoutMs`.
   */
  static open(url: string, label: string, rec: WireRecorder, timeoutMs: number,
    options: { autoPong?: boolean; maxPayload?: number } = {}): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { autoPong: options.autoPong ?? true, maxPayload: options.maxPayload ?? 64 * 1024 * 1024 });
      const conn = new WireConnection(ws, label, rec, timeoutMs);
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new CaseFailure(`WebSocket upgrade at ${url}`, `no upgrade within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        rec.record('open', label, url);
        resolve(conn);
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(new CaseFailure(`WebSocket upgrade at ${url}`, `connection error: ${err.message}`));
      });
    });
  }

  /** Close info once the implementation (or the suite) closed the connection, else null. */
  get closed(): CloseInfo | null {
    return this.#frames.closeInfo;
  }

  /** Sends a frame object as JSON text. */
  send(frame: unknown): void {
    this.sendText(JSON.stringify(frame));
  }

  /** Sends raw text (used for malformed frames). Ignored once closed. */
  sendText(text: string): void {
    this.#rec.record('out', this.label, text);
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(text);
  }

  /** Sends a binary message (ENC-1 says it is rejected). */
  sendBinary(data: Uint8Array): void {
    this.#rec.record('out', this.label, `<binary ${data.byteLength} bytes>`);
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(data, { binary: true });
  }

  /**
   * Resolves with the first received frame (already queued or arriving within the timeout) matching `match`,
   * removing it from the queue. Frames that do not match stay queued for later waits.
   * @throws CaseFailure(expected = `what`, received = the frames seen and the close state) on timeout, or
   *   when the connection closes first.
   */
  expect(what: string, match: (f: ReceivedFrame) => boolean, timeoutMs?: number): Promise<ReceivedFrame> {
    return this.#frames.expect(what, match, timeoutMs);
  }

  /** Waits for the next frame with `op` (any other fields). */
  expectOp(op: string, timeoutMs?: number): Promise<ReceivedFrame> {
    return this.expect(`${op} frame`, (f) => f.op === op, timeoutMs);
  }

  /**
   * Resolves true when no frame matching `match` arrives within `ms` (for "MUST NOT deliver" checks).
   * Returns false as soon as one arrives.
   */
  absent(match: (f: ReceivedFrame) => boolean, ms?: number): Promise<boolean> {
    return this.#frames.absent(match, ms);
  }

  /**
   * Local time (ms since the epoch) at which `frame`, a frame returned by {@link expect}, arrived: waits that
   * measure the relay's timing use it, not the time the wait resolved.
   * @throws Error when `frame` was not received on this connection.
   */
  arrivedAt(frame: ReceivedFrame): number {
    const t = this.#arrivals.get(frame);
    if (t === undefined) throw new Error(`frame ${JSON.stringify(frame).slice(0, 80)} was not received on ${this.label}`);
    return t;
  }

  /**
   * Resolves with the close info once the connection is closed.
   * @throws CaseFailure when it is still open after `timeoutMs`.
   */
  waitClose(what: string, timeoutMs?: number): Promise<CloseInfo> {
    return this.#frames.waitClose(what, timeoutMs);
  }

  /** Closes the connection from the suite side (normal closure). */
  close(): void {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.#ws.terminate();
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const at = Date.now();
    this.#rec.record('in', this.label, isBinary ? `<binary> ${text}` : text);
    const frame = toFrame(text);
    this.#arrivals.set(frame, at);
    this.#frames.push(frame);
  }

  #onClose(c: CloseInfo): void {
    this.#rec.record('close', this.label, `close ${c.code}${c.reason ? ` ${c.reason}` : ''}`);
    this.#frames.closed(c);
  }
}
