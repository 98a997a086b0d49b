/**
 * Clarifications on the task (SPEC TSK-5, TSK-6, TSK-8) against a real relay: a question answered through the
 * handle; a question reaching an owner process that restarted (global `onQuestion`, `agent.task(id)`); and an
 * answer reaching a handler process with no context ("clarification reaching an agent with no context"): the
 * handler runs again for the request from the verified context, its first `askClarification()` resolving with
 * the answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '@baton/spec';
import type { Question, TaskUpdate } from '../src/index.ts';
import { codeOf, gate, manifest, startHarness, textSchema } from './helpers.ts';
import type { Harness } from './helpers.ts';

let h: Harness;
beforeEach(async () => { h = await startHarness(); });
afterEach(async () => { await h.stop(); });

const choiceSchema = { type: 'string', enum: ['formal', 'casual'] };

describe('clarifications', () => {
  it('the handler asks, the owner answers through handle.onQuestion, the handler resumes with the value', async () => {
    const provider = await h.agent();
    provider.handle('letter', async (input, ctx) => {
      const tone = await ctx.askClarification({ text: 'Which tone?', schema: choiceSchema, choices: ['formal', 'casual'] });
      return { text: `${String(tone)} letter to ${(input as { text: string }).text}` };
    });
    await provider.register(manifest('letter', textSchema, textSchema));
    const owner = await h.agent();

    const handle = await owner.delegate('letter', { text: 'Ada' });
    const asked: Question[] = [];
    handle.onQuestion((q) => { asked.push(q); return 'casual'; });
    await expect(handle.result).resolves.toEqual({ text: 'casual letter to Ada' });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ task: handle.id, text: 'Which tone?', schema: choiceSchema, choices: ['formal', 'casual'], handler: provider.did });
    expect(asked[0]!.request.id).toBe(handle.id);
    expect(asked[0]!.update.from).toBe(provider.did);
  });

  it('an answer that violates the question schema is refused by the relay and the task keeps waiting', async () => {
    const provider = await h.agent();
    provider.handle('letter', async (_input, ctx) => ({ text: String(await ctx.askClarification({ text: 'Which tone?', schema: choiceSchema })) }));
    await provider.register(manifest('letter', textSchema, textSchema));
    const owner = await h.agent();
    const handle = await owner.delegate('letter', { text: 'Ada' });
    for await (const update of handle.events()) if (update.kind === 'question') break;
    expect(handle.state).toBe('awaiting-input');
    expect(await codeOf(handle.answer('shouty'))).toBe('INPUT_SCHEMA_VIOLATION');
    await handle.answer('formal');
    await expect(handle.result).resolves.toEqual({ text: 'formal' });
  });

  it('a question reaching a restarted owner goes to agent.onQuestion with its context; agent.task(id) gets the result', async () => {
    const provider = await h.agent();
    const asking = gate();
    provider.handle('letter', async (_input, ctx) => {
      asking.open();
      return { text: String(await ctx.askClarification('Which tone?')) };
    });
    await provider.register(manifest('letter', textSchema, textSchema));
    const ownerKey = generateKeyPair();
    const first = await h.agent({ key: ownerKey });
    const id = (await first.delegate('letter', { text: 'Ada' })).id;
    await first.close();
    await asking.promise;

    const second = await h.agent({ key: ownerKey });
    const asked = gate<Question>();
    second.onQuestion((q) => { asked.open(q); return 'formal'; });
    const question = await asked.promise;
    expect(question).toMatchObject({ task: id, text: 'Which tone?', handler: provider.did });
    expect(question.request).toMatchObject({ id, from: ownerKey.did, body: { capability: 'letter', input: { text: 'Ada' } } });
    await expect(second.task(id).result).resolves.toEqual({ text: 'formal' });
  });

  it('clarification reaching an agent with no context: a restarted handler redoes the work from the verified context', async () => {
    const providerKey = generateKeyPair();
    const first = await h.agent({ key: providerKey });
    first.handle('letter', async (_input, ctx) => ({ text: `first:${String(await ctx.askClarification('Which tone?'))}` }));
    await first.register(manifest('letter', textSchema, textSchema));
    const owner = await h.agent();
    const handle = await owner.delegate({ capability: 'letter', agent: providerKey.did }, { text: 'Ada' });
    const updates: TaskUpdate[] = [];
    for await (const update of handle.events()) {
      updates.push(update);
      if (update.kind === 'question') break;
    }
    await first.close(); // the handler process dies while waiting; its running work is gone

    await handle.answer('casual'); // stored in the handler's mailbox
    const runs: { input: unknown; asked: unknown; task: string }[] = [];
    const second = await h.agent({ key: providerKey });
    second.handle('letter', async (input, ctx) => {
      const tone = await ctx.askClarification('Which tone?');
      runs.push({ input, asked: tone, task: ctx.task.id });
      await ctx.progress('writing');
      return { text: `second:${String(tone)}` };
    });
    await second.register(manifest('letter', textSchema, textSchema));
    await expect(handle.result).resolves.toEqual({ text: 'second:casual' });
    expect(runs).toEqual([{ input: { text: 'Ada' }, asked: 'casual', task: handle.id }]);
  });
});
