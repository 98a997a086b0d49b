// Task cases driven by the relay's own timers (SPEC TSK-10..TSK-12): deadlines from `exp` and from the
// manifest's timeout_ms (task-failed DEADLINE_EXCEEDED, late results stored but not delivered), and handler
// leases (requeue to another provider, HANDLER_LOST, renewal by updates and `working` frames).
import { check, show } from '../assert.ts';
import type { TestAgent } from '../context.ts';
import { requireProfile } from '../profile.ts';
import { SLACK_MS, firstAttemptAmong, pause, sendWorking } from './delivery-helpers.ts';
import { uniqueCapability } from './helpers.ts';
import {
  expectNotDelivered, expectTaskNotice, openTask, queuedForOfflineHandler, receive, registerProvider, requestTo, resultOf, takeTask, taskNoticeOf, threadOf, updateOf,
} from './tasks-helpers.ts';
import { getTask } from './tasks-views.ts';
import type { ConformanceCase } from './types.ts';

/** Lifetime (ms) of the deadlines the cases wait for. */
const TTL_MS = 600;
/** How long a relay should take to act on a passed deadline or lease (TSK-11 SHOULD: one second). */
const TIMER_MS = 1_000;

export const taskTimerCases: ConformanceCase[] = [
  {
    id: 'TSK-018', area: 'tasks', level: 'MUST', requirements: ['TSK-11', 'TSK-10', 'TSK-17', 'TYP-6'],
    title: 'a task past its exp fails DEADLINE_EXCEEDED (not before): relay-signed task-failed notices to owner and handler; the late result is accepted, recorded as late, not delivered',
    async run(ctx) {
      const localExp = Date.now() + TTL_MS;
      const { owner, handler, req } = await openTask(ctx, { request: { exp: ctx.now() + TTL_MS } });
      const want = { event: 'task-failed', reason: 'DEADLINE_EXCEEDED', state: 'failed', ...threadOf(req) } as const;
      const wait = TTL_MS + TIMER_MS + ctx.timeoutMs;
      const { at } = await expectTaskNotice(ctx, owner, req.id, want, wait);
      check(at >= localExp - SLACK_MS, 'no task-failed notice before the deadline (TSK-11)', `notice ${localExp - at} ms before exp`);
      await expectTaskNotice(ctx, handler, req.id, { ...want, handler: handler.did }, wait);
      const late = resultOf(ctx, handler, req, { status: 'ok', output: { late: true } });
      await ctx.sendAccepted(handler, late);
      await expectNotDelivered(owner, late.id, 'a late result is stored, not delivered (TSK-10)');
      const task = await getTask(ctx, owner, req.id);
      const recorded = (task.events ?? []).find((e) => (e.cause as { id?: unknown } | undefined)?.id === late.id);
      check(task.state === 'failed' && task.reason === 'DEADLINE_EXCEEDED' && task.late_results === 1 && recorded?.late === true,
        `task failed with reason DEADLINE_EXCEEDED, late_results 1, an event late: true caused by ${late.id} (TSK-10)`, show(task));
    },
  },
  {
    id: 'TSK-019', area: 'tasks', level: 'MUST', requirements: ['TSK-11'],
    title: 'without exp the deadline is acceptance + the recipient\'s manifest timeout_ms: a queued task then fails DEADLINE_EXCEEDED and its request is no longer delivered',
    async run(ctx) {
      const { owner, handler, req, sentAt } = await queuedForOfflineHandler(ctx, { timeout_ms: TTL_MS });
      const { at } = await expectTaskNotice(ctx, owner, req.id, { event: 'task-failed', reason: 'DEADLINE_EXCEEDED', state: 'failed', ...threadOf(req) }, TTL_MS + TIMER_MS + ctx.timeoutMs);
      check(at - sentAt >= TTL_MS - SLACK_MS, `no task-failed notice before timeout_ms = ${TTL_MS} ms after acceptance (TSK-11)`, `notice ${at - sentAt} ms after the send`);
      const back = await ctx.agent('handler-again', handler.key);
      await expectNotDelivered(back, req.id, 'the relay stops delivering the request of a failed task (TSK-11)');
    },
  },
  {
    id: 'TSK-020', area: 'tasks', level: 'MUST', requirements: ['TSK-12', 'TSK-17', 'RTE-3'],
    title: 'a lost handler\'s lease expires after task_lease_ms: task-requeued to the owner and the request goes to another provider (attempt 1); after max_task_attempts: task-failed HANDLER_LOST to owner and handler',
    async run(ctx) {
      requireProfile(ctx.limits, ['task_lease_ms', 'max_task_attempts']);
      const { task_lease_ms: lease, max_task_attempts: attempts } = ctx.limits;
      const cap = uniqueCapability('lease');
      let left: TestAgent[] = [];
      for (let i = 1; i <= attempts; i++) {
        const p = await ctx.agent(`provider-${i}`);
        await registerProvider(ctx, p, cap);
        left.push(p);
      }
      const owner = await ctx.agent('owner');
      const req = requestTo(ctx, owner, `cap:${cap}`, cap);
      await ctx.sendAccepted(owner, req);
      const wait = lease + TIMER_MS + ctx.timeoutMs;
      for (let i = 1; i <= attempts; i++) {
        const { agent, attempt } = await firstAttemptAmong(ctx, left, req.id);
        check(attempt.attempt === 1, 'the request delivered with attempt 1 (counts reset when the task is requeued, TSK-12)', show(attempt));
        await takeTask(ctx, agent, req);
        const takenAt = Date.now();
        const last = i === attempts;
        if (!last) {
          agent.conn.close();
          left = left.filter((p) => p !== agent);
        }
        const want = last
          ? { event: 'task-failed', reason: 'HANDLER_LOST', state: 'failed', attempts: i, ...threadOf(req) } as const
          : { event: 'task-requeued', reason: 'HANDLER_LOST', state: 'queued', handler: null, attempts: i, ...threadOf(req) } as const;
        const { at } = await expectTaskNotice(ctx, owner, req.id, want, wait);
        check(at - takenAt >= lease - SLACK_MS, `no ${want.event} notice before task_lease_ms = ${lease} ms after the receipt (TSK-12)`, `notice ${at - takenAt} ms after it`);
        if (last) await expectTaskNotice(ctx, agent, req.id, want, wait);
      }
    },
  },
  {
    id: 'TSK-021', area: 'tasks', level: 'MUST', requirements: ['TSK-12', 'DLV-3'],
    title: 'an update and working frames naming the task renew the handler\'s lease (not answered UNKNOWN_DELIVERY): no requeue after 2 x task_lease_ms, and the result is delivered',
    async run(ctx) {
      requireProfile(ctx.limits, ['task_lease_ms']);
      const lease = ctx.limits.task_lease_ms;
      const { owner, handler, req } = await openTask(ctx);
      const start = Date.now();
      const until = (fraction: number): Promise<void> => pause(start + lease * fraction - Date.now());
      await until(0.5);
      const progress = updateOf(ctx, handler, req);
      await ctx.sendAccepted(handler, progress);
      await receive(ctx, owner, progress);
      await until(1);
      sendWorking(handler, req);
      await until(1.5);
      sendWorking(handler, req);
      await until(2);
      check(await handler.conn.absent((f) => f.op === 'error', 0), 'working frames naming an in-flight task the agent handles are not answered (DLV-3, TSK-12)', 'an error frame');
      check(await owner.conn.absent(taskNoticeOf(req.id, 'task-requeued'), 0), 'no task-requeued notice while the handler renews its lease (TSK-12)', 'a task-requeued notice');
      const result = resultOf(ctx, handler, req);
      await ctx.sendAccepted(handler, result);
      await receive(ctx, owner, result);
    },
  },
];
