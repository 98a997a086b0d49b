// Integration tests of attempts, ack timeouts, backoff, reject/working frames, dead-lettering, notices and
// re-drive (SPEC DLV-1, DLV-3, DLV-4, DLV-6, DLQ-3) over real sockets and a real SQLite file. Every timeout
// runs on the harness FakeClock: nothing waits for real time.
import { describe, expect, it } from 'vitest';
import { newEnvelopeId, validateEnvelope, verifyEnvelope, type Envelope, type DeadLetterNoticeBody } from '@baton/spec';
import {
  TestAgent, deliverOf, manifest, nothing, ping, receiptFor, relayPerTest, whichReceives,
  type AnyFrame, type TestRelay,
} from './harness.ts';

const startRelayForTest = relayPerTest();

const ACK = 1_000;
const BACKOFF = 1_000;

async function relay(limits: Record<string, number> = {}): Promise<TestRelay> {
  return startRelayForTest({
    limits: { ack_timeout_ms: ACK, redelivery_backoff_ms: BACKOFF, redelivery_backoff_max_ms: 60_000, ...limits },
    // The jitter at its top (delay = d): each attempt then goes out exactly when the test's advance() ends, so
    // the next step's timing is known. The jitter's bounds are unit-tested in relay/src/core (backoffDelay).
    random: () => 0.999_999,
  });
}

function request(from: TestAgent, to: string, extra: Partial<Envelope> = {}): Envelope {
  return from.envelope({ type: 'request', to, body: { capability: 'work.do', input: {} }, ...extra });
}

/** Waits for the notice about `id` and checks it is a valid envelope signed by the relay. */
async function noticeFor(agent: TestAgent, r: TestRelay, id: string): Promise<{ frame: AnyFrame; notice: Envelope; body: DeadLetterNoticeBody }> {
  const frame = await agent.next((f) => f.op === 'deliver' && (f.env as Envelope).type === 'notice' && (f.env as Envelope).body.for === id);
  const notice = frame.env as Envelope;
  expect(validateEnvelope(notice).ok).toBe(true);
  expect(notice.from).toBe(r.relay.did);
  expect(notice.to).toBe(agent.did);
  expect(verifyEnvelope(notice)).toBe(true);
  expect(notice.parent).toBe(id);
  return { frame, notice, body: notice.body as unknown as DeadLetterNoticeBody };
}

