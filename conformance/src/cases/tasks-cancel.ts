// Cancellation and sub-task cases (SPEC TSK-7, TSK-13, TSK-15): a cancel cascades down the parent chain with
// task-cancelled notices, stops delivering a queued request, and sub-task requests are refused unless their
// sender handles a live parent task.
import type { Envelope } from '@baton/spec';
import type { CaseContext, TestAgent } from '../context.ts';
import { uniqueCapability } from './helpers.ts';
import {
  cancelOf, expectNotDelivered, expectTaskNotice, openTask, queuedForOfflineHandler, receive, registerProvider, resultOf, threadOf, unknownTaskId, updateOf,
} from './tasks-helpers.ts';
import type { ConformanceCase } from './types.ts';

/** A sub-task request from `by` to `to` with `parent` = `parentId` and no thread (it joins its parent's thread, TSK-15). */
function subRequest(ctx: CaseContext, by: TestAgent, to: string, cap: string, parentId: string): Envelope {
  return ctx.envelope(by, { type: 'request', to, parent: parentId, body: { capability: cap, input: { sub: true } } });
}

export const taskCancelCases: ConformanceCase[] = [
  {
    id: 'TSK-007', area: 'tasks', level: 'MUST', requirements: ['TSK-13', 'TSK-15', 'TSK-7', 'TSK-17', 'TSK-10'],
    title: 'the owner cancels an in-flight task: task-cancelled notices to its handler, to the handler and the owner of its in-flight sub-task (on the parent\'s thread); then updates and cancels are TASK_TERMINAL, a result is stored as late, not delivered',
    async run(ctx) {
      const { owner, handler, req } = await openTask(ctx);
      const worker = await ctx.agent('sub-handler');
      const subCap = uniqueCapability('sub');
      await registerProvider(ctx, worker, subCap);
      const sub = subRequest(ctx, handler, worker.did, subCap, req.id);
      await ctx.sendAccepted(handler, sub);
      await receive(ctx, worker, sub);
      await ctx.sendAccepted(owner, cancelOf(ctx, owner, req));
      const want = { event: 'task-cancelled', reason: 'CANCELLED', state: 'cancelled', ...threadOf(req) } as const;
      await expectTaskNotice(ctx, handler, req.id, want);
      await expectTaskNotice(ctx, worker, sub.id, want);
      await expectTaskNotice(ctx, handler, sub.id, want);
      await ctx.sendRejected(handler, updateOf(ctx, handler, req), 'TASK_TERMINAL');
      await ctx.sendRejected(worker, updateOf(ctx, worker, sub), 'TASK_TERMINAL');
      await ctx.sendRejected(owner, cancelOf(ctx, owner, req), 'TASK_TERMINAL');
      const late = resultOf(ctx, worker, sub);
      await ctx.sendAccepted(worker, late);
      await expectNotDelivered(handler, late.id, 'a result for a cancelled task is not delivered (TSK-10, TSK-13)');
    },
  },
  {
    id: 'TSK-008', area: 'tasks', level: 'MUST', requirements: ['TSK-13', 'TSK-7'],
    title: 'a queued task (handler offline) can be cancelled: the cancel is accepted and the request is not delivered when the handler comes back',
    async run(ctx) {
      const { owner, handler, req } = await queuedForOfflineHandler(ctx);
      await ctx.sendAccepted(owner, cancelOf(ctx, owner, req));
      const back = await ctx.agent('handler-again', handler.key);
      await expectNotDelivered(back, req.id, 'the relay stops delivering the request of a cancelled task (TSK-13)');
      await ctx.sendRejected(owner, cancelOf(ctx, owner, req), 'TASK_TERMINAL');
    },
  },
  {
    id: 'TSK-009', area: 'tasks', level: 'MUST', requirements: ['TSK-15'],
    title: 'sub-task requests: parent unknown UNKNOWN_TASK; sent by anyone but the parent\'s handler NOT_TASK_PARTY; parent terminal TASK_TERMINAL; by the handler of a live parent: accepted',
    async run(ctx) {
      const { owner, handler, req, cap } = await openTask(ctx);
      const stranger = await ctx.agent('stranger');
      await ctx.sendRejected(handler, subRequest(ctx, handler, stranger.did, cap, unknownTaskId()), 'UNKNOWN_TASK');
      await ctx.sendRejected(stranger, subRequest(ctx, stranger, handler.did, cap, req.id), 'NOT_TASK_PARTY');
      await ctx.sendRejected(owner, subRequest(ctx, owner, stranger.did, cap, req.id), 'NOT_TASK_PARTY');
      await ctx.sendAccepted(handler, subRequest(ctx, handler, stranger.did, cap, req.id));
      const result = resultOf(ctx, handler, req);
      await ctx.sendAccepted(handler, result);
      await receive(ctx, owner, result);
      await ctx.sendRejected(handler, subRequest(ctx, handler, stranger.did, cap, req.id), 'TASK_TERMINAL');
    },
  },
];
