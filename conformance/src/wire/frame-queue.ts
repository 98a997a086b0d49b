// Frames received on one connection, in arrival order, for cases to wait on: the first frame matching a
// predicate (already queued or arriving within a timeout), the absence of one, or the close. Shared by the
// suite's client connections (relay mode) and the fake relay's server-side connections (agent mode).
import { CaseFailure, show } from '../assert.ts';

/** A frame received from the implementation: the parsed JSON object, or `{ op: undefined, raw }` when not JSON. */
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

/** Parses one received text as a frame object; anything else becomes `{ op: undefined, raw: text }`. */
export function toFrame(text: string): ReceivedFrame {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as ReceivedFrame) : { op: undefined, raw: text };
  } catch {
    return { op: undefined, raw: text };
  }
}

/** The queue of one connection. Feed it with {@link push} and {@link closed}; wait with {@link expect}. */
export class FrameQueue {
  readonly #timeoutMs: number;
  readonly #queue: ReceivedFrame[] = [];
  readonly #seen: ReceivedFrame[] = [];
  #waiters: Waiter[] = [];
  #closed: CloseInfo | null = null;
  readonly #closeWaiters: Array<(c: CloseInfo) => void> = [];

  /** @param timeoutMs default wait of {@link expect}, {@link absent} and {@link waitClose}, in ms. */
  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Close info once the connection closed, else null. */
  get closeInfo(): CloseInfo | null {
    return this.#closed;
  }

  /** Every frame received so far, in order (matched or not). */
  get seen(): readonly ReceivedFrame[] {
    return this.#seen;
  }

  /** Forgets queued and seen frames (a new case starts on a shared connection); waiters stay. */
  clear(): void {
    this.#queue.length = 0;
    this.#seen.length = 0;
  }

  /** Hands a received frame to the first waiter it matches, or queues it. */
  push(frame: ReceivedFrame): void {
    this.#seen.push(frame);
    const w = this.#waiters.find((x) => x.match(frame));
    if (w) {
      this.#waiters = this.#waiters.filter((x) => x !== w);
      w.resolve(frame);
    } else {
      this.#queue.push(frame);
    }
  }

  /** Records the close (first call wins) and wakes every waiter. */
  closed(c: CloseInfo): void {
    if (this.#closed) return;
    this.#closed = c;
    for (const f of this.#closeWaiters.splice(0)) f(c);
  }

  /**
   * Resolves with the first frame (queued or arriving within the timeout) matching `match`, removing it from
   * the queue. Frames that do not match stay queued for later waits.
   * @throws CaseFailure(expected = `what`, received = the last frames and the close state) on timeout or close.
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

  /**
   * Resolves true when no frame matching `match` is queued or arrives within `ms` (for "MUST NOT" checks);
   * false as soon as one does. A matching frame is left in the queue.
   */
  async absent(match: (f: ReceivedFrame) => boolean, ms: number = this.#timeoutMs): Promise<boolean> {
    if (this.#queue.some(match)) return false;
    try {
      const f = await this.expect('nothing', match, ms);
      this.#queue.unshift(f);
      return false;
    } catch (e) {
      if (e instanceof CaseFailure) return true;
      throw e;
    }
  }

  /** Resolves with the close info. @throws CaseFailure when still open after `timeoutMs`. */
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

  #failure(what: string, timeoutMs?: number): CaseFailure {
    const recent = this.#seen.slice(-3).map((f) => `${f.op === undefined ? 'non-JSON' : String(f.op)} ${show(f)}`);
    const state = this.#closed ? `connection closed (${this.#closed.code} ${this.#closed.reason})` : `nothing matching within ${timeoutMs ?? this.#timeoutMs} ms`;
    return new CaseFailure(what, recent.length ? `${state}; last frames: ${recent.join(' | ')}` : state);
  }
}
