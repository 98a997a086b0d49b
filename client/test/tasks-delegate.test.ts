/**
 * Client task API against a real relay (SPEC section 21): delegate -> handle with state, events and result;
 * the handler's task context (task facts, progress); idempotent duplicates ("double delegation after a
 * rephrase", TSK-14); local input validation; cancellation (TSK-7, TSK-13) reaching the handler's signal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newEnvelopeId } from '@baton/spec';
import type { Brief } from '@baton/spec';
import type { HandlerContext, TaskUpdate } from '../src/index.ts';
import { codeOf, gate, manifest, startHarness, textSchema } from './helpers.ts';
import type { Harness } from './helpers.ts';

let h: Harness;
beforeEach(async () => { h = await startHarness(); });
afterEach(async () => { await h.stop(); });

const brief: Brief = { summary: 'The user wants a haiku about relays.', next_action: 'Write the haiku.' };

async function collect(events: AsyncIterable<TaskUpdate>): Promise<TaskUpdate[]> {
  const all: TaskUpdate[] = [];
  for await (const update of events) all.push(update);
  return all;
}

describe('delegate', () => {
  it('resolves with a handle whose result, state and events follow the task; the handler sees the task and reports progress', async () => {
    const provider = await h.agent();
    let seen: HandlerContext | undefined;
    provider.handle('haiku', async (input, ctx) => {
      seen = ctx;
      await ctx.progress('drafting', 50);
      return { text: `haiku about ${(input as { text: string }).text}` };
    });
    await provider.register(manifest('haiku', textSchema, textSchema));
    const owner = await h.agent();

    const thread = newEnvelopeId();
    const handle = await owner.delegate('haiku', { text: 'relays' }, { brief, thread });
    const events = collect(handle.events());
    expect(handle.duplicate).toBe(false);
    await expect(handle.result).resolves.toEqual({ text: 'haiku about relays' });
    expect(handle.state).toBe('completed');

    expect(seen?.task).toEqual({ id: handle.id, owner: owner.did, capability: 'haiku', brief, thread });
    const updates = await events;
    const progress = updates.find((u) => u.kind === 'progress');
    expect(progress).toMatchObject({ kind: 'progress', message: 'drafting', pct: 50 });
    expect(updates.filter((u) => u.kind === 'state').map((u) => (u as { state: string }).state)).toContain('completed');
  });

  it('checks the input against the provider manifest before sending (INPUT_SCHEMA_VIOLATION)', async () => {
    const provider = await h.agent();
    provider.handle('haiku', () => ({ text: 'x' }));
    await provider.register(manifest('haiku', textSchema, textSchema));
    const owner = await h.agent();
    expect(await codeOf(owner.delegate('haiku', { words: 3 }))).toBe('INPUT_SCHEMA_VIOLATION');
  });

  it('double delegation after a rephrase: same turn and input, rephrased brief -> one task, the provider runs once', async () => {
    const provider = await h.agent();
    const release = gate();
    let runs = 0;
    provider.handle('haiku', async () => {
      runs++;
      await release.promise;
      return { text: 'done' };
    });
    await provider.register(manifest('haiku', textSchema, textSchema));
    const owner = await h.agent();

    const first = await owner.delegate('haiku', { text: 'relays' }, { brief, turn: 'turn-7' });
    const second = await owner.delegate('haiku', { text: 'relays' }, {
      brief: { ...brief, summary: 'User asked (rephrased): a short poem on relays.' }, turn: 'turn-7',
    });
    expect(second.duplicate).toBe(true);
    expect(second.id).toBe(first.id);
    release.open();
    await expect(first.result).resolves.toEqual({ text: 'done' });
    await expect(second.result).resolves.toEqual({ text: 'done' });
    expect(runs).toBe(1);
  });

  it('cancel() ends the task: the result rejects CANCELLED and the handler signal aborts', async () => {
    const provider = await h.agent();
    const started = gate<HandlerContext>();
    const aborted = gate<unknown>();
    provider.handle('slow', async (_input, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.open(ctx.signal.reason));
      await ctx.progress('started');
      started.open(ctx);
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return { text: 'too late' };
    });
    await provider.register(manifest('slow', {}, textSchema));
    const owner = await h.agent();

    const handle = await owner.delegate('slow', {});
    await started.promise;
    await handle.cancel('changed my mind');
    expect(handle.state).toBe('cancelled');
    expect(await codeOf(handle.result)).toBe('CANCELLED');
    expect(await aborted.promise).toMatchObject({ code: 'CANCELLED' });
  });

  it('aborting the delegate signal cancels the task', async () => {
    const provider = await h.agent();
    const started = gate();
    provider.handle('slow', async (_input, ctx) => {
      started.open();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return { text: 'x' };
    });
    await provider.register(manifest('slow', {}, textSchema));
    const owner = await h.agent();
    const controller = new AbortController();
    const handle = await owner.delegate('slow', {}, { signal: controller.signal });
    await started.promise;
    controller.abort();
    expect(await codeOf(handle.result)).toBe('CANCELLED');
  });
});
