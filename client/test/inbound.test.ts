// The client against a scripted fake relay on a real socket: it must never act on (or receipt) an envelope
// that fails verification or is addressed to someone else, must receipt but not re-run duplicates, must trust
// a delivery outcome only from a verifying receipt or a notice signed by the relay it authenticated with.
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvelope, envelopeDigest, generateKeyPair, isBatonError } from '@baton/spec';
import type { BatonError, Envelope, KeyPair } from '@baton/spec';
import { connect, createReceipt } from '../src/index.ts';
import type { Agent, DeliveryOutcome } from '../src/index.ts';
import { startFakeRelay } from './fake-relay.ts';
import type { FakeRelay } from './fake-relay.ts';
import { TraceRecorder, eventually, quietLogger } from './helpers.ts';

let relay: FakeRelay | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
  await relay?.close();
  relay = undefined;
});

describe('delivered envelopes', () => {
  it('drops forged or misaddressed envelopes without a receipt, and receipts but ignores duplicates', async () => {
    relay = await startFakeRelay();
    const trace = new TraceRecorder();
    const key = generateKeyPair();
    agent = await connect({ url: relay.url, key, logger: quietLogger, onTrace: trace.onTrace });
    const messages: unknown[] = [];
    agent.onMessage((body) => { messages.push(body); });
    const sender = generateKeyPair();
    const deliver = (env: unknown): Promise<void> => relay!.deliver(env);

    const genuine = createEnvelope(sender, { type: 'message', to: key.did, body: { n: 1 } });
    const forged = { ...createEnvelope(sender, { type: 'message', to: key.did, body: { n: 2 } }), body: { n: 666 } };
    const elsewhere = createEnvelope(sender, { type: 'message', to: generateKeyPair().did, body: { n: 3 } });
    await deliver(forged);
    await deliver(elsewhere);
    await deliver(genuine);
    await deliver(genuine);
    await trace.next((e) => e.kind === 'duplicate');

    const dropped = trace.events.filter((e) => e.kind === 'dropped').map((e) => (e.kind === 'dropped' ? e.reason : ''));
    expect(dropped).toHaveLength(2);
    expect(dropped[0]).toMatch(/BAD_SIGNATURE/);
    expect(dropped[1]).toMatch(/addressed to/);
    expect(messages).toEqual([{ n: 1 }]);
    // Wait until both receipts reached the fake relay, then check they are exactly for the genuine envelope.
    await eventually(() => relay!.received.filter((f) => f.env?.type === 'receipt').length >= 2, 'two receipts');
    const receipts = relay.received.filter((f) => f.env?.type === 'receipt').map((f) => f.env!);
    expect(receipts).toHaveLength(2);
    for (const r of receipts) {
      expect(r.from).toBe(key.did);
      expect(r.to).toBe(sender.did);
      expect(r.body).toEqual({ for: genuine.id, digest: envelopeDigest(genuine) });
    }
  });
});

describe('outcomes from the relay (fake relay)', () => {
  /** Connects an agent to a fresh fake relay and sends a message with sendAndConfirm; returns what the test needs. */
  async function confirmSetup() {
    relay = await startFakeRelay();
    const trace = new TraceRecorder();
    const key = generateKeyPair();
    agent = await connect({ url: relay.url, key, logger: quietLogger, onTrace: trace.onTrace });
    const outcomes: DeliveryOutcome[] = [];
    agent.onOutcome((o) => outcomes.push(o));
    const recipient = generateKeyPair();
    const confirming = agent.sendAndConfirm(recipient.did, { hello: 1 }, { timeoutMs: 5_000 });
    confirming.catch(() => {});
    await eventually(() => relay!.received.some((f) => f.op === 'send'), 'the message');
    const sent = relay.received.find((f) => f.op === 'send')!.env!;
    return { relay, trace, key, recipient, sent, confirming, outcomes };
  }

  it('confirms a delivery only with a receipt that verifies against the message (ACK-4)', async () => {
    const { relay: fake, recipient, sent, confirming, outcomes } = await confirmSetup();
    const socket = await fake.socket;
    const delivered = (receipt: unknown): void => socket.send(JSON.stringify({ op: 'delivered', id: sent.id, receipt }));
    delivered(createReceipt(generateKeyPair(), sent)); // signed by someone who is not the recipient
    delivered({ ...createReceipt(recipient, sent), body: { for: sent.id, digest: '0'.repeat(64) } }); // tampered
    const genuine = createReceipt(recipient, sent);
    delivered(genuine);
    expect(await confirming).toEqual(genuine);
    expect(outcomes).toEqual([{ id: sent.id, status: 'delivered', receipt: genuine }]);
  });

  it('reports a relay-signed notice as the dead-letter outcome and receipts it to the relay (DLV-6)', async () => {
    const { relay: fake, key, trace, sent, confirming, outcomes } = await confirmSetup();
    const body = {
      event: 'dead-lettered', for: sent.id, to: sent.to, reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 3,
      last_error: { code: 'TIMEOUT', message: 'no receipt within 200 ms' }, entry: 7,
    };
    const notice = (signer: KeyPair, from = signer.did): Envelope => {
      const env = createEnvelope(signer, { type: 'notice', to: key.did, parent: sent.id, body });
      return from === env.from ? env : { ...env, from };
    };
    const impostor = generateKeyPair();
    await fake.deliver(notice(impostor)); // valid signature, but not the relay
    await fake.deliver(notice(impostor, fake.key.did)); // claims to be the relay, signed by another key
    const genuine = notice(fake.key);
    await fake.deliver(genuine);

    const error = await confirming.catch((e: unknown) => e);
    expect(isBatonError(error) && error.code).toBe('MAX_ATTEMPTS_EXCEEDED');
    expect((error as BatonError).details).toEqual(body);
    expect(outcomes).toEqual([{
      id: sent.id, status: 'dead-lettered', reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 3, entry: 7,
      lastError: { code: 'TIMEOUT', message: 'no receipt within 200 ms' },
    }]);
    const dropped = trace.events.flatMap((e) => (e.kind === 'dropped' ? [e.reason] : []));
    expect(dropped).toHaveLength(2);
    expect(dropped[0]).toMatch(/not from the relay/);
    expect(dropped[1]).toMatch(/BAD_SIGNATURE/);
    await eventually(() => fake.received.some((f) => f.env?.type === 'receipt'), 'the receipt of the notice');
    const receipts = fake.received.filter((f) => f.env?.type === 'receipt').map((f) => f.env!);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.to).toBe(fake.key.did);
    expect(receipts[0]!.body).toEqual({ for: genuine.id, digest: envelopeDigest(genuine) });
  });
});
