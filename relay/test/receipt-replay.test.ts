// Integration test of the receipt replay after `welcome` (SPEC ACK-4): a sender that was offline while more
// receipts than one replay chunk were committed gets every one of them, oldest first, in `delivered` frames
// after it reconnects, and a second reconnect gets none again. (The pause above the high-water mark is tested
// in src/core/receipts.test.ts, where the queued bytes can be controlled.)
import { describe, expect, it } from 'vitest';
import { generateKeyPair, type Envelope } from '@baton/spec';
import { REPLAY_CHUNK } from '../src/core/receipts.ts';
import { TestAgent, deliverOf, nothing, receiptFor, relayPerTest, waitOffline, type AnyFrame } from './harness.ts';

const startRelayForTest = relayPerTest();

/** Two full chunks and part of a third. */
const COUNT = 2 * REPLAY_CHUNK + 10;

const delivered = (f: AnyFrame): boolean => f.op === 'delivered';

describe('receipt replay after welcome', () => {
  it(`forwards ${COUNT} missed receipts in order`, async () => {
    const r = await startRelayForTest();
    const aKey = generateKeyPair();
    const a = await TestAgent.connect(r, aKey);
    await a.register(r.relay.did, []);
    const b = await TestAgent.connect(r);
    await b.register(r.relay.did, []);
    const sent: Envelope[] = [];
    for (let i = 0; i < COUNT; i++) sent.push(a.sendEnvelope(a.envelope({ type: 'message', to: b.did, body: { i } })));
    for (const env of sent) await a.next((f) => f.op === 'accepted' && f.id === env.id);
    await a.close();
    await waitOffline(b, a.did);

    for (const env of sent) {
      await b.next(deliverOf(env.id), 10_000);
      await b.submit(receiptFor(b, env));
    }

    const back = await TestAgent.connect(r, aKey);
    const frames: AnyFrame[] = [];
    for (let i = 0; i < COUNT; i++) frames.push(await back.next(delivered, 10_000));
    expect(frames.map((f) => f.id)).toEqual(sent.map((env) => env.id));
    expect((frames[COUNT - 1]?.receipt as Envelope).body).toMatchObject({ for: sent[COUNT - 1]?.id });
    expect(await nothing(back, delivered)).toBe(true);
    await back.close();

    const again = await TestAgent.connect(r, aKey);
    expect(await nothing(again, delivered)).toBe(true);
  });
});
