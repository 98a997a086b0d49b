/**
 * Small shared types of the runtime-neutral relay core: the socket the core writes to, the clock it reads,
 * and the peer handle other core modules use to reach an authenticated connection.
 */

/** Injectable time source (ms since the Unix epoch). Tests pass a fake to exercise skew and expiry. */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * The only thing the core needs from a WebSocket. Adapters (Node `ws`, a future Bun/Deno adapter) wrap theirs.
 * `send` must not throw when the socket is already closing; `bufferedAmount` is bytes queued, not yet sent.
 */
export interface RelaySocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
}

/** An authenticated connection as seen by presence, delivery and routing. */
export interface Peer {
  /** The authenticated agent did:key. */
  readonly agent: string;
  /** Opaque session id, unique per connection (CON-5). */
  readonly session: string;
  /** Sends one frame, already serialized as JSON text. No-op once the connection is closed. */
  sendText(text: string): void;
}

/** Admission policy (SPEC ADM-1). */
export type Admission = 'open' | 'allowlist';
