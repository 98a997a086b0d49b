// Integration tests of connect(): the handshake against a real relay and against scripted raw servers.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { DEFAULT_LIMITS, generateKeyPair } from '@baton/spec';
import { connect } from '../src/index.ts';
import { codeOf, quietLogger, startHarness } from './helpers.ts';
import type { Harness } from './helpers.ts';

let harness: Harness | undefined;
let server: WebSocketServer | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A raw WebSocket server on a free port that runs `onConnection` for each client. */
async function rawServer(onConnection: (send: (frame: unknown) => void) => void): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server = wss;
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (socket) => onConnection((frame) => socket.send(JSON.stringify(frame))));
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('unexpected address');
  return `ws://127.0.0.1:${address.port}/v1/ws`;
}

describe('connect', () => {
  it('authenticates and learns the relay identity (CON-2..CON-5)', async () => {
    harness = await startHarness();
    const key = generateKeyPair();
    const agent = await harness.agent({ key });
    expect(agent.did).toBe(key.did);
    expect(agent.relay).toBe(harness.relay.did);
    expect(agent.session.length).toBeGreaterThan(0);
    expect(agent.limits.max_envelope_bytes).toBeGreaterThan(0);
    await agent.close();
    expect(agent.isClosed).toBe(true);
  });

  it('rejects with NOT_ADMITTED when the allowlist does not list the key (ADM-2)', async () => {
    const admitted = generateKeyPair();
    harness = await startHarness({ admission: 'allowlist', allowlist: [admitted.did] });
    await expect(harness.agent({ key: admitted })).resolves.toBeDefined();
    expect(await codeOf(connect({ url: harness.relay.url, key: generateKeyPair(), logger: quietLogger }))).toBe('NOT_ADMITTED');
  });

  it('rejects with CONNECTION_CLOSED when nothing listens at the url', async () => {
    const url = await rawServer(() => {});
    const port = new URL(url).port;
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    expect(await codeOf(connect({ url: `ws://127.0.0.1:${port}/v1/ws`, key: generateKeyPair() }))).toBe('CONNECTION_CLOSED');
  });

  it('rejects with CONNECTION_CLOSED for a url the WebSocket refuses', async () => {
    expect(await codeOf(connect({ url: 'not a url', key: generateKeyPair() }))).toBe('CONNECTION_CLOSED');
  });

  it('rejects with TIMEOUT when the server never says hello', async () => {
    const url = await rawServer(() => {});
    const started = Date.now();
    expect(await codeOf(connect({ url, key: generateKeyPair(), connectTimeoutMs: 200 }))).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rejects with UNSUPPORTED_VERSION when hello does not offer version 1', async () => {
    const relayKey = generateKeyPair();
    const url = await rawServer((send) => send({
      op: 'hello', versions: [2], relay: relayKey.did, challenge: 'A'.repeat(43), ts: Date.now(),
      limits: DEFAULT_LIMITS,
    }));
    expect(await codeOf(connect({ url, key: generateKeyPair(), connectTimeoutMs: 2_000 }))).toBe('UNSUPPORTED_VERSION');
  });
});
