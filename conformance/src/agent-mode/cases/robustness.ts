// Agent-mode robustness cases: frames are open, so unknown members in hello/welcome/deliver and unknown ops
// from a newer relay are ignored (VER-2); non-fatal `error` frames do not cost the adapter its connection or
// its work (ERR-2, ERR-3); a result refused RATE_LIMITED is resent unchanged after retry_after_ms, one
// refused MAILBOX_FULL is not (FLW-4).
import { newEnvelopeId } from '@baton/spec';
import { CaseFailure, check, show } from '../../assert.ts';
import type { AgentContext } from '../context.ts';
import { sent } from '../envelopes.ts';
import type { AgentCase } from './types.ts';

/** The adapter process is running and its connection open. */
function stillConnected(ctx: AgentContext, after: string): void {
  check(ctx.adapter?.exit === null, `the adapter still running after ${after}`, `exited ${show(ctx.adapter?.exit)}`);
  check(ctx.conn.open, `the adapter connection still open after ${after}`, `closed ${show(ctx.conn.frames.closeInfo)}`);
}

export const robustnessCases: AgentCase[] = [
  {
    id: 'AG-040', area: 'agent-robustness', level: 'MUST', requirements: ['VER-2'], scenario: 'echo',
    relay: { helloExtra: { 'x-future': { nested: [1, 2] } }, welcomeExtra: { 'x-future': 'welcome extension' } },
    title: 'unknown members in hello, welcome and deliver and an unknown op are ignored',
    async run(ctx) {
      ctx.conn.send({ op: 'x-future-op', data: { any: 'thing' } });
      const request = ctx.request(ctx.peer(), { text: 'still works' });
      ctx.deliver(request, { 'x-trace': 'deliver extension', priority: 3 });
      await ctx.expectReceipt(request);
      const r = await ctx.expectResult(request);
      check((r.body as { status?: unknown }).status === 'ok', 'an ok result', show(r.body));
      stillConnected(ctx, 'unknown members and ops');
    },
  },
  {
    id: 'AG-041', area: 'agent-robustness', level: 'MUST', requirements: ['ERR-2', 'ERR-3'], scenario: 'echo',
    title: 'non-fatal error frames from the relay (with and without id) do not stop the adapter',
    async run(ctx) {
      ctx.conn.send({ op: 'error', code: 'INTERNAL_ERROR', message: 'conformance: unsolicited error' });
      ctx.conn.send({ op: 'error', code: 'RATE_LIMITED', message: 'conformance: unknown id', id: newEnvelopeId(), retry_after_ms: 5 });
      ctx.conn.send({ op: 'error', code: 'UNKNOWN_DELIVERY', message: 'conformance: unknown delivery', id: newEnvelopeId() });
      await ctx.roundTrip('after errors');
      stillConnected(ctx, 'error frames');
    },
  },
  {
    id: 'AG-042', area: 'agent-robustness', level: 'SHOULD', requirements: ['FLW-4'], scenario: 'echo',
    title: 'a result refused RATE_LIMITED is resent unchanged (same id and sig), not before retry_after_ms',
    async run(ctx) {
      const request = ctx.request(ctx.peer(), { text: 'rate limited' });
      const retryMs = 150;
      const refusal = ctx.relay.refuseOnce((env) => env.type === 'result' && env.parent === request.id, 'RATE_LIMITED', { retry_after_ms: retryMs });
      ctx.deliver(request);
      const first = await ctx.expectResult(request);
      const second = await ctx.expectResult(request).catch((e: unknown) => {
        throw e instanceof CaseFailure ? new CaseFailure(`the result refused RATE_LIMITED resent after retry_after_ms = ${retryMs} ms (FLW-4)`, e.received) : e;
      });
      const waited = Date.now() - (refusal.usedAt ?? 0);
      check(second.id === first.id && second.sig === first.sig, `the refused result ${first.id} resent byte-identical`, show(second));
      check(waited >= retryMs - 2, `the resend not before retry_after_ms = ${retryMs} ms`, `${waited} ms after the error`);
    },
  },
  {
    id: 'AG-043', area: 'agent-robustness', level: 'SHOULD', requirements: ['FLW-4'], scenario: 'echo',
    title: 'a result refused MAILBOX_FULL is final: not resent',
    async run(ctx) {
      const request = ctx.request(ctx.peer(), { text: 'mailbox full' });
      ctx.relay.refuseOnce((env) => env.type === 'result' && env.parent === request.id, 'MAILBOX_FULL');
      ctx.deliver(request);
      await ctx.expectResult(request);
      await ctx.roundTrip();
      const resent = await ctx.conn.frames.absent((f) => sent(f)?.type === 'result' && sent(f)?.parent === request.id, Math.min(500, ctx.options.timeoutMs));
      check(resent, 'no second copy of the result refused MAILBOX_FULL', 'the result was sent again');
    },
  },
];
