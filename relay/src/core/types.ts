/**
 * Small shared types of the runtime-neutral relay core: the socket the core writes to, the clock (time and
 * timers) it runs on, and the peer handle other core modules use to reach an authenticated connection.
 */

/** A scheduled callback of a {@link Clock}. */
export interface Timer {
  /** Stops the timer; no-op when it already ran or was cancelled. */
  cancel(): void;
}

/**
 * Injectable time source and timer service (ms since the Unix epoch). Every delivery timeout, redelivery
 * backoff and sweep of the core runs on it, so tests drive them with a fake clock.
 */
export interface Clock {
  now(): number;
  /** Runs `fn` once, `ms` milliseconds from now (on this clock's time). */
  setTimer(ms: number, fn: () => void): Timer;
}

/** The system clock: `Date.now()` and `setTimeout` timers that do not keep the process alive (`unref`). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * The only thing the core needs from a WebSocket. Adapters (Node `ws`, a future Bun/Deno adapter) wrap theirs.
 * `send` must not throw when the socket is already closing; `bufferedAmount` is bytes queued, not yet sent.
 */
export interface RelaySocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
  /** The peer's IP address ('' when unknown); the key of the per-IP send rate limit (FLW-3). */
  readonly remoteAddress: string;
  /**
   * Registers the callback the adapter runs whenever queued frames were written out (so `bufferedAmount`
   * may have dropped). The core uses it to resume deliveries to a slow consumer (FLW-2). One callback per socket.
   */
  onDrain(fn: () => void): void;
}

/** An authenticated connection as seen by presence, delivery and routing. */
export interface Peer {
  /** The authenticated agent did:key. */
  readonly agent: string;
  /** Opaque session id, unique per connection (CON-5). */
  readonly session: string;
  /** Bytes queued on the connection, not yet written to the network (FLW-2). */
  readonly bufferedAmount: number;
  /** Sends one frame, already serialized as JSON text. No-op once the connection is closed. */
  sendText(text: string): void;
}

/** Admission policy (SPEC ADM-1). */
export type Admission = 'open' | 'allowlist';
