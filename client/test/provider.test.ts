// The provider side of delivery through a real relay: concurrency limits answered with `reject` BUSY (the
// relay retries), capabilities not handled here answered with `reject` UNSUPPORTED_CAPABILITY (the relay routes
// to another provider or dead-letters), 'on-complete' receipts with `working` heartbeats (a slow handler is not
// redelivered; a provider that dies mid-handler has its request redelivered to another provider), and
// 'on-receive' receipts; after a restart, requests delivered before the registration wait for it or get BUSY.
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, isBatonError } from '@baton/spec';
import type { Agent } from '../src/index.ts';
import { FaultySockets, TraceRecorder, codeOf, gate, manifest, startHarness } from './helpers.ts';
import type { Harness } from './helpers.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** Quick retries so that BUSY refusals and lost attempts come back fast. */
const quickRetries = { limits: { ack_timeout_ms: 300, redelivery_backoff_ms: 50, redelivery_backoff_max_ms: 100 } };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The capability names an agent's trace shows as rejected with `code`. */
function rejections(trace: TraceRecorder, code: string): number {
  return trace.events.filter((e) => e.kind === 'rejected' && e.code === code).length;
}

describe('concurrency', () => {
  it('refuses a request beyond the handler concurrency with BUSY; the relay delivers it again later and it completes', async () => {
    harness = await startHarness(quickRetries);
    const trace = new TraceRecorder();
    const provider = await harness.agent({ onTrace: trace.onTrace });
    const release = gate();
    let running = 0;
    let maxRunning = 0;
    provider.handle('one.at.a.time', async (input) => {
      maxRunning = Math.max(maxRunning, ++running);
      await release.promise;
      running--;
      return input;
    }, { concurrency: 1 });
    await provider.register(manifest('one.at.a.time'));
    const caller = await harness.agent();
    const target = { capability: 'one.at.a.time', agent: provider.did };

    const first = caller.request(target, { n: 1 }, { timeoutMs: 15_000 });
    const second = caller.request(target, { n: 2 }, { timeoutMs: 15_000 });
    await trace.next((e) => e.kind === 'rejected' && e.code === 'BUSY');
    release.open();
    expect(await first).toEqual({ n: 1 });
    expect(await second).toEqual({ n: 2 });
    expect(maxRunning).toBe(1);
    expect(trace.events.filter((e) => e.kind === 'handled')).toHaveLength(2);
  });

  it('rejects a concurrency that is not a positive integer', async () => {
    harness = await startHarness();
    const provider = await harness.agent();
    expect(() => provider.handle('x.y', () => null, { concurrency: 0 })).toThrow(RangeError);
    expect(() => provider.handle('x.y', () => null, { concurrency: 1.5 })).toThrow(RangeError);
  });
});

