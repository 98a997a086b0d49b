// Shared steps of the task cases (SPEC section 21): an owner and a handler with a task between them, the task
// envelopes (update, answer, cancel, result) built the way TSK-5..TSK-7 and TYP-3 say, receiving and
// acknowledging deliveries, and the relay-signed task notices (TSK-17, TYP-6), checked field by field.
import { canonicalize, newEnvelopeId, validateEnvelope, verifyEnvelope, type Envelope, type EnvelopeFields } from '@baton/spec';
import { check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import type { ReceivedFrame } from '../wire/connection.ts';
import { deliverOf, receiptFor } from './delivery-helpers.ts';
import { manifest, uniqueCapability } from './helpers.ts';

/** An owner and a handler registered for capability `cap`. */
export interface TaskPeers {
  owner: TestAgent;
  handler: TestAgent;
  cap: string;
}

/** Task peers and the request that created their task (task id = `req.id`). */
export interface TaskParties extends TaskPeers {
  req: Envelope;
}

/** How {@link openTask} sets the task up. */
export interface TaskSetup {
  /** Members replacing those of the handler's manifest (e.g. `input_schema`, `timeout_ms`). */
  manifest?: Record<string, unknown>;
  /** The request's `body.input` (default `{}`). */
  input?: unknown;
  /** Extra request fields (e.g. `exp`, `idempotency_key`). */
  request?: Partial<EnvelopeFields>;
  /** When false the handler does not acknowledge the request: the task stays `queued`. Default true. */
  take?: boolean;
}

/** The `thread` member of `env` as a spreadable object (nothing when it has none). */
export function threadOf(env: Envelope): { thread?: string } {
  return env.thread === undefined ? {} : { thread: env.thread };
}

/** Has `agent` register one capability `cap` (the {@link manifest} defaults with `over` applied); must be accepted. */
export async function registerProvider(ctx: CaseContext, agent: TestAgent, cap: string, over: Record<string, unknown> = {}): Promise<void> {
  await ctx.sendAccepted(agent, ctx.envelope(agent, { type: 'register', to: ctx.relayDid, body: { manifests: [{ ...manifest(cap), ...over }] } }));
}

/** A request from `owner` to `to` (a did:key or `cap:<name>`) for `cap`, on a new thread unless `extra` sets one. */
export function requestTo(ctx: CaseContext, owner: TestAgent, to: string, cap: string, input: unknown = {}, extra: Partial<EnvelopeFields> = {}): Envelope {
  return ctx.envelope(owner, { type: 'request', to, thread: newEnvelopeId(), body: { capability: cap, input }, ...extra });
}

/** Connects an owner and a handler and registers the handler for a fresh capability (`over`: manifest members). */
export async function taskParties(ctx: CaseContext, over: Record<string, unknown> = {}): Promise<TaskPeers> {
  const owner = await ctx.agent('owner');
  const handler = await ctx.agent('handler');
  const cap = uniqueCapability('task');
  await registerProvider(ctx, handler, cap, over);
  return { owner, handler, cap };
}

/**
 * Connects an owner and a handler, registers the handler for a fresh capability, sends the request directly
 * to it (accepted: the task is `queued`, TSK-1), waits for its delivery and, unless `take` is false, has the
 * handler acknowledge it (the task is `in-flight`, TSK-3).
 */
export async function openTask(ctx: CaseContext, setup: TaskSetup = {}): Promise<TaskParties> {
  const { owner, handler, cap } = await taskParties(ctx, setup.manifest);
  const req = requestTo(ctx, owner, handler.did, cap, setup.input ?? {}, setup.request);
  const accepted = await ctx.sendAccepted(owner, req);
  check(accepted.duplicate !== true, `request ${req.id} accepted as a new task (TSK-1)`, show(accepted));
  await handler.conn.expect(`deliver of request ${req.id}`, deliverOf(req.id));
  if (setup.take !== false) await takeTask(ctx, handler, req);
  return { owner, handler, req, cap };
}

/**
 * An owner and a handler registered with `over` (manifest members) that then disconnects; the owner's request
 * to it is accepted and waits in its mailbox (the task stays `queued`).
 * @returns the peers, the request and `sentAt`, the local time (ms) just before the request was sent.
 */
export async function queuedForOfflineHandler(ctx: CaseContext, over: Record<string, unknown> = {}): Promise<TaskParties & { sentAt: number }> {
  const peers = await taskParties(ctx, over);
  peers.handler.conn.close();
  await peers.handler.conn.waitClose('handler disconnected');
  const req = requestTo(ctx, peers.owner, peers.handler.did, peers.cap);
  const sentAt = Date.now();
  await ctx.sendAccepted(peers.owner, req);
  return { ...peers, req, sentAt };
}

/**
 * The handler acknowledges the delivered request: the receipt must be accepted (queued -> in-flight, TSK-3).
 * @returns the receipt.
 */
export async function takeTask(ctx: CaseContext, handler: TestAgent, req: Envelope): Promise<Envelope> {
  const receipt = receiptFor(ctx, handler, req);
  await ctx.sendAccepted(handler, receipt);
  return receipt;
}

/** An `update` from `by` about task `req` (TSK-5): to the request's sender, `parent` = `body.task`; `body` replaces members. */
export function updateOf(ctx: CaseContext, by: TestAgent, req: Envelope, body: Record<string, unknown> = {}, over: Partial<EnvelopeFields> = {}): Envelope {
  return ctx.envelope(by, {
    type: 'update', to: req.from, parent: req.id, ...threadOf(req),
    body: { task: req.id, state: 'in-flight', progress: { message: 'working on it', pct: 50 }, ...body }, ...over,
  });
}

/** An `update` asking the owner `question` (state `awaiting-input`, TSK-5). */
export function questionOf(ctx: CaseContext, by: TestAgent, req: Envelope, question: Record<string, unknown>): Envelope {
  return ctx.envelope(by, { type: 'update', to: req.from, parent: req.id, ...threadOf(req), body: { task: req.id, state: 'awaiting-input', question } });
}

/** An `answer` from `by` to `to` (normally the task's handler) about task `req` (TSK-6). */
export function answerOf(ctx: CaseContext, by: TestAgent, req: Envelope, to: string, answer: unknown, over: Partial<EnvelopeFields> = {}): Envelope {
  return ctx.envelope(by, { type: 'answer', to, parent: req.id, ...threadOf(req), body: { task: req.id, answer }, ...over });
}

/** A `cancel` from `by` of task `req`, addressed to the relay unless `to` is given (TSK-7). */
export function cancelOf(ctx: CaseContext, by: TestAgent, req: Envelope, to: string = ctx.relayDid): Envelope {
  return ctx.envelope(by, { type: 'cancel', to, parent: req.id, ...threadOf(req), body: { task: req.id, reason: 'no longer needed' } });
}

/** A `result` from `by` for task `req` (TYP-3): to the request's sender, `parent` = the request id. Default: ok with `{}`. */
export function resultOf(ctx: CaseContext, by: TestAgent, req: Envelope, body: Record<string, unknown> = { status: 'ok', output: {} }): Envelope {
  return ctx.envelope(by, { type: 'result', to: req.from, parent: req.id, ...threadOf(req), body });
}

/**
 * The handler reports progress and then completes the task with `{ done: true }`; the owner receives both
 * (TSK-3 in-flight -> in-flight -> completed). Returns both envelopes.
 */
export async function progressThenComplete(
  ctx: CaseContext, owner: TestAgent, handler: TestAgent, req: Envelope,
): Promise<{ progress: Envelope; result: Envelope }> {
  const progress = updateOf(ctx, handler, req);
  await ctx.sendAccepted(handler, progress);
  await receive(ctx, owner, progress);
  const result = resultOf(ctx, handler, req, { status: 'ok', output: { done: true } });
  await ctx.sendAccepted(handler, result);
  await receive(ctx, owner, result);
  return { progress, result };
}

/** A UUIDv7 no relay has seen: the id of a task that does not exist. */
export function unknownTaskId(): string {
  return newEnvelopeId();
}

/**
 * Waits for the `deliver` of `env` on `agent`'s connection, checks the envelope arrived unchanged (ACK-2) and
 * acknowledges it with a receipt, which must be accepted (ACK-3). @returns the deliver frame.
 */
export async function receive(ctx: CaseContext, agent: TestAgent, env: Envelope): Promise<ReceivedFrame> {
  const f = await agent.conn.expect(`deliver of ${env.type} ${env.id} to ${agent.conn.label}`, deliverOf(env.id));
  check(sameEnvelope(f.env, env), `${env.type} ${env.id} delivered exactly as accepted (ACK-2)`, show(f.env));
  await ctx.sendAccepted(agent, receiptFor(ctx, agent, env));
  return f;
}

/** Fails unless no `deliver` of envelope `id` reaches `agent` within `ms` (default 300). */
export async function expectNotDelivered(agent: TestAgent, id: string, why: string, ms = 300): Promise<void> {
  check(await agent.conn.absent(deliverOf(id), ms), `no deliver of ${id} to ${agent.conn.label}: ${why}`, 'a deliver frame');
}

/** True when `value` is the same envelope as `env` (equal JCS texts). */
export function sameEnvelope(value: unknown, env: Envelope): boolean {
  return value !== null && typeof value === 'object' && canonicalize(value) === canonicalize(env);
}

/** What a task notice must say (TSK-17); `state`, `handler` and `thread` are checked when given. */
export interface ExpectedTaskNotice {
  event: 'task-failed' | 'task-requeued' | 'task-cancelled' | 'needs-human';
  reason: string;
  /** The state in the notice's task summary (after the transition). */
  state?: string;
  /** The summary's handler (null: none). */
  handler?: string | null;
  /** The notice's `thread` (the task's thread). */
  thread?: string;
  /** The summary's `attempts` (how many times a handler took the task). */
  attempts?: number;
}

/** Matches the `deliver` of a task notice `event` about task `taskId`. */
export function taskNoticeOf(taskId: string, event: ExpectedTaskNotice['event']): (f: ReceivedFrame) => boolean {
  return (x) => {
    const e = x.env as { type?: unknown; body?: { for?: unknown; event?: unknown } } | undefined;
    return x.op === 'deliver' && e?.type === 'notice' && e.body?.for === taskId && e.body.event === event;
  };
}

/**
 * Waits on `agent`'s connection for the relay's task notice `event` about task `taskId`, checks it (envelope
 * and notice-body schema, the relay's signature, from = relay did, to = agent, parent = body.for = taskId,
 * summary id = taskId, event, reason and the given fields; TYP-6, TSK-17) and acknowledges it with a receipt
 * to the relay did, which must be accepted. `timeoutMs` defaults to the context timeout.
 * @returns the notice, its body and its local arrival time.
 */
export async function expectTaskNotice(ctx: CaseContext, agent: TestAgent, taskId: string, want: ExpectedTaskNotice, timeoutMs?: number): Promise<{ notice: Envelope; body: Record<string, unknown>; at: number }> {
  const f = await agent.conn.expect(`${want.event} notice about task ${taskId} to ${agent.conn.label} (TSK-17)`, taskNoticeOf(taskId, want.event), timeoutMs);
  const notice = f.env as Envelope;
  const valid = validateEnvelope(notice);
  check(valid.ok, 'a task notice valid against envelope.schema.json and body-notice.schema.json (TSK-17)', `${valid.ok ? '' : valid.message} ${show(notice)}`);
  check(notice.from === ctx.relayDid && verifyEnvelope(notice), `a notice from the relay did ${ctx.relayDid}, signed with its key (TYP-6)`, show(notice));
  check(notice.to === agent.did && notice.parent === taskId, `notice to ${agent.did} with parent = body.for = ${taskId} (TSK-17)`, show(notice));
  if (want.thread !== undefined) check(notice.thread === want.thread, `notice thread = the task's thread ${want.thread} (TSK-17)`, show(notice));
  const body = notice.body;
  const summary = body.task as Record<string, unknown> | undefined;
  check(body.reason === want.reason && summary?.id === taskId && (want.state === undefined || summary.state === want.state)
    && (want.handler === undefined || summary.handler === want.handler) && (want.attempts === undefined || summary.attempts === want.attempts),
  `notice body {event: ${want.event}, reason: ${want.reason}, task: {id: ${taskId}${want.state === undefined ? '' : `, state: ${want.state}`}`
    + `${want.handler === undefined ? '' : `, handler: ${String(want.handler)}`}${want.attempts === undefined ? '' : `, attempts: ${want.attempts}`}}} (TSK-17)`, show(body));
  const answer = await ctx.send(agent, receiptFor(ctx, agent, notice), `accepted for the receipt of notice ${notice.id}`);
  check(answer.op === 'accepted', 'the receipt for the task notice, addressed to the relay did, accepted (TYP-6)', show(answer));
  return { notice, body, at: agent.conn.arrivedAt(f) };
}
