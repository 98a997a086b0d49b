// A raw WebSocket connection to the implementation under test: records every frame, and lets a case wait
// for the next frame matching a predicate, or for the close, with a per-wait timeout (never a fixed sleep).
import WebSocket from 'ws';
import { CaseFailure, show } from '../assert.ts';
import type { WireRecorder } from './recorder.ts';

/** A frame received from the implementation: the parsed JSON object, or `null` when it was not JSON. */
export type ReceivedFrame = Record<string, unknown> & { op?: unknown };

/** How a connection ended: WebSocket close code and reason. */
export interface CloseInfo {
  code: number;
  reason: string;
}

interface Waiter {
  match: (f: ReceivedFrame) => boolean;
  resolve: (f: ReceivedFrame) => void;
}

/** One recorded WebSocket connection. Create with {@link WireConnection.open}. */
export class WireConnection {
  readonly label: string;
  readonly #ws: WebSocket;
  readonly #rec: WireRecorder;
  readonly #timeoutMs: number;
  readonly #queue: ReceivedFrame[] = [];
  readonly #seen: ReceivedFrame[] = [];
  #waiters: Waiter[] = [];
  #closed: CloseInfo | null = null;
  readonly #closeWaiters: Array<(c: CloseInfo) => void> = [];

  private constructor(ws: WebSocket, label: string, rec: WireRecorder, timeoutMs: number) {
    this.#ws = ws;
    this.label = label;
    this.#rec = rec;
    this.#timeoutMs = timeoutMs;
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
    return this.#closed;
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
  expect(what: string, match: (f: ReceivedFrame) => boolean, timeoutMs: number = this.#timeoutMs): Promise<ReceivedFrame> {
    const i = this.#queue.findIndex(match);
    if (i >= 0) return Promise.resolve(this.#queue.splice(i, 1)[0] as ReceivedFrame);
    if (this.#closed) return Promise.reject(this.#failure(what));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        match,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(this.#failure(what, timeoutMs));
      }, timeoutMs);
      this.#waiters.push(waiter);
      this.#closeWaiters.push(() => {
        if (!this.#waiters.includes(waiter)) return;
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        clearTimeout(timer);
        reject(this.#failure(what));
      });
    });
  }

  /** Waits for the next frame with `op` (any other fields). */
  expectOp(op: string, timeoutMs?: number): Promise<ReceivedFrame> {
    return this.expect(`${op} frame`, (f) => f.op === op, timeoutMs);
  }

  /**
   * Resolves true when no frame matching `match` arrives within `ms` (for "MUST NOT deliver" checks).
   * Returns false as soon as one arrives.
   */
  async absent(match: (f: ReceivedFrame) => boolean, ms: number = this.#timeoutMs): Promise<boolean> {
    try {
      await this.expect('nothing', match, ms);
      return false;
    } catch (e) {
      if (e instanceof CaseFailure) return true;
      throw e;
    }
  }

  /**
   * Resolves with the close info once the connection is closed.
   * @throws CaseFailure when it is still open after `timeoutMs`.
   */
  waitClose(what: string, timeoutMs: number = this.#timeoutMs): Promise<CloseInfo> {
    if (this.#closed) return Promise.resolve(this.#closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new CaseFailure(what, `connection still open after ${timeoutMs} ms`)), timeoutMs);
      this.#closeWaiters.push((c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  /** Closes the connection from the suite side (normal closure). */
  close(): void {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.#ws.terminate();
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    this.#rec.record('in', this.label, isBinary ? `<binary> ${text}` : text);
    let frame: ReceivedFrame;
    try {
      const v: unknown = JSON.parse(text);
      frame = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as ReceivedFrame) : { op: undefined, raw: text };
    } catch {
      frame = { op: undefined, raw: text };
    }
    this.#seen.push(frame);
    const w = this.#waiters.find((x) => x.match(frame));
    if (w) {
      this.#waiters = this.#waiters.filter((x) => x !== w);
      w.resolve(frame);
    } else {
      this.#queue.push(frame);
    }
  }

  #onClose(c: CloseInfo): void {
    this.#closed = c;
    this.#rec.record('close', this.label, `close ${c.code}${c.reason ? ` ${c.reason}` : ''}`);
    for (const f of this.#closeWaiters.splice(0)) f(c);
  }

  #failure(what: string, timeoutMs?: number): CaseFailure {
    const recent = this.#seen.slice(-3).map((f) => `${f.op === undefined ? 'non-JSON' : String(f.op)} ${show(f)}`);
    const state = this.#closed ? `connection closed (${this.#closed.code} ${this.#closed.reason})` : `nothing matching within ${timeoutMs ?? this.#timeoutMs} ms`;
    return new CaseFailure(what, recent.length ? `${state}; last frames: ${recent.join(' | ')}` : state);
  }
}
