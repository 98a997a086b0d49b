// Terminal outcomes through a real relay with small delivery limits: every request and message ends
// `delivered` (verified receipt) or `dead-lettered` (relay-signed notice) and the sender's API says which -
// request() and sendAndConfirm() reject with the notice's reason, onOutcome reports both kinds. Also: envelopes
// refused with RATE_LIMITED are resent after retry_after_ms until accepted, none lost or duplicated.
import { afterEach, describe, expect, it } from 'vitest';
import { isBatonError, verifyEnvelope } from '@baton/spec';
import type { DeliveryOutcome } from '../src/index.ts';
import { FaultySockets, TraceRecorder, eventually, manifest, startHarness } from './helpers.ts';
import type { Harness } from './helpers.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Delivery limits small enough for a recipient that never acknowledges to be dead-lettered within a second. */
const fastDeadLetters = {
  limits: { ack_timeout_ms: 200, max_delivery_attempts: 2, redelivery_backoff_ms: 50, redelivery_backoff_max_ms: 100 },
};

describe('dead letters', () => {
  it('rejects request() with MAX_ATTEMPTS_EXCEEDED when the provider never acknowledges, and reports it to onOutcome', async () => {
    harness = await startHarness(fastDeadLetters);
    // The provider's handler never finishes and its working frames are lost: the relay sees no sign of life.
    const faults = new FaultySockets();
    faults.dropOut = (f) => f.op === 'working';
    const providerTrace = new TraceRecorder();
    const provider = await harness.agent({ WebSocket: faults.WebSocket, onTrace: providerTrace.onTrace });
    let runs = 0;
    provider.handle('never.done', (_input, ctx) => {
      runs++;
      return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(null)));
    });
    await provider.register(manifest('never.done'));
    const caller = await harness.agent();
    const outcomes: DeliveryOutcome[] = [];
    caller.onOutcome((o) => outcomes.push(o));

    const error = await caller.request('never.done', {}, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(isBatonError(error) && error.code).toBe('MAX_ATTEMPTS_EXCEEDED');
    const details = (error as { details?: { for?: string; reason?: string; attempts?: number; last_error?: { code: string } } }).details;
    expect(details?.reason).toBe('MAX_ATTEMPTS_EXCEEDED');
    expect(details?.attempts).toBe(2);
    expect(details?.last_error?.code).toBe('TIMEOUT');
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ id: details?.for, status: 'dead-lettered', reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 2 });

    // The provider saw attempt 1 and attempt 2 of the same seq; the second was answered `working`, not run again.
    const received = providerTrace.events.flatMap((e) => (e.kind === 'received' ? [[e.seq, e.attempt]] : []));
    expect(received).toEqual([[received[0]![0], 1], [received[0]![0], 2]]);
    expect(providerTrace.events.filter((e) => e.kind === 'duplicate')).toHaveLength(1);
    expect(runs).toBe(1);
    expect(faults.frames('send', 'receipt')).toHaveLength(0);
  });

  it('rejects sendAndConfirm() with MAX_ATTEMPTS_EXCEEDED for a recipient that never acknowledges, and receipts the notice', async () => {
    harness = await startHarness(fastDeadLetters);
    const silentFaults = new FaultySockets();
    silentFaults.dropOut = (f) => f.env?.type === 'receipt';
    const silent = await harness.agent({ WebSocket: silentFaults.WebSocket });
    const senderFaults = new FaultySockets();
    const sender = await harness.agent({ WebSocket: senderFaults.WebSocket });
    const outcomes: DeliveryOutcome[] = [];
    sender.onOutcome((o) => outcomes.push(o));

    const error = await sender.sendAndConfirm(silent.did, { n: 1 }, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(isBatonError(error) && error.code).toBe('MAX_ATTEMPTS_EXCEEDED');
    expect(outcomes).toEqual([expect.objectContaining({ status: 'dead-lettered', reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 2 })]);
    const entry = outcomes[0]!.status === 'dead-lettered' ? outcomes[0]!.entry : 0;
    expect(entry).toBeGreaterThan(0);
    // The sender acknowledged the relay's notice with a receipt addressed to the relay.
    await eventually(() => senderFaults.frames('send', 'receipt').length > 0, 'the receipt of the notice');
    expect(senderFaults.frames('send', 'receipt').map((f) => (f.env as { to?: string }).to)).toEqual([harness.relay.did]);
  });

  it('resolves sendAndConfirm() with the verified receipt and reports delivered to onOutcome', async () => {
    harness = await startHarness(fastDeadLetters);
    const receiver = await harness.agent();
    const sender = await harness.agent();
    const outcomes: DeliveryOutcome[] = [];
    sender.onOutcome((o) => outcomes.push(o));
    const receipt = await sender.sendAndConfirm(receiver.did, { n: 1 });
    expect(verifyEnvelope(receipt)).toBe(true);
    expect(receipt.from).toBe(receiver.did);
    expect(outcomes).toEqual([{ id: receipt.parent, status: 'delivered', receipt }]);
  });
});

describe('rate limits (FLW-3)', () => {
  it('resends envelopes refused with RATE_LIMITED after retry_after_ms until all are accepted, none lost or duplicated', async () => {
    harness = await startHarness({ limits: { send_rate_per_key: 5, send_burst_per_key: 5 } });
    const receiver = await harness.agent();
    const got: number[] = [];
    receiver.onMessage((body) => { got.push(body['n'] as number); });
    const faults = new FaultySockets();
    const sender = await harness.agent({ WebSocket: faults.WebSocket });

    const sent = await Promise.all(Array.from({ length: 20 }, (_, n) => sender.send(receiver.did, { n }, { timeoutMs: 20_000 })));
    expect(new Set(sent.map((e) => e.id)).size).toBe(20);
    await eventually(() => got.length >= 20, 'all 20 messages at the receiver');
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    // Some were refused and resent: more send frames than messages, each resend identical to the first try.
    const frames = faults.frames('send', 'message');
    expect(frames.length).toBeGreaterThan(20);
    const firstText = new Map<string, string>();
    for (const f of frames) {
      const id = f.env!.id!;
      expect(f.text).toBe(firstText.get(id) ?? f.text);
      firstText.set(id, f.text);
    }
  });
});
