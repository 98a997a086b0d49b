// Signature cases (SPEC section 7, SIG-3/SIG-4): the relay verifies every envelope strictly; rejected
// envelopes are not delivered (ACK-7).
import type { Envelope } from '@baton/spec';
import { check } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import { expectAlive, identityRSignature, malleateSignature, nonCanonicalR } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

function badSigCase(id: string, requirements: string[], title: string,
  build: (ctx: CaseContext, a: TestAgent, b: TestAgent, valid: Envelope) => unknown): ConformanceCase {
  return {
    id, area: 'signatures', level: 'MUST', requirements, title: `${title}: BAD_SIGNATURE, not delivered`,
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      const valid = ctx.envelope(a, { type: 'message', to: b.did, body: { text: 'signed' } });
      await ctx.sendRejected(a, build(ctx, a, b, valid), 'BAD_SIGNATURE');
      await expectAlive(a, 'BAD_SIGNATURE');
      check(await b.conn.absent((f) => f.op === 'deliver', 200), 'no deliver of the rejected envelope (ACK-7)', 'the recipient got a deliver frame');
    },
  };
}

export const signatureCases: ConformanceCase[] = [
  badSigCase('SIG-001', ['SIG-4'], 'a body changed after signing', (_c, _a, _b, v) => ({ ...v, body: { text: 'tampered' } })),
  badSigCase('SIG-002', ['SIG-3'], 'a malleated signature (S + L)', (_c, _a, _b, v) => ({ ...v, sig: malleateSignature(v.sig) })),
  badSigCase('SIG-003', ['SIG-3'], 'a signature whose R is not canonical (y = p)', (_c, _a, _b, v) => ({ ...v, sig: nonCanonicalR(v.sig) })),
  badSigCase('SIG-004', ['SIG-4', 'SIG-2'], 'a signature by another key over the same content',
    (ctx, a, b, v) => ({ ...v, sig: ctx.envelope(b, { type: 'message', to: b.did, body: { text: 'signed' }, id: v.id, ts: v.ts }).sig, from: a.did })),
  badSigCase('SIG-005', ['SIG-4'], 'the audience (to) changed after signing', (ctx, _a, _b, v) => ({ ...v, to: ctx.relayDid })),
  badSigCase('SIG-007', ['SIG-3'], 'a signature by the sender\'s own key whose R is the identity (small order; passes the bare cofactorless equation)',
    (_c, a, _b, v) => ({ ...v, sig: identityRSignature(v, a.key) })),
  badSigCase('SIG-006', ['RTE-1', 'SIG-4'], 'a broken signature on an envelope also outside the clock window (signature before skew)',
    (ctx, a, b) => ({ ...ctx.envelope(a, { type: 'message', to: b.did, body: {}, ts: ctx.now() - ctx.limits.max_clock_skew_ms - 60_000 }), sig: 'A'.repeat(86) })),
];
