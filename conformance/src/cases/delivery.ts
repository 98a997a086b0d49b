// Delivery-attempt cases (SPEC section 17, DLV-1..DLV-5, ACK-2, ACK-6): redelivery after the ack timeout and
// the backoff, relay sequence order and resume position, `working` frames, dead-lettering after
// max_delivery_attempts (timeouts or closed connections), and BUSY rejections. Need the conformance profile.
import { canonicalize, type Envelope, type Limits } from '@baton/spec';
import { check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import { requireProfile } from '../profile.ts';
import {
  SLACK_MS, deliverOf, deliveredOf, expectNotice, fillOfflineMailbox, minBackoffMs, nextAttempt, nextAttemptWaitMs, receiptFor,
  sendReject, sendWorking,
} from './delivery-helpers.ts';
import { expectAlive } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

/** How long `attempts` unreceipted attempts keep an envelope pending at most (ack timeouts and backoffs), in ms. */
function holdMs(limits: Limits, attempts: number): number {
  return attempts * (limits.ack_timeout_ms + limits.redelivery_backoff_max_ms) + 300;
}

/** A sender and an online recipient, and a message from one to the other that the relay accepted. */
async function sent(ctx: CaseContext, extra: { thread?: string } = {}): Promise<{ a: TestAgent; b: TestAgent; env: Envelope }> {
  const a = await ctx.agent('sender');
  const b = await ctx.agent('recipient');
  const env = ctx.envelope(a, { type: 'message', to: b.did, body: { deliver: 'me' }, ...extra });
  await ctx.sendAccepted(a, env);
  return { a, b, env };
}

export const deliveryCases: ConformanceCase[] = [
  {
    id: 'DLV-001', area: 'delivery', level: 'MUST', requirements: ['DLV-1', 'DLV-3', 'ACK-2', 'ACK-6'],
    title: 'an unreceipted envelope is delivered again, unchanged, with the same seq and the next attempt, not before ack_timeout_ms + d/2; not after its receipt',
    async run(ctx) {
      requireProfile(ctx.limits, ['ack_timeout_ms', 'redelivery_backoff_max_ms'], { max_delivery_attempts: 2, mailbox_max_age_ms: holdMs(ctx.limits, 2) });
      const { a, b, env } = await sent(ctx);
      const first = await nextAttempt(b, env.id);
      check(first.attempt === 1, 'first deliver with attempt 1 (ACK-2)', show(first));
      const second = await nextAttempt(b, env.id, nextAttemptWaitMs(ctx));
      check(second.seq === first.seq && second.attempt === 2 && canonicalize(second.env) === canonicalize(env),
        `redelivery of the unchanged envelope with seq ${first.seq} and attempt 2 (DLV-1, ACK-2)`, show(second));
      const least = ctx.limits.ack_timeout_ms + minBackoffMs(ctx.limits, 1);
      check(second.at - first.at >= least - SLACK_MS, `no redelivery before ack_timeout_ms + d/2 = ${least} ms (DLV-3, DLV-4)`, `redelivered after ${second.at - first.at} ms`);
      await ctx.sendAccepted(b, receiptFor(ctx, b, env));
      await a.conn.expect(`delivered for ${env.id}`, deliveredOf(env.id));
      const window = ctx.limits.ack_timeout_ms + ctx.limits.redelivery_backoff_max_ms + SLACK_MS;
      check(await b.conn.absent(deliverOf(env.id), window), `no delivery within ${window} ms after the receipt (DLV-1)`, 'another deliver frame');
    },
  },
  {
    id: 'DLV-002', area: 'delivery', level: 'MUST', requirements: ['DLV-2', 'ACK-2', 'ACK-6'],
    title: 'seq increases in acceptance order, first attempts come in ascending seq, and a reconnection resumes from the lowest unreceipted seq with higher attempts',
    async run(ctx) {
      requireProfile(ctx.limits, [], { max_delivery_attempts: 3 });
      const { recipient: b1, envs } = await fillOfflineMailbox(ctx, 3);
      const b2 = await ctx.agent('recipient-2', b1.key);
      const got = [];
      for (let i = 0; i < 3; i++) {
        const f = await b2.conn.expectOp('deliver');
        got.push({ id: (f.env as { id?: unknown }).id, seq: f.seq, attempt: f.attempt });
      }
      const seqs = got.map((g) => g.seq as number);
      check(got.every((g, i) => g.id === envs[i]?.id && g.attempt === 1 && Number.isSafeInteger(g.seq)) && seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!,
        `first attempts (attempt 1) of ${show(envs.map((e) => e.id))} in acceptance order with increasing seq (DLV-2, ACK-2)`, show(got));
      await ctx.sendAccepted(b2, receiptFor(ctx, b2, envs[1]!));
      b2.conn.close();
      await b2.conn.waitClose('recipient disconnected again');
      const b3 = await ctx.agent('recipient-3', b1.key);
      const r1 = await b3.conn.expectOp('deliver');
      const r2 = await b3.conn.expectOp('deliver');
      const again = [r1, r2].map((f) => ({ id: (f.env as { id?: unknown }).id, seq: f.seq, attempt: f.attempt }));
      check(again[0]?.id === envs[0]!.id && again[1]?.id === envs[2]!.id && again[0]?.seq === seqs[0] && again[1]?.seq === seqs[2]
        && (again[0]?.attempt as number) > 1 && (again[1]?.attempt as number) > 1,
      `after reconnection: seq ${seqs[0]} then seq ${seqs[2]} (the receipted one skipped), same seqs, attempt > 1 (DLV-2, ACK-2)`, show(again));
      check(await b3.conn.absent(deliverOf(envs[1]!.id), 100), `no redelivery of the receipted ${envs[1]!.id}`, 'it was delivered again');
    },
  },
  {
    id: 'DLV-003', area: 'delivery', level: 'MUST', requirements: ['DLV-3'],
    title: 'working frames keep a delivery in flight past the ack timeout, unanswered; working or reject naming no delivery in flight to the agent: UNKNOWN_DELIVERY',
    async run(ctx) {
      requireProfile(ctx.limits, ['ack_timeout_ms'], { ack_timeout_ms: 100, max_delivery_attempts: 2, mailbox_max_age_ms: 3 * ctx.limits.ack_timeout_ms + 300 });
      const { a, b, env } = await sent(ctx);
      await nextAttempt(b, env.id);
      const c = await ctx.agent('bystander');
      sendWorking(c, env);
      const other = await c.conn.expect('error UNKNOWN_DELIVERY for a working frame about a delivery to another agent', (f) => f.op === 'error');
      check(other.code === 'UNKNOWN_DELIVERY' && other.id === env.id, `error UNKNOWN_DELIVERY with id ${env.id} (DLV-3)`, show(other));
      const hold = 2 * ctx.limits.ack_timeout_ms + 100;
      const every = Math.floor(ctx.limits.ack_timeout_ms / 4);
      sendWorking(b, env);
      const timer = setInterval(() => sendWorking(b, env), every);
      let quiet: boolean;
      try {
        quiet = await b.conn.absent((f) => deliverOf(env.id)(f) || f.op === 'error', hold);
      } finally {
        clearInterval(timer);
      }
      check(quiet, `no redelivery and no answer for ${hold} ms while working frames arrive every ${every} ms (DLV-3)`, 'a deliver or error frame (see the wire log)');
      await ctx.sendAccepted(b, receiptFor(ctx, b, env));
      await a.conn.expect(`delivered for ${env.id}`, deliveredOf(env.id));
      sendWorking(b, env);
      const late = await b.conn.expect('error UNKNOWN_DELIVERY for a working frame after the receipt', (f) => f.op === 'error');
      check(late.code === 'UNKNOWN_DELIVERY' && late.id === env.id, `error UNKNOWN_DELIVERY with id ${env.id} (DLV-3)`, show(late));
      const unknown = ctx.envelope(a, { type: 'message', to: b.did, body: { never: 'sent' } });
      sendReject(b, unknown, 'BUSY');
      const none = await b.conn.expect('error UNKNOWN_DELIVERY for a reject of an envelope never delivered', (f) => f.op === 'error');
      check(none.code === 'UNKNOWN_DELIVERY' && none.id === unknown.id, `error UNKNOWN_DELIVERY with id ${unknown.id} (DLV-3)`, show(none));
      await expectAlive(b, 'UNKNOWN_DELIVERY');
    },
  },
  {
    id: 'DLV-004', area: 'delivery', level: 'MUST', requirements: ['DLV-4', 'DLV-3', 'DLV-6', 'TYP-6', 'ACK-2'],
    title: 'after max_delivery_attempts timed-out attempts (each after ack_timeout_ms + d/2) the envelope is dead-lettered: MAX_ATTEMPTS_EXCEEDED notice, last_error TIMEOUT',
    async run(ctx) {
      const l = ctx.limits;
      requireProfile(l, ['ack_timeout_ms', 'max_delivery_attempts', 'redelivery_backoff_max_ms'], { mailbox_max_age_ms: holdMs(l, l.max_delivery_attempts) });
      const { a, b, env } = await sent(ctx, { thread: globalThis.crypto.randomUUID() });
      let prev = await nextAttempt(b, env.id);
      check(prev.attempt === 1, 'first deliver with attempt 1 (ACK-2)', show(prev));
      for (let n = 2; n <= l.max_delivery_attempts; n++) {
        const next = await nextAttempt(b, env.id, nextAttemptWaitMs(ctx));
        check(next.seq === prev.seq && next.attempt === n, `attempt ${n} with seq ${prev.seq} (ACK-2)`, show(next));
        const least = l.ack_timeout_ms + minBackoffMs(l, n - 1);
        check(next.at - prev.at >= least - SLACK_MS, `attempt ${n} not before ack_timeout_ms + d/2 = ${least} ms after attempt ${n - 1} (DLV-4)`, `after ${next.at - prev.at} ms`);
        prev = next;
      }
      const { at } = await expectNotice(ctx, a, env, { reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: l.max_delivery_attempts, lastError: 'TIMEOUT', entry: prev.seq }, l.ack_timeout_ms + ctx.timeoutMs);
      check(at - prev.at >= l.ack_timeout_ms - SLACK_MS, `dead-lettered only after the last attempt's ack_timeout_ms (${l.ack_timeout_ms} ms)`, `notice after ${at - prev.at} ms`);
      check(await b.conn.absent(deliverOf(env.id), l.redelivery_backoff_max_ms + SLACK_MS), 'no attempt after the last one (DLV-4)', 'another deliver frame');
    },
  },
  {
    id: 'DLV-005', area: 'delivery', level: 'MUST', requirements: ['DLV-4', 'DLV-3', 'ACK-6'],
    title: 'a recipient that disconnects on every attempt gets the envelope at once on each reconnection, then it is dead-lettered: last_error CONNECTION_CLOSED',
    async run(ctx) {
      const max = ctx.limits.max_delivery_attempts;
      requireProfile(ctx.limits, ['max_delivery_attempts']);
      const a = await ctx.agent('sender');
      let b = await ctx.agent('recipient-1');
      const env = ctx.envelope(a, { type: 'message', to: b.did, body: { poison: true } });
      await ctx.sendAccepted(a, env);
      let seq = 0;
      for (let n = 1; n <= max; n++) {
        const got = await nextAttempt(b, env.id);
        check(got.attempt === n && (seq === 0 || got.seq === seq), `attempt ${n}${seq === 0 ? '' : ` with seq ${seq}`}, at once after (re)authentication (DLV-4)`, show(got));
        seq = got.seq;
        b.conn.close();
        await b.conn.waitClose(`recipient disconnected after attempt ${n}`);
        if (n < max) b = await ctx.agent(`recipient-${n + 1}`, b.key);
      }
      await expectNotice(ctx, a, env, { reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: max, lastError: 'CONNECTION_CLOSED', entry: seq });
    },
  },
  {
    id: 'DLV-006', area: 'delivery', level: 'MUST', requirements: ['DLV-5', 'DLV-4'],
    title: 'reject BUSY counts as a failed attempt: redelivered (next attempt) not before d/2, unanswered; the receipt then settles it',
    async run(ctx) {
      requireProfile(ctx.limits, ['redelivery_backoff_max_ms'], { max_delivery_attempts: 2 });
      const { a, b, env } = await sent(ctx);
      const first = await nextAttempt(b, env.id);
      const rejectedAt = Date.now();
      sendReject(b, env, 'BUSY');
      const second = await nextAttempt(b, env.id, nextAttemptWaitMs(ctx));
      check(second.seq === first.seq && second.attempt === first.attempt + 1, `redelivery with seq ${first.seq}, attempt ${first.attempt + 1} (DLV-5)`, show(second));
      const least = minBackoffMs(ctx.limits, first.attempt);
      check(second.at - rejectedAt >= least - SLACK_MS, `no redelivery before d/2 = ${least} ms after the reject (DLV-4)`, `after ${second.at - rejectedAt} ms`);
      check(await b.conn.absent((f) => f.op === 'error', 0), 'no answer to a reject of a delivery in flight (DLV-3)', 'an error frame');
      await ctx.sendAccepted(b, receiptFor(ctx, b, env));
      await a.conn.expect(`delivered for ${env.id}`, deliveredOf(env.id));
    },
  },
];
