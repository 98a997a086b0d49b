// The client against a scripted fake relay on a real socket: it must never act on (or receipt) an envelope
// that fails verification or is addressed to someone else, and must receipt but not re-run duplicates.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { DEFAULT_LIMITS, createEnvelope, envelopeDigest, generateKeyPair } from '@baton/spec';
import type { Envelope } from '@baton/spec';
import { connect } from '../src/index.ts';
import type { Agent } from '../src/index.ts';
import { TraceRecorder, quietLogger } from './helpers.ts';

let server: WebSocketServer | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A fake relay: completes the handshake, records every frame the client sends, and exposes the socket. */
async function fakeRelay(): Promise<{ url: string; received: { op: string; env?: Envelope }[]; socket: Promise<WebSocket> }> {
  const relayKey = generateKeyPair();
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server = wss;
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const received: { op: string; env?: Envelope }[] = [];
  const socket = new Promise<WebSocket>((resolve) => {
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ op: 'hello', versions: [1], relay: relayKey.did, challenge: 'Q'.repeat(43), ts: Date.now(), limits: DEFAULT_LIMITS }));
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { op: string; agent?: string; env?: Envelope };
        if (frame.op === 'auth') {
          ws.send(JSON.stringify({ op: 'welcome', v: 1, agent: frame.agent, relay: relayKey.did, session: 's1' }));
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
  return { url: `ws://127.0.0.1:${address.port}/v1/ws`, received, socket };
}

describe('delivered envelopes', () => {
  it('drops forged or misaddressed envelopes without a receipt, and receipts but ignores duplicates', async () => {
    const relay = await fakeRelay();
    const trace = new TraceRecorder();
    const key = generateKeyPair();
    agent = await connect({ url: relay.url, key, logger: quietLogger, onTrace: trace.onTrace });
    const messages: unknown[] = [];
    agent.onMessage((body) => { messages.push(body); });
    const ws = await relay.socket;
    const sender = generateKeyPair();
    let seq = 0;
    const deliver = (env: unknown): void => ws.send(JSON.stringify({ op: 'deliver', seq: ++seq, attempt: 1, env }));

    const genuine = createEnvelope(sender, { type: 'message', to: key.did, body: { n: 1 } });
    const forged = { ...createEnvelope(sender, { type: 'message', to: key.did, body: { n: 2 } }), body: { n: 666 } };
    const elsewhere = createEnvelope(sender, { type: 'message', to: generateKeyPair().did, body: { n: 3 } });
    deliver(forged);
    deliver(elsewhere);
    deliver(genuine);
    deliver(genuine);
    await trace.next((e) => e.kind === 'duplicate');

    const dropped = trace.events.filter((e) => e.kind === 'dropped').map((e) => (e.kind === 'dropped' ? e.reason : ''));
    expect(dropped).toHaveLength(2);
    expect(dropped[0]).toMatch(/BAD_SIGNATURE/);
    expect(dropped[1]).toMatch(/addressed to/);
    expect(messages).toEqual([{ n: 1 }]);
    // Wait until both receipts reached the fake relay, then check they are exactly for the genuine envelope.
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (relay.received.filter((f) => f.env?.type === 'receipt').length >= 2) resolve();
        else setTimeout(check, 10);
      };
      check();
    });
    const receipts = relay.received.filter((f) => f.env?.type === 'receipt').map((f) => f.env!);
    expect(receipts).toHaveLength(2);
    for (const r of receipts) {
      expect(r.from).toBe(key.did);
      expect(r.to).toBe(sender.did);
      expect(r.body).toEqual({ for: genuine.id, digest: envelopeDigest(genuine) });
    }
  });
});
