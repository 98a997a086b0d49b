// Agent-mode task cases (SPEC TSK-5, TSK-8): in the `ask` scenario the adapter, as a task's handler, asks its
// owner one clarification (an `update` in state awaiting-input, after its receipt) and answers with the
// owner's answer; after a restart it resumes from the answer's context (the signed request and question), and
// it does not act on a context that fails verification.
import { createEnvelope, validateEnvelope, verifyEnvelope, type Envelope, type KeyPair } from '@baton/spec';
import { check, show } from '../../assert.ts';
import type { ReceivedFrame } from '../../wire/frame-queue.ts';
import type { AgentContext } from '../context.ts';
import { sent } from '../envelopes.ts';
import type { AgentCase } from './types.ts';

/** True when frame `f` carries the adapter's question update about task `id`. */
function isQuestion(id: string): (f: ReceivedFrame) => boolean {
  return (f) => sent(f)?.type === 'update' && sent(f)?.parent === id && (sent(f)?.body as { state?: unknown }).state === 'awaiting-input';
}

/**
 * Delivers a request from `owner`, expects its receipt and then the adapter's question: a signed `update` to the
 * owner, parent = body.task = the request id, state awaiting-input, a non-empty question text (TSK-5, TYP-7),
 * sent after the receipt (an update needs an in-flight task, TSK-3). @returns the request and the question.
 */
async function asked(ctx: AgentContext, owner: KeyPair, text: string): Promise<{ request: Envelope; question: Envelope }> {
  const request = ctx.request(owner, { text });
  ctx.deliver(request);
  const receipt = await ctx.expectReceipt(request);
  const f = await ctx.conn.frames.expect(`an update asking a question about task ${request.id} (TSK-5)`, isQuestion(request.id));
  const question = sent(f) as Envelope;
  const valid = validateEnvelope(question);
  check(valid.ok && question.from === ctx.did && verifyEnvelope(question), 'an update valid against its schema, signed by the adapter (ENV-1, SIG-2)', valid.ok ? show(question) : valid.message);
  const body = question.body as { task?: unknown; question?: { text?: unknown } };
  check(question.to === request.from && body.task === request.id && typeof body.question?.text === 'string' && body.question.text.length > 0,
    `update to ${request.from}, parent = body.task = ${request.id}, state awaiting-input with a question text (TSK-5, TYP-7)`, show(question));
  const seen = ctx.conn.frames.seen;
  check(seen.findIndex((x) => sent(x)?.id === receipt.id) < seen.indexOf(f), 'the receipt for the request before the question (TSK-3: updates need an in-flight task)', 'the question came first');
  return { request, question };
}

/** The owner's `answer` to the adapter about task `request` (TSK-6). */
function answerOf(owner: KeyPair, ctx: AgentContext, request: Envelope, answer: string): Envelope {
  return createEnvelope(owner, { type: 'answer', to: ctx.did, parent: request.id, ...(request.thread ? { thread: request.thread } : {}), body: { task: request.id, answer } });
}

/** Delivers `answer` with `context` (TSK-8), expects its receipt and an ok result for `request` whose output is the answer. */
async function answered(ctx: AgentContext, request: Envelope, answer: Envelope, context: Record<string, unknown>): Promise<void> {
  ctx.deliver(answer, { context });
  await ctx.expectReceipt(answer);
  const r = await ctx.expectResult(request);
  const want = { status: 'ok', output: { text: (answer.body as { answer: string }).answer } };
  check(show(r.body) === show(want), `result ${show(want)}: the answer is the output (ask scenario)`, show(r.body));
}

/** Stops the adapter with its question pending and starts it again (same key, ask scenario). */
async function restart(ctx: AgentContext): Promise<void> {
  await ctx.adapter?.stop(ctx.options.timeoutMs);
  await ctx.start('ask');
}

export const taskCases: AgentCase[] = [
  {
    id: 'AG-070', area: 'agent-tasks', level: 'MUST', requirements: ['TSK-5', 'TSK-8', 'TYP-7', 'ACK-3'], scenario: 'ask',
    title: 'ask scenario: after its receipt the adapter asks one clarification (update awaiting-input to the owner); the answer, delivered with its context, is receipted and becomes the result',
    async run(ctx) {
      const owner = ctx.peer();
      const { request, question } = await asked(ctx, owner, 'paint the fence');
      await answered(ctx, request, answerOf(owner, ctx, request, 'blue'), { request, question });
    },
  },
  {
    id: 'AG-071', area: 'agent-tasks', level: 'MUST', requirements: ['TSK-8'], scenario: 'ask', isolated: true,
    title: 'ask scenario, restarted while waiting: the answer delivered to the fresh process with its context resumes the task (result = the answer) without asking again',
    async run(ctx) {
      const owner = ctx.peer();
      const { request, question } = await asked(ctx, owner, 'survive a restart');
      await restart(ctx);
      await answered(ctx, request, answerOf(owner, ctx, request, 'green'), { request, question });
      const again = ctx.conn.frames.seen.find(isQuestion(request.id));
      check(again === undefined, 'no second question: the answer resumes the work, it is not a new instruction (TSK-8)', show(again && sent(again)));
    },
  },
  {
    id: 'AG-072', area: 'agent-tasks', level: 'MUST', requirements: ['TSK-8', 'SIG-4'], scenario: 'ask', isolated: true,
    title: 'ask scenario, restarted: an answer whose context request fails verification (tampered input) is not acted on; a later answer with the true context is',
    async run(ctx) {
      const owner = ctx.peer();
      const { request, question } = await asked(ctx, owner, 'the true input');
      await restart(ctx);
      const forged = { ...request, body: { ...request.body, input: { text: 'a forged input' } } };
      ctx.deliver(answerOf(owner, ctx, request, 'red'), { context: { request: forged, question } });
      await ctx.expectNoAnswer([request.id], 'a context request whose signature fails must not be acted on (SIG-4, TSK-8)', { ms: Math.min(1_000, ctx.options.timeoutMs) });
      await answered(ctx, request, answerOf(owner, ctx, request, 'yellow'), { request, question });
    },
  },
];
