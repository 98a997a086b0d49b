// Task lifecycle cases (SPEC section 21.1-21.2, TYP-7): the transitions of TSK-3 driven over the wire
// (request, receipt, progress, question, answer, result), the clarification context of TSK-8, and the
// refusals of TSK-4 with their exact codes, including the envelope rules of TYP-7, TSK-5 and RTE-4.
import { check, show } from '../assert.ts';
import type { ConformanceCase } from './types.ts';
import { expectAlive } from './helpers.ts';
import {
  answerOf, cancelOf, openTask, progressThenComplete, questionOf, receive, requestTo, resultOf, sameEnvelope, takeTask,
  unknownTaskId, updateOf,
} from './tasks-helpers.ts';

export const taskLifecycleCases: ConformanceCase[] = [
  {
    id: 'TSK-001', area: 'tasks', level: 'MUST', requirements: ['TSK-1', 'TSK-3', 'TSK-5', 'TYP-2', 'TYP-7', 'TSK-2'],
    title: 'request -> queued, receipt -> in-flight, progress update delivered to the owner, ok result -> completed and delivered; the completed task refuses updates (TASK_TERMINAL)',
    async run(ctx) {
      const { owner, handler, req } = await openTask(ctx);
      await owner.conn.expect(`delivered for request ${req.id}`, (f) => f.op === 'delivered' && f.id === req.id);
      await progressThenComplete(ctx, owner, handler, req);
      await ctx.sendRejected(handler, updateOf(ctx, handler, req), 'TASK_TERMINAL');
    },
  },
  {
    id: 'TSK-002', area: 'tasks', level: 'MUST', requirements: ['TSK-5', 'TSK-6', 'TSK-8', 'TSK-3', 'TSK-4'],
    title: 'a question moves the task to awaiting-input and reaches the owner with context.request; the answer is schema-checked, moves it back to in-flight and reaches the handler with context.request and context.question',
    async run(ctx) {
      const { owner, handler, req } = await openTask(ctx);
      const asked = questionOf(ctx, handler, req, { text: 'Which colour?', schema: { type: 'string' }, choices: ['blue', 'red'] });
      await ctx.sendAccepted(handler, asked);
      const q = await receive(ctx, owner, asked);
      const qContext = q.context as { request?: unknown } | undefined;
      check(sameEnvelope(qContext?.request, req), 'deliver of the question with context.request = the request exactly as accepted (TSK-8)', show(q.context));
      await ctx.sendRejected(handler, updateOf(ctx, handler, req), 'INVALID_TRANSITION');
      await ctx.sendRejected(owner, answerOf(ctx, owner, req, handler.did, 42), 'INPUT_SCHEMA_VIOLATION');
      const answer = answerOf(ctx, owner, req, handler.did, 'blue');
      await ctx.sendAccepted(owner, answer);
      const a = await receive(ctx, handler, answer);
      const aContext = a.context as { request?: unknown; question?: unknown } | undefined;
      check(sameEnvelope(aContext?.request, req) && sameEnvelope(aContext?.question, asked),
        'deliver of the answer with context.request = the request and context.question = the update that asked (TSK-8)', show(a.context));
      await ctx.sendRejected(owner, answerOf(ctx, owner, req, handler.did, 'red'), 'INVALID_TRANSITION');
      const result = resultOf(ctx, handler, req);
      await ctx.sendAccepted(handler, result);
      await receive(ctx, owner, result);
    },
  },
  {
    id: 'TSK-003', area: 'tasks', level: 'MUST', requirements: ['TSK-3', 'TSK-2', 'TSK-4'],
    title: 'a result before the receipt (queued -> completed) is accepted and delivered; the later receipt changes nothing; a completed task refuses updates and cancels (TASK_TERMINAL)',
    async run(ctx) {
      const { owner, handler, req } = await openTask(ctx, { take: false });
      const result = resultOf(ctx, handler, req, { status: 'ok', output: { early: true } });
      await ctx.sendAccepted(handler, result);
      await receive(ctx, owner, result);
      await takeTask(ctx, handler, req);
      await ctx.sendRejected(handler, updateOf(ctx, handler, req), 'TASK_TERMINAL');
      await ctx.sendRejected(owner, cancelOf(ctx, owner, req), 'TASK_TERMINAL');
    },
  },
  {
    id: 'TSK-004', area: 'tasks', level: 'MUST', requirements: ['TSK-3', 'TSK-4'],
    title: 'task envelopes naming no known task: UNKNOWN_TASK (update, answer, cancel, result); an update or answer while queued: INVALID_TRANSITION',
    async run(ctx) {
      const { owner, handler, req } = await openTask(ctx, { take: false });
      const ghost = { ...req, id: unknownTaskId() };
      await ctx.sendRejected(handler, updateOf(ctx, handler, ghost), 'UNKNOWN_TASK');
      await ctx.sendRejected(owner, answerOf(ctx, owner, ghost, handler.did, 'x'), 'UNKNOWN_TASK');
      await ctx.sendRejected(owner, cancelOf(ctx, owner, ghost), 'UNKNOWN_TASK');
      await ctx.sendRejected(handler, resultOf(ctx, handler, ghost), 'UNKNOWN_TASK');
      await ctx.sendRejected(handler, updateOf(ctx, handler, req), 'INVALID_TRANSITION');
      await ctx.sendRejected(owner, answerOf(ctx, owner, req, handler.did, 'x'), 'INVALID_TRANSITION');
      await expectAlive(handler, 'task refusals');
    },
  },
  {
    id: 'TSK-005', area: 'tasks', level: 'MUST', requirements: ['TSK-3', 'TSK-4'],
    title: 'NOT_TASK_PARTY: a stranger\'s update, result or cancel, the owner\'s update, the handler\'s answer, an update or answer addressed to a third agent; the task is unharmed',
    async run(ctx) {
      const { owner, handler, req } = await openTask(ctx);
      const stranger = await ctx.agent('stranger');
      await ctx.sendRejected(stranger, updateOf(ctx, stranger, req), 'NOT_TASK_PARTY');
      await ctx.sendRejected(stranger, resultOf(ctx, stranger, req), 'NOT_TASK_PARTY');
      await ctx.sendRejected(stranger, cancelOf(ctx, stranger, req), 'NOT_TASK_PARTY');
      await ctx.sendRejected(owner, updateOf(ctx, owner, req, {}, { to: handler.did }), 'NOT_TASK_PARTY');
      await ctx.sendRejected(handler, answerOf(ctx, handler, req, owner.did, 'x'), 'NOT_TASK_PARTY');
      await ctx.sendRejected(handler, updateOf(ctx, handler, req, {}, { to: stranger.did }), 'NOT_TASK_PARTY');
      await ctx.sendRejected(owner, answerOf(ctx, owner, req, stranger.did, 'x'), 'NOT_TASK_PARTY');
      const progress = updateOf(ctx, handler, req);
      await ctx.sendAccepted(handler, progress);
      await receive(ctx, owner, progress);
    },
  },
  {
    id: 'TSK-006', area: 'tasks', level: 'MUST', requirements: ['TYP-7', 'TSK-5', 'RTE-4', 'TSK-7'],
    title: 'INVALID_ENVELOPE: update or answer whose parent differs from body.task, awaiting-input without a question, in-flight with one, a cancel not addressed to the relay',
    async run(ctx) {
      const { owner, handler, req } = await openTask(ctx);
      const other = requestTo(ctx, owner, handler.did, req.body.capability as string);
      await ctx.sendAccepted(owner, other);
      await receive(ctx, handler, other);
      await ctx.sendRejected(handler, updateOf(ctx, handler, req, {}, { parent: other.id }), 'INVALID_ENVELOPE');
      await ctx.sendRejected(owner, answerOf(ctx, owner, req, handler.did, 'x', { parent: other.id }), 'INVALID_ENVELOPE');
      await ctx.sendRejected(handler, updateOf(ctx, handler, req, { state: 'awaiting-input', progress: { message: 'no question' } }), 'INVALID_ENVELOPE');
      await ctx.sendRejected(handler, updateOf(ctx, handler, req, { question: { text: 'a question while in-flight?' } }), 'INVALID_ENVELOPE');
      await ctx.sendRejected(owner, cancelOf(ctx, owner, req, handler.did), 'INVALID_ENVELOPE');
      const progress = updateOf(ctx, handler, req);
      await ctx.sendAccepted(handler, progress);
      await receive(ctx, owner, progress);
    },
  },
];
