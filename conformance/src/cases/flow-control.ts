// Mailbox and flow-control cases (SPEC section 18): MAILBOX_FULL for a full mailbox (and capability routing
// skipping it), MAILBOX_EXPIRED dead letters, the delivery window, and the producer limits of FLW-3 (token
// bucket checked before the signature, unsettled-envelope budget, exemptions, nothing stored when refused).
import type { Envelope } from '@baton/spec';
import { check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import { requireProfile } from '../profile.ts';
import type { ReceivedFrame } from '../wire/connection.ts';
import { SLACK_MS, deliverOf, expectNotice, firstAttemptAmong, nextAttempt, pause, receiptFor } from './delivery-helpers.ts';
import { expectAlive, manifest, uniqueCapability } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

/** A known agent that is offline now: authenticated once (after `register`ing `capability`, if given), then disconnected. */
async function offlineAgent(ctx: CaseContext, capability?: string): Promise<TestAgent> {
  const b = await ctx.agent('recipient');
  if (capability !== undefined) await ctx.sendAccepted(b, ctx.envelope(b, { type: 'register', to: ctx.relayDid, body: { manifests: [manifest(capability)] } }));
  b.conn.close();
  await b.conn.waitClose('recipient disconnected');
  return b;
}

/** Sends `count` accepted messages from `a` to `to`, one after the other; resolves with them in order. */
async function sendMessages(ctx: CaseContext, a: TestAgent, to: string, count: number): Promise<Envelope[]> {
  const out: Envelope[] = [];
  for (let i = 0; i < count; i++) {
    const env = ctx.envelope(a, { type: 'message', to, body: { i } });
    await ctx.sendAccepted(a, env);
    out.push(env);
  }
  return out;
}

/** Checks a RATE_LIMITED error frame: a string message and an integer retry_after_ms > 0 (ERR-2, FLW-3). */
function retryAfter(f: ReceivedFrame): number {
  const ms = f.retry_after_ms;
  check(f.code === 'RATE_LIMITED' && Number.isSafeInteger(ms) && (ms as number) > 0 && typeof f.message === 'string',
    'RATE_LIMITED error frame with an integer retry_after_ms > 0 (FLW-3, ERR-2)', show(f));
  return ms as number;
}

/**
 * A sender holding exactly max_unacked_sends accepted, unsettled envelopes (messages to an offline recipient).
 * @throws CaseSkipped when the limits make that too slow, or the mailbox or burst too small to hold them.
 */
async function atUnsettledBudget(ctx: CaseContext): Promise<{ a: TestAgent; b: TestAgent; sent: Envelope[] }> {
  const m = ctx.limits.max_unacked_sends;
  requireProfile(ctx.limits, ['max_unacked_sends'], { mailbox_max_age_ms: 1_500, mailbox_max_envelopes: m + 1, send_burst_per_key: m + 4, max_delivery_attempts: 2 });
  const a = await ctx.agent('sender');
  const b = await offlineAgent(ctx);
  return { a, b, sent: await sendMessages(ctx, a, b.did, m) };
}

export const flowControlCases: ConformanceCase[] = [
  {
    id: 'MBX-001', area: 'flow-control', level: 'MUST', requirements: ['MBX-2', 'RTE-3', 'RTE-1'],
    title: 'a direct envelope to a mailbox holding mailbox_max_envelopes pending ones: MAILBOX_FULL, not stored; capability routing skips the full provider (NO_PROVIDER)',
    async run(ctx) {
      const l = ctx.limits;
      requireProfile(l, ['mailbox_max_envelopes', 'max_unacked_sends'], { mailbox_max_age_ms: 1_500 });
      const cap = uniqueCapability('full');
      const b = await offlineAgent(ctx, cap);
      const perSender = Math.min(l.max_unacked_sends, l.send_burst_per_key);
      for (let left = l.mailbox_max_envelopes, i = 1; left > 0; left -= perSender, i++) {
        await sendMessages(ctx, await ctx.agent(`sender-${i}`), b.did, Math.min(perSender, left));
      }
      const x = await ctx.agent('late-sender');
      const refused = ctx.envelope(x, { type: 'message', to: b.did, body: { one: 'too many' } });
      await ctx.sendRejected(x, refused, 'MAILBOX_FULL');
      await expectAlive(x, 'MAILBOX_FULL');
      const b2 = await ctx.agent('recipient-again', b.key);
      const first = await b2.conn.expectOp('deliver');
      await ctx.sendRejected(x, ctx.envelope(x, { type: 'request', to: `cap:${cap}`, body: { capability: cap, input: {} } }), 'NO_PROVIDER');
      await ctx.sendAccepted(b2, receiptFor(ctx, b2, first.env as Envelope));
      const again = await ctx.sendAccepted(x, refused);
      check(again.duplicate !== true, `the refused envelope was not stored: accepted, not as a duplicate, once a slot is free (MBX-2)`, show(again));
    },
  },
  {
    id: 'MBX-002', area: 'flow-control', level: 'MUST', requirements: ['MBX-3', 'DLV-6'],
    title: 'an envelope pending mailbox_max_age_ms after acceptance is dead-lettered MAILBOX_EXPIRED (not earlier), and its sender gets the notice',
    async run(ctx) {
      const maxAge = ctx.limits.mailbox_max_age_ms;
      requireProfile(ctx.limits, ['mailbox_max_age_ms']);
      const b = await offlineAgent(ctx);
      const a = await ctx.agent('sender');
      const env = ctx.envelope(a, { type: 'message', to: b.did, body: { waits: 'forever' } });
      const sentAt = Date.now();
      await ctx.sendAccepted(a, env);
      const { at } = await expectNotice(ctx, a, env, { reason: 'MAILBOX_EXPIRED', attempts: 0 }, maxAge + 1_000 + ctx.timeoutMs);
      check(at - sentAt >= maxAge - SLACK_MS, `not dead-lettered before mailbox_max_age_ms = ${maxAge} ms (MBX-3)`, `notice ${at - sentAt} ms after the send`);
    },
  },
  {
    id: 'FLW-001', area: 'flow-control', level: 'SHOULD', requirements: ['FLW-1'],
    title: 'at most max_unacked_deliveries deliveries in flight per recipient over all its connections; a receipt lets the next one out',
    async run(ctx) {
      const l = ctx.limits;
      const w = l.max_unacked_deliveries;
      requireProfile(l, ['max_unacked_deliveries', 'ack_timeout_ms'], { ack_timeout_ms: 200, max_unacked_sends: w + 1, send_burst_per_key: w + 1, mailbox_max_envelopes: w + 1 });
      const b = await offlineAgent(ctx);
      const envs = await sendMessages(ctx, await ctx.agent('sender'), b.did, w + 1);
      const b2 = await ctx.agent('recipient-conn-1', b.key);
      const first = await nextAttempt(b2, envs[0]!.id);
      for (let i = 1; i < w; i++) await b2.conn.expectOp('deliver');
      const b3 = await ctx.agent('recipient-conn-2', b.key);
      const quiet = Math.max(0, Math.floor(l.ack_timeout_ms / 2) - (Date.now() - first.at));
      const none = await Promise.all([b2, b3].map((c) => c.conn.absent((f) => f.op === 'deliver', quiet)));
      check(none.every(Boolean), `no delivery beyond ${w} in flight on either connection (FLW-1)`, 'a further deliver frame');
      await ctx.sendAccepted(b2, receiptFor(ctx, b2, first.env));
      await firstAttemptAmong(ctx, [b2, b3], envs[w]!.id);
    },
  },
  {
    id: 'FLW-002', area: 'flow-control', level: 'MUST', requirements: ['FLW-3', 'RTE-1'],
    title: 'a burst beyond send_burst_per_key: RATE_LIMITED with retry_after_ms, checked before the signature, connection open; the refused envelope was not stored',
    async run(ctx) {
      const l = ctx.limits;
      requireProfile(l, ['send_burst_per_key']);
      const a = await ctx.agent('flooder');
      const b = await ctx.agent('recipient');
      const decoy = ctx.envelope(a, { type: 'message', to: b.did, body: { decoy: true } });
      const flood = Array.from({ length: l.send_burst_per_key + 10 }, (_, i) => ({ ...ctx.envelope(a, { type: 'message', to: b.did, body: { i } }), sig: decoy.sig }));
      const valid = ctx.envelope(a, { type: 'message', to: b.did, body: { valid: true } });
      const started = Date.now();
      for (const env of [...flood, valid]) a.conn.send({ op: 'send', env });
      const answer = (id: string): Promise<ReceivedFrame> => a.conn.expect(`accepted or error for ${id}`, (f) => (f.op === 'accepted' || f.op === 'error') && f.id === id);
      const codes: string[] = [];
      for (const env of flood) {
        const f = await answer(env.id);
        check(f.code === 'BAD_SIGNATURE' || f.code === 'RATE_LIMITED', `error BAD_SIGNATURE or RATE_LIMITED for a badly signed envelope ${env.id}`, show(f));
        if (f.code === 'RATE_LIMITED') retryAfter(f);
        codes.push(f.code);
      }
      const last = await answer(valid.id);
      const elapsed = Date.now() - started;
      const verified = codes.filter((c) => c === 'BAD_SIGNATURE').length;
      const allowance = l.send_burst_per_key + Math.ceil((l.send_rate_per_key * elapsed) / 1000) + 1;
      check(verified <= allowance && codes.includes('RATE_LIMITED'),
        `at most ${allowance} of ${flood.length} badly signed envelopes verified (burst + refill), the rest RATE_LIMITED before the signature check (FLW-3, RTE-1)`, `${verified} BAD_SIGNATURE`);
      const wait = retryAfter(last);
      check(wait <= Math.ceil(1000 / l.send_rate_per_key) + SLACK_MS, `retry_after_ms at most the time for one token, ${Math.ceil(1000 / l.send_rate_per_key)} ms`, show(last));
      await expectAlive(a, 'RATE_LIMITED');
      await pause(wait + 5);
      const resent = await ctx.sendAccepted(a, valid);
      check(resent.duplicate !== true, 'the RATE_LIMITED envelope was not stored: accepted after retry_after_ms, not as a duplicate (FLW-3)', show(resent));
      await b.conn.expect(`deliver of ${valid.id}`, deliverOf(valid.id));
    },
  },
  {
    id: 'FLW-003', area: 'flow-control', level: 'MUST', requirements: ['FLW-3'],
    title: 'max_unacked_sends unsettled envelopes: the next is RATE_LIMITED with retry_after_ms = ack_timeout_ms; receipts and register are exempt; a settlement frees the budget',
    async run(ctx) {
      const { a, b, sent } = await atUnsettledBudget(ctx);
      const c = await ctx.agent('peer');
      const toA = ctx.envelope(c, { type: 'message', to: a.did, body: { please: 'receipt' } });
      await ctx.sendAccepted(c, toA);
      await nextAttempt(a, toA.id);
      const over = ctx.envelope(a, { type: 'message', to: b.did, body: { over: 'budget' } });
      const refused = await ctx.sendRejected(a, over, 'RATE_LIMITED');
      check(retryAfter(refused) === ctx.limits.ack_timeout_ms, `retry_after_ms = ack_timeout_ms = ${ctx.limits.ack_timeout_ms} for the unsettled limit (FLW-3)`, show(refused));
      await ctx.sendAccepted(a, ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [] } }));
      await ctx.sendAccepted(a, receiptFor(ctx, a, toA));
      const b2 = await ctx.agent('recipient-again', b.key);
      const got = await nextAttempt(b2, sent[0]!.id);
      await ctx.sendAccepted(b2, receiptFor(ctx, b2, got.env));
      const again = await ctx.sendAccepted(a, over);
      check(again.duplicate !== true, 'accepted once an envelope settled, not as a duplicate (FLW-3)', show(again));
    },
  },
  {
    id: 'FLW-004', area: 'flow-control', level: 'MUST', requirements: ['FLW-3', 'RTE-1', 'RPL-3'],
    title: 'at the unsettled budget the RTE-1 order holds: a resent accepted envelope is still accepted as a duplicate and a badly signed one is BAD_SIGNATURE (the budget step comes later)',
    async run(ctx) {
      const { a, b, sent } = await atUnsettledBudget(ctx);
      const dup = await ctx.sendAccepted(a, sent[0]!);
      check(dup.duplicate === true, 'accepted with duplicate: true: the duplicate-id step comes before the sender budget (RTE-1, RPL-3)', show(dup));
      const forged = { ...ctx.envelope(a, { type: 'message', to: b.did, body: { forged: true } }), sig: sent[0]!.sig };
      await ctx.sendRejected(a, forged, 'BAD_SIGNATURE');
      await ctx.sendRejected(a, ctx.envelope(a, { type: 'message', to: b.did, body: { over: 'budget' } }), 'RATE_LIMITED');
    },
  },
];
