// Integration tests of registration, discovery, routing, receipts and store-and-forward delivery
// (SPEC TYP-1, MAN-1..MAN-3, DIS-1..DIS-4, RTE-2, RTE-3, ACK-2..ACK-6, RPL-2) over real sockets.
import { describe, expect, it } from 'vitest';
import { envelopeDigest, generateKeyPair, verifyEnvelope, type Envelope } from '@baton/spec';
import { TestAgent, manifest, ping, relayPerTest, type AnyFrame, type TestRelay } from './harness.ts';

const startRelayForTest = relayPerTest();

async function relay(): Promise<TestRelay> {
  return startRelayForTest();
}

function receiptFor(agent: TestAgent, env: Envelope, digest = envelopeDigest(env)): Envelope {
  return agent.envelope({ type: 'receipt', to: env.from, parent: env.id, body: { for: env.id, digest } });
}

async function discover(agent: TestAgent, query: Record<string, unknown>): Promise<AnyFrame[]> {
  const ref = `q-${Math.random()}`;
  agent.send({ op: 'discover', ref, query });
  return (await agent.next((f) => f.op === 'discovered' && f.ref === ref)).agents as AnyFrame[];
}

describe('registration and discovery', () => {
  it('registers manifests, rejects INVALID_MANIFEST and HANDLE_TAKEN, keeps the connection', async () => {
    const r = await relay();
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    await a.register(r.relay.did, [manifest('summarize.text', ['nlp'])], 'alice');
    const dup = a.envelope({ type: 'register', to: r.relay.did, body: { manifests: [manifest('x'), manifest('x')] } });
    a.sendEnvelope(dup);
    expect(await a.error()).toMatchObject({ code: 'INVALID_MANIFEST', id: dup.id });
    const badSchema = a.envelope({ type: 'register', to: r.relay.did, body: { manifests: [{ ...manifest('y'), input_schema: { type: 'nonsense' } }] } });
    a.sendEnvelope(badSchema);
    expect((await a.error()).code).toBe('INVALID_MANIFEST');
    const taken = b.envelope({ type: 'register', to: r.relay.did, body: { handle: 'alice', manifests: [] } });
    b.sendEnvelope(taken);
    expect(await b.error()).toMatchObject({ code: 'HANDLE_TAKEN', id: taken.id });
    await ping(b);
    // the owner may register the same handle again (a newer registration replaces the old one)
    await a.register(r.relay.did, [manifest('summarize.text', ['nlp']), manifest('translate')], 'alice');
    const [entry] = await discover(b, { capability: 'translate' });
    expect(entry).toMatchObject({ agent: a.did, handle: 'alice', online: true, capabilities: ['translate'] });
    // a newer registration without a capability or tag takes the agent out of their index
    await a.register(r.relay.did, [manifest('translate')], 'alice');
    expect(await discover(b, { capability: 'summarize.text' })).toEqual([]);
    expect(await discover(b, { tag: 'nlp' })).toEqual([]);
    expect((await discover(b, { capability: 'translate' })).map((e) => e.agent)).toEqual([a.did]);
  });

  it('serves discovery over WS and HTTP: online only by default, include_offline, tag, limit, verifiable registration', async () => {
    const r = await relay();
    const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair()].sort((x, y) => (x.did < y.did ? -1 : 1));
    const agents = [] as TestAgent[];
    for (const [i, key] of keys.entries()) {
      const ag = await TestAgent.connect(r, key);
      await ag.register(r.relay.did, [manifest('search.web', i === 1 ? ['fast'] : []), manifest(`only.${i}`)]);
      agents.push(ag);
    }
    const [a0, a1, a2] = agents as [TestAgent, TestAgent, TestAgent];
    await a2.close();
    const online = await discover(a0, { capability: 'search.web' });
    expect(online.map((e) => e.agent)).toEqual([a0.did, a1.did]);
    const all = await discover(a0, { capability: 'search.web', include_offline: true });
    expect(all.map((e) => [e.agent, e.online])).toEqual([[a0.did, true], [a1.did, true], [a2.did, false]]);
    for (const e of all) expect(verifyEnvelope(e.registration as Envelope)).toBe(true);
    expect((await discover(a0, { tag: 'fast' })).map((e) => e.agent)).toEqual([a1.did]);
    expect(await discover(a0, { capability: 'only.0', tag: 'fast' })).toEqual([]);
    expect((await discover(a0, { include_offline: true, limit: 2 })).map((e) => e.agent)).toEqual([a0.did, a1.did]);

    const res = await fetch(`${r.relay.httpUrl}/v1/agents?capability=search.web&include_offline=true`);
    expect(res.status).toBe(200);
    const body = await res.json() as { agents: AnyFrame[] };
    expect(body.agents.map((e) => e.agent)).toEqual([a0.did, a1.did, a2.did]);
    expect(body.agents[2]?.registration).toEqual(all[2]?.registration);
    const bad = await fetch(`${r.relay.httpUrl}/v1/agents?limit=0`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_FRAME');
    const info = await (await fetch(`${r.relay.httpUrl}/.well-known/baton`)).json() as Record<string, unknown>;
    expect(info).toMatchObject({ relay: r.relay.did, versions: [1], admission: 'open', endpoints: { ws: '/v1/ws' } });
  });
});

