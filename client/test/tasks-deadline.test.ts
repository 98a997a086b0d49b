/**
 * Deadlines and late results (SPEC TSK-10, TSK-11): the deadline passes, the owner's handle rejects
 * `DEADLINE_EXCEEDED`, the handler's signal aborts; a result that comes afterwards must not resolve anything.
 * Against a real relay (which stores the late result and does not deliver it) and against a scripted relay
 * that does deliver one, to check the client's own rule: a result is surfaced only to a task still waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvelope, generateKeyPair } from '@baton/spec';
import type { Envelope } from '@baton/spec';
import { connect } from '../src/index.ts';
import type { Agent } from '../src/index.ts';
import { startFakeRelay } from './fake-relay.ts';
import type { FakeRelay } from './fake-relay.ts';
import { FaultySockets, TraceRecorder, codeOf, eventually, gate, manifest, startHarness, textSchema } from './helpers.ts';
import type { Harness } from './helpers.ts';

describe('deadline then late result (real relay)', () => {
  let h: Harness;
  afterEach(async () => { await h.stop(); });

  it('the handle rejects DEADLINE_EXCEEDED; the handler result sent afterwards is stored late and surfaces nowhere', async () => {
    h = await startHarness();
    // The provider never hears of the failure (its task-failed notice is dropped), so it does send a late result.
    const faults = new FaultySockets();
    const acceptedIds = new Set<string>();
    faults.dropIn = (frame) => {
      if (frame.op === 'accepted' && frame.id !== undefined) acceptedIds.add(frame.id);
      return frame.op === 'deliver' && frame.env?.type === 'notice';
    };
    const provider = await h.agent({ WebSocket: faults.WebSocket });
    const release = gate();
    const started = gate();
    provider.handle('slow', async () => {
      started.open();
      await release.promise; // ignores its signal on purpose
      return { text: 'late' };
    });
    await provider.register(manifest('slow', {}, textSchema));
    const ownerTrace = new TraceRecorder();
    const owner = await h.agent({ onTrace: ownerTrace.onTrace });

    const handle = await owner.delegate('slow', {}, { timeoutMs: 400 });
    await started.promise;
    expect(await codeOf(handle.result)).toBe('DEADLINE_EXCEEDED');
    expect(handle.state).toBe('failed');

    release.open();
    await eventually(() => faults.frames('send', 'result').some((f) => acceptedIds.has(f.env?.id ?? '')), 'the relay to accept the late result');
    // A later task on the same connection completes, so everything before it was processed by the owner.
    provider.handle('fast', () => ({ text: 'ok' }));
    await provider.register(manifest('fast', {}, textSchema));
    await expect((await owner.delegate('fast', {})).result).resolves.toEqual({ text: 'ok' });
    const results = ownerTrace.events.filter((e) => e.kind === 'received' && e.env.type === 'result').map((e) => (e as { env: Envelope }).env.parent);
    expect(results).not.toContain(handle.id);
    expect(handle.state).toBe('failed');
  });
});

describe('the client rule (scripted relay)', () => {
  let fake: FakeRelay;
  let agent: Agent;
  const warnings: string[] = [];
  afterEach(async () => {
    await agent.close();
    await fake.close();
  });

  function summary(id: string, owner: string, state: 'failed'): Record<string, unknown> {
    return { id, owner, handler: null, capability: 'slow', state, attempts: 1, revision: 0 };
  }

  it('a result for a task the client saw fail, or has no handle for, is acknowledged and logged, never surfaced', async () => {
    fake = await startFakeRelay();
    agent = await connect({ url: fake.url, key: generateKeyPair(), logger: { warn: (m) => warnings.push(m) }, reconnect: false });
    const handler = generateKeyPair();
    const id = '01900000-0000-7000-8000-000000000001';
    const handle = agent.task(id);
    const failed = createEnvelope(fake.key, {
      type: 'notice', to: agent.did, parent: id,
      body: { event: 'task-failed', for: id, reason: 'DEADLINE_EXCEEDED', task: summary(id, agent.did, 'failed') },
    });
    await fake.deliver(failed);
    expect(await codeOf(handle.result)).toBe('DEADLINE_EXCEEDED');

    const late = createEnvelope(handler, { type: 'result', to: agent.did, parent: id, body: { status: 'ok', output: { text: 'stale' } } });
    const orphan = createEnvelope(handler, {
      type: 'result', to: agent.did, parent: '01900000-0000-7000-8000-000000000002', body: { status: 'ok', output: { text: 'unknown' } },
    });
    await fake.deliver(late);
    await fake.deliver(orphan);
    const receipted = (env: Envelope): boolean => fake.received.some((f) => f.env?.type === 'receipt' && (f.env.body as { for?: string }).for === env.id);
    await eventually(() => receipted(late) && receipted(orphan), 'receipts for both results');
    expect(warnings.filter((w) => w.includes('not waiting for'))).toHaveLength(2);
    expect(handle.state).toBe('failed');
    expect(await codeOf(handle.result)).toBe('DEADLINE_EXCEEDED');
  });
});
