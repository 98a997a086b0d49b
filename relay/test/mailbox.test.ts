// Integration tests of mailboxes and flow control (SPEC MBX-1..MBX-3, DLV-2, DLV-5, FLW-1, FLW-3) over real
// sockets and a real SQLite file, with the harness FakeClock for every expiry and sweep.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, type Envelope, type DeadLetterNoticeBody } from '@baton/spec';
import {
  TestAgent, deliverOf, manifest, nothing, ping, receiptFor, relayPerTest,
  type AnyFrame, type TestRelay,
} from './harness.ts';

const startRelayForTest = relayPerTest();

async function relay(limits: Record<string, number> = {}): Promise<TestRelay> {
  return startRelayForTest({ limits });
}

/** An agent that authenticated once and is offline now (known to the relay, RTE-2). */
async function offlineAgent(r: TestRelay): Promise<{ key: ReturnType<typeof generateKeyPair>; did: string }> {
  const key = generateKeyPair();
  await (await TestAgent.connect(r, key)).close();
  return { key, did: key.did };
}

function message(from: TestAgent, to: string, n: number, exp?: number): Envelope {
  return from.envelope({ type: 'message', to, body: { n }, ...(exp === undefined ? {} : { exp }) });
}

async function noticeBody(agent: TestAgent, id: string): Promise<DeadLetterNoticeBody> {
  const f = await agent.next((x) => x.op === 'deliver' && (x.env as Envelope).type === 'notice' && (x.env as Envelope).body.for === id);
  return (f.env as Envelope).body as unknown as DeadLetterNoticeBody;
}

describe('offline mailbox', () => {
  it('delivers 50 envelopes stored for an offline agent in seq order when it connects (MBX-1, DLV-2)', async () => {
    const r = await relay();
    const b = await offlineAgent(r);
    const a = await TestAgent.connect(r);
    const sent: string[] = [];
    for (let i = 0; i < 50; i++) {
      const env = message(a, b.did, i);
      a.sendEnvelope(env);
      sent.push(env.id);
    }
    for (const id of sent) await a.next((f) => f.op === 'accepted' && f.id === id);
    const bb = await TestAgent.connect(r, b.key);
    const got: AnyFrame[] = [];
    for (let i = 0; i < 50; i++) got.push(await bb.next(deliverOf()));
    expect(got.map((f) => (f.env as Envelope).id)).toEqual(sent);
    const seqs = got.map((f) => f.seq as number);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(50);
    expect(got.every((f) => f.attempt === 1)).toBe(true);
    expect(await nothing(bb, deliverOf())).toBe(true);
  });

  it('refuses the envelope that would exceed mailbox_max_envelopes with MAILBOX_FULL; cap routing skips full mailboxes (MBX-2)', async () => {
    const r = await relay({ mailbox_max_envelopes: 5 });
    const b = await offlineAgent(r);
    const a = await TestAgent.connect(r);
    for (let i = 0; i < 5; i++) await a.submit(message(a, b.did, i));
    const sixth = message(a, b.did, 5);
    a.sendEnvelope(sixth);
    expect(await a.error()).toMatchObject({ code: 'MAILBOX_FULL', id: sixth.id });
    await ping(a);

    // two providers that never acknowledge: the choice alternates until both hold 5, then NO_PROVIDER
    const p1 = await TestAgent.connect(r);
    const p2 = await TestAgent.connect(r);
    for (const p of [p1, p2]) await p.register(r.relay.did, [manifest('work.do')]);
    for (let i = 0; i < 10; i++) await a.submit(a.envelope({ type: 'request', to: 'cap:work.do', body: { capability: 'work.do', input: { i } } }));
    const eleventh = a.envelope({ type: 'request', to: 'cap:work.do', body: { capability: 'work.do', input: { i: 10 } } });
    a.sendEnvelope(eleventh);
    expect(await a.error()).toMatchObject({ code: 'NO_PROVIDER', id: eleventh.id });
    const direct = message(a, p1.did, 0);
    a.sendEnvelope(direct);
    expect(await a.error()).toMatchObject({ code: 'MAILBOX_FULL', id: direct.id });
    // one receipt frees one slot in p1's mailbox
    const d = await p1.next(deliverOf());
    await p1.submit(receiptFor(p1, d.env as Envelope));
    await a.submit(message(a, p1.did, 1));
  });

  it('dead-letters an envelope older than mailbox_max_age_ms with MAILBOX_EXPIRED and notifies the sender (MBX-3)', async () => {
    const r = await relay({ mailbox_max_age_ms: 60_000 });
    const b = await offlineAgent(r);
    const a = await TestAgent.connect(r);
    const env = message(a, b.did, 1);
    await a.submit(env);
    await r.clock.advance(59_000);
    expect(await nothing(a, deliverOf())).toBe(true);
    await r.clock.advance(1_000);
    expect(await noticeBody(a, env.id)).toMatchObject({ reason: 'MAILBOX_EXPIRED', attempts: 0, to: b.did });
    expect(r.relay.dlq.list({ limit: 5 }).entries).toMatchObject([{ id: env.id, reason: 'MAILBOX_EXPIRED' }]);
    const bb = await TestAgent.connect(r, b.key);
    expect(await nothing(bb, deliverOf())).toBe(true);
  });
});

