// Integration tests of envelope rejection (SPEC RTE-1, ENC-1, ENC-4, ENV-*, SIG-4, RPL-*, ERR-3, ERR-4):
// each asserts the exact code and that the connection (and other connections) keep working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signEnvelope, withoutSignature, type Envelope } from '@baton/spec';
import { TestAgent, ping, startTestRelay, type TestRelay } from './harness.ts';

let t: TestRelay;
let a: TestAgent;
let b: TestAgent;

beforeAll(async () => {
  t = await startTestRelay({ limits: { max_frame_bytes: 32_768, max_envelope_bytes: 8_192 } });
  a = await TestAgent.connect(t);
  b = await TestAgent.connect(t);
});
afterAll(async () => {
  await t.cleanup();
});

/** Sends an envelope, expects an error with `code` (and the envelope id), and proves the connection survives. */
async function rejects(env: unknown, code: string, id?: string): Promise<void> {
  a.send({ op: 'send', env });
  const error = await a.error();
  expect(error.code).toBe(code);
  if (id !== undefined) expect(error.id).toBe(id);
  await ping(a);
  expect(a.isOpen).toBe(true);
}

function message(body: Record<string, unknown> = { text: 'hi' }): Envelope {
  return a.envelope({ type: 'message', to: b.did, body });
}

