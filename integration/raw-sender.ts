/**
 * Integration-test helper: a sender that speaks the wire protocol directly over `ws` (no client library, no
 * automatic resend), so a test controls exactly which envelopes are sent and sees every `accepted` and `error`.
 */
import WebSocket from 'ws';
import { parseFrame, signAuth, type Envelope, type HelloFrame, type KeyPair } from '@baton/spec';

/** What happened to the envelopes a sender sent on one connection. */
export interface SendLog {
  /** Ids answered `accepted` (fresh or duplicate). */
  readonly accepted: Set<string>;
  /** Ids answered with an `error` frame, with the code. */
  readonly refused: Map<string, string>;
}

/** One authenticated raw connection. */
export class RawSender {
  readonly log: SendLog = { accepted: new Set(), refused: new Map() };
  readonly #ws: WebSocket;
  readonly #settled = new Map<string, () => void>();
  readonly closed: Promise<void>;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    this.closed = new Promise((res) => ws.once('close', () => {
      for (const wake of this.#settled.values()) wake();
      res();
    }));
    ws.on('message', (data) => {
      const parsed = parseFrame(String(data));
      if (!parsed.ok) return;
      const frame = parsed.value;
      if (frame.op === 'accepted') this.#settle(frame.id, () => this.log.accepted.add(frame.id));
      else if (frame.op === 'error' && frame.id !== undefined) this.#settle(frame.id, () => this.log.refused.set(frame.id!, frame.code));
    });
  }

  /** Connects and authenticates `key`. */
  static async connect(url: string, key: KeyPair): Promise<RawSender> {
    const ws = new WebSocket(url);
    const hello = await new Promise<HelloFrame>((res, rej) => {
      ws.once('message', (data) => res(JSON.parse(String(data)) as HelloFrame));
      ws.once('error', rej);
    });
    const welcome = new Promise<void>((res, rej) => ws.once('message', (data) => {
      const frame = JSON.parse(String(data)) as { op: string };
      if (frame.op === 'welcome') res();
      else rej(new Error(`handshake failed: ${String(data)}`));
    }));
    ws.send(JSON.stringify(signAuth(key, hello)));
    await welcome;
    return new RawSender(ws);
  }

  /**
   * Sends `envs` keeping at most `window` unanswered; resolves when all are answered or the connection closed.
   * Envelopes not answered before the close are neither in `accepted` nor in `refused`.
   * @returns how many of `envs` (a prefix) were written to the socket.
   */
  async pump(envs: readonly Envelope[], window: number, onAccepted: () => void = () => {}): Promise<number> {
    let next = 0;
    const inFlight = new Set<Promise<void>>();
    while (next < envs.length && this.#ws.readyState === WebSocket.OPEN) {
      const env = envs[next++]!;
      const done = new Promise<void>((res) => this.#settled.set(env.id, res)).then(() => {
        inFlight.delete(done);
        if (this.log.accepted.has(env.id)) onAccepted();
      });
      inFlight.add(done);
      this.#ws.send(JSON.stringify({ op: 'send', env }));
      if (inFlight.size >= window) await Promise.race(inFlight);
    }
    await Promise.race([Promise.all(inFlight), this.closed]);
    return next;
  }

  close(): Promise<void> {
    this.#ws.close();
    return this.closed;
  }

  #settle(id: string, record: () => void): void {
    record();
    const wake = this.#settled.get(id);
    this.#settled.delete(id);
    wake?.();
  }
}
