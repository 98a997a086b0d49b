// Capability schemas at the relay cost bounded work (SPEC MAN-5, MAN-6, TSK-10), through a real socket: a
// pattern that is exponential for a backtracking engine, 2,000 objects under uniqueItems, a schema whose check
// is exponential in the input's nesting (SCHEMA_TOO_COMPLEX), and registrations with patterns outside MAN-5 or
// schemas over MAN-6's size refused with INVALID_MANIFEST; registrations whose schemas cost too much to compile
// refused with INVALID_MANIFEST, and the compile budget's RATE_LIMITED (MAN-7). Each answer arrives and the relay
// keeps serving.
import { describe, expect, it } from 'vitest';
import type { CapabilityManifest, Envelope } from '@baton/spec';
import { TestAgent, deliverOf, ping, relayPerTest } from './harness.ts';

const startRelayForTest = relayPerTest();

const CHECKED: CapabilityManifest = {
  name: 'text.check', version: '1.0.0', description: 'a provider with a catastrophic-backtracking pattern',
  input_schema: {
    type: 'object',
    properties: { text: { type: 'string', pattern: '^(a+)+$' }, tags: { type: 'array', uniqueItems: true } },
  },
  output_schema: { type: 'object' }, timeout_ms: 60_000, tags: [],
};

async function answerTo(agent: TestAgent, env: Envelope): Promise<string> {
  agent.sendEnvelope(env);
  const f = await agent.next((x) => (x.op === 'error' || x.op === 'accepted') && x.id === env.id);
  return f.op === 'error' ? String(f.code) : 'accepted';
}