describe('envelope checks', () => {
  it('accepts and delivers a valid direct message unchanged', async () => {
    const env = message();
    expect(await a.submit(env)).toEqual({ op: 'accepted', id: env.id });
    const deliver = await b.next((f) => f.op === 'deliver');
    expect(deliver.env).toEqual(env);
  });

  it('rejects a forged envelope (signed by another key) with BAD_SIGNATURE', async () => {
    const forged = { ...signEnvelope(withoutSignature(message()), generateKeyPair().secretKey), from: a.did };
    await rejects(forged, 'BAD_SIGNATURE', forged.id);
  });

  it('rejects a tampered envelope (body changed after signing) with BAD_SIGNATURE', async () => {
    const env = message();
    await rejects({ ...env, body: { text: 'changed' } }, 'BAD_SIGNATURE', env.id);
  });

  it('rejects from spoofing with SENDER_MISMATCH', async () => {
    const other = generateKeyPair();
    const env = a.envelope({ type: 'message', to: b.did, body: {} }, other);
    await rejects(env, 'SENDER_MISMATCH', env.id);
  });

  it('answers a replay with accepted duplicate:true and delivers it only once', async () => {
    const env = message({ n: 'replayed' });
    await a.submit(env);
    a.sendEnvelope(env);
    expect(await a.next((f) => f.op === 'accepted' && f.id === env.id)).toEqual({ op: 'accepted', id: env.id, duplicate: true });
    const sentinel = await a.submit(message({ n: 'sentinel' }));
    const first = await b.next((f) => f.op === 'deliver');
    expect((first.env as Envelope).id).toBe(env.id);
    const second = await b.next((f) => f.op === 'deliver');
    expect((second.env as Envelope).id).toBe(sentinel.id);
  });

  it('dedupes the same envelope sent twice in one tick', async () => {
    const env = message({ n: 'twice' });
    a.sendEnvelope(env);
    a.sendEnvelope(env);
    const acks = [await a.next((f) => f.op === 'accepted' && f.id === env.id), await a.next((f) => f.op === 'accepted' && f.id === env.id)];
    expect(acks.filter((f) => f.duplicate === true)).toHaveLength(1);
    const sentinel = await a.submit(message({ n: 'sentinel2' }));
    expect(((await b.next((f) => f.op === 'deliver')).env as Envelope).id).toBe(env.id);
    expect(((await b.next((f) => f.op === 'deliver')).env as Envelope).id).toBe(sentinel.id);
  });

  it('rejects the same id with other content with DUPLICATE_ID', async () => {
    const env = message({ n: 1 });
    await a.submit(env);
    await b.next((f) => f.op === 'deliver');
    await rejects(a.envelope({ type: 'message', to: b.did, body: { n: 2 }, id: env.id }), 'DUPLICATE_ID', env.id);
  });

  it('rejects an expired envelope with EXPIRED', async () => {
    const env = a.envelope({ type: 'message', to: b.did, body: {}, ts: t.clock.now() - 2000, exp: t.clock.now() - 1000 });
    await rejects(env, 'EXPIRED', env.id);
  });

  it('rejects a skewed ts with CLOCK_SKEW (relay clock moved)', async () => {
    const env = message();
    await t.clock.advance(300_001);
    try {
      await rejects(env, 'CLOCK_SKEW', env.id);
    } finally {
      await t.clock.advance(-300_001);
    }
  });

  it('rejects schema violations with INVALID_ENVELOPE', async () => {
    const env = message();
    await rejects({ ...env, extra: 1 }, 'INVALID_ENVELOPE', env.id);
    await rejects({ ...env, type: 'shout' }, 'INVALID_ENVELOPE');
    const noParent = a.envelope({ type: 'result', to: b.did, body: { status: 'ok', output: 1 } });
    await rejects(noParent, 'INVALID_ENVELOPE');
  });

  it('rejects a register envelope not addressed to the relay with INVALID_ENVELOPE (RTE-4)', async () => {
    const env = a.envelope({ type: 'register', to: b.did, body: { manifests: [] } });
    await rejects(env, 'INVALID_ENVELOPE', env.id);
  });

  it('rejects an invalid send frame with INVALID_FRAME', async () => {
    a.send({ op: 'send' });
    expect((await a.error()).code).toBe('INVALID_FRAME');
    a.send({ op: 'discover', ref: 'r', query: { limit: 0 } });
    expect((await a.error()).code).toBe('INVALID_FRAME');
    await ping(a);
  });

  it('rejects constructor.prototype members with MALFORMED_FRAME (ENC-4)', async () => {
    a.sendRaw('{"op":"discover","ref":"r","query":{"constructor":{"prototype":{"polluted":true}}}}');
    expect((await a.error()).code).toBe('MALFORMED_FRAME');
    await ping(a);
  });

  it('verifies and forwards the parsed value, not the received text, when member names repeat (ENC-5)', async () => {
    const env = message({ text: 'signed' });
    const json = JSON.stringify(env);
    // A first `body` member that a first-wins parser would see; JSON.parse keeps the last (signed) one.
    const raw = `{"op":"send","env":{"body":{"text":"smuggled"},${json.slice(1)}}`;
    a.sendRaw(raw);
    const accepted = await a.next((f) => f.op === 'accepted' && f['id'] === env.id);
    expect(accepted['id']).toBe(env.id);
    const delivered = await b.next((f) => f.op === 'deliver' && (f['env'] as Envelope).id === env.id);
    expect((delivered['env'] as Envelope).body).toEqual({ text: 'signed' });
  });

  it('rejects malformed JSON, non-objects, __proto__ and binary with MALFORMED_FRAME', async () => {
    for (const raw of ['{not json', '[1,2]', '{"op":"send","env":{"__proto__":{"x":1}}}']) {
      a.sendRaw(raw);
      expect((await a.error()).code).toBe('MALFORMED_FRAME');
    }
    a.sendRaw(Buffer.from('{"op":"discover","ref":"x","query":{}}'));
    expect((await a.error()).code).toBe('MALFORMED_FRAME');
    await ping(a);
  });

  it('answers an unknown op with UNKNOWN_OP', async () => {
    a.send({ op: 'teleport' });
    expect((await a.error()).code).toBe('UNKNOWN_OP');
    await ping(a);
  });

  it('rejects a message to an unknown agent with UNKNOWN_RECIPIENT', async () => {
    const env = a.envelope({ type: 'message', to: generateKeyPair().did, body: {} });
    await rejects(env, 'UNKNOWN_RECIPIENT', env.id);
  });

  it('rejects a request for a capability nobody provides with NO_PROVIDER', async () => {
    const env = a.envelope({ type: 'request', to: 'cap:nobody.here', body: { capability: 'nobody.here', input: {} } });
    await rejects(env, 'NO_PROVIDER', env.id);
  });

  it('rejects an envelope over max_envelope_bytes with ENVELOPE_TOO_LARGE', async () => {
    const env = message({ blob: 'x'.repeat(10_000) });
    await rejects(env, 'ENVELOPE_TOO_LARGE', env.id);
  });

  it('closes a connection sending a frame over max_frame_bytes with 1009; others keep working', async () => {
    const big = await TestAgent.connect(t);
    big.sendRaw(JSON.stringify({ op: 'discover', ref: 'x'.repeat(40_000), query: {} }));
    expect((await big.closed).code).toBe(1009);
    await ping(a);
    await ping(b);
    const fresh = await TestAgent.connect(t);
    await ping(fresh);
    await fresh.close();
  });
});
