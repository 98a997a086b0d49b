// Envelope validation cases (SPEC sections 5, 6, 9, 11 RTE-1): schema, closed envelopes, UUIDv7 ids,
// integer headers, exp after ts, type rules, extensions, versions, sender binding, addressing, manifests.
import { signEnvelope, type Envelope, type UnsignedEnvelope } from '@baton/spec';
import { check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import { expectAlive, manifest, uniqueCapability } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

/** A message from `a` to `b`, re-signed after `mutate` changes the unsigned envelope (so only the mutation is wrong). */
function mutated(ctx: CaseContext, a: TestAgent, to: string, mutate: (u: Record<string, unknown>) => void): Envelope {
  const { sig: _sig, ...unsigned } = ctx.envelope(a, { type: 'message', to, body: { text: 'hi' } });
  mutate(unsigned as Record<string, unknown>);
  return signEnvelope(unsigned as UnsignedEnvelope, a.key.secretKey);
}

/** Case: two agents, a mutated envelope from the first, rejected with `code`; connection stays open. */
function rejectCase(id: string, requirements: string[], title: string, code: string,
  build: (ctx: CaseContext, a: TestAgent, b: TestAgent) => unknown): ConformanceCase {
  return {
    id, area: 'envelopes', level: 'MUST', requirements, title: `${title}: ${code}`,
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      await ctx.sendRejected(a, build(ctx, a, b), code);
      await expectAlive(a, code);
      check(await b.conn.absent((f) => f.op === 'deliver', 200), 'no deliver of a rejected envelope (ACK-7)', 'the recipient got a deliver frame');
    },
  };
}

