// Agent-mode request cases: a delivered request is receipted (ACK-3, TYP-4) and answered with a signed
// result to the requester (TYP-3), by direct and capability routing; messages get a receipt only (TYP-5);
// the fail scenario carries the asked code; inputs are validated against the input_schema (MAN-4).
import { capabilityTarget, createEnvelope } from '@baton/spec';
import { CaseFailure, check, show } from '../../assert.ts';
import { sent } from '../envelopes.ts';
import { FAIL_CODE } from '../scenarios.ts';
import type { AgentCase } from './types.ts';

export const requestCases: AgentCase[] = [
  {
    id: 'AG-010', area: 'agent-requests', level: 'MUST', requirements: ['ACK-3', 'TYP-4', 'TYP-3', 'SIG-2'], scenario: 'echo',
    title: 'echo by direct routing: receipt (to, parent, for, digest) then an ok result to the requester with parent = request id',
    async run(ctx) {
      await ctx.roundTrip('hello, adapter');
    },
  },
  {
    id: 'AG-011', area: 'agent-requests', level: 'MUST', requirements: ['TYP-2', 'ACK-3', 'TYP-3'], scenario: 'echo',
    title: 'echo by capability routing (to = cap:<name>): receipt and ok result',
    async run(ctx) {
      const request = ctx.request(ctx.peer(), { text: 'routed' }, { to: capabilityTarget(ctx.capability) });
      ctx.deliver(request);
      await ctx.expectReceipt(request);
      const r = await ctx.expectResult(request);
      check(show(r.body) === show({ status: 'ok', output: { text: 'routed' } }), 'result {status: "ok", output: {"text": "routed"}}', show(r.body));
    },
  },
  {
    id: 'AG-012', area: 'agent-requests', level: 'SHOULD', requirements: ['TYP-3'], scenario: 'echo',
    title: 'the result copies the request thread',
    async run(ctx) {
      const { request, result } = await ctx.roundTrip('thread');
      check(result.thread === request.thread, `result thread = ${String(request.thread)}`, `thread = ${String(result.thread)}`);
    },
  },
  {
    id: 'AG-013', area: 'agent-requests', level: 'MUST', requirements: ['ACK-3', 'TYP-5'], scenario: 'echo',
    title: 'a message gets a receipt and nothing else',
    async run(ctx) {
      const peer = ctx.peer();
      const msg = createEnvelope(peer, { type: 'message', to: ctx.did, body: { note: 'for your information' } });
      ctx.deliver(msg);
      await ctx.expectReceipt(msg);
      await ctx.roundTrip();
      const extra = ctx.conn.frames.seen.find((f) => sent(f)?.parent === msg.id && sent(f)?.type !== 'receipt');
      check(extra === undefined, `only a receipt answers message ${msg.id}`, show(extra));
    },
  },
  {
    id: 'AG-014', area: 'agent-requests', level: 'MUST', requirements: ['TYP-3'], scenario: 'fail',
    title: `fail scenario: input {code: "${FAIL_CODE}"} is answered by an error result with that code`,
    async run(ctx) {
      const request = ctx.request(ctx.peer(), { code: FAIL_CODE });
      ctx.deliver(request);
      await ctx.expectErrorResult(request, FAIL_CODE);
    },
  },
  {
    id: 'AG-015', area: 'agent-requests', level: 'MUST', requirements: ['MAN-4'], scenario: 'echo',
    title: 'an input violating the input_schema is answered INPUT_SCHEMA_VIOLATION without running the handler',
    async run(ctx) {
      const request = ctx.request(ctx.peer(), { text: 42 });
      ctx.deliver(request);
      await ctx.expectErrorResult(request, 'INPUT_SCHEMA_VIOLATION');
    },
  },
  {
    id: 'AG-016', area: 'agent-requests', level: 'SHOULD', requirements: ['TYP-3'], scenario: 'echo',
    title: 'a direct request for a capability the adapter lacks: UNSUPPORTED_CAPABILITY (error result, or a reject frame)',
    async run(ctx) {
      const request = ctx.request(ctx.peer(), { text: 'x' }, { body: { capability: 'conformance.absent', input: { text: 'x' } } });
      ctx.deliver(request);
      const first = await ctx.conn.frames.expect(`a reject frame or a result for ${request.id}`,
        (f) => (f.op === 'reject' && f.id === request.id) || (sent(f)?.type === 'result' && sent(f)?.parent === request.id));
      if (first.op === 'reject') {
        check(first.code === 'UNSUPPORTED_CAPABILITY' && first.sender === request.from, 'reject {sender, id, code: UNSUPPORTED_CAPABILITY}', show(first));
        return;
      }
      const r = sent(first) ?? request;
      const body = r.body as { status?: unknown; error?: { code?: unknown } };
      if (body.status !== 'error' || body.error?.code !== 'UNSUPPORTED_CAPABILITY') throw new CaseFailure('result error UNSUPPORTED_CAPABILITY', show(r.body));
    },
  },
];
