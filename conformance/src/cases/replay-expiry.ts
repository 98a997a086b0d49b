// Replay and expiry cases (SPEC section 12): clock skew, expiry, deduplication by (from, id), and
// no delivery after exp.
import { signEnvelope, type UnsignedEnvelope } from '@baton/spec';
import { check, show } from '../assert.ts';
import { deliverOf, receiptFor } from './delivery-helpers.ts';
import type { ConformanceCase } from './types.ts';

export const replayCases: ConformanceCase[] = [
  {
    id: 'RPL-001', area: 'replay-expiry', level: 'MUST', requirements: ['RPL-1'],
    title: 'ts older than max_clock_skew_ms: CLOCK_SKEW',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      await ctx.sendRejected(a, ctx.envelope(a, { type: 'message', to: b.did, body: {}, ts: ctx.now() - ctx.limits.max_clock_skew_ms - 60_000 }), 'CLOCK_SKEW');
    },
  },
  {
    id: 'RPL-002', area: 'replay-expiry', level: 'MUST', requirements: ['RPL-1'],
    title: 'ts further than max_clock_skew_ms in the future: CLOCK_SKEW',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      await ctx.sendRejected(a, ctx.envelope(a, { type: 'message', to: b.did, body: {}, ts: ctx.now() + ctx.limits.max_clock_skew_ms + 60_000 }), 'CLOCK_SKEW');
    },
  },
  {
    id: 'RPL-003', area: 'replay-expiry', level: 'MUST', requirements: ['RPL-2'],
    title: 'exp already passed (ts within the window): EXPIRED',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      const now = ctx.now();
      await ctx.sendRejected(a, ctx.envelope(a, { type: 'message', to: b.did, body: {}, ts: now - 10_000, exp: now - 1_000 }), 'EXPIRED');
    },
  },
  {
    id: 'RPL-004', area: 'replay-expiry', level: 'MUST', requirements: ['RPL-3'],
    title: 'the same envelope sent twice: accepted with duplicate:true and delivered once',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      const env = ctx.envelope(a, { type: 'message', to: b.did, body: { n: 1 } });
      await ctx.sendAccepted(a, env);
      await b.conn.expect(`deliver of ${env.id}`, deliverOf(env.id));
      // The receipt ends redelivery (DLV-1), so any later deliver frame would be the duplicate routed again.
      await ctx.sendAccepted(b, receiptFor(ctx, b, env));
      const again = await ctx.sendAccepted(a, env);
      check(again.duplicate === true, 'accepted with duplicate: true', show(again));
      check(await b.conn.absent(deliverOf(env.id), 300), 'no second deliver of the duplicate', 'a second deliver frame');
    },
  },
  {
    id: 'RPL-005', area: 'replay-expiry', level: 'MUST', requirements: ['RPL-3', 'ENV-3'],
    title: 'an id reused for different content: DUPLICATE_ID',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      const env = ctx.envelope(a, { type: 'message', to: b.did, body: { n: 1 } });
      await ctx.sendAccepted(a, env);
      const { sig: _s, ...u } = env;
      const other = signEnvelope({ ...u, body: { n: 2 } } as UnsignedEnvelope, a.key.secretKey);
      await ctx.sendRejected(a, other, 'DUPLICATE_ID');
    },
  },
  {
    id: 'RPL-006', area: 'replay-expiry', level: 'MUST', requirements: ['RPL-2', 'ACK-2'],
    title: 'an envelope for an offline recipient whose exp passes is never delivered',
    async run(ctx) {
      const b1 = await ctx.agent('recipient');
      b1.conn.close();
      await b1.conn.waitClose('recipient disconnected');
      const a = await ctx.agent('sender');
      const ttl = Math.min(500, ctx.timeoutMs);
      const env = ctx.envelope(a, { type: 'message', to: b1.did, body: {}, exp: ctx.now() + ttl });
      await ctx.sendAccepted(a, env);
      const marker = ctx.envelope(a, { type: 'message', to: b1.did, body: { marker: true } });
      // wait until exp has passed on the relay clock, then let the recipient come back
      await a.conn.absent(() => false, Math.max(0, env.exp! - ctx.now() + 50));
      await ctx.sendAccepted(a, marker);
      const b2 = await ctx.agent('recipient-again', b1.key);
      const first = await b2.conn.expectOp('deliver');
      check((first.env as { id?: string }).id === marker.id, `only the unexpired envelope ${marker.id} is delivered`, show(first));
    },
  },
];