export const envelopeCases: ConformanceCase[] = [
  rejectCase('ENV-001', ['ENV-2', 'VER-4', 'ACK-7', 'ERR-1', 'ERR-2'], 'an envelope with an unknown top-level member (validly signed)', 'INVALID_ENVELOPE',
    (ctx, a, b) => mutated(ctx, a, b.did, (u) => { u.priority = 1; })),
  rejectCase('ENV-002', ['ENV-1'], 'an envelope without sig', 'INVALID_ENVELOPE',
    (ctx, a, b) => { const { sig: _s, ...rest } = ctx.envelope(a, { type: 'message', to: b.did, body: {} }); return rest; }),
  rejectCase('ENV-003', ['ENV-3'], 'an id that is a UUIDv4, not a UUIDv7', 'INVALID_ENVELOPE',
    (ctx, a, b) => mutated(ctx, a, b.did, (u) => { u.id = '9b2c4f6e-1d2a-4c3b-8e7f-0a1b2c3d4e5f'; })),
  rejectCase('ENV-004', ['CAN-2', 'ENV-1'], 'a fractional ts', 'INVALID_ENVELOPE',
    (ctx, a, b) => mutated(ctx, a, b.did, (u) => { u.ts = (u.ts as number) + 0.5; })),
  rejectCase('ENV-005', ['ENV-4'], 'exp equal to ts', 'INVALID_ENVELOPE',
    (ctx, a, b) => mutated(ctx, a, b.did, (u) => { u.exp = u.ts; })),
  rejectCase('ENV-006', ['TYP-2'], 'a capability-routed request whose body.capability differs from the cap: name', 'INVALID_ENVELOPE',
    (ctx, a) => ctx.envelope(a, { type: 'request', to: 'cap:conf.one', body: { capability: 'conf.other', input: {} } })),
  rejectCase('ENV-007', ['TYP-3'], 'a result without parent', 'INVALID_ENVELOPE',
    (ctx, a, b) => ctx.envelope(a, { type: 'result', to: b.did, body: { status: 'ok', output: {} } })),
  rejectCase('ENV-008', ['VER-4'], 'an ext member name that is not reverse-DNS', 'INVALID_ENVELOPE',
    (ctx, a, b) => ctx.envelope(a, { type: 'message', to: b.did, body: {}, ext: { Priority: 1 } })),
  rejectCase('ENV-009', ['ENV-7'], 'a malformed traceparent', 'INVALID_ENVELOPE',
    (ctx, a, b) => ctx.envelope(a, { type: 'message', to: b.did, body: {}, traceparent: 'not-a-traceparent' })),
  rejectCase('ENV-010', ['ENV-6'], 'envelope version 2 on a v1 connection', 'UNSUPPORTED_VERSION',
    (ctx, a, b) => mutated(ctx, a, b.did, (u) => { u.v = 2; })),
  rejectCase('ENV-011', ['CON-5', 'RTE-1'], 'an envelope correctly signed by another key than the authenticated one', 'SENDER_MISMATCH',
    (ctx, _a, b) => ctx.envelope(b, { type: 'message', to: b.did, body: {} })),
  rejectCase('ENV-012', ['RTE-1', 'SIG-4'], 'a foreign from with a broken signature (sender is checked before signature)', 'SENDER_MISMATCH',
    (ctx, _a, b) => ({ ...ctx.envelope(b, { type: 'message', to: b.did, body: {} }), sig: 'A'.repeat(86) })),
  rejectCase('ENV-013', ['RTE-4'], 'a register addressed to an agent instead of the relay', 'INVALID_ENVELOPE',
    (ctx, a, b) => ctx.envelope(a, { type: 'register', to: b.did, body: { manifests: [] } })),
  rejectCase('ENV-014', ['RTE-1'], 'a message addressed to cap:', 'INVALID_ENVELOPE',
    (ctx, a) => ctx.envelope(a, { type: 'message', to: 'cap:conf.some', body: {} })),
  rejectCase('ENV-015', ['MAN-1', 'TYP-1'], 'a register with two manifests of the same name', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [manifest('conf.dup'), manifest('conf.dup')] } })),
  rejectCase('ENV-016', ['MAN-1'], 'a register whose input_schema is not a valid JSON Schema', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [{ ...manifest('conf.bad'), input_schema: { type: 'no-such-type' } }] } })),
  rejectCase('ENV-019', ['MAN-5', 'MAN-1'], 'a register whose input_schema pattern uses a lookahead', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [{ ...manifest('conf.look'), input_schema: { type: 'string', pattern: '^(?=.*[0-9])[a-z0-9]+$' } }] } })),
  rejectCase('ENV-020', ['MAN-5', 'MAN-1'], 'a register whose output_schema has a backreference in a patternProperties key', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [{ ...manifest('conf.backref'), output_schema: { type: 'object', patternProperties: { '^(x)\\1$': {} } } }] } })),
  rejectCase('ENV-021', ['MAN-6', 'MAN-1'], 'a register whose input_schema holds 1,001 schema objects (the root and 1,000 properties)', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [{
      ...manifest('conf.huge'), input_schema: { type: 'object', properties: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p${i}`, { type: 'string' }])) },
    }] } })),
  rejectCase('ENV-022', ['MAN-5', 'MAN-1'], 'a register whose pattern has size 1,005 ((?:a{2}|b{3}){201}: no count above 1,000, but the alternatives add up)', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [{
      ...manifest('conf.pattern.size'), input_schema: { type: 'string', pattern: '(?:a{2}|b{3}){201}' },
    }] } })),
  // inputs of 601 and 341 schema objects with two members: 16 + 601 x 8 + 2 + floor(601^2 / 200) = 6,632 and
  // 16 + 2,728 + 2 + 581 = 3,327; two outputs of 25: 10,009 units (one entry fewer in the second: 9,998)
  rejectCase('ENV-023', ['MAN-7', 'MAN-1'], 'a register whose schemas together cost 10,009 compile units (allOf lists of 600 and 340 empty schemas)', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [600, 340].map((k, i) => ({
      ...manifest(`conf.costly.${i}`), input_schema: { allOf: Array.from({ length: k }, () => ({})), description: `costly ${i}` },
    })) } })),
  // a validator nests one block per dependency, as per property: 1,400 compiled and then overflowed V8's parser
  rejectCase('ENV-024', ['MAN-6', 'MAN-1'], 'a register whose input_schema holds 1,000 property dependencies (dependentRequired entries) besides its root', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [{
      ...manifest('conf.deps'), input_schema: { dependentRequired: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`d${i}`, ['a']])) },
    }] } })),
  // two schemas of 284 $refs: 16 + 8 + 3 + 9 + 284 x (8 + 8) + floor(286^2 / 200) = 4,988 units each, and two
  // outputs of 26: 10,028 (at 1 unit per $ref: 6,052)
  rejectCase('ENV-025', ['MAN-7', 'MAN-1'], 'a register whose schemas cost 10,028 compile units because each $ref costs 8 (two schemas of 284 $refs)', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [0, 1].map((i) => ({
      ...manifest(`conf.refs.${i}`), input_schema: { $defs: { x: { type: 'string' } }, allOf: Array.from({ length: 284 }, () => ({ $ref: '#/$defs/x' })) },
      output_schema: { type: 'object', description: `refs ${i}` },
    })) } })),
  // 587 counted: 16 + 8 + 2 + 293 x 19 = 5,593, floor(587^2 / 200) = 1,722 and, for unevaluatedProperties,
  // floor(587^2 / 128) = 2,691; the output 25: 10,031 (without unevaluatedProperties: 7,339)
  rejectCase('ENV-026', ['MAN-7', 'MAN-1'], 'a register whose one schema costs over 10,000 compile units because it uses unevaluatedProperties (293 allOf entries of one property)', 'INVALID_MANIFEST',
    (ctx, a) => ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [{
      ...manifest('conf.unevaluated'),
      input_schema: { allOf: Array.from({ length: 293 }, (_, i) => ({ type: 'object', properties: { [`p${i}`]: {} } })), unevaluatedProperties: false },
    }] } })),
  {
    id: 'ENV-017', area: 'envelopes', level: 'MUST', requirements: ['MAN-2', 'ID-3'],
    title: 'a handle registered by one key is refused to another: HANDLE_TAKEN',
    async run(ctx) {
      const a = await ctx.agent('first');
      const b = await ctx.agent('second');
      const handle = `conf-${Math.random().toString(36).slice(2, 12)}`;
      await ctx.sendAccepted(a, ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { handle, manifests: [] } }));
      await ctx.sendRejected(b, ctx.envelope(b, { type: 'register', to: ctx.relayDid, body: { handle, manifests: [manifest(uniqueCapability('h'))] } }), 'HANDLE_TAKEN');
    },
  },
  {
    id: 'ENV-018', area: 'envelopes', level: 'MUST', requirements: ['ENV-1', 'TYP-1', 'TYP-5', 'CAN-1', 'SIG-1'],
    title: 'valid register and message envelopes are accepted with their id',
    async run(ctx) {
      const a = await ctx.agent('sender');
      const b = await ctx.agent('recipient');
      const reg = ctx.envelope(a, { type: 'register', to: ctx.relayDid, body: { manifests: [manifest(uniqueCapability('ok'))] } });
      const f1 = await ctx.sendAccepted(a, reg);
      // The relay must canonicalize exactly like RFC 8785 to verify this: unsorted members, escapes, non-ASCII,
      // a supplementary-plane character and numbers whose ES6 form differs from their source form.
      const msg = ctx.envelope(a, { type: 'message', to: b.did, body: { z: '\u20ac\n"\\\u{1F600}', a: [1.5, 1e21, 0.000001, -0], n: 1.5 } });
      const f2 = await ctx.sendAccepted(a, msg);
      check(f1.id === reg.id && f2.id === msg.id && f2.duplicate !== true, 'accepted frames carrying each id, not duplicates', `${show(f1)} ${show(f2)}`);
    },
  },
];
