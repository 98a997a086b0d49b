// Integration tests of request()/call()/handle() through a real relay: routing, schemas, error codes,
// deadlines, aborts, receipts and deduplication of redelivered requests.
import { afterEach, describe, expect, it } from 'vitest';
import { BatonError, envelopeDigest, generateKeyPair, isBatonError, verifyEnvelope } from '@baton/spec';
import { DedupeCache } from '../src/index.ts';
import type { Agent } from '../src/index.ts';
import { FaultySockets, TraceRecorder, codeOf, manifest, startHarness, textSchema } from './helpers.ts';
import type { Harness } from './helpers.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A provider of `text.upper` (and whatever `extra` registers). */
async function upperProvider(h: Harness, trace?: TraceRecorder): Promise<Agent> {
  const provider = await h.agent(trace ? { onTrace: trace.onTrace } : {});
  provider.handle('text.upper', async (input) => ({ text: (input as { text: string }).text.toUpperCase() }));
  await provider.register(manifest('text.upper', textSchema, textSchema));
  return provider;
}

describe('request', () => {
  it('routes by capability and returns the verified output with the full trail (TYP-2, ACK-4)', async () => {
    harness = await startHarness();
    const provider = await upperProvider(harness);
    const caller = await harness.agent();
    expect(await caller.request('text.upper', { text: 'hand-off' })).toEqual({ text: 'HAND-OFF' });

    const outcome = await caller.call('text.upper', { text: 'trail' }, { thread: '0190a000-0000-7000-8000-000000000001' });
    expect(outcome.output).toEqual({ text: 'TRAIL' });
    expect(outcome.provider).toBe(provider.did);
    expect(outcome.request.to).toBe('cap:text.upper');
    expect(outcome.request.exp).toBeGreaterThan(outcome.request.ts);
    expect(outcome.receipt).toBeDefined();
    const receipt = outcome.receipt!;
    expect(verifyEnvelope(receipt)).toBe(true);
    expect(receipt.from).toBe(provider.did);
    expect(receipt.body).toEqual({ for: outcome.request.id, digest: envelopeDigest(outcome.request) });
    expect(verifyEnvelope(outcome.result)).toBe(true);
    expect(outcome.result.parent).toBe(outcome.request.id);
    expect(outcome.result.thread).toBe('0190a000-0000-7000-8000-000000000001');
  });

  it('routes directly to a given agent (RTE-2)', async () => {
    harness = await startHarness();
    const first = await upperProvider(harness);
    const second = await upperProvider(harness);
    const caller = await harness.agent();
    for (const target of [first, second]) {
      const outcome = await caller.call({ capability: 'text.upper', agent: target.did }, { text: 'x' });
      expect(outcome.provider).toBe(target.did);
      expect(outcome.request.to).toBe(target.did);
      expect(outcome.receipt?.from).toBe(target.did);
    }
  });

  it('throws NO_PROVIDER when nobody offers the capability, UNSUPPORTED_CAPABILITY for a direct target that does not', async () => {
    harness = await startHarness();
    const other = await harness.agent();
    await other.register(manifest('something.else'));
    const caller = await harness.agent();
    expect(await codeOf(caller.request('text.upper', { text: 'x' }))).toBe('NO_PROVIDER');
    expect(await codeOf(caller.request({ capability: 'text.upper', agent: other.did }, { text: 'x' }))).toBe('UNSUPPORTED_CAPABILITY');
  });

  it('rejects input that fails the provider input_schema without sending it (MAN-4)', async () => {
    harness = await startHarness();
    const trace = new TraceRecorder();
    await upperProvider(harness, trace);
    const caller = await harness.agent();
    expect(await codeOf(caller.request('text.upper', { text: 42 }))).toBe('INPUT_SCHEMA_VIOLATION');
    // The next, valid request is the first thing the provider ever receives.
    await caller.request('text.upper', { text: 'ok' });
    const received = trace.events.filter((e) => e.kind === 'received');
    expect(received).toHaveLength(1);
    expect(received[0]!.kind === 'received' && received[0]!.env.body).toEqual({ capability: 'text.upper', input: { text: 'ok' } });
  });

  it('propagates handler error codes: BatonError keeps its code, other exceptions become HANDLER_ERROR', async () => {
    harness = await startHarness();
    const provider = await harness.agent();
    provider.handle('fail.coded', async () => { throw new BatonError('UNSUPPORTED_CAPABILITY', 'not today'); });
    provider.handle('fail.plain', async () => { throw new Error('boom'); });
    await provider.register(manifest('fail.coded'));
    await provider.register(manifest('fail.plain'));
    const caller = await harness.agent();
    const coded = await caller.request('fail.coded', {}).catch((e: unknown) => e);
    expect(isBatonError(coded) && coded.code).toBe('UNSUPPORTED_CAPABILITY');
    expect((coded as Error).message).toBe('not today');
    const plain = await caller.request('fail.plain', {}).catch((e: unknown) => e);
    expect(isBatonError(plain) && plain.code).toBe('HANDLER_ERROR');
    expect((plain as Error).message).toBe('boom');
  });

  it('reports OUTPUT_SCHEMA_VIOLATION from the provider and from the requester side (MAN-4)', async () => {
    harness = await startHarness();
    const provider = await harness.agent();
    provider.handle('bad.output', async () => ({ text: 7 }));
    await provider.register(manifest('bad.output', {}, textSchema));
    const caller = await harness.agent({ discoveryCacheMs: 60_000 });
    // Provider side: its own output_schema rejects the handler's output.
    expect(await codeOf(caller.request('bad.output', {}))).toBe('OUTPUT_SCHEMA_VIOLATION');
    // Requester side: the provider loosens its schema, but the caller validates against the signed manifest it discovered.
    await provider.register(manifest('bad.output', {}, {}));
    expect(await codeOf(caller.request('bad.output', {}))).toBe('OUTPUT_SCHEMA_VIOLATION');
  });

  it('throws TIMEOUT when the provider never answers, and the handler sees its signal abort', async () => {
    harness = await startHarness();
    const provider = await harness.agent();
    let handlerSignal: AbortSignal | undefined;
    provider.handle('never.answers', (_input, ctx) => {
      handlerSignal = ctx.signal;
      return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(null)));
    });
    await provider.register(manifest('never.answers'));
    const caller = await harness.agent();
    const started = Date.now();
    expect(await codeOf(caller.request('never.answers', {}, { timeoutMs: 400 }))).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3_000);
    await new Promise<void>((resolve) => {
      if (handlerSignal?.aborted === true) resolve();
      else handlerSignal?.addEventListener('abort', () => resolve());
    });
    expect(handlerSignal?.aborted).toBe(true);
  });

  it('throws ABORTED when the signal aborts', async () => {
    harness = await startHarness();
    const provider = await harness.agent();
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => { started = resolve; });
    provider.handle('slow.one', (_input, ctx) => {
      started();
      return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(null)));
    });
    await provider.register(manifest('slow.one'));
    const caller = await harness.agent();
    const controller = new AbortController();
    const pending = codeOf(caller.request('slow.one', {}, { signal: controller.signal, timeoutMs: 10_000 }));
    await handlerStarted;
    controller.abort();
    expect(await pending).toBe('ABORTED');
  });

  it('throws CONNECTION_CLOSED when the connection drops mid-request', async () => {
    harness = await startHarness();
    const provider = await harness.agent();
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => { started = resolve; });
    provider.handle('hangs', (_input, ctx) => {
      started();
      return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(null)));
    });
    await provider.register(manifest('hangs'));
    const caller = await harness.agent();
    const pending = codeOf(caller.request('hangs', {}, { timeoutMs: 10_000 }));
    await handlerStarted;
    await caller.close();
    expect(await pending).toBe('CONNECTION_CLOSED');
  });

  it('does not run a redelivered request twice, but acknowledges it again (ACK-6, RPL-4)', async () => {
    harness = await startHarness();
    const key = generateKeyPair();
    const dedupe = new DedupeCache();
    let runs = 0;
    const register = async (agent: Agent): Promise<void> => {
      agent.handle('count.me', async () => ({ runs: ++runs }));
      await agent.register(manifest('count.me'));
    };
    // First connection loses its receipts, so the relay must redeliver the request on the next connection.
    const faults = new FaultySockets();
    faults.dropOut = (f) => f.op === 'send' && f.env?.type === 'receipt';
    const lossy = await harness.agent({ key, dedupe, WebSocket: faults.WebSocket });
    await register(lossy);
    const caller = await harness.agent();
    expect(await caller.request({ capability: 'count.me', agent: key.did }, {}, { timeoutMs: 10_000 })).toEqual({ runs: 1 });
    await lossy.close();

    const trace = new TraceRecorder();
    const again = await harness.agent({ key, dedupe, onTrace: trace.onTrace });
    await register(again);
    const duplicate = await trace.next((e) => e.kind === 'duplicate');
    expect(duplicate.kind === 'duplicate' && duplicate.env.from).toBe(caller.did);
    expect(runs).toBe(1);
    expect(trace.events.some((e) => e.kind === 'handled')).toBe(false);
  });
});

describe('messages', () => {
  it('delivers a verified message once to onMessage handlers (TYP-5)', async () => {
    harness = await startHarness();
    const receiver = await harness.agent();
    const sender = await harness.agent();
    const got = new Promise<{ body: Record<string, unknown>; from: string }>((resolve) => {
      receiver.onMessage((body, env) => resolve({ body, from: env.from }));
    });
    const sent = await sender.send(receiver.did, { hello: 'world' });
    expect(await got).toEqual({ body: { hello: 'world' }, from: sender.did });
    expect(sent.type).toBe('message');
  });
});
