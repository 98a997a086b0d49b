// Dead-letter cases (SPEC section 17, DLV-5..DLV-7, TYP-6): final rejections of direct and capability-routed
// envelopes, expiry while in flight and while waiting, the relay-signed notice the sender receives, and the
// rule that only relays send notices.
import { check, show } from '../assert.ts';
import { requireProfile } from '../profile.ts';
import {
  SLACK_MS, deadLetterByReject, deliverOf, expectNotice, firstAttemptAmong, nextAttempt, receiptFor, sendReject, sendWorking,
} from './delivery-helpers.ts';
import { manifest, uniqueCapability } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

/** Lifetime (ms) of the envelopes whose expiry the cases wait for. */
const TTL_MS = 500;
/** The longest a relay may take to notice a passed `exp` (DLV-7 SHOULD: one second). */
const EXPIRY_NOTICE_MS = 1_000;

export const deadLetterCases: ConformanceCase[] = [
  {
    id: 'DLV-007', area: 'dead-letters', level: 'MUST', requirements: ['DLV-5', 'DLV-6', 'TYP-6'],
    title: 'a final reject of a directly addressed envelope dead-letters it at once: relay-signed notice with that code, attempts 1, entry = seq; no redelivery',
    async run(ctx) {
      const { b, env } = await deadLetterByReject(ctx);
      check(await b.conn.absent((f) => deliverOf(env.id)(f) || f.op === 'error', 200), 'no redelivery and no answer to the reject (DLV-3, DLV-5)', 'a deliver or error frame');
    },
  },
  {
    id: 'DLV-008', area: 'dead-letters', level: 'MUST', requirements: ['DLV-5', 'RTE-3', 'ACK-3', 'DLV-6'],
    title: 'a capability-routed request refused finally goes at once to the other provider (next attempt); the first one\'s late receipt is INVALID_RECEIPT; refused by all: dead-lettered with the last code',
    async run(ctx) {
      const cap = uniqueCapability('refuse');
      const p1 = await ctx.agent('provider1');
      const p2 = await ctx.agent('provider2');
      for (const p of [p1, p2]) await ctx.sendAccepted(p, ctx.envelope(p, { type: 'register', to: ctx.relayDid, body: { manifests: [manifest(cap)] } }));
      const a = await ctx.agent('caller');
      const req = ctx.envelope(a, { type: 'request', to: `cap:${cap}`, body: { capability: cap, input: {} } });
      await ctx.sendAccepted(a, req);
      const first = await firstAttemptAmong(ctx, [p1, p2], req.id);
      const other = first.agent === p1 ? p2 : p1;
      sendReject(first.agent, req, 'UNSUPPORTED_CAPABILITY');
      const second = await nextAttempt(other, req.id);
      check(second.seq === first.attempt.seq && second.attempt === first.attempt.attempt + 1,
        `the other provider gets seq ${first.attempt.seq} with attempt ${first.attempt.attempt + 1} (DLV-5)`, show(second));
      await ctx.sendRejected(first.agent, receiptFor(ctx, first.agent, req), 'INVALID_RECEIPT');
      sendReject(other, req, 'INPUT_SCHEMA_VIOLATION');
      await expectNotice(ctx, a, req, { reason: 'INPUT_SCHEMA_VIOLATION', attempts: second.attempt, lastError: 'INPUT_SCHEMA_VIOLATION', entry: second.seq });
      check(await first.agent.conn.absent(deliverOf(req.id), 0), 'no new offer to the provider that refused it finally (RTE-3)', 'a deliver frame');
    },
  },
  {
    id: 'DLV-009', area: 'dead-letters', level: 'MUST', requirements: ['DLV-7', 'RPL-2', 'DLV-6'],
    title: 'an envelope in flight (kept so by working frames) whose exp passes is dead-lettered EXPIRED, not before exp, and never delivered at or after exp',
    async run(ctx) {
      requireProfile(ctx.limits, [], { ack_timeout_ms: 100, mailbox_max_age_ms: TTL_MS + EXPIRY_NOTICE_MS + 100 });
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      const env = ctx.envelope(a, { type: 'message', to: b.did, body: { expires: true }, exp: ctx.now() + TTL_MS });
      await ctx.sendAccepted(a, env);
      await nextAttempt(b, env.id);
      const timer = setInterval(() => sendWorking(b, env), Math.min(150, Math.floor(ctx.limits.ack_timeout_ms / 4)));
      let at: number;
      try {
        ({ at } = await expectNotice(ctx, a, env, { reason: 'EXPIRED' }, TTL_MS + EXPIRY_NOTICE_MS + ctx.timeoutMs));
      } finally {
        clearInterval(timer);
      }
      const exp = env.exp ?? 0;
      const offset = ctx.now() - Date.now();
      check(at + offset >= exp - SLACK_MS, `dead-lettered EXPIRED not before exp ${exp} (DLV-7)`, `notice at relay time ~${at + offset}`);
      while (!(await b.conn.absent(deliverOf(env.id), 0))) {
        const late = await nextAttempt(b, env.id);
        check(late.at + offset < exp + SLACK_MS, `no deliver at or after exp ${exp} (DLV-7, RPL-2)`, `attempt ${late.attempt} at relay time ~${late.at + offset}`);
      }
    },
  },
  {
    id: 'DLV-010', area: 'dead-letters', level: 'MUST', requirements: ['DLV-7', 'DLV-6', 'RPL-2'],
    title: 'an envelope waiting for an offline recipient whose exp passes is dead-lettered EXPIRED with attempts 0, and the sender is told',
    async run(ctx) {
      requireProfile(ctx.limits, [], { mailbox_max_age_ms: TTL_MS + EXPIRY_NOTICE_MS + 100 });
      const b1 = await ctx.agent('recipient');
      b1.conn.close();
      await b1.conn.waitClose('recipient disconnected');
      const a = await ctx.agent('sender');
      const env = ctx.envelope(a, { type: 'message', to: b1.did, body: { expires: true }, exp: ctx.now() + TTL_MS });
      await ctx.sendAccepted(a, env);
      const { at } = await expectNotice(ctx, a, env, { reason: 'EXPIRED', attempts: 0 }, TTL_MS + EXPIRY_NOTICE_MS + ctx.timeoutMs);
      const offset = ctx.now() - Date.now();
      check(at + offset >= (env.exp ?? 0) - SLACK_MS, `dead-lettered EXPIRED not before exp ${env.exp} (DLV-7)`, `notice at relay time ~${at + offset}`);
      const b2 = await ctx.agent('recipient-again', b1.key);
      check(await b2.conn.absent(deliverOf(env.id), 200), 'the dead-lettered envelope is not delivered on reconnection', 'a deliver frame');
    },
  },
  {
    id: 'DLV-011', area: 'dead-letters', level: 'MUST', requirements: ['TYP-6', 'RTE-1'],
    title: 'a notice sent by an agent is INVALID_ENVELOPE at the addressing step (before the duplicate-id step) and not delivered',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      const msg = ctx.envelope(a, { type: 'message', to: b.did, body: {} });
      await ctx.sendAccepted(a, msg);
      const body = { event: 'dead-lettered', for: msg.id, to: b.did, reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 1, entry: 1 };
      const forged = ctx.envelope(a, { type: 'notice', to: b.did, parent: msg.id, body });
      await ctx.sendRejected(a, forged, 'INVALID_ENVELOPE');
      // Reusing an accepted id would be DUPLICATE_ID at a later step: the addressing step must answer first.
      await ctx.sendRejected(a, ctx.envelope(a, { type: 'notice', to: b.did, parent: msg.id, body, id: msg.id }), 'INVALID_ENVELOPE');
      check(await b.conn.absent(deliverOf(forged.id), 100), 'no delivery of an agent\'s notice', 'a deliver frame');
    },
  },
];
