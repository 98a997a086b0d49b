/**
 * `connect()`: open a WebSocket to a relay, run the handshake (SPEC CON-2..CON-5) and return an `Agent`.
 * Runtime-neutral: uses `globalThis.WebSocket` unless a constructor is injected.
 */
import { BatonError } from '@baton/spec';
import { Agent } from './agent.ts';
import { performHandshake } from './handshake.ts';
import { FrameSocket } from './transport.ts';
import type { ConnectOptions, WebSocketConstructor } from './types.ts';

/**
 * Connects and authenticates `options.key` at the relay `options.url`.
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
  const socket = new FrameSocket(options.url, WebSocketImpl);
  const { hello, welcome } = await performHandshake(socket, options.key, options.connectTimeoutMs ?? 10_000);
  return new Agent(socket, options, hello, welcome);
}
