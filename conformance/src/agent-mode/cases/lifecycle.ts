// Agent-mode lifecycle cases: an adapter that crashes on a request gets it redelivered after its restart and
// handles it once - delivered after it registered again, or right after `welcome` as a relay resuming the
// mailbox does (ACK-2, ACK-6, RPL-4); a silent adapter acknowledges (receipt, or `working` frames, DLV-3) but
// never answers.
import type { Envelope } from '@baton/spec';
import type { ReceivedFrame } from '../../wire/frame-queue.ts';
import { CaseFailure, check, show } from '../../assert.ts';
import type { AgentContext } from '../context.ts';
import { sent } from '../envelopes.ts';
import type { AgentCase } from './types.ts';

/** Starts the crash scenario, delivers a request and waits for the process to exit without a result. */
async function crashOn(ctx: AgentContext): Promise<Envelope> {
  const request = ctx.request(ctx.peer(), { text: 'survives a crash' });
  ctx.deliver(request);
  const exit = await ctx.adapter?.waitExit(ctx.options.timeoutMs);
  if (!exit) throw new CaseFailure(`crash scenario: the adapter exits within ${ctx.options.timeoutMs} ms of its first request`, `still running; result frames: ${show(ctx.conn.frames.seen.filter((f) => sent(f)?.type === 'result'))}`);
  const early = ctx.conn.frames.seen.find((f) => sent(f)?.type === 'result' && sent(f)?.parent === request.id);
  check(early === undefined, 'crash scenario: no result before the crash', show(early));
  return request;
}

/** After the restart: the redelivered request is handled once (one ok result), also once delivered again. */
async function handledOnce(ctx: AgentContext, request: Envelope): Promise<void> {
  await ctx.expectReceipt(request, 'receipt for the redelivered request');
  const r = await ctx.expectResult(request);
  check(show(r.body) === show({ status: 'ok', output: { text: 'survives a crash' } }), 'an ok result echoing the redelivered input', show(r.body));
  await ctx.roundTrip();
  check(await ctx.conn.frames.absent((f) => sent(f)?.type === 'result' && sent(f)?.parent === request.id, Math.min(300, ctx.options.timeoutMs)), 'exactly one result after the restart', 'a second result');
}

export const lifecycleCases: AgentCase[] = [
  {
    id: 'AG-060', area: 'agent-lifecycle', level: 'MUST', requirements: ['ACK-6', 'RPL-4'], scenario: 'crash', isolated: true,
    title: 'crash on a request, restart (BATON_SCENARIO=echo): the redelivery (attempt 2) after registration is handled once',
    async run(ctx) {
      const request = await crashOn(ctx);
      await ctx.start('echo', { capability: 'crash' });
      ctx.deliver(request);
      await handledOnce(ctx, request);
    },
  },
  {
    id: 'AG-061', area: 'agent-lifecycle', level: 'MUST', requirements: ['ACK-2', 'ACK-3', 'ACK-6'], scenario: 'crash', isolated: true,
    title: 'crash, restart: the redelivery sent together with welcome (before the adapter registers again) is handled once',
    async run(ctx) {
      const request = await crashOn(ctx);
      ctx.relay.queueForWelcome(request);
      await ctx.start('echo', { capability: 'crash' });
      const busy = ctx.conn.frames.seen.find((f) => f.op === 'reject' && f.id === request.id);
      if (busy) {
        check(busy.code === 'BUSY', 'no answer before registration other than a retryable reject BUSY', show(busy));
        ctx.deliver(request); // BUSY is retryable: the relay tries again, now that the adapter registered
      }
      await handledOnce(ctx, request);
    },
  },
  {
    id: 'AG-062', area: 'agent-lifecycle', level: 'MUST', requirements: ['ACK-3', 'DLV-3'], scenario: 'silent',
    title: 'silent scenario: the request is receipted, or kept alive with working frames within each ack_timeout_ms, and never answered',
    async run(ctx) {
      const request = ctx.request(ctx.peer(), { text: 'no answer expected' });
      const ackMs = ctx.relay.limits.ack_timeout_ms;
      const isAck = (f: ReceivedFrame): boolean => (f.op === 'working' && f.id === request.id && f.sender === request.from)
        || (sent(f)?.type === 'receipt' && (sent(f)?.body as { for?: unknown }).for === request.id);
      ctx.deliver(request);
      const ack = await ctx.conn.frames.expect(`a receipt, or a working frame within ack_timeout_ms = ${ackMs} ms (DLV-3)`, isAck, ackMs);
      const receipt = sent(ack);
      if (receipt) ctx.checkReceipt(receipt, request);
      // DLV-3: each working frame restarts the ack timer, so the next one must come within ack_timeout_ms.
      else await ctx.conn.frames.expect(`another working frame within ack_timeout_ms = ${ackMs} ms of the last (DLV-3)`, isAck, ackMs);
      const quiet = await ctx.conn.frames.absent((f) => sent(f)?.type !== 'receipt' && f.op !== 'working', Math.min(500, ctx.options.timeoutMs));
      const other = ctx.conn.frames.seen.filter((f) => f.op !== 'working' && sent(f)?.type !== 'receipt' && sent(f)?.type !== 'register');
      check(quiet && other.length === 0, 'nothing but receipts and working frames from a silent adapter', show(other.map((f) => sent(f) ?? f)));
    },
  },
];
