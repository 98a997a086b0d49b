// Integration tests of recipient crashes and relay restarts (SPEC DLV-2, DLV-3, DLV-4 capability routing on
// retry, ACK-3, ACK-6): a delivery in flight on a connection that dies is redelivered on reconnect (direct) or
// at once to another provider (cap:), a late receipt from the previous provider is INVALID_RECEIPT, and
// pending envelopes keep their attempt counts across a relay restart.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, type Envelope } from '@baton/spec';
import {
  TestAgent, deliverOf, manifest, nothing, receiptFor, relayPerTest, waitOffline, whichReceives,
  type TestRelay,
} from './harness.ts';

const startRelayForTest = relayPerTest();

const ACK = 1_000;

async function relay(limits: Record<string, number> = {}): Promise<TestRelay> {
  return startRelayForTest({ limits: { ack_timeout_ms: ACK, redelivery_backoff_ms: 1_000, ...limits } });
}

function request(from: TestAgent, to: string): Envelope {
  return from.envelope({ type: 'request', to, body: { capability: 'work.do', input: {} } });
}

/** Kills the agent's socket without a close handshake and waits until the relay saw it go. */
async function crash(agent: TestAgent, observer: TestAgent): Promise<void> {
  agent.ws.terminate();
  await agent.closed;
  await waitOffline(observer, agent.did);
}

describe('recipient crash mid-delivery', () => {
  it('redelivers a direct envelope on reconnect as attempt 2, without waiting for the ack timeout', async () => {
    const r = await relay({ ack_timeout_ms: 60_000 });
    const bKey = generateKeyPair();
    const b = await TestAgent.connect(r, bKey);
    await b.register(r.relay.did, []);
    const a = await TestAgent.connect(r);
    const env = request(a, b.did);
    await a.submit(env);
    const first = await b.next(deliverOf(env.id));
    expect(first.attempt).toBe(1);
    await crash(b, a);
    const again = await TestAgent.connect(r, bKey);
    expect(await again.next(deliverOf(env.id))).toMatchObject({ attempt: 2, seq: first.seq, env });
    const receipt = receiptFor(again, env);
    await again.submit(receipt);
    expect(await a.next((f) => f.op === 'delivered')).toEqual({ op: 'delivered', id: env.id, receipt });
  });

  it('moves a capability-routed envelope to the other connected provider at once; the first one\'s late receipt is INVALID_RECEIPT', async () => {
    const r = await relay({ ack_timeout_ms: 60_000 });
    const keys = [generateKeyPair(), generateKeyPair()];
    const providers = [] as TestAgent[];
    for (const key of keys) {
      const p = await TestAgent.connect(r, key);
      await p.register(r.relay.did, [manifest('work.do')]);
      providers.push(p);
    }
    const client = await TestAgent.connect(r);
    const env = request(client, 'cap:work.do');
    await client.submit(env);
    const first = await whichReceives(providers, deliverOf(env.id));
    const other = providers.find((p) => p !== first) as TestAgent;
    const got = await first.next(deliverOf(env.id));
    await crash(first, client);
    // no clock movement needed: the other provider gets attempt 2 at once
    expect(await other.next(deliverOf(env.id))).toMatchObject({ attempt: 2, seq: got.seq, env });

    const back = await TestAgent.connect(r, first.key);
    expect(await nothing(back, deliverOf())).toBe(true); // recorded recipient is the other provider now
    const late = receiptFor(back, env);
    back.sendEnvelope(late);
    expect(await back.error()).toMatchObject({ code: 'INVALID_RECEIPT', id: late.id });
    const receipt = receiptFor(other, env);
    await other.submit(receipt);
    expect(await client.next((f) => f.op === 'delivered')).toEqual({ op: 'delivered', id: env.id, receipt });
  });

  it('keeps a capability-routed envelope in the mailbox of its offline provider when no other is connected', async () => {
    const r = await relay({ ack_timeout_ms: 60_000 });
    const pKey = generateKeyPair();
    const p = await TestAgent.connect(r, pKey);
    await p.register(r.relay.did, [manifest('work.do')]);
    const client = await TestAgent.connect(r);
    const env = request(client, 'cap:work.do');
    await client.submit(env);
    await p.next(deliverOf(env.id));
    await crash(p, client);
    await r.clock.advance(5_000); // backoff over; the orphan sweep finds no provider online
    const back = await TestAgent.connect(r, pKey);
    expect(await back.next(deliverOf(env.id))).toMatchObject({ attempt: 2 });
  });

  it('re-routes a capability-routed envelope held by an offline provider to one that comes online, once its attempt is due', async () => {
    const r = await relay({ ack_timeout_ms: 60_000 });
    const p1 = await TestAgent.connect(r);
    await p1.register(r.relay.did, [manifest('work.do')]);
    const client = await TestAgent.connect(r);
    const env = request(client, 'cap:work.do');
    await client.submit(env);
    await p1.next(deliverOf(env.id));
    await crash(p1, client);
    const p2 = await TestAgent.connect(r);
    await p2.register(r.relay.did, [manifest('work.do')]);
    expect(await nothing(p2, deliverOf())).toBe(true);
    await r.clock.advance(2_000); // the backoff after attempt 1 (at most 1 s) and the next sweep
    expect(await p2.next(deliverOf(env.id))).toMatchObject({ attempt: 2, env });
    const receipt = receiptFor(p2, env);
    await p2.submit(receipt);
    expect(await client.next((f) => f.op === 'delivered')).toEqual({ op: 'delivered', id: env.id, receipt });
  });
});

describe('relay restart', () => {
  it('keeps pending envelopes and their attempt counts: attempt numbers continue, max attempts still applies', async () => {
    const r = await relay({ max_delivery_attempts: 4 });
    const bKey = generateKeyPair();
    const aKey = generateKeyPair();
    const b = await TestAgent.connect(r, bKey);
    const a = await TestAgent.connect(r, aKey);
    const env = request(a, b.did);
    await a.submit(env);
    const first = await b.next(deliverOf(env.id));
    await r.clock.advance(ACK); // attempt 1 times out
    await r.clock.advance(1_000); // backoff (at most 1 s)
    expect(await b.next(deliverOf(env.id))).toMatchObject({ attempt: 2 });
    await a.close();
    // a second envelope, never delivered: b is offline during the restart
    await b.close();
    const a2 = await TestAgent.connect(r, aKey);
    const later = request(a2, bKey.did);
    await a2.submit(later);
    await a2.close();

    await r.restart();
    const b2 = await TestAgent.connect(r, bKey);
    expect(await b2.next(deliverOf(env.id))).toMatchObject({ attempt: 3, seq: first.seq });
    expect(await b2.next(deliverOf(later.id))).toMatchObject({ attempt: 1 });
    await b2.submit(receiptFor(b2, later));
    await r.clock.advance(ACK);
    await r.clock.advance(4_000);
    expect(await b2.next(deliverOf(env.id))).toMatchObject({ attempt: 4 });
    await r.clock.advance(ACK); // attempt 4 of 4 fails
    expect(r.relay.dlq.get(first.seq as number)).toMatchObject({ reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 4 });
    expect(await nothing(b2, deliverOf(env.id))).toBe(true);
    // the sender hears about it when it comes back
    const a3 = await TestAgent.connect(r, aKey);
    const notice = await a3.next(deliverOf());
    expect((notice.env as Envelope).body).toMatchObject({ for: env.id, reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 4 });
    expect(await a3.next((f) => f.op === 'delivered')).toMatchObject({ id: later.id });
  });
});
