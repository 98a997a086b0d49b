// Agent-mode replay cases: a redelivered envelope is receipted again but not acted on again (RPL-4, ACK-6);
// a request whose exp passed before it arrived is receipted and answered EXPIRED, not run (RPL-4, RPL-2).
import { check, show } from '../../assert.ts';
import { sent } from '../envelopes.ts';
import type { AgentCase } from './types.ts';

export const replayCases: AgentCase[] = [
  {
    id: 'AG-030', area: 'agent-replay', level: 'MUST', requirements: ['RPL-4', 'ACK-6'], scenario: 'echo',
    title: 'a duplicate delivery (attempt 2) gets a receipt again but no second result',
    async run(ctx) {
      const request = ctx.request(ctx.peer(), { text: 'once' });
      ctx.deliver(request);
      await ctx.expectReceipt(request);
      await ctx.expectResult(request);
      ctx.deliver(request);
      await ctx.expectReceipt(request, 'a second receipt for the duplicate');
      await ctx.roundTrip();
      const again = ctx.conn.frames.seen.filter((f) => sent(f)?.type === 'result' && sent(f)?.parent === request.id);
      check(again.length === 1, `exactly one result for ${request.id} (the duplicate is not acted on)`, `${again.length} results`);
      check(await ctx.conn.frames.absent((f) => sent(f)?.parent === request.id && sent(f)?.type === 'result', Math.min(300, ctx.options.timeoutMs)), 'no second result', 'a second result arrived');
    },
  },
  {
    id: 'AG-031', area: 'agent-replay', level: 'MUST', requirements: ['RPL-4', 'RPL-2'], scenario: 'echo',
    title: 'a request whose exp has passed is receipted and answered with an EXPIRED error result',
    async run(ctx) {
      const now = Date.now();
      const request = ctx.request(ctx.peer(), { text: 'too late' }, { ts: now - 120_000, exp: now - 60_000 });
      ctx.deliver(request);
      await ctx.expectReceipt(request);
      const r = await ctx.expectResult(request);
      const body = r.body as { status?: unknown; error?: { code?: unknown } };
      check(body.status === 'error' && body.error?.code === 'EXPIRED', 'result {status: "error", error.code: "EXPIRED"} (RPL-4)', show(r.body));
    },
  },
];
