// Delegation checks at the relay (SPEC TSK-10, TSK-14, TSK-16): idempotency keys (duplicate with the
// existing task, conflict), review loops with revise_of (refusals, the revision count, REVISION_LIMIT with the
// needs-human notice and the flagged thread), and the provider's input and output schemas.
import type { Envelope } from '@baton/spec';
import { check, show } from '../assert.ts';
import type { CaseContext } from '../context.ts';
import { requireProfile } from '../profile.ts';
import { deliverOf } from './delivery-helpers.ts';
import { uniqueCapability } from './helpers.ts';
import {
  expectNotDelivered, expectTaskNotice, receive, requestTo, resultOf, takeTask, taskNoticeOf, taskParties, unknownTaskId, type TaskPeers,
} from './tasks-helpers.ts';
import { getTask } from './tasks-views.ts';
import type { ConformanceCase } from './types.ts';

/** A brief (TSK-9) whose prose differs by `summary`. */
function brief(summary: string, feedback?: string): Record<string, unknown> {
  return { summary, next_action: 'do the work', ...(feedback === undefined ? {} : { feedback }) };
}

/** A request from the owner of `t` to its handler asking to redo task `of`, on `thread` (none when undefined). */
function revision(ctx: CaseContext, t: TaskPeers, of: string, thread: string | undefined): Envelope {
  return ctx.envelope(t.owner, {
    type: 'request', to: t.handler.did, ...(thread === undefined ? {} : { thread }),
    body: { capability: t.cap, input: {}, revise_of: of, brief: brief('first draft', 'shorter please') },
  });
}

/** Sends `req` from the owner, expects it accepted and delivered to the handler. */
async function delegate(ctx: CaseContext, t: TaskPeers, req: Envelope): Promise<void> {
  await ctx.sendAccepted(t.owner, req);
  await t.handler.conn.expect(`deliver of request ${req.id}`, deliverOf(req.id));
}

/**
 * Delegates `req` and has the handler complete it like a provider that acknowledges on completion: the ok result
 * before the receipt (TSK-3), which then changes nothing. The owner receives the result.
 */
async function delegateAndComplete(ctx: CaseContext, t: TaskPeers, req: Envelope): Promise<void> {
  await delegate(ctx, t, req);
  const result = resultOf(ctx, t.handler, req);
  await ctx.sendAccepted(t.handler, result);
  await takeTask(ctx, t.handler, req);
  await receive(ctx, t.owner, result);
}

const SCHEMAS = {
  input_schema: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
  output_schema: { type: 'object', required: ['summary'], properties: { summary: { type: 'string' } } },
};

