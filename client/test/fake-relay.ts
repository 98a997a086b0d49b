/**
 * A scripted fake relay on a real socket for the client tests: completes the handshake with its own key,
 * answers every `send` with `accepted`, records every frame the client sends, and lets the test push frames
 * (e.g. `deliver`) to the connected client. For what a real relay cannot be made to do (forged envelopes).
 */
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { DEFAULT_LIMITS, generateKeyPair } from '@baton/spec';
import type { Envelope, KeyPair } from '@baton/spec';

/** A running fake relay. */
export interface FakeRelay {
  url: string;
  /** The relay's key (signs notices in tests). */
  key: KeyPair;
  /** Frames the client sent after `auth`, in order. */
  received: { op: string; env?: Envelope }[];
  /** The first authenticated client socket. */
  socket: Promise<WebSocket>;
  /** How many WebSocket connections were made to it. */
  readonly connections: number;
  /** Sends a `deliver` frame (seq counts up from 1, attempt 1) to the client. */
  deliver(env: unknown): Promise<void>;
  close(): Promise<void>;
}

/** Starts a fake relay on a free loopback port. */
export async function startFakeRelay(): Promise<FakeRelay> {
  const key = generateKeyPair();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const received: { op: string; env?: Envelope }[] = [];
  let connections = 0;
  const socket = new Promise<WebSocket>((resolve) => {
    wss.on('connection', (ws) => {
      connections++;
      ws.send(JSON.stringify({ op: 'hello', versions: [1], relay: key.did, challenge: 'Q'.repeat(43), ts: Date.now(), limits: DEFAULT_LIMITS }));
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { op: string; agent?: string; env?: Envelope };
        if (frame.op === 'auth') {
          ws.send(JSON.stringify({ op: 'welcome', v: 1, agent: frame.agent, relay: key.did, session: 's1' }));
          resolve(ws);
          return;
        }
        received.push(frame);
        if (frame.op === 'send' && frame.env) ws.send(JSON.stringify({ op: 'accepted', id: frame.env.id }));
      });
    });
  });
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected address');
  let seq = 0;
  return {
    url: `ws://127.0.0.1:${address.port}/v1/ws`,
    key,
    received,
    socket,
    get connections() { return connections; },
    async deliver(env) {
      (await socket).send(JSON.stringify({ op: 'deliver', seq: ++seq, attempt: 1, env }));
    },
    close: () => new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    }),
  };
}