describe('ack timeout, backoff and dead-lettering', () => {
  it('delivers exactly max_delivery_attempts times with backoff, dead-letters, notifies the sender, and re-drives', async () => {
    const r = await relay({ max_delivery_attempts: 3 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    // a message: a dead-lettered request fails its task for good, so it cannot be re-driven (see below)
    const env = a.envelope({ type: 'message', to: b.did, thread: newEnvelopeId(), body: { work: 'do' } });
    await a.submit(env);
    const first = await b.next(deliverOf(env.id));
    expect(first).toMatchObject({ op: 'deliver', attempt: 1, env });
    const seq = first.seq as number;
    expect(Number.isSafeInteger(seq) && seq >= 1).toBe(true);

    // attempt n fails after ACK; the next one comes after d = BACKOFF * 2^(n-1), uniformly in [d/2, d]
    for (const [n, d] of [[2, BACKOFF], [3, 2 * BACKOFF]] as const) {
      await r.clock.advance(ACK);
      await r.clock.advance(d / 2 - 1);
      expect(await nothing(b, deliverOf())).toBe(true);
      await r.clock.advance(d / 2 + 1);
      expect(await b.next(deliverOf(env.id))).toMatchObject({ attempt: n, seq, env });
    }
    await r.clock.advance(ACK); // attempt 3 fails: dead letter
    const { notice, body } = await noticeFor(a, r, env.id);
    const page = r.relay.dlq.list({ limit: 10 });
    expect(page.entries).toEqual([expect.objectContaining({
      entry: seq, sender: a.did, id: env.id, type: 'message', to: b.did, recipient: b.did,
      reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 3, last_error: expect.objectContaining({ code: 'TIMEOUT' }),
    })]);
    expect(r.relay.dlq.get(seq)?.envelope).toEqual(env);
    expect(notice.thread).toBe(env.thread);
    expect(body).toMatchObject({ event: 'dead-lettered', for: env.id, to: b.did, reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 3, entry: seq });
    expect(body.last_error?.code).toBe('TIMEOUT');
    // the sender acknowledges the notice with a receipt addressed to the relay: accepted, never redelivered
    expect(await a.submit(receiptFor(a, notice))).toEqual({ op: 'accepted', id: expect.any(String) });
    await r.clock.advance(120_000);
    expect(await nothing(a, deliverOf())).toBe(true);
    expect(await nothing(b, deliverOf())).toBe(true);

    // re-drive: pending again with attempts reset, delivered at once (attempt 1), then receipted once
    expect(r.relay.dlq.redrive(seq)).toBe('redriven');
    expect(await b.next(deliverOf(env.id))).toMatchObject({ attempt: 1, seq, env });
    expect(r.relay.dlq.list({ limit: 10 }).entries).toEqual([]);
    const receipt = receiptFor(b, env);
    await b.submit(receipt);
    expect(await a.next((f) => f.op === 'delivered')).toEqual({ op: 'delivered', id: env.id, receipt });
    await r.clock.advance(10 * ACK);
    expect(await nothing(b, deliverOf())).toBe(true);
    expect(r.relay.dlq.redrive(seq)).toBe('not-found');
    await r.stop(); // shutdown cancels every delivery and sweep timer
    expect(r.clock.pendingTimers).toBe(0);
  });

  it('fails the task of a dead-lettered request and refuses to re-drive it (DLQ-3, TSK-3)', async () => {
    const r = await relay({ max_delivery_attempts: 1 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const env = request(a, b.did);
    await a.submit(env);
    const { seq } = await b.next(deliverOf(env.id));
    await r.clock.advance(ACK);
    const { body } = await noticeFor(a, r, env.id);
    expect(body).toMatchObject({ event: 'dead-lettered', reason: 'MAX_ATTEMPTS_EXCEEDED' });
    expect(r.relay.tasks.get(env.id)).toMatchObject({ state: 'failed', reason: 'MAX_ATTEMPTS_EXCEEDED' });
    expect(r.relay.dlq.redrive(seq as number)).toBe('task-terminal');
    expect(await nothing(b, deliverOf(env.id))).toBe(true);
    await r.stop();
  });

  it('restarts the ack timer on each working frame and redelivers once they stop (DLV-3)', async () => {
    const r = await relay({ ack_timeout_ms: 10_000 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const env = request(a, b.did);
    await a.submit(env);
    await b.next(deliverOf(env.id));
    for (let i = 0; i < 4; i++) {
      await r.clock.advance(8_000);
      b.send({ op: 'working', sender: a.did, id: env.id });
      expect(await nothing(b, deliverOf())).toBe(true); // 32 s in all, well past ack_timeout_ms
    }
    await r.clock.advance(9_999);
    expect(await nothing(b, deliverOf())).toBe(true);
    await r.clock.advance(1 + BACKOFF); // timeout, then the backoff (at most BACKOFF)
    expect(await b.next(deliverOf(env.id))).toMatchObject({ attempt: 2 });
  });

  it('answers reject and working frames that name no delivery in flight to this agent with UNKNOWN_DELIVERY', async () => {
    const r = await relay();
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const c = await TestAgent.connect(r);
    const env = request(a, b.did);
    await a.submit(env);
    await b.next(deliverOf(env.id));
    const unknown = newEnvelopeId();
    b.send({ op: 'working', sender: a.did, id: unknown });
    expect(await b.error()).toMatchObject({ code: 'UNKNOWN_DELIVERY', id: unknown });
    // in flight to b, not to c
    c.send({ op: 'reject', sender: a.did, id: env.id, code: 'BUSY' });
    expect(await c.error()).toMatchObject({ code: 'UNKNOWN_DELIVERY', id: env.id });
    await ping(c);
    // a receipted delivery is no longer in flight
    await b.submit(receiptFor(b, env));
    b.send({ op: 'reject', sender: a.did, id: env.id, code: 'BUSY' });
    expect(await b.error()).toMatchObject({ code: 'UNKNOWN_DELIVERY', id: env.id });
    await ping(b);
  });
});

describe('reject', () => {
  it('retries BUSY after the backoff; dead-letters a direct envelope at once on a final code (DLV-4)', async () => {
    const r = await relay({ max_delivery_attempts: 5 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const env = request(a, b.did);
    await a.submit(env);
    const first = await b.next(deliverOf(env.id));
    b.send({ op: 'reject', sender: a.did, id: env.id, code: 'BUSY', message: 'queue full' });
    await ping(b); // the relay has handled the reject (success is silent)
    await r.clock.advance(BACKOFF / 2 - 1);
    expect(await nothing(b, deliverOf())).toBe(true);
    await r.clock.advance(BACKOFF / 2 + 1);
    expect(await b.next(deliverOf(env.id))).toMatchObject({ attempt: 2, seq: first.seq });

    b.send({ op: 'reject', sender: a.did, id: env.id, code: 'UNSUPPORTED_CAPABILITY', message: 'no work.do here' });
    const { body } = await noticeFor(a, r, env.id);
    expect(body).toMatchObject({
      reason: 'UNSUPPORTED_CAPABILITY', attempts: 2, entry: first.seq,
      last_error: { code: 'UNSUPPORTED_CAPABILITY', message: 'no work.do here' },
    });
    expect(r.relay.dlq.get(first.seq as number)).toMatchObject({ reason: 'UNSUPPORTED_CAPABILITY', attempts: 2, recipient: b.did });
    await r.clock.advance(60_000);
    expect(await nothing(b, deliverOf())).toBe(true);
  });

  it('moves a capability-routed envelope to the other provider at once on a final rejection, then dead-letters it', async () => {
    const r = await relay();
    const p1 = await TestAgent.connect(r);
    const p2 = await TestAgent.connect(r);
    for (const p of [p1, p2]) await p.register(r.relay.did, [manifest('work.do')]);
    const client = await TestAgent.connect(r);
    const env = request(client, 'cap:work.do');
    await client.submit(env);
    const first = await whichReceives([p1, p2], deliverOf(env.id));
    const second = first === p1 ? p2 : p1;
    expect(await first.next(deliverOf(env.id))).toMatchObject({ attempt: 1 });
    first.send({ op: 'reject', sender: client.did, id: env.id, code: 'UNSUPPORTED_CAPABILITY' });
    // no clock movement: the other provider gets it at once, as attempt 2
    expect(await second.next(deliverOf(env.id))).toMatchObject({ attempt: 2, env });
    second.send({ op: 'reject', sender: client.did, id: env.id, code: 'INPUT_SCHEMA_VIOLATION', message: 'bad input' });
    const { body } = await noticeFor(client, r, env.id);
    expect(body).toMatchObject({ to: 'cap:work.do', reason: 'INPUT_SCHEMA_VIOLATION', attempts: 2 });
    expect(r.relay.dlq.get(body.entry)).toMatchObject({ recipient: second.did, reason: 'INPUT_SCHEMA_VIOLATION' });
    expect(await nothing(first, deliverOf())).toBe(true);
  });
});

describe('notices', () => {
  it('dead-letters a notice nobody acknowledges without a further notice (no loops)', async () => {
    const r = await relay({ max_delivery_attempts: 1 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const env = request(a, b.did);
    await a.submit(env);
    await b.next(deliverOf(env.id));
    await r.clock.advance(ACK); // env dead, notice to a
    const { frame } = await noticeFor(a, r, env.id);
    await r.clock.advance(ACK); // the notice is dead too
    await r.clock.advance(60_000);
    expect(await nothing(a, deliverOf())).toBe(true);
    const entries = r.relay.dlq.list({ limit: 10 }).entries;
    expect(entries.map((e) => [e.sender, e.type, e.reason])).toEqual([
      [a.did, 'request', 'MAX_ATTEMPTS_EXCEEDED'], [r.relay.did, 'notice', 'MAX_ATTEMPTS_EXCEEDED'],
    ]);
    expect(entries[1]?.entry).toBe(frame.seq);
    expect(r.relay.dlq.list({ limit: 10, sender: a.did }).entries).toHaveLength(1);
  });

  it('refuses notice envelopes from agents with INVALID_ENVELOPE (addressing step)', async () => {
    const r = await relay();
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const id = newEnvelopeId();
    const fake = a.envelope({
      type: 'notice', to: b.did, parent: id,
      body: { event: 'dead-lettered', for: id, to: a.did, reason: 'EXPIRED', attempts: 0, entry: 1 },
    });
    a.sendEnvelope(fake);
    expect(await a.error()).toMatchObject({ code: 'INVALID_ENVELOPE', id: fake.id });
    expect(await nothing(b, deliverOf())).toBe(true);
  });
});
