// Observing tasks (SPEC TSK-18, TSK-19): live task-event frames for the owner's tasks on a watching
// connection, one task with its history over signed HTTP (who may see it), and filtered, paged listings.
import { canonicalize, type Envelope } from '@baton/spec';
import { check, show } from '../assert.ts';
import { expectHttpError, operatorRequest, signedRequest } from './dlq-helpers.ts';
import {
  openTask, progressThenComplete, receive, requestTo, resultOf, takeTask, taskParties, unknownTaskId,
} from './tasks-helpers.ts';
import { deliverOf } from './delivery-helpers.ts';
import { getTask, listTasks, nextTaskEvent, taskEventOf, watch } from './tasks-views.ts';
import type { ConformanceCase } from './types.ts';

/** One history event reduced to `from->to cause-type cause-id by cause-sender` for comparison. */
function step(e: Record<string, unknown>): string {
  const cause = (e.cause ?? {}) as Record<string, unknown>;
  return `${String(e.from)}->${String(e.to)} ${String(cause.type)} ${String(cause.id)} by ${String(cause.sender)}`;
}

/** True when the events' `n` values are 1, 2, 3, ... in order. */
function numbered(events: ReadonlyArray<Record<string, unknown>>): boolean {
  return events.every((e, i) => e.n === i + 1);
}

