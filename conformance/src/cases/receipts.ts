// Receipt cases (SPEC section 11 ACK-3..ACK-6): valid receipts are forwarded in `delivered`, never with
// `deliver`; receipts that do not match a delivery are INVALID_RECEIPT; receipted envelopes are not redelivered.
import { envelopeDigest, type Envelope } from '@baton/spec';
import { canonicalize } from '@baton/spec';
import { check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import { disconnectAndWaitOffline, manifest, uniqueCapability } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

/** a sends a message to b; b receives it. */
async function delivered(ctx: CaseContext): Promise<{ a: TestAgent; b: TestAgent; env: Envelope }> {
  const a = await ctx.agent('sender');
  const b = await ctx.agent('recipient');
  const env = ctx.envelope(a, { type: 'message', to: b.did, body: { text: 'please ack' } });
  await ctx.sendAccepted(a, env);
  await b.conn.expect(`deliver of ${env.id}`, (f) => f.op === 'deliver' && (f.env as { id?: string }).id === env.id);
  return { a, b, env };
}

function receipt(ctx: CaseContext, by: TestAgent, env: Envelope, over: { digest?: string; parent?: string; to?: string } = {}): Envelope {
  return ctx.envelope(by, { type: 'receipt', to: over.to ?? env.from, parent: over.parent ?? env.id, body: { for: env.id, digest: over.digest ?? envelopeDigest(env) } });
}

export const receiptCases: ConformanceCase[] = [
  {
    id: 'RCP-001', area: 'receipts', level: 'MUST', requirements: ['ACK-3', 'ACK-4', 'ACK-5', 'TYP-4'],
    title: 'a valid receipt reaches the sender as delivered {id, receipt}, never as deliver',
    async run(ctx) {
      const { a, b, env } = await delivered(ctx);
      const r = receipt(ctx, b, env);
      await ctx.sendAccepted(b, r);
      const f = await a.conn.expect(`delivered frame for ${env.id}`, (x) => x.op === 'delivered' || x.op === 'deliver');
      check(f.op === 'delivered' && f.id === env.id && canonicalize(f.receipt) === canonicalize(r), `delivered {id:${env.id}, receipt unchanged}`, show(f));
    },
  },
  {
    id: 'RCP-002', area: 'receipts', level: 'MUST', requirements: ['ACK-3'],
    title: 'a receipt with a wrong digest: INVALID_RECEIPT',
    async run(ctx) {
      const { b, env } = await delivered(ctx);
      await ctx.sendRejected(b, receipt(ctx, b, env, { digest: '0'.repeat(64) }), 'INVALID_RECEIPT');
    },
  },
  {
    id: 'RCP-003', area: 'receipts', level: 'MUST', requirements: ['ACK-3'],
    title: 'a receipt by an agent the envelope was not delivered to: INVALID_RECEIPT',
    async run(ctx) {
      const { env } = await delivered(ctx);
      const c = await ctx.agent('bystander');
      await ctx.sendRejected(c, receipt(ctx, c, env), 'INVALID_RECEIPT');
    },
  },
  {
    id: 'RCP-004', area: 'receipts', level: 'MUST', requirements: ['ACK-3'],
    title: 'a receipt whose parent differs from body.for: INVALID_RECEIPT',
    async run(ctx) {
      const { a, b, env } = await delivered(ctx);
      const other = ctx.envelope(a, { type: 'message', to: b.did, body: {} });
      await ctx.sendRejected(b, receipt(ctx, b, env, { parent: other.id }), 'INVALID_RECEIPT');
    },
  },
  {
    id: 'RCP-005', area: 'receipts', level: 'MUST', requirements: ['ACK-3'],
    title: 'a second valid receipt is accepted and forwarded again',
    async run(ctx) {
      const { a, b, env } = await delivered(ctx);
      await ctx.sendAccepted(b, receipt(ctx, b, env));
      await a.conn.expect(`first delivered for ${env.id}`, (x) => x.op === 'delivered' && x.id === env.id);
      await ctx.sendAccepted(b, receipt(ctx, b, env));
      await a.conn.expect(`second delivered for ${env.id}`, (x) => x.op === 'delivered' && x.id === env.id);
    },
  },
  {
    id: 'RCP-006', area: 'receipts', level: 'MUST', requirements: ['ACK-4', 'ACK-6'],
    title: 'an offline sender gets delivered after its next welcome; a receipted envelope is not redelivered',
    async run(ctx) {
      const { a, b, env } = await delivered(ctx);
      const cap = uniqueCapability('presence');
      await ctx.sendAccepted(a, ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [manifest(cap)] } }));
      await disconnectAndWaitOffline(ctx, a, b, cap);
      await ctx.sendAccepted(b, receipt(ctx, b, env));
      const a2 = await ctx.agent('sender-again', a.key);
      await a2.conn.expect(`delivered for ${env.id} after welcome`, (x) => x.op === 'delivered' && x.id === env.id);
      b.conn.close();
      await b.conn.waitClose('recipient disconnected');
      const b2 = await ctx.agent('recipient-again', b.key);
      check(await b2.conn.absent((f) => f.op === 'deliver' && (f.env as { id?: string }).id === env.id, 300), 'no redelivery of a receipted envelope', 'the envelope was delivered again');
    },
  },
];
