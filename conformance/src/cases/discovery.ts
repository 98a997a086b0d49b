// Discovery cases (SPEC sections 9-10): register then discover over WebSocket and HTTP, the stored
// registration returned verbatim, online filtering, replacement by a newer register, HTTP parameter errors.
import { canonicalize, verifyEnvelope, type Envelope } from '@baton/spec';
import { check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import { disconnectAndWaitOffline, manifest, uniqueCapability } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

type Entry = { agent: string; online: boolean; capabilities: string[]; registration: Envelope; handle?: string };

async function discover(_ctx: CaseContext, a: TestAgent, query: Record<string, unknown>): Promise<Entry[]> {
  const ref = `d-${Math.random().toString(36).slice(2)}`;
  a.conn.send({ op: 'discover', ref, query });
  const f = await a.conn.expect(`discovered frame with ref ${ref}`, (x) => x.ref === ref);
  check(f.op === 'discovered' && Array.isArray(f.agents), `discovered frame with ref ${ref} and agents`, show(f));
  return f.agents as Entry[];
}

async function register(ctx: CaseContext, a: TestAgent, manifests: Record<string, unknown>[]): Promise<Envelope> {
  const env = ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests } });
  await ctx.sendAccepted(a, env);
  return env;
}

export const discoveryCases: ConformanceCase[] = [
  {
    id: 'DIS-001', area: 'discovery', level: 'MUST', requirements: ['DIS-1', 'DIS-2', 'MAN-3'],
    title: 'discover by capability returns the provider, online, with its register envelope unchanged and verifiable',
    async run(ctx) {
      const cap = uniqueCapability('dis');
      const p = await ctx.agent('provider');
      const reg = await register(ctx, p, [manifest(cap, ['conf'])]);
      const q = await ctx.agent('caller');
      const agents = await discover(ctx, q, { capability: cap });
      check(agents.length === 1 && agents[0]?.agent === p.did && agents[0].online === true && JSON.stringify(agents[0].capabilities) === JSON.stringify([cap]),
        `one entry {agent:${p.did}, online:true, capabilities:[${cap}]}`, show(agents));
      const got = agents[0].registration;
      check(canonicalize(got) === canonicalize(reg) && verifyEnvelope(got), 'registration equal to the register envelope sent, signature verifying', show(got));
    },
  },
  {
    id: 'DIS-002', area: 'discovery', level: 'MUST', requirements: ['DIS-4'],
    title: 'GET /v1/agents?capability= answers 200 with the same entry',
    async run(ctx) {
      const cap = uniqueCapability('http');
      const p = await ctx.agent('provider');
      await register(ctx, p, [manifest(cap)]);
      const { status, body } = await ctx.getJson(`/v1/agents?capability=${encodeURIComponent(cap)}`);
      const agents = (body as { agents?: Entry[] } | null)?.agents;
      check(status === 200 && Array.isArray(agents) && agents.length === 1 && agents[0]?.agent === p.did, `200 {agents:[{agent:${p.did}}]}`, `${status} ${show(body)}`);
    },
  },
  {
    id: 'DIS-003', area: 'discovery', level: 'MUST', requirements: ['DIS-3'],
    title: 'an offline provider is only returned with include_offline, then online:false',
    async run(ctx) {
      const cap = uniqueCapability('off');
      const p = await ctx.agent('provider');
      await register(ctx, p, [manifest(cap)]);
      const q = await ctx.agent('caller');
      // presence may take a moment to update after the close: polls discovery until the entry disappears
      await disconnectAndWaitOffline(ctx, p, q, cap);
      const all = await discover(ctx, q, { capability: cap, include_offline: true });
      check(all.length === 1 && all[0]?.agent === p.did && all[0].online === false, `one entry {agent:${p.did}, online:false}`, show(all));
    },
  },
  {
    id: 'DIS-004', area: 'discovery', level: 'MUST', requirements: ['TYP-1', 'DIS-3'],
    title: 'a newer register replaces the previous one entirely',
    async run(ctx) {
      const old = uniqueCapability('old');
      const neu = uniqueCapability('new');
      const p = await ctx.agent('provider');
      await register(ctx, p, [manifest(old)]);
      await register(ctx, p, [manifest(neu)]);
      const q = await ctx.agent('caller');
      check((await discover(ctx, q, { capability: old })).length === 0, `no provider of ${old}`, 'the old registration still matches');
      check((await discover(ctx, q, { capability: neu })).length === 1, `one provider of ${neu}`, 'the new registration does not match');
    },
  },
  {
    id: 'DIS-005', area: 'discovery', level: 'MUST', requirements: ['DIS-3'],
    title: 'tag filtering, ordering by did:key and limit',
    async run(ctx) {
      const cap = uniqueCapability('tag');
      const tag = `t${Math.random().toString(36).slice(2, 10)}`;
      const ps = [await ctx.agent('p1'), await ctx.agent('p2'), await ctx.agent('p3')];
      await register(ctx, ps[0]!, [manifest(cap, [tag])]);
      await register(ctx, ps[1]!, [manifest(cap, [tag])]);
      await register(ctx, ps[2]!, [manifest(cap, [])]);
      const q = await ctx.agent('caller');
      const tagged = await discover(ctx, q, { capability: cap, tag });
      const want = [ps[0]!.did, ps[1]!.did].sort();
      check(JSON.stringify(tagged.map((e) => e.agent)) === JSON.stringify(want), `agents ${show(want)} in did:key order`, show(tagged.map((e) => e.agent)));
      const limited = await discover(ctx, q, { capability: cap, limit: 1 });
      check(limited.length === 1, 'one entry with limit 1', show(limited.map((e) => e.agent)));
    },
  },
  {
    id: 'DIS-006', area: 'discovery', level: 'MUST', requirements: ['DIS-3'],
    title: 'HTTP discovery with an invalid limit answers 400 INVALID_FRAME',
    async run(ctx) {
      const { status, body } = await ctx.getJson('/v1/agents?limit=0');
      const code = (body as { error?: { code?: string } } | null)?.error?.code;
      check(status === 400 && code === 'INVALID_FRAME', '400 {error:{code:INVALID_FRAME}}', `${status} ${show(body)}`);
    },
  },
];
