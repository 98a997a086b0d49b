// Shared steps of the delivery-guarantee cases (SPEC sections 17-18): waiting for one delivery attempt of an
// envelope (seq, attempt, arrival time), receipts, `reject` and `working` frames, the relay's dead-letter
// notice (checked field by field and receipted), a quick way to dead-letter an envelope, and the timing
// bounds of DLV-3/DLV-4.
import { envelopeDigest, validateEnvelope, verifyEnvelope, type Envelope, type EnvelopeFields, type Limits } from '@baton/spec';
import { CaseFailure, check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import type { ReceivedFrame } from '../wire/connection.ts';

/**
 * Tolerance (ms) of a lower time bound measured on the suite's side: the frames that start and end an interval
 * may be delayed differently on their way (event loop, socket), never by more than this in a healthy run.
 */
export const SLACK_MS = 30;

/** Matches a `deliver` frame carrying the envelope with `id`. */
export function deliverOf(id: string): (f: ReceivedFrame) => boolean {
  return (f) => f.op === 'deliver' && (f.env as { id?: unknown } | undefined)?.id === id;
}

/** Matches the `delivered` frame (ACK-4) for the envelope with `id`. */
export function deliveredOf(id: string): (f: ReceivedFrame) => boolean {
  return (f) => f.op === 'delivered' && f.id === id;
}

/**
 * Connects a recipient, takes it offline, then has a sender send it `count` messages (each `accepted`): the
 * common start of the mailbox cases (ACK-2, DLV-2). Returns the offline recipient, the sender and the
 * envelopes in acceptance order.
 */
export async function fillOfflineMailbox(ctx: CaseContext, count: number): Promise<{ recipient: TestAgent; sender: TestAgent; envs: Envelope[] }> {
  const recipient = await ctx.agent('recipient');
  recipient.conn.close();
  await recipient.conn.waitClose('recipient disconnected');
  const sender = await ctx.agent('sender');
  const envs: Envelope[] = [];
  for (let i = 0; i < count; i++) {
    const env = ctx.envelope(sender, { type: 'message', to: recipient.did, body: { i } });
    await ctx.sendAccepted(sender, env);
    envs.push(env);
  }
  return { recipient, sender, envs };
}

/** One delivery attempt as the recipient saw it (ACK-2). */
export interface Attempt {
  seq: number;
  attempt: number;
  env: Envelope;
  /** Local arrival time, ms since the epoch. */
  at: number;
}

/**
 * Waits for the next `deliver` of envelope `id` on `agent`'s connection and checks its `seq` and `attempt`
 * (positive integers, ACK-2). `timeoutMs` defaults to the context timeout.
 */
export async function nextAttempt(agent: TestAgent, id: string, timeoutMs?: number): Promise<Attempt> {
  const f = await agent.conn.expect(`deliver of ${id}`, deliverOf(id), timeoutMs);
  const { seq, attempt } = f;
  check(Number.isSafeInteger(seq) && (seq as number) >= 1 && Number.isSafeInteger(attempt) && (attempt as number) >= 1,
    'deliver frame with integer seq >= 1 and attempt >= 1 (ACK-2)', show(f));
  return { seq: seq as number, attempt: attempt as number, env: f.env as Envelope, at: agent.conn.arrivedAt(f) };
}

/** Longest wait for the next attempt after a failed one: ack timeout + the backoff cap + the context timeout. */
export function nextAttemptWaitMs(ctx: CaseContext): number {
  return ctx.limits.ack_timeout_ms + ctx.limits.redelivery_backoff_max_ms + ctx.timeoutMs;
}

/** DLV-4: the least backoff after failed attempt `n`, d/2 with d = min(backoff max, backoff * 2^(n-1)), in ms. */
export function minBackoffMs(limits: Limits, n: number): number {
  return Math.min(limits.redelivery_backoff_max_ms, limits.redelivery_backoff_ms * 2 ** (n - 1)) / 2;
}

/** A receipt by `by` for the delivered `env` (TYP-4): to its sender, parent and body.for its id, exact digest. */
export function receiptFor(ctx: CaseContext, by: TestAgent, env: Envelope): Envelope {
  return ctx.envelope(by, { type: 'receipt', to: env.from, parent: env.id, body: { for: env.id, digest: envelopeDigest(env) } });
}

/** Sends a `reject` frame for the delivered `env` (DLV-5). */
export function sendReject(agent: TestAgent, env: Envelope, code: string): void {
  agent.conn.send({ op: 'reject', sender: env.from, id: env.id, code, message: `conformance suite rejects with ${code}` });
}

/** Sends a `working` frame for the delivered `env` (DLV-3). */
export function sendWorking(agent: TestAgent, env: Envelope): void {
  agent.conn.send({ op: 'working', sender: env.from, id: env.id });
}

/** What a dead-letter notice must say (DLV-6); `attempts`, `lastError` and `entry` are checked when given. */
export interface ExpectedNotice {
  reason: string;
  attempts?: number;
  lastError?: string;
  entry?: number;
}

/**
 * Waits on `sender`'s connection for the relay's `notice` about `env` (TYP-6, DLV-6), checks it (schema, the
 * relay's signature, from = relay did, to = sender, parent = body.for = env.id, thread copied, body.to,
 * event, reason and the given fields) and acknowledges it with a receipt to the relay did, which must be
 * accepted. `timeoutMs` defaults to the context timeout.
 * @returns the notice, its deliver frame's seq and its local arrival time.
 */
export async function expectNotice(ctx: CaseContext, sender: TestAgent, env: Envelope, want: ExpectedNotice, timeoutMs?: number): Promise<{ notice: Envelope; body: Record<string, unknown>; at: number }> {
  const f = await sender.conn.expect(`notice (deliver of a relay-signed notice envelope) about ${env.id} (DLV-6)`, (x) => {
    const e = x.env as { type?: unknown; body?: { for?: unknown } } | undefined;
    return x.op === 'deliver' && e?.type === 'notice' && e.body?.for === env.id;
  }, timeoutMs);
  const notice = f.env as Envelope;
  const valid = validateEnvelope(notice);
  check(valid.ok, 'a notice valid against envelope.schema.json and body-notice.schema.json (TYP-6)', `${valid.ok ? '' : valid.message} ${show(notice)}`);
  check(notice.from === ctx.relayDid && verifyEnvelope(notice), `a notice from the relay did ${ctx.relayDid}, signed with its key (TYP-6)`, show(notice));
  check(notice.to === sender.did && notice.parent === env.id, `notice to ${sender.did} with parent = body.for = ${env.id} (TYP-6)`, show(notice));
  if (env.thread !== undefined) check(notice.thread === env.thread, `notice thread copied from the envelope: ${env.thread} (TYP-6)`, show(notice));
  const body = notice.body;
  const lastError = body.last_error as { code?: unknown } | undefined;
  const expected = `notice body {event: dead-lettered, to: ${env.to}, reason: ${want.reason}${want.attempts === undefined ? '' : `, attempts: ${want.attempts}`}`
    + `${want.lastError === undefined ? '' : `, last_error.code: ${want.lastError}`}${want.entry === undefined ? '' : `, entry: ${want.entry}`}} (DLV-6)`;
  check(body.event === 'dead-lettered' && body.to === env.to && body.reason === want.reason
    && (want.attempts === undefined || body.attempts === want.attempts)
    && (want.lastError === undefined || lastError?.code === want.lastError)
    && (want.entry === undefined || body.entry === want.entry), expected, show(body));
  const receipt = receiptFor(ctx, sender, notice);
  const answer = await ctx.send(sender, receipt, `accepted for the receipt of notice ${notice.id} (TYP-6)`);
  if (answer.op !== 'accepted') throw new CaseFailure(`the receipt for the notice, addressed to the relay did, accepted (TYP-6)`, show(answer));
  return { notice, body, at: sender.conn.arrivedAt(f) };
}

/** A dead-lettered envelope: sender, recipient, the envelope and its DLQ entry (= its seq). */
export interface DeadLettered {
  a: TestAgent;
  b: TestAgent;
  env: Envelope;
  entry: number;
}

/**
 * Dead-letters an envelope at once: `a` sends `b` a message (with `extra` fields, e.g. `exp`), `b` rejects it
 * with the final code INPUT_SCHEMA_VIOLATION (DLV-5), and `a` gets the notice (checked and receipted).
 */
export async function deadLetterByReject(ctx: CaseContext, extra: Partial<EnvelopeFields> = {}, agents?: { a: TestAgent; b: TestAgent }): Promise<DeadLettered> {
  const a = agents?.a ?? await ctx.agent('sender');
  const b = agents?.b ?? await ctx.agent('recipient');
  const env = ctx.envelope(a, { type: 'message', to: b.did, body: { dead: 'letter' }, ...extra });
  await ctx.sendAccepted(a, env);
  const first = await nextAttempt(b, env.id);
  sendReject(b, env, 'INPUT_SCHEMA_VIOLATION');
  await expectNotice(ctx, a, env, { reason: 'INPUT_SCHEMA_VIOLATION', attempts: 1, lastError: 'INPUT_SCHEMA_VIOLATION', entry: first.seq });
  return { a, b, env, entry: first.seq };
}

/** Waits `ms` milliseconds (only where a case must let relay time pass, e.g. until an `exp`). */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/**
 * Waits until one of `agents` gets a `deliver` of envelope `id` (capability routing picks one) and returns it
 * with the attempt. Polls the connections' queues every 10 ms, so no waiter is left behind to swallow a later
 * delivery on the other connections. @throws CaseFailure when none gets it within the context timeout.
 */
export async function firstAttemptAmong(ctx: CaseContext, agents: readonly TestAgent[], id: string): Promise<{ agent: TestAgent; attempt: Attempt }> {
  const deadline = Date.now() + ctx.timeoutMs;
  for (;;) {
    for (const agent of agents) {
      if (!(await agent.conn.absent(deliverOf(id), 0))) return { agent, attempt: await nextAttempt(agent, id) };
    }
    if (Date.now() > deadline) throw new CaseFailure(`deliver of ${id} to one of ${agents.map((x) => x.conn.label).join(', ')}`, `none within ${ctx.timeoutMs} ms`);
    await pause(10);
  }
}
