// Agent-mode notice cases (TYP-6, DLV-6): a `notice` envelope signed by the relay did learned in `hello` is
// verified and receipted like any delivered envelope, with the receipt addressed to the relay (ACK-3, TYP-4);
// a notice from any other key is not acted on and not receipted (TYP-6, SIG-4, RPL-5).
import { createEnvelope, generateKeyPair, signEnvelope, withoutSignature, type Envelope, type KeyPair } from '@baton/spec';
import type { AgentContext } from '../context.ts';
import type { AgentCase } from './types.ts';

/** A dead-lettered notice about `about` (an envelope the adapter sent), signed by `signer`. */
function notice(ctx: AgentContext, signer: KeyPair, about: Envelope): Envelope {
  return createEnvelope(signer, {
    type: 'notice', to: ctx.did, parent: about.id, ...(about.thread !== undefined ? { thread: about.thread } : {}),
    body: {
      event: 'dead-lettered', for: about.id, to: about.to, reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 5,
      last_error: { code: 'TIMEOUT', message: 'no receipt within ack_timeout_ms' }, entry: 7,
    },
  });
}

export const noticeCases: AgentCase[] = [
  {
    id: 'AG-050', area: 'agent-notices', level: 'MUST', requirements: ['TYP-6', 'TYP-4', 'SIG-4'], scenario: 'echo',
    title: 'a relay-signed notice (DLV-6) about the adapter\'s result is receipted to the relay did',
    async run(ctx) {
      const { result } = await ctx.roundTrip('result that will be dead-lettered');
      const n = notice(ctx, ctx.relay.key, result);
      ctx.deliver(n);
      await ctx.expectReceipt(n, 'receipt to the relay');
    },
  },
  {
    id: 'AG-051', area: 'agent-notices', level: 'MUST', requirements: ['TYP-6', 'SIG-4', 'RPL-5'], scenario: 'echo',
    title: 'notices signed by another key (a peer\'s own notice, or the relay did with a foreign signature) are dropped',
    async run(ctx) {
      const { result } = await ctx.roundTrip('result');
      const byPeer = notice(ctx, ctx.peer(), result);
      const forged = { ...withoutSignature(notice(ctx, ctx.relay.key, result)) };
      const foreignSig = signEnvelope(forged, generateKeyPair().secretKey);
      ctx.deliver(byPeer);
      ctx.deliver(foreignSig);
      await ctx.roundTrip();
      await ctx.expectNoAnswer([byPeer.id, foreignSig.id], 'only the relay key signs notices');
    },
  },
];
