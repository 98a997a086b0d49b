// Encoding and frame-level cases after authentication (SPEC sections 2, 13, 15): malformed and poisoned JSON,
// binary messages, unknown and relay-only ops, unknown frame members; every one leaves the connection open.
import { check, show } from '../assert.ts';
import { expectAlive, expectNonFatal } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

export const encodingCases: ConformanceCase[] = [
  {
    id: 'ENC-001', area: 'encoding', level: 'MUST', requirements: ['ENC-1', 'ERR-3'],
    title: 'a binary message after welcome: MALFORMED_FRAME, connection stays open',
    async run(ctx) {
      const a = await ctx.agent('agent');
      a.conn.sendBinary(new TextEncoder().encode('{"op":"discover","ref":"b","query":{}}'));
      const f = await a.conn.expect('error frame with code MALFORMED_FRAME', (x) => x.op === 'error' || x.op === 'discovered');
      check(f.op === 'error' && f.code === 'MALFORMED_FRAME', 'error frame with code MALFORMED_FRAME', show(f));
      await expectAlive(a, 'binary message');
    },
  },
  {
    id: 'ENC-002', area: 'encoding', level: 'MUST', requirements: ['ENC-1', 'ERR-3'],
    title: 'JSON text that is not an object: MALFORMED_FRAME, connection stays open',
    async run(ctx) {
      const a = await ctx.agent('agent');
      await expectNonFatal(a, '[1,2]', 'MALFORMED_FRAME');
    },
  },
  {
    id: 'ENC-003', area: 'encoding', level: 'MUST', requirements: ['ENC-4'],
    title: 'a __proto__ member: MALFORMED_FRAME',
    async run(ctx) {
      const a = await ctx.agent('hostile');
      await expectNonFatal(a, '{"op":"discover","ref":"1","query":{},"__proto__":{"admin":true}}', 'MALFORMED_FRAME');
    },
  },
  {
    id: 'ENC-004', area: 'encoding', level: 'MUST', requirements: ['ENC-4'],
    title: 'a nested constructor.prototype member: MALFORMED_FRAME',
    async run(ctx) {
      const a = await ctx.agent('hostile');
      await expectNonFatal(a, '{"op":"send","env":{"constructor":{"prototype":{}}}}', 'MALFORMED_FRAME');
    },
  },
  {
    id: 'ENC-005', area: 'encoding', level: 'MUST', requirements: ['VER-3'],
    title: 'an unknown op: UNKNOWN_OP, connection stays open',
    async run(ctx) {
      const a = await ctx.agent('agent');
      await expectNonFatal(a, '{"op":"subscribe"}', 'UNKNOWN_OP');
    },
  },
  {
    id: 'ENC-006', area: 'encoding', level: 'MUST', requirements: ['VER-3'],
    title: 'a relay-only op (welcome) sent by an agent: INVALID_FRAME',
    async run(ctx) {
      const a = await ctx.agent('agent');
      await expectNonFatal(a, JSON.stringify({ op: 'welcome', v: 1, agent: a.did, relay: ctx.relayDid, session: 'x' }), 'INVALID_FRAME');
    },
  },
  {
    id: 'ENC-007', area: 'encoding', level: 'MUST', requirements: ['VER-2'],
    title: 'unknown frame members are ignored',
    async run(ctx) {
      const a = await ctx.agent('agent');
      a.conn.sendText('{"op":"discover","ref":"future","query":{},"x-future":1}');
      const f = await a.conn.expect('discovered frame for ref future', (x) => x.ref === 'future' || x.op === 'error');
      check(f.op === 'discovered', 'discovered frame for ref future', show(f));
    },
  },
  {
    id: 'ENC-008', area: 'encoding', level: 'MUST', requirements: ['ERR-3', 'RTE-1'],
    title: 'a send without env: INVALID_FRAME; the connection and another agent\'s connection keep working',
    async run(ctx) {
      const a = await ctx.agent('bad');
      const b = await ctx.agent('bystander');
      await expectNonFatal(a, '{"op":"send"}', 'INVALID_FRAME');
      await expectAlive(b, 'another connection\'s error');
    },
  },
];