describe('capability schemas at the relay (MAN-5, MAN-6)', () => {
  it('refuses input against a pattern exponential for backtracking and a large uniqueItems array at once, then serves valid input', async () => {
    const r = await startRelayForTest();
    const owner = await TestAgent.connect(r);
    const worker = await TestAgent.connect(r);
    await worker.register(r.relay.did, [CHECKED]);
    const request = (input: unknown): Envelope => owner.envelope({ type: 'request', to: worker.did, body: { capability: 'text.check', input } });

    // V8's engine would take about 2^64 steps on this input: the answer below would never come
    expect(await answerTo(owner, request({ text: `${'a'.repeat(64)}b` }))).toBe('INPUT_SCHEMA_VIOLATION');
    // 2,000 distinct objects and one repeat (about 50 KB): pairwise comparison took ~0.5 s on the event loop
    const tags = Array.from({ length: 2000 }, (_, i) => ({ t: [i, 'x'] }));
    expect(await answerTo(owner, request({ tags: [...tags, { t: [1999, 'x'] }] }))).toBe('INPUT_SCHEMA_VIOLATION');
    await ping(owner);
    const valid = request({ text: 'a'.repeat(64), tags });
    expect(await answerTo(owner, valid)).toBe('accepted');
    await worker.next(deliverOf(valid.id));
  });

  it('refuses a check that needs exponential work with SCHEMA_TOO_COMPLEX (not stored), as a request and as a result', async () => {
    const r = await startRelayForTest();
    const owner = await TestAgent.connect(r);
    const worker = await TestAgent.connect(r);
    const exponential = {
      // [] and arrays of at least two valid arrays are valid; on [[[...]]] both branches recurse before failing
      $defs: { n: { anyOf: [{ allOf: [{ items: { $ref: '#/$defs/n' } }, { minItems: 2 }] }, { allOf: [{ items: { $ref: '#/$defs/n' } }, { maxItems: 0 }] }] } },
      $ref: '#/$defs/n',
    };
    await worker.register(r.relay.did, [{ ...CHECKED, input_schema: exponential, output_schema: exponential }]);
    const deep = JSON.parse('['.repeat(60) + ']'.repeat(60)) as unknown;
    const refused = owner.envelope({ type: 'request', to: worker.did, body: { capability: 'text.check', input: deep } });
    expect(await answerTo(owner, refused)).toBe('SCHEMA_TOO_COMPLEX');
    const req = owner.envelope({ type: 'request', to: worker.did, body: { capability: 'text.check', input: [[], [[], []]] } });
    expect(await answerTo(owner, req)).toBe('accepted');
    await worker.next(deliverOf(req.id));
    const result = worker.envelope({ type: 'result', to: owner.did, parent: req.id, body: { status: 'ok', output: deep } });
    expect(await answerTo(worker, result)).toBe('SCHEMA_TOO_COMPLEX');
    expect(r.relay.tasks.get(req.id)?.state).toBe('queued');
    await ping(owner);
  });

  it('refuses registrations whose patterns are outside MAN-5 and keeps the connection', async () => {
    const r = await startRelayForTest();
    const agent = await TestAgent.connect(r);
    const withPattern = (pattern: string): CapabilityManifest => ({ ...CHECKED, input_schema: { type: 'string', pattern } });
    for (const pattern of ['^(?=.*\\d)\\w+$', '(a)\\1', 'a{1001}']) {
      const env = agent.envelope({ type: 'register', to: r.relay.did, body: { manifests: [withPattern(pattern)] } });
      agent.sendEnvelope(env);
      const error = await agent.error();
      expect([error.code, error.id]).toEqual(['INVALID_MANIFEST', env.id]);
      expect(String(error.message)).toContain('MAN-5');
    }
    const huge = { properties: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p${i}`, { type: 'string' }])) };
    const env = agent.envelope({ type: 'register', to: r.relay.did, body: { manifests: [{ ...CHECKED, input_schema: huge }] } });
    agent.sendEnvelope(env);
    const error = await agent.error();
    expect([error.code, String(error.message)]).toEqual(['INVALID_MANIFEST', expect.stringContaining('MAN-6')]);
    await ping(agent);
    expect(agent.isOpen).toBe(true);
  });
});

describe('the compile cost of registrations at the relay (MAN-7)', () => {
  // allOf of 100 empty schemas and a description: 16 + 101 x 8 + 2 members + floor(101^2 / 200) = 877 units;
  // the output schema 16 + 8 + 2 = 26: 903 per manifest; each schema distinct, so that none is compiled before
  let nonce = 0;
  const costly = (n: number): CapabilityManifest[] => Array.from({ length: n }, (_, i) => ({
    ...CHECKED, name: `c${i}`,
    input_schema: { allOf: Array.from({ length: 100 }, () => ({})), description: `${process.pid}-${nonce++}` },
    output_schema: { type: 'object', description: `${process.pid}-${nonce++}` },
  }));
  const register = (agent: TestAgent, relayDid: string, manifests: CapabilityManifest[]): Envelope =>
    agent.envelope({ type: 'register', to: relayDid, body: { manifests } });

  it('refuses a registration whose schemas cost more than 10,000 units together with INVALID_MANIFEST, before compiling', async () => {
    const r = await startRelayForTest();
    const agent = await TestAgent.connect(r);
    const env = register(agent, r.relay.did, costly(12)); // 12 x 903 = 10,836
    agent.sendEnvelope(env);
    const error = await agent.error();
    expect([error.code, error.id, String(error.message)]).toEqual(['INVALID_MANIFEST', env.id, expect.stringContaining('10,836 units')]);
    expect(await answerTo(agent, register(agent, r.relay.did, costly(11)))).toBe('accepted'); // 9,933
  });

  it.each([
    ['per IP address', { compile_rate_per_ip: 1000, compile_burst_per_ip: 10_000 }],
    ['for the whole relay', { compile_rate_relay: 1000, compile_burst_relay: 10_000, compile_burst_per_ip: 1_000_000 }],
  ])('charges what it compiles to the budget %s: RATE_LIMITED with retry_after_ms, nothing stored; compiled schemas are free', async (_, limits) => {
    const r = await startRelayForTest({ limits });
    const agent = await TestAgent.connect(r);
    const first = costly(11);
    expect(await answerTo(agent, register(agent, r.relay.did, first))).toBe('accepted'); // 9,933 of 10,000
    const refused = register(agent, r.relay.did, costly(3)); // 2,709: 67 left, 2,642 missing at 1 unit per ms
    agent.sendEnvelope(refused);
    const error = await agent.error();
    expect([error.code, error.id, error.retry_after_ms]).toEqual(['RATE_LIMITED', refused.id, 2642]);
    expect(String(error.message)).toContain('MAN-7');
    // the same schemas again (a new envelope, as after a reconnect) compile nothing and pass
    expect(await answerTo(agent, register(agent, r.relay.did, first))).toBe('accepted');
    await r.clock.advance(2641);
    agent.sendEnvelope(refused);
    expect((await agent.error()).code).toBe('RATE_LIMITED');
    await r.clock.advance(1);
    expect(await answerTo(agent, refused)).toBe('accepted'); // not stored when refused, so not a duplicate now
    await ping(agent);
  });
});