describe('expiry (DLV-5)', () => {
  it('dead-letters a pending envelope when exp passes, never delivers it, and tells the sender', async () => {
    const r = await relay();
    const b = await offlineAgent(r);
    const a = await TestAgent.connect(r);
    const env = message(a, b.did, 1, r.clock.now() + 5_000);
    await a.submit(env);
    await r.clock.advance(5_000);
    const body = await noticeBody(a, env.id);
    expect(body).toMatchObject({ reason: 'EXPIRED', attempts: 0 });
    expect(body.last_error).toBeUndefined();
    const bb = await TestAgent.connect(r, b.key);
    expect(await nothing(bb, deliverOf())).toBe(true);
  });

  it('dead-letters an envelope in flight when exp passes; the late receipt is refused and nothing is redelivered', async () => {
    const r = await relay({ ack_timeout_ms: 30_000 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const env = message(a, b.did, 1, r.clock.now() + 5_000);
    await a.submit(env);
    await b.next(deliverOf(env.id));
    await r.clock.advance(5_000);
    expect(await noticeBody(a, env.id)).toMatchObject({ reason: 'EXPIRED', attempts: 1 });
    const late = receiptFor(b, env);
    b.sendEnvelope(late);
    expect(await b.error()).toMatchObject({ code: 'INVALID_RECEIPT', id: late.id });
    await r.clock.advance(120_000);
    expect(await nothing(b, deliverOf())).toBe(true);
    expect(r.relay.dlq.redrive(r.relay.dlq.list({ limit: 1 }).entries[0]?.entry ?? 0)).toBe('expired');
  });

  it('does not redeliver after exp when the backoff ends past it', async () => {
    const r = await relay({ ack_timeout_ms: 1_000, redelivery_backoff_ms: 4_000, redelivery_backoff_max_ms: 4_000 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const env = message(a, b.did, 1, r.clock.now() + 2_500);
    await a.submit(env);
    await b.next(deliverOf(env.id));
    await r.clock.advance(10_000);
    expect(await noticeBody(a, env.id)).toMatchObject({ reason: 'EXPIRED', attempts: 1, last_error: { code: 'TIMEOUT' } });
    expect(await nothing(b, deliverOf())).toBe(true);
  });
});

describe('flow control', () => {
  it('keeps at most max_unacked_deliveries in flight; receipts open the window (FLW-1)', async () => {
    const r = await relay({ max_unacked_deliveries: 3 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const envs: Envelope[] = [];
    for (let i = 0; i < 5; i++) {
      envs.push(message(a, b.did, i));
      await a.submit(envs[i] as Envelope);
    }
    const got: Envelope[] = [];
    for (let i = 0; i < 3; i++) got.push((await b.next(deliverOf())).env as Envelope);
    expect(await nothing(b, deliverOf())).toBe(true);
    await b.submit(receiptFor(b, got[0] as Envelope));
    got.push((await b.next(deliverOf())).env as Envelope);
    expect(await nothing(b, deliverOf())).toBe(true);
    await b.submit(receiptFor(b, got[1] as Envelope));
    got.push((await b.next(deliverOf())).env as Envelope);
    expect(got.map((e) => e.id)).toEqual(envs.map((e) => e.id));
    // a reconnect fills the window again from the lowest unacknowledged seq
    await b.close();
    const again = await TestAgent.connect(r, b.key);
    const redelivered: string[] = [];
    for (let i = 0; i < 3; i++) redelivered.push(((await again.next(deliverOf())).env as Envelope).id);
    expect(redelivered).toEqual(envs.slice(2).map((e) => e.id));
  });

  it('answers RATE_LIMITED with retry_after_ms beyond max_unacked_sends; receipts, registers and the connection keep working (FLW-3)', async () => {
    const r = await relay({ max_unacked_sends: 2, ack_timeout_ms: 7_000 });
    const b = await offlineAgent(r);
    const a = await TestAgent.connect(r);
    const first = message(a, b.did, 1);
    await a.submit(first);
    await a.submit(message(a, b.did, 2));
    const third = message(a, b.did, 3);
    a.sendEnvelope(third);
    expect(await a.error()).toMatchObject({ code: 'RATE_LIMITED', id: third.id, retry_after_ms: 7_000 });
    await a.register(r.relay.did, [manifest('still.ok')]);
    await ping(a);
    const bb = await TestAgent.connect(r, b.key);
    await bb.next(deliverOf(first.id));
    await bb.submit(receiptFor(bb, first));
    await a.next((f) => f.op === 'delivered' && f.id === first.id);
    await a.submit(third);
  });
});

describe('send rate (FLW-3)', () => {
  it('refuses sends beyond the per-key token bucket with RATE_LIMITED and the wait for the next token; receipts are exempt, registers are not', async () => {
    const r = await relay({ send_rate_per_key: 1, send_burst_per_key: 2 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const [m1, m2, m3] = [1, 2, 3].map((n) => message(a, b.did, n)) as [Envelope, Envelope, Envelope];
    await a.submit(m1);
    await a.submit(m2);
    a.sendEnvelope(m3);
    expect(await a.error()).toMatchObject({ code: 'RATE_LIMITED', id: m3.id, retry_after_ms: 1_000 });
    await ping(a);
    // b acknowledges without limit (receipts are not rate-limited), a third receipt included
    for (const m of [m1, m2]) await b.submit(receiptFor(b, (await b.next(deliverOf(m.id))).env as Envelope));
    await b.submit(receiptFor(b, m1));
    await r.clock.advance(1_000);
    await a.submit(m3);
    // a register takes a token like any other envelope (its schemas are compiled, MAN-6): the bucket is empty
    const register = a.envelope({ type: 'register', to: r.relay.did, body: { manifests: [] } });
    a.sendEnvelope(register);
    expect(await a.error()).toMatchObject({ code: 'RATE_LIMITED', id: register.id });
    await r.clock.advance(1_000);
    await a.submit(register);
  });
});

describe('dedupe window (RPL-3)', () => {
  it('prunes settled envelopes once dedupe_window_ms has passed (a second receipt is accepted before, refused after)', async () => {
    const r = await relay({ max_clock_skew_ms: 1_000, dedupe_window_ms: 2_000 });
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const env = message(a, b.did, 1);
    await a.submit(env);
    await b.next(deliverOf(env.id));
    await b.submit(receiptFor(b, env));
    await b.submit(receiptFor(b, env)); // receipts are idempotent (ACK-3)
    await r.clock.advance(60_000); // the first prune runs after a minute
    const late = receiptFor(b, env);
    b.sendEnvelope(late);
    expect(await b.error()).toMatchObject({ code: 'INVALID_RECEIPT', id: late.id });
  });
});

