// Limits cases (SPEC sections 5 ENV-5, 13 ERR-4, 14 LIM-1): the information document, the envelope size
// boundary and the frame size limit.
import { DEFAULT_LIMITS, canonicalize, type Envelope } from '@baton/spec';
import { CaseSkipped, check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import { expectAlive } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

/** A message from a to b whose JCS size (ENV-5) is exactly `bytes`. */
function sizedEnvelope(ctx: CaseContext, a: TestAgent, to: string, bytes: number): Envelope {
  const id = ctx.envelope(a, { type: 'message', to, body: {} }).id;
  const ts = ctx.now();
  const make = (n: number): Envelope => ctx.envelope(a, { type: 'message', to, id, ts, body: { pad: 'x'.repeat(n) } });
  const base = new TextEncoder().encode(canonicalize(make(0))).length;
  return make(Math.max(0, bytes - base));
}

export const limitCases: ConformanceCase[] = [
  {
    id: 'LIM-001', area: 'limits', level: 'MUST', requirements: ['LIM-1'],
    title: 'GET /.well-known/baton answers 200 with relay, versions, software, admission, endpoints and all LIM-1 limits (delivery, mailbox and send limits included)',
    async run(ctx) {
      const { status, body } = await ctx.getJson('/.well-known/baton');
      check(status === 200, '200', String(status));
      const doc = body as Record<string, unknown>;
      const limits = doc.limits as Record<string, unknown> | undefined;
      const names = Object.keys(DEFAULT_LIMITS);
      check(typeof doc.relay === 'string' && doc.relay.startsWith('did:key:z6Mk') && Array.isArray(doc.versions) && (doc.admission === 'open' || doc.admission === 'allowlist')
        && typeof (doc.endpoints as Record<string, unknown> | undefined)?.ws === 'string' && limits !== undefined && names.every((n) => Number.isInteger(limits[n])),
      'relay-info document with every LIM-1 member', show(body));
      check((limits.dedupe_window_ms as number) >= 2 * (limits.max_clock_skew_ms as number), 'dedupe_window_ms >= 2 * max_clock_skew_ms (RPL-3)', show(limits));
    },
  },
  {
    id: 'LIM-002', area: 'limits', level: 'MUST', requirements: ['ENV-5'],
    title: 'an envelope of exactly max_envelope_bytes is accepted; one byte more is ENVELOPE_TOO_LARGE',
    async run(ctx) {
      const max = ctx.limits.max_envelope_bytes;
      if (ctx.limits.max_frame_bytes < max + 200) throw new CaseSkipped('max_frame_bytes leaves no room for a send frame around a max-size envelope');
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      const fits = sizedEnvelope(ctx, a, b.did, max);
      check(new TextEncoder().encode(canonicalize(fits)).length === max, `${max}-byte envelope built`, 'size mismatch in the suite');
      await ctx.sendAccepted(a, fits);
      await ctx.sendRejected(a, sizedEnvelope(ctx, a, b.did, max + 1), 'ENVELOPE_TOO_LARGE');
      await expectAlive(a, 'ENVELOPE_TOO_LARGE');
    },
  },
  {
    id: 'LIM-003', area: 'limits', level: 'MUST', requirements: ['ERR-4'],
    title: 'a frame larger than max_frame_bytes closes the connection with 1009; other connections unaffected',
    async run(ctx) {
      const a = await ctx.agent('big');
      const b = await ctx.agent('bystander');
      a.conn.sendText(JSON.stringify({ op: 'discover', ref: 'big', query: {}, pad: 'x'.repeat(ctx.limits.max_frame_bytes) }));
      const closed = await a.conn.waitClose('close 1009 (ERR-4)');
      check(closed.code === 1009, 'close code 1009', `close ${closed.code} ${closed.reason}`);
      await expectAlive(b, 'another connection closed for size');
    },
  },
];