export const taskDelegationCases: ConformanceCase[] = [
  {
    id: 'TSK-010', area: 'tasks', level: 'MUST', requirements: ['TSK-14'],
    title: 'idempotency key: same owner, key, to, capability and input with another brief -> accepted, duplicate, with the existing task; nothing delivered; other input -> IDEMPOTENCY_CONFLICT; another owner\'s same key is a new task',
    async run(ctx) {
      const t = await taskParties(ctx);
      const key = `conf-${unknownTaskId()}`;
      const input = { text: 'the same work' };
      const withBrief = (summary: string) => ({ idempotency_key: key, body: { capability: t.cap, input, brief: brief(summary) } });
      const first = requestTo(ctx, t.owner, t.handler.did, t.cap, input, withBrief('first wording'));
      await delegate(ctx, t, first);
      await takeTask(ctx, t.handler, first);
      const again = requestTo(ctx, t.owner, t.handler.did, t.cap, input, withBrief('the same work, worded again'));
      const dup = await ctx.sendAccepted(t.owner, again);
      const task = dup.task as { id?: unknown; state?: unknown } | undefined;
      check(dup.duplicate === true && task?.id === first.id && task.state === 'in-flight',
        `{"op":"accepted","id":"${again.id}","duplicate":true,"task":{"id":"${first.id}","state":"in-flight"}} (TSK-14, ACK-1 shape)`, show(dup));
      await expectNotDelivered(t.handler, again.id, 'an idempotent duplicate creates no task (TSK-14)');
      await ctx.sendRejected(t.owner, requestTo(ctx, t.owner, t.handler.did, t.cap, { text: 'other work' }, { idempotency_key: key }), 'IDEMPOTENCY_CONFLICT');
      const other = await ctx.agent('other-owner');
      const theirs = requestTo(ctx, other, t.handler.did, t.cap, input, { idempotency_key: key });
      const fresh = await ctx.sendAccepted(other, theirs);
      check(fresh.duplicate !== true, 'another owner\'s request with the same key accepted as a new task (keys are per owner, TSK-14)', show(fresh));
      await t.handler.conn.expect(`deliver of request ${theirs.id}`, deliverOf(theirs.id));
    },
  },
  {
    id: 'TSK-011', area: 'tasks', level: 'MUST', requirements: ['TSK-16'],
    title: 'revise_of: unknown task UNKNOWN_TASK, a task not completed INVALID_TRANSITION, no thread INVALID_ENVELOPE; a revision of a completed task on its thread is accepted with revision 1',
    async run(ctx) {
      const t = await taskParties(ctx);
      const done = requestTo(ctx, t.owner, t.handler.did, t.cap);
      await delegateAndComplete(ctx, t, done);
      const open = requestTo(ctx, t.owner, t.handler.did, t.cap);
      await delegate(ctx, t, open);
      await ctx.sendRejected(t.owner, revision(ctx, t, unknownTaskId(), done.thread), 'UNKNOWN_TASK');
      await ctx.sendRejected(t.owner, revision(ctx, t, open.id, open.thread), 'INVALID_TRANSITION');
      await ctx.sendRejected(t.owner, revision(ctx, t, done.id, undefined), 'INVALID_ENVELOPE');
      const redo = revision(ctx, t, done.id, done.thread);
      await delegate(ctx, t, redo);
      const view = await getTask(ctx, t.owner, redo.id);
      check(view.revision === 1 && view.revise_of === done.id && view.thread === done.thread,
        `task ${redo.id} with revision 1, revise_of ${done.id}, thread ${String(done.thread)} (TSK-16)`, show(view));
    },
  },
  {
    id: 'TSK-012', area: 'tasks', level: 'MUST', requirements: ['TSK-16', 'TSK-17'],
    title: 'revisions are counted per thread; the one beyond max_revisions is REVISION_LIMIT, flags the thread and sends one needs-human notice about the revised task',
    async run(ctx) {
      requireProfile(ctx.limits, ['max_revisions']);
      const max = ctx.limits.max_revisions;
      const t = await taskParties(ctx);
      const thread = unknownTaskId();
      let prev = requestTo(ctx, t.owner, t.handler.did, t.cap, {}, { thread });
      await delegateAndComplete(ctx, t, prev);
      for (let i = 1; i <= max; i++) {
        const next = revision(ctx, t, prev.id, thread);
        await delegateAndComplete(ctx, t, next);
        const view = await getTask(ctx, t.owner, next.id);
        check(view.revision === i, `revision ${i} of ${max} on thread ${thread} (TSK-16)`, show(view));
        prev = next;
      }
      await ctx.sendRejected(t.owner, revision(ctx, t, prev.id, thread), 'REVISION_LIMIT');
      await expectTaskNotice(ctx, t.owner, prev.id, { event: 'needs-human', reason: 'REVISION_LIMIT', thread });
      const flagged = await getTask(ctx, t.owner, prev.id);
      check(flagged.flagged === true, `the revised task ${prev.id} flagged for human attention (TSK-16)`, show(flagged));
      await ctx.sendRejected(t.owner, revision(ctx, t, prev.id, thread), 'REVISION_LIMIT');
      check(await t.owner.conn.absent(taskNoticeOf(prev.id, 'needs-human'), 300), 'only the first REVISION_LIMIT refusal sends a needs-human notice (TSK-16)', 'a second needs-human notice');
    },
  },
  {
    id: 'TSK-013', area: 'tasks', level: 'MUST', requirements: ['TSK-10', 'RTE-1'],
    title: 'a request whose input fails the chosen provider\'s input_schema (direct or by capability): INPUT_SCHEMA_VIOLATION, not stored, not delivered; a capability the recipient did not register is not checked',
    async run(ctx) {
      const t = await taskParties(ctx, SCHEMAS);
      const direct = requestTo(ctx, t.owner, t.handler.did, t.cap, { n: 1 });
      await ctx.sendRejected(t.owner, direct, 'INPUT_SCHEMA_VIOLATION');
      await ctx.sendRejected(t.owner, direct, 'INPUT_SCHEMA_VIOLATION');
      const routed = requestTo(ctx, t.owner, `cap:${t.cap}`, t.cap, { text: 42 });
      await ctx.sendRejected(t.owner, routed, 'INPUT_SCHEMA_VIOLATION');
      await expectNotDelivered(t.handler, direct.id, 'a request refused with INPUT_SCHEMA_VIOLATION is not stored (TSK-10)');
      await expectNotDelivered(t.handler, routed.id, 'a request refused with INPUT_SCHEMA_VIOLATION is not stored (TSK-10)', 0);
      await delegate(ctx, t, requestTo(ctx, t.owner, `cap:${t.cap}`, t.cap, { text: 'valid' }));
      await delegate(ctx, t, requestTo(ctx, t.owner, t.handler.did, uniqueCapability('unregistered'), { n: 1 }));
    },
  },
  {
    id: 'TSK-014', area: 'tasks', level: 'MUST', requirements: ['TSK-10'],
    title: 'an ok result whose output fails the handler\'s output_schema: OUTPUT_SCHEMA_VIOLATION, not delivered; a valid one completes the task and is delivered',
    async run(ctx) {
      const t = await taskParties(ctx, SCHEMAS);
      const req = requestTo(ctx, t.owner, t.handler.did, t.cap, { text: 'summarize this' });
      await delegate(ctx, t, req);
      await takeTask(ctx, t.handler, req);
      const bad = resultOf(ctx, t.handler, req, { status: 'ok', output: { wrong: true } });
      await ctx.sendRejected(t.handler, bad, 'OUTPUT_SCHEMA_VIOLATION');
      const good = resultOf(ctx, t.handler, req, { status: 'ok', output: { summary: 'short' } });
      await ctx.sendAccepted(t.handler, good);
      await receive(ctx, t.owner, good);
      await expectNotDelivered(t.owner, bad.id, 'a refused result is not delivered (TSK-10)', 0);
    },
  },
  {
    id: 'TSK-022', area: 'tasks', level: 'MUST', requirements: ['MAN-5', 'TSK-10', 'ERR-1'],
    title: 'input that makes a backtracking engine take exponential time on the provider\'s pattern (^(a+)+$ on 64 a\'s and a b) is refused at once with INPUT_SCHEMA_VIOLATION, and valid input is accepted after it',
    async run(ctx) {
      const t = await taskParties(ctx, {
        input_schema: { type: 'object', required: ['text'], properties: { text: { type: 'string', pattern: '^(a+)+$' } } },
      });
      // a backtracking engine would need about 2^64 steps: the relay would never answer (the case times out)
      await ctx.sendRejected(t.owner, requestTo(ctx, t.owner, t.handler.did, t.cap, { text: `${'a'.repeat(64)}b` }), 'INPUT_SCHEMA_VIOLATION');
      await delegate(ctx, t, requestTo(ctx, t.owner, `cap:${t.cap}`, t.cap, { text: 'a'.repeat(64) }));
    },
  },
  {
    id: 'TSK-023', area: 'tasks', level: 'MUST', requirements: ['MAN-6', 'TSK-10', 'ERR-1'],
    title: 'input whose check against the provider\'s schema takes work exponential in its nesting (anyOf branches that both $ref the schema, 60 levels of arrays) is answered at once: SCHEMA_TOO_COMPLEX (or INPUT_SCHEMA_VIOLATION from a validator that needs less work), not delivered; valid input is accepted after it',
    async run(ctx) {
      const t = await taskParties(ctx, {
        input_schema: {
          $defs: { n: { anyOf: [{ allOf: [{ items: { $ref: '#/$defs/n' } }, { minItems: 2 }] }, { allOf: [{ items: { $ref: '#/$defs/n' } }, { maxItems: 0 }] }] } },
          $ref: '#/$defs/n',
        },
      });
      const deep = requestTo(ctx, t.owner, t.handler.did, t.cap, JSON.parse('['.repeat(60) + ']'.repeat(60)) as unknown);
      const f = await ctx.send(t.owner, deep, 'error SCHEMA_TOO_COMPLEX');
      check(f.op === 'error' && (f.code === 'SCHEMA_TOO_COMPLEX' || f.code === 'INPUT_SCHEMA_VIOLATION') && f.id === deep.id,
        `error SCHEMA_TOO_COMPLEX (or INPUT_SCHEMA_VIOLATION) for ${deep.id} (MAN-6)`, show(f));
      await expectNotDelivered(t.handler, deep.id, 'a refused request is not stored (MAN-6)');
      await delegate(ctx, t, requestTo(ctx, t.owner, t.handler.did, t.cap, [[], [[], []]]));
    },
  },
  {
    id: 'TSK-024', area: 'tasks', level: 'MUST', requirements: ['MAN-6', 'TSK-10', 'ERR-1'],
    title: 'input nested 300 levels deep against a schema that refers ($ref) is refused with SCHEMA_TOO_COMPLEX whatever its work (validators recurse per level), not delivered; input nested 256 levels deep is accepted',
    async run(ctx) {
      const t = await taskParties(ctx, { input_schema: { $defs: { a: { type: 'array', items: { $ref: '#/$defs/a' } } }, $ref: '#/$defs/a' } });
      const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
      const deep = requestTo(ctx, t.owner, t.handler.did, t.cap, nested(300));
      await ctx.sendRejected(t.owner, deep, 'SCHEMA_TOO_COMPLEX');
      await expectNotDelivered(t.handler, deep.id, 'a refused request is not stored (MAN-6)');
      await delegate(ctx, t, requestTo(ctx, t.owner, t.handler.did, t.cap, nested(256)));
    },
  },
  {
    id: 'TSK-025', area: 'tasks', level: 'MUST', requirements: ['MAN-5', 'MAN-6', 'TSK-10'],
    title: 'input of 20,000 characters against a pattern of size 1,000 ([a-z]{998}|^ok$, up to 20 million engine steps) is answered at once: SCHEMA_TOO_COMPLEX (or INPUT_SCHEMA_VIOLATION from a validator that counts less), not delivered; a short valid input is accepted after it',
    async run(ctx) {
      const t = await taskParties(ctx, { input_schema: { type: 'string', pattern: '[a-z]{998}|^ok$' } });
      const long = requestTo(ctx, t.owner, t.handler.did, t.cap, ('a'.repeat(997) + '0').repeat(20));
      const f = await ctx.send(t.owner, long, 'error SCHEMA_TOO_COMPLEX');
      check(f.op === 'error' && (f.code === 'SCHEMA_TOO_COMPLEX' || f.code === 'INPUT_SCHEMA_VIOLATION') && f.id === long.id,
        `error SCHEMA_TOO_COMPLEX (or INPUT_SCHEMA_VIOLATION) for ${long.id} (MAN-6)`, show(f));
      await expectNotDelivered(t.handler, long.id, 'a refused request is not stored (MAN-6)');
      // MAN-6 counts a search at its worst case: size 1,000 allows strings of up to ~795 characters in 200,000 units
      await delegate(ctx, t, requestTo(ctx, t.owner, t.handler.did, t.cap, 'ok'));
    },
  },
];
