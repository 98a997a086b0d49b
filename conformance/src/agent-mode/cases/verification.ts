// Agent-mode verification cases: a delivered envelope that fails verification (signature, strictness, schema)
// or is not addressed to the adapter is dropped without a receipt and not acted on (SIG-3, SIG-4, RPL-5).
// A faulty relay delivers each one; a valid request follows, so the adapter is known to have handled it.
import { capabilityTarget, createEnvelope, generateKeyPair, signEnvelope, withoutSignature, type Envelope } from '@baton/spec';
import { identityRSignature, malleateSignature } from '../../cases/helpers.ts';
import type { AgentContext } from '../context.ts';
import type { AgentCase } from './types.ts';

/** A case that delivers `build(ctx)`, proves the adapter alive with a valid request, then expects no answer. */
function dropped(id: string, requirements: string[], title: string, build: (ctx: AgentContext) => Envelope, tolerateReject = false): AgentCase {
  return {
    id, area: 'agent-verification', level: 'MUST', requirements, scenario: 'echo', title,
    async run(ctx) {
      const bad = build(ctx);
      ctx.deliver(bad);
      await ctx.roundTrip();
      await ctx.expectNoAnswer([bad.id], 'RPL-5: dropped without a receipt and not acted on', { tolerateReject });
    },
  };
}

export const verificationCases: AgentCase[] = [
  dropped('AG-020', ['SIG-4', 'RPL-5'], 'a request whose body was changed after signing is dropped', (ctx) => {
    const env = ctx.request(ctx.peer(), { text: 'signed' });
    return { ...env, body: { capability: ctx.capability, input: { text: 'tampered' } } };
  }),
  dropped('AG-021', ['SIG-3', 'RPL-5'], 'a request whose signature has S + L (malleated, valid for lax verifiers) is dropped', (ctx) => {
    const env = ctx.request(ctx.peer(), { text: 'malleated' });
    return { ...env, sig: malleateSignature(env.sig) };
  }),
  dropped('AG-022', ['SIG-4', 'RPL-5'], 'a request whose from names a peer but is signed by another key is dropped', (ctx) => {
    const peer = ctx.peer();
    const env = ctx.request(peer, { text: 'impostor' });
    return signEnvelope(withoutSignature(env), generateKeyPair().secretKey);
  }),
  dropped('AG-023', ['ENV-2', 'RPL-5'], 'a validly signed request with an unknown envelope member fails the schema and is dropped', (ctx) => {
    const peer = ctx.peer();
    const env = ctx.request(peer, { text: 'extra member' });
    return signEnvelope({ ...withoutSignature(env), x_extra: true } as unknown as Envelope, peer.secretKey);
  }),
  dropped('AG-024', ['RPL-5'], 'a validly signed request addressed to another agent is dropped', (ctx) => {
    return ctx.request(ctx.peer(), { text: 'not for you' }, { to: ctx.peer().did });
  }),
  dropped('AG-025', ['RPL-5'], 'a request to cap:<name> for a capability the adapter did not register is dropped (a reject frame is tolerated)', (ctx) => {
    const name = 'conformance.unregistered';
    return createEnvelope(ctx.peer(), { type: 'request', to: capabilityTarget(name), exp: Date.now() + 60_000, body: { capability: name, input: { text: 'x' } } });
  }, true),
  dropped('AG-026', ['SIG-3', 'RPL-5'], 'a request signed by the peer\'s key with R = the identity (small order, passes the bare cofactorless equation) is dropped', (ctx) => {
    const peer = ctx.peer();
    const env = ctx.request(peer, { text: 'small-order R' });
    return { ...env, sig: identityRSignature(env, peer) };
  }),
];
