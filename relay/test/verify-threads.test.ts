// Signature verification on worker threads (relay option verifyThreads), through real sockets: a burst of
// envelopes from one connection, some with tampered signatures, is answered exactly as with inline
// verification - BAD_SIGNATURE for the tampered ones, `accepted` for the rest in send order, deliveries in
// send order - and the connection keeps working.
import { describe, expect, it } from 'vitest';
import type { Envelope } from '@baton/spec';
import { TestAgent, deliverOf, ping, relayPerTest, type AnyFrame } from './harness.ts';

const start = relayPerTest();

/** The same envelope with one character of its signature changed (still 86 base64url characters). */
function tampered(env: Envelope): Envelope {
  const c = env.sig[20] === 'A' ? 'B' : 'A';
  return { ...env, sig: `${env.sig.slice(0, 20)}${c}${env.sig.slice(21)}` };
}

async function frames(agent: TestAgent, n: number, pred: (f: AnyFrame) => boolean): Promise<AnyFrame[]> {
  const out: AnyFrame[] = [];
  while (out.length < n) out.push(await agent.next(pred, 10_000));
  return out;
}

describe.each([0, 1, 2])('a burst of envelopes with verifyThreads %i', (threads) => {
  it('rejects exactly the tampered ones and accepts and delivers the rest in send order', async () => {
    const t = await start({ verifyThreads: threads });
    const a = await TestAgent.connect(t);
    const b = await TestAgent.connect(t);
    const sent = Array.from({ length: 90 }, (_, i) => {
      const env = a.envelope({ type: 'message', to: b.key.did, body: { i } });
      return i % 7 === 3 ? tampered(env) : env;
    });
    // one WebSocket write per frame, all in the same tick: the relay reads them as one burst
    for (const env of sent) a.sendEnvelope(env);
    const bad = sent.filter((_, i) => i % 7 === 3).map((e) => e.id);
    const good = sent.filter((_, i) => i % 7 !== 3).map((e) => e.id);
    const answers = await frames(a, sent.length, (f) => (f.op === 'accepted' || f.op === 'error') && typeof f.id === 'string');
    expect(answers.filter((f) => f.op === 'error').map((f) => [f.id, f.code])).toEqual(bad.map((id) => [id, 'BAD_SIGNATURE']));
    expect(answers.filter((f) => f.op === 'accepted').map((f) => f.id)).toEqual(good);
    const delivered = await frames(b, good.length, deliverOf());
    expect(delivered.map((f) => (f.env as Envelope).id)).toEqual(good);
    await ping(a);
  });
});
