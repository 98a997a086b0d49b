/**
 * `connect()`: open a WebSocket to a relay, run the handshake (SPEC CON-2..CON-5) and return an `Agent` that
 * reconnects by itself afterwards. Runtime-neutral: uses `globalThis.WebSocket` unless a constructor is injected.
 */
import { BatonError } from '@baton/spec';
import { Agent } from './agent.ts';
import { Connection } from './connection.ts';
import type { ConnectOptions, WebSocketConstructor } from './types.ts';

/**
 * Connects and authenticates `options.key` at the relay `options.url`. Only later losses are repaired by
 * reconnecting (`options.reconnect`); a failure of this first connection is thrown.
 * @returns the authenticated {@link Agent}.
 * @throws BatonError with the relay's code (`AUTH_FAILED`, `NOT_ADMITTED`, `CLOCK_SKEW`,
 *   `UNSUPPORTED_VERSION`, ...), `TIMEOUT` when no `hello`/`welcome` arrives within `connectTimeoutMs`,
 *   `CONNECTION_CLOSED` when the socket cannot open or closes during the handshake.
 * @example
 * const agent = await connect({ url: 'ws://127.0.0.1:8787/v1/ws', key: generateKeyPair() });
 */
export async function connect(options: ConnectOptions): Promise<Agent> {
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: unknown }).WebSocket as WebSocketConstructor | undefined;
  if (WebSocketImpl === undefined) {
    throw new BatonError('CONNECTION_CLOSED', 'no WebSocket implementation: pass options.WebSocket');
  }
  const connection = await Connection.open({
    url: options.url,
    key: options.key,
    WebSocket: WebSocketImpl,
    handshakeTimeoutMs: options.connectTimeoutMs ?? 10_000,
    reconnect: options.reconnect ?? {},
  });
  return new Agent(connection, options);
}