export const taskObserveCases: ConformanceCase[] = [
  {
    id: 'TSK-015', area: 'tasks', level: 'MUST', requirements: ['TSK-19'],
    title: 'watch is answered watching; the owner then gets a task-event frame for each transition of its task (queued, in-flight, completed) naming the causing envelope; the handler gets none',
    async run(ctx) {
      const { owner, handler, cap } = await taskParties(ctx);
      await watch(owner);
      await watch(handler);
      const req = requestTo(ctx, owner, handler.did, cap);
      await ctx.sendAccepted(owner, req);
      await handler.conn.expect(`deliver of request ${req.id}`, deliverOf(req.id));
      const receipt = await takeTask(ctx, handler, req);
      const result = resultOf(ctx, handler, req);
      await ctx.sendAccepted(handler, result);
      await receive(ctx, owner, result);
      const seen = [await nextTaskEvent(owner, req.id), await nextTaskEvent(owner, req.id), await nextTaskEvent(owner, req.id)];
      const want = [
        `null->queued request ${req.id} by ${owner.did}`, `queued->in-flight receipt ${receipt.id} by ${handler.did}`,
        `in-flight->completed result ${result.id} by ${handler.did}`,
      ];
      check(show(seen.map(step)) === show(want), `task-event frames in order: ${show(want)} (TSK-19)`, show(seen));
      check(await handler.conn.absent(taskEventOf(req.id), 0), 'no task-event frames about a task the agent does not own (TSK-19)', 'a task-event frame on the handler\'s connection');
    },
  },
  {
    id: 'TSK-016', area: 'tasks', level: 'MUST', requirements: ['TSK-18', 'TSK-1', 'HTA-1'],
    title: 'GET /v1/tasks/<id> (signed) shows owner and handler the task with its record and full history; a stranger and a missing id get 404 NOT_FOUND, no credentials 401',
    async run(ctx) {
      const { owner, handler, req, cap } = await openTask(ctx, { input: { text: 'record me' } });
      const { progress, result } = await progressThenComplete(ctx, owner, handler, req);
      const task = await getTask(ctx, owner, req.id);
      check(task.owner === owner.did && task.handler === handler.did && task.capability === cap && task.to === handler.did && task.state === 'completed'
        && task.thread === req.thread && task.attempts === 1 && canonicalize(task.input) === canonicalize(req.body.input) && canonicalize(task.result) === canonicalize(result.body),
      `task ${req.id}: owner, handler, capability, to, thread, input, attempts 1, state completed and the result body (TSK-1)`, show(task));
      const events = task.events ?? [];
      const history = events.map(step);
      const receiptEvent = events[1]?.cause as { id?: unknown } | undefined;
      const want = [
        `null->queued request ${req.id} by ${owner.did}`, `queued->in-flight receipt ${String(receiptEvent?.id)} by ${handler.did}`,
        `in-flight->in-flight update ${progress.id} by ${handler.did}`, `in-flight->completed result ${result.id} by ${handler.did}`,
      ];
      check(show(history) === show(want) && numbered(events), `history ${show(want)}, events numbered from 1 (TSK-1, TSK-18)`, show(events));
      await getTask(ctx, handler, req.id);
      const stranger = await ctx.agent('stranger');
      expectHttpError(await signedRequest(ctx, stranger, 'GET', `/v1/tasks/${req.id}`), 404, 'NOT_FOUND', 'a task the caller is no party to');
      expectHttpError(await signedRequest(ctx, owner, 'GET', `/v1/tasks/${unknownTaskId()}`), 404, 'NOT_FOUND', 'a missing task');
      expectHttpError(await ctx.http('GET', `/v1/tasks/${req.id}`), 401, 'UNAUTHORIZED', 'a request without credentials');
      if (ctx.operatorToken !== undefined) {
        const asOperator = await operatorRequest(ctx, 'GET', `/v1/tasks/${req.id}`);
        check(asOperator.status === 200 && (asOperator.body as { task?: { id?: unknown } } | null)?.task?.id === req.id, `200 with task ${req.id} for the operator token (TSK-18)`, show(asOperator));
      }
    },
  },
  {
    id: 'TSK-017', area: 'tasks', level: 'MUST', requirements: ['TSK-18'],
    title: 'GET /v1/tasks filters by thread, state, owner and handler, pages in ascending id with limit, next and after, omits events, shows a stranger nothing; malformed parameters: 400 INVALID_FRAME',
    async run(ctx) {
      const t = await taskParties(ctx);
      const thread = unknownTaskId();
      const made = [0, 1, 2].map(() => requestTo(ctx, t.owner, t.handler.did, t.cap, {}, { thread }));
      for (const r of made) {
        await ctx.sendAccepted(t.owner, r);
        await t.handler.conn.expect(`deliver of request ${r.id}`, deliverOf(r.id));
      }
      const [r1, r2, r3] = made.sort((a, b) => (a.id < b.id ? -1 : 1)) as [Envelope, Envelope, Envelope];
      const [first, second, third] = [r1.id, r2.id, r3.id];
      await takeTask(ctx, t.handler, r1);
      await takeTask(ctx, t.handler, r3);
      await ctx.sendAccepted(t.handler, resultOf(ctx, t.handler, r2));
      await takeTask(ctx, t.handler, r2);
      const q = `thread=${thread}`;
      const page1 = await listTasks(ctx, t.owner, `${q}&limit=2`);
      check(show(page1.ids) === show([first, second]) && page1.next === second && page1.tasks.every((x) => x.events === undefined),
        `tasks ${show([first, second])} without events, next = ${second} (TSK-18)`, show(page1));
      const page2 = await listTasks(ctx, t.owner, `${q}&limit=2&after=${second}`);
      check(show(page2.ids) === show([third]) && page2.next === undefined, `tasks ${show([third])} and no next after ${second}`, show(page2));
      const running = await listTasks(ctx, t.owner, `${q}&state=in-flight`);
      check(show(running.ids) === show([first, third]), `state=in-flight: ${show([first, third])}`, show(running.ids));
      const done = await listTasks(ctx, t.handler, `owner=${encodeURIComponent(t.owner.did)}&handler=${encodeURIComponent(t.handler.did)}&state=completed&${q}`);
      check(show(done.ids) === show([second]), `the handler's listing by owner, handler and state=completed: ${show([second])}`, show(done.ids));
      const stranger = await ctx.agent('stranger');
      const none = await listTasks(ctx, stranger, q);
      check(none.ids.length === 0, 'a stranger sees none of the thread\'s tasks (TSK-18)', show(none.ids));
      for (const bad of ['limit=0', 'limit=abc', 'state=sleeping']) {
        expectHttpError(await signedRequest(ctx, t.owner, 'GET', `/v1/tasks?${bad}`), 400, 'INVALID_FRAME', `GET /v1/tasks?${bad}`);
      }
    },
  },
];
