// Agent-mode session cases: the handshake the adapter performs (CON-3), the register envelope it sends
// (TYP-1, MAN-1) with the manifests the adapter contract fixes, and WebSocket pings (CON-8).
import { validateEnvelope, validateRegisterBody, verifyAuth, verifyEnvelope, type CapabilityManifest } from '@baton/spec';
import { check, show } from '../../assert.ts';
import type { AgentContext } from '../context.ts';
import { manifestProblem, type Scenario } from '../scenarios.ts';
import type { AgentCase } from './types.ts';

/** Checks the adapter's accepted register envelope and its manifest for `scenario`. */
function checkRegistration(ctx: AgentContext, scenario: Scenario): void {
  const reg = ctx.conn.registration;
  check(reg !== undefined, 'an accepted register envelope', 'none');
  const v = validateEnvelope(reg);
  check(v.ok, 'register envelope valid against the schema (ENV-1)', v.ok ? '' : v.message);
  check(reg.to === ctx.relay.did, `register addressed to the relay did ${ctx.relay.did} (TYP-1)`, `to = ${reg.to}`);
  check(reg.from === ctx.did && verifyEnvelope(reg), 'register signed by the adapter key (SIG-2)', `from ${reg.from}, signature ${verifyEnvelope(reg) ? 'valid' : 'invalid'}`);
  const body = validateRegisterBody(reg.body, ctx.relay.limits.max_manifests);
  check(body.ok, 'register body with valid manifests (MAN-1)', body.ok ? '' : body.message);
  const m = body.value.manifests.find((x: CapabilityManifest) => x.name === ctx.capability);
  check(m !== undefined, `a manifest named ${ctx.capability} (BATON_CAPABILITY)`, show(body.value.manifests.map((x) => x.name)));
  const problem = manifestProblem(scenario, m);
  check(problem === null, `the ${scenario} manifest of the adapter contract (ADAPTERS.md)`, `${problem ?? ''}: ${show(m)}`);
}

export const sessionCases: AgentCase[] = [
  {
    id: 'AG-001', area: 'agent-session', level: 'MUST', requirements: ['CON-3'], scenario: 'echo',
    title: 'auth answers hello with a chosen version, the adapter did, its clock and a signature over this challenge and relay did',
    async run(ctx) {
      const { auth, hello } = ctx.conn;
      check(auth !== undefined, 'an auth frame', 'none');
      check(hello.versions.includes(auth.v), `auth.v in hello.versions ${show(hello.versions)}`, `v = ${auth.v}`);
      check(auth.agent === ctx.did, `auth.agent = the did of BATON_AGENT_SECRET (${ctx.did})`, auth.agent);
      check(Math.abs(auth.ts - Date.now()) <= ctx.relay.limits.max_clock_skew_ms, 'auth.ts within max_clock_skew_ms of now', `ts = ${auth.ts}`);
      check(verifyAuth(auth, hello.challenge, hello.relay), `sig over {agent, challenge ${hello.challenge}, relay ${hello.relay}, ts, v}`, `sig ${auth.sig} does not verify`);
    },
  },
  {
    id: 'AG-002', area: 'agent-session', level: 'MUST', requirements: ['TYP-1', 'MAN-1', 'SIG-2'], scenario: 'echo',
    title: 'echo scenario: a signed register envelope to the relay with the echo manifest ({text} -> {text})',
    async run(ctx) {
      checkRegistration(ctx, 'echo');
    },
  },
  {
    id: 'AG-003', area: 'agent-session', level: 'MUST', requirements: ['TYP-1', 'MAN-1'], scenario: 'fail',
    title: 'fail scenario: a register envelope with the fail manifest ({code} -> error result)',
    async run(ctx) {
      checkRegistration(ctx, 'fail');
    },
  },
  {
    id: 'AG-004', area: 'agent-session', level: 'MUST', requirements: ['CON-8'], scenario: 'echo',
    title: 'the adapter answers WebSocket pings',
    async run(ctx) {
      check(await ctx.conn.ping(), `a pong within ${ctx.options.timeoutMs} ms of a ping`, 'no pong');
    },
  },
];
