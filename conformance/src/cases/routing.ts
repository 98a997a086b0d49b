// Routing cases (SPEC section 11): direct and capability routing, unknown recipients, no provider,
// unchanged delivery, store-and-forward in acceptance order, at-least-once redelivery.
import { canonicalize, generateKeyPair } from '@baton/spec';
import { check, show } from '../assert.ts';
import { deliverOf, deliveredOf, fillOfflineMailbox, receiptFor } from './delivery-helpers.ts';
import { manifest, uniqueCapability } from './helpers.ts';
import type { ConformanceCase } from './types.ts';


export const routingCases: ConformanceCase[] = [
  {
    id: 'RTE-001', area: 'routing', level: 'MUST', requirements: ['ACK-2', 'TYP-5', 'VER-4', 'ENC-5'],
    title: 'a direct message (with ext) is delivered unchanged to its recipient',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      const env = ctx.envelope(a, { type: 'message', to: b.did, body: { text: 'héllo', n: 0.1 }, ext: { 'org.example/priority': { level: 2 } } });
      await ctx.sendAccepted(a, env);
      const f = await b.conn.expect(`deliver of ${env.id}`, deliverOf(env.id));
      check(canonicalize(f.env) === canonicalize(env), 'the envelope exactly as signed', show(f.env));
    },
  },
  {
    id: 'RTE-002', area: 'routing', level: 'MUST', requirements: ['RTE-2'],
    title: 'a message to a did:key that never authenticated: UNKNOWN_RECIPIENT',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const stranger = generateKeyPair().did;
      await ctx.sendRejected(a, ctx.envelope(a, { type: 'message', to: stranger, body: {} }), 'UNKNOWN_RECIPIENT');
    },
  },
  {
    id: 'RTE-003', area: 'routing', level: 'MUST', requirements: ['RTE-3'],
    title: 'a request to cap:<name> nobody provides: NO_PROVIDER',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const cap = uniqueCapability('none');
      await ctx.sendRejected(a, ctx.envelope(a, { type: 'request', to: `cap:${cap}`, body: { capability: cap, input: {} } }), 'NO_PROVIDER');
    },
  },
  {
    id: 'RTE-004', area: 'routing', level: 'MUST', requirements: ['RTE-3', 'TYP-2'],
    title: 'capability routing delivers to a connected provider, and prefers the one with fewer unacknowledged deliveries',
    async run(ctx) {
      const cap = uniqueCapability('route');
      const p1 = await ctx.agent('provider1');
      const p2 = await ctx.agent('provider2');
      for (const p of [p1, p2]) await ctx.sendAccepted(p, ctx.envelope(p, { type: 'register', to: ctx.relayDid, body: { manifests: [manifest(cap)] } }));
      const a = await ctx.agent('caller');
      const r1 = ctx.envelope(a, { type: 'request', to: `cap:${cap}`, body: { capability: cap, input: {} } });
      await ctx.sendAccepted(a, r1);
      const first = await Promise.any([p1, p2].map(async (p) => { await p.conn.expect(`deliver of ${r1.id}`, deliverOf(r1.id)); return p; }));
      const other = first === p1 ? p2 : p1;
      const r2 = ctx.envelope(a, { type: 'request', to: `cap:${cap}`, body: { capability: cap, input: {} } });
      await ctx.sendAccepted(a, r2);
      await other.conn.expect(`deliver of ${r2.id} to the provider without unacknowledged deliveries`, deliverOf(r2.id));
    },
  },
  {
    id: 'RTE-005', area: 'routing', level: 'MUST', requirements: ['ACK-2', 'ACK-6'],
    title: 'envelopes for an offline recipient arrive on its next connection, in acceptance order, and again until receipted',
    async run(ctx) {
      const { recipient: b1, envs } = await fillOfflineMailbox(ctx, 3);
      const b2 = await ctx.agent('recipient-2', b1.key);
      const got: string[] = [];
      for (let i = 0; i < 3; i++) got.push(String(((await b2.conn.expectOp('deliver')).env as { id?: string }).id));
      check(JSON.stringify(got) === JSON.stringify(envs.map((e) => e.id)), `deliveries in order ${show(envs.map((e) => e.id))}`, show(got));
      b2.conn.close();
      await b2.conn.waitClose('recipient disconnected again');
      const b3 = await ctx.agent('recipient-3', b1.key);
      await b3.conn.expect(`redelivery of ${envs[0]!.id} (no receipt was sent)`, deliverOf(envs[0]!.id));
    },
  },
  {
    id: 'RTE-008', area: 'routing', level: 'MAY', feature: 'multi-connection', requirements: ['CON-9', 'ACK-4'],
    title: 'an agent with two connections gets each envelope on exactly one of them, and its delivered frames on both',
    async run(ctx) {
      const b1 = await ctx.agent('recipient-conn-1');
      const b2 = await ctx.agent('recipient-conn-2', b1.key);
      const a = await ctx.agent('sender');
      const env = ctx.envelope(a, { type: 'message', to: b1.did, body: { twice: 'connected' } });
      await ctx.sendAccepted(a, env);
      const got = await Promise.any([b1, b2].map(async (b) => { await b.conn.expect(`deliver of ${env.id}`, deliverOf(env.id)); return b; }));
      const other = got === b1 ? b2 : b1;
      await ctx.sendAccepted(got, receiptFor(ctx, got, env));
      await a.conn.expect(`delivered for ${env.id}`, deliveredOf(env.id));
      check(await other.conn.absent(deliverOf(env.id)), 'the envelope on one connection only', 'a deliver frame on both connections');
      // B now sends, and receives the delivered frame for its own envelope on both connections (ACK-4).
      const back = ctx.envelope(b1, { type: 'message', to: a.did, body: { reply: true } });
      await ctx.sendAccepted(got, back);
      await a.conn.expect(`deliver of ${back.id}`, deliverOf(back.id));
      await ctx.sendAccepted(a, receiptFor(ctx, a, back));
      for (const b of [b1, b2]) await b.conn.expect(`delivered for ${back.id} on every connection of the sender`, deliveredOf(back.id));
    },
  },
];