describe('unsupported capability', () => {
  it('rejects a request it cannot handle; a direct request is dead-lettered with UNSUPPORTED_CAPABILITY', async () => {
    harness = await startHarness(quickRetries);
    const trace = new TraceRecorder();
    const faults = new FaultySockets();
    const provider = await harness.agent({ onTrace: trace.onTrace, WebSocket: faults.WebSocket });
    await provider.register(manifest('no.handler')); // registered, but no handler
    const caller = await harness.agent();
    const error = await caller.request({ capability: 'no.handler', agent: provider.did }, {}, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(isBatonError(error) && error.code).toBe('UNSUPPORTED_CAPABILITY');
    expect((error as { details?: { reason?: string } }).details?.reason).toBe('UNSUPPORTED_CAPABILITY');
    expect(rejections(trace, 'UNSUPPORTED_CAPABILITY')).toBe(1);
    expect(faults.frames('reject').map((f) => f.code)).toEqual(['UNSUPPORTED_CAPABILITY']);
    expect(faults.frames('send', 'receipt')).toHaveLength(0);
    expect(faults.frames('send', 'result')).toHaveLength(0);
  });

  it('lets capability routing move a rejected request to a provider that handles it', async () => {
    harness = await startHarness(quickRetries);
    const trace = new TraceRecorder();
    const without = await harness.agent({ onTrace: trace.onTrace });
    await without.register(manifest('maybe.here'));
    const handler = await harness.agent();
    handler.handle('maybe.here', async () => ({ by: 'handler' }));
    await handler.register(manifest('maybe.here'));
    const caller = await harness.agent();
    // Over two requests the router tries the provider without a handler at least once (least recently chosen).
    for (let i = 0; i < 2; i++) {
      const outcome = await caller.call('maybe.here', {}, { timeoutMs: 10_000 });
      expect(outcome.output).toEqual({ by: 'handler' });
      expect(outcome.provider).toBe(handler.did);
    }
    expect(rejections(trace, 'UNSUPPORTED_CAPABILITY')).toBeGreaterThanOrEqual(1);
  });
});

describe('receipt timing', () => {
  it("'on-complete': working frames keep a handler slower than ack_timeout_ms from being redelivered", async () => {
    harness = await startHarness({ limits: { ack_timeout_ms: 200, max_delivery_attempts: 2, redelivery_backoff_ms: 50, redelivery_backoff_max_ms: 100 } });
    const faults = new FaultySockets();
    const trace = new TraceRecorder();
    const provider = await harness.agent({ WebSocket: faults.WebSocket, onTrace: trace.onTrace });
    provider.handle('slow.job', async () => {
      await sleep(700);
      return { done: true };
    });
    await provider.register(manifest('slow.job'));
    const caller = await harness.agent();
    const outcome = await caller.call({ capability: 'slow.job', agent: provider.did }, {}, { timeoutMs: 10_000 });
    expect(outcome.output).toEqual({ done: true });
    expect(outcome.receipt?.from).toBe(provider.did);
    expect(trace.events.filter((e) => e.kind === 'received').map((e) => (e.kind === 'received' ? e.attempt : 0))).toEqual([1]);
    expect(faults.frames('working').length).toBeGreaterThanOrEqual(2);
    // The receipt left after the handler finished, right before the result.
    const sends = faults.sent.filter((f) => f.op === 'send' && (f.env?.type === 'receipt' || f.env?.type === 'result'));
    expect(sends.map((f) => f.env?.type)).toEqual(['receipt', 'result']);
    expect(faults.sent.indexOf(sends[0]!)).toBeGreaterThan(faults.sent.lastIndexOf(faults.frames('working').at(-1)!));
  });

  it("'on-receive': the receipt leaves before the handler runs and no working frames are sent", async () => {
    harness = await startHarness({ limits: { ack_timeout_ms: 200 } });
    const faults = new FaultySockets();
    const provider = await harness.agent({ WebSocket: faults.WebSocket });
    const started = gate();
    const release = gate();
    provider.handle('quick.ack', async () => {
      started.open();
      await release.promise;
      return { ok: true };
    }, { receipt: 'on-receive' });
    await provider.register(manifest('quick.ack'));
    const caller = await harness.agent();
    const pending = caller.request({ capability: 'quick.ack', agent: provider.did }, {}, { timeoutMs: 10_000 });
    await started.promise;
    expect(faults.frames('send', 'receipt')).toHaveLength(1);
    await sleep(250); // longer than ack_timeout_ms: with the receipt already sent nothing is redelivered
    release.open();
    expect(await pending).toEqual({ ok: true });
    expect(faults.frames('working')).toHaveLength(0);
    expect(faults.frames('send', 'receipt')).toHaveLength(1);
  });

  it("'on-complete': a provider that dies mid-handler has its request redelivered to another provider, which completes it once", async () => {
    harness = await startHarness(quickRetries);
    const faults = new FaultySockets();
    const doomed = await harness.agent({ WebSocket: faults.WebSocket, reconnect: false });
    const started = gate();
    doomed.handle('crashy.job', (_input, ctx) => {
      started.open();
      return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ by: 'doomed' })));
    });
    await doomed.register(manifest('crashy.job'));
    const caller = await harness.agent();
    const pending = caller.call('crashy.job', {}, { timeoutMs: 15_000 });
    await started.promise;

    let runs = 0;
    const survivor: Agent = await harness.agent();
    survivor.handle('crashy.job', async () => ({ by: 'survivor', run: ++runs }));
    await survivor.register(manifest('crashy.job'));
    faults.kill();

    const outcome = await pending;
    expect(outcome.output).toEqual({ by: 'survivor', run: 1 });
    expect(outcome.provider).toBe(survivor.did);
    expect(runs).toBe(1);
    expect(faults.frames('send', 'receipt')).toHaveLength(0);
    expect(faults.frames('send', 'result')).toHaveLength(0);
    expect(await codeOf(doomed.discover())).toBe('CONNECTION_CLOSED');
  });

});

describe('after a restart', () => {
  it("'on-complete': a provider that dies mid-handler gets the request again after its restart, before it registered again", async () => {
    harness = await startHarness(quickRetries);
    const key = generateKeyPair();
    const faults = new FaultySockets();
    const first = await harness.agent({ key, WebSocket: faults.WebSocket, reconnect: false });
    const started = gate();
    first.handle('restart.job', (_input, ctx) => {
      started.open();
      return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(null)));
    });
    await first.register(manifest('restart.job'));
    const caller = await harness.agent();
    const pending = caller.request({ capability: 'restart.job', agent: key.did }, {}, { timeoutMs: 15_000 });
    await started.promise;
    faults.kill();
    await first.closed;

    // The "restarted process": the relay delivers the request right with `welcome`, and the application looks
    // around (a round trip) before handle()/register(): the request must wait for the registration.
    const trace = new TraceRecorder();
    const second = await harness.agent({ key, onTrace: trace.onTrace });
    await second.discover({ capability: 'restart.job' });
    second.handle('restart.job', async () => ({ again: true }));
    await second.register(manifest('restart.job'));
    expect(await pending).toEqual({ again: true });
    const attempts = trace.events.flatMap((e) => (e.kind === 'received' ? [e.attempt] : []));
    expect(attempts[0]).toBeGreaterThanOrEqual(2);
    expect(trace.events.filter((e) => e.kind === 'rejected')).toEqual([]);
    expect(trace.events.filter((e) => e.kind === 'handled')).toHaveLength(1);
  });

  it('refuses a request with the retryable BUSY while its capability is not registered again after a restart', async () => {
    harness = await startHarness(quickRetries);
    const key = generateKeyPair();
    const before = await harness.agent({ key });
    before.handle('late.cap', async () => ({ late: true }));
    await before.register(manifest('late.cap'));
    await before.close();
    const caller = await harness.agent();
    const pending = caller.request({ capability: 'late.cap', agent: key.did }, {}, { timeoutMs: 15_000 });

    const trace = new TraceRecorder();
    const after = await harness.agent({ key, onTrace: trace.onTrace });
    await trace.next((e) => e.kind === 'rejected' && e.code === 'BUSY'); // held for ack_timeout_ms / 3, then BUSY
    after.handle('late.cap', async () => ({ late: 'and yet' }));
    await after.register(manifest('late.cap'));
    expect(await pending).toEqual({ late: 'and yet' });
    expect(trace.events.filter((e) => e.kind === 'rejected').map((e) => (e.kind === 'rejected' ? e.code : ''))).toEqual(['BUSY']);
  });
});