describe('routing and receipts', () => {
  it('routes directly, forwards the verifiable receipt as delivered, and rejects INVALID_RECEIPT', async () => {
    const r = await relay();
    const a = await TestAgent.connect(r);
    const b = await TestAgent.connect(r);
    const c = await TestAgent.connect(r);
    const req = a.envelope({ type: 'request', to: b.did, body: { capability: 'echo', input: { x: 1 } } });
    await a.submit(req);
    const got = (await b.next((f) => f.op === 'deliver')).env as Envelope;
    expect(got).toEqual(req);

    // wrong digest, and a receipt from an agent the envelope was not delivered to
    const wrong = receiptFor(b, got, '0'.repeat(64));
    b.sendEnvelope(wrong);
    expect(await b.error()).toMatchObject({ code: 'INVALID_RECEIPT', id: wrong.id });
    const notYours = receiptFor(c, got);
    c.sendEnvelope(notYours);
    expect(await c.error()).toMatchObject({ code: 'INVALID_RECEIPT', id: notYours.id });
    await ping(c);

    const receipt = receiptFor(b, got);
    await b.submit(receipt);
    const delivered = await a.next((f) => f.op === 'delivered');
    expect(delivered).toEqual({ op: 'delivered', id: req.id, receipt });
    expect(verifyEnvelope(delivered.receipt as Envelope)).toBe(true);
    expect((delivered.receipt as Envelope).body.digest).toBe(envelopeDigest(req));
    // receipts are never delivered with deliver (ACK-5)
    expect(a.buffered.some((f) => f.op === 'deliver')).toBe(false);
  });

  it('routes by capability to the provider with fewest outstanding deliveries, ties to least recently chosen', async () => {
    const r = await relay();
    const p1 = await TestAgent.connect(r);
    const p2 = await TestAgent.connect(r);
    for (const p of [p1, p2]) await p.register(r.relay.did, [manifest('work.do')]);
    const client = await TestAgent.connect(r);
    const send = async (): Promise<Envelope> => {
      const env = client.envelope({ type: 'request', to: 'cap:work.do', body: { capability: 'work.do', input: {} } });
      await client.submit(env);
      return env;
    };
    const first = await send();
    const second = await send();
    const d1 = (await p1.next((f) => f.op === 'deliver')).env as Envelope;
    const d2 = (await p2.next((f) => f.op === 'deliver')).env as Envelope;
    expect(new Set([d1.id, d2.id])).toEqual(new Set([first.id, second.id]));
    // p1 acknowledges; p2 still has one outstanding, so p1 (fewer outstanding) gets the next one
    await p1.submit(receiptFor(p1, d1));
    const third = await send();
    expect(((await p1.next((f) => f.op === 'deliver')).env as Envelope).id).toBe(third.id);
    // now both have one outstanding: tie -> least recently chosen, which is p2
    const fourth = await send();
    expect(((await p2.next((f) => f.op === 'deliver')).env as Envelope).id).toBe(fourth.id);
  });

  it('stores envelopes for an offline recipient and delivers them in order when it connects; unacknowledged ones again on reconnect', async () => {
    const r = await relay();
    const bKey = generateKeyPair();
    const b0 = await TestAgent.connect(r, bKey);
    await b0.close();
    const a = await TestAgent.connect(r);
    const envs: Envelope[] = [];
    for (let i = 0; i < 5; i++) {
      const env = a.envelope({ type: 'message', to: bKey.did, body: { n: i } });
      await a.submit(env);
      envs.push(env);
    }
    const b = await TestAgent.connect(r, bKey);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(((await b.next((f) => f.op === 'deliver')).env as Envelope).id);
    expect(ids).toEqual(envs.map((e) => e.id));
    // acknowledge the first; the others are redelivered, in order, on the next connection (ACK-6)
    await b.submit(receiptFor(b, envs[0] as Envelope));
    await b.close();
    const again = await TestAgent.connect(r, bKey);
    const redelivered: string[] = [];
    for (let i = 0; i < 4; i++) redelivered.push(((await again.next((f) => f.op === 'deliver')).env as Envelope).id);
    expect(redelivered).toEqual(envs.slice(1).map((e) => e.id));
    // the sender got the receipt
    expect((await a.next((f) => f.op === 'delivered')).id).toBe(envs[0]?.id);
  });

  it('never delivers a pending envelope after its exp; forwards receipts to a sender that was offline', async () => {
    const r = await relay();
    const bKey = generateKeyPair();
    await (await TestAgent.connect(r, bKey)).close();
    const aKey = generateKeyPair();
    const a = await TestAgent.connect(r, aKey);
    const short = a.envelope({ type: 'message', to: bKey.did, body: { short: true }, exp: r.clock.now() + 1000 });
    const long = a.envelope({ type: 'message', to: bKey.did, body: { long: true } });
    await a.submit(short);
    await a.submit(long);
    await a.close();
    await r.clock.advance(1000);
    const b = await TestAgent.connect(r, bKey);
    const got = (await b.next((f) => f.op === 'deliver')).env as Envelope;
    expect(got.id).toBe(long.id);
    await b.submit(receiptFor(b, got));
    await ping(b);
    expect(b.buffered.some((f) => f.op === 'deliver')).toBe(false);
    const back = await TestAgent.connect(r, aKey);
    const delivered = await back.next((f) => f.op === 'delivered');
    expect(delivered.id).toBe(long.id);
    expect(verifyEnvelope(delivered.receipt as Envelope)).toBe(true);
  });
});
