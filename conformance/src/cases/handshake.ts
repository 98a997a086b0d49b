// Handshake cases (SPEC section 8): hello, auth verification in CON-4 order, welcome, pre-auth fatality,
// handshake timeout. Each hostile peer uses its own key and connection.
import { base64urlDecode, generateKeyPair, isValidDid, signAuth } from '@baton/spec';
import { check, show } from '../assert.ts';
import { IDENTITY_SIG, SMALL_ORDER_DID, expectAlive, expectFatal, malleateSignature } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

export const handshakeCases: ConformanceCase[] = [
  {
    id: 'HS-001', area: 'handshake', level: 'MUST', requirements: ['CON-2', 'LIM-1', 'ENC-2', 'ENC-3', 'ID-1', 'VER-1'],
    title: 'hello arrives first, names the relay (did:key), integer versions and ts, a 32-byte base64url challenge and the limits of /.well-known/baton',
    async run(ctx) {
      const conn = await ctx.connect('agent');
      const hello = await ctx.hello(conn);
      check(hello.relay === ctx.relayDid, `hello.relay = ${ctx.relayDid}`, show(hello.relay));
      check(isValidDid(hello.relay), 'hello.relay is an Ed25519 did:key (ID-1)', show(hello.relay));
      check(hello.versions.includes(1) && hello.versions.every((v) => Number.isInteger(v)), 'hello.versions: integers including 1 (VER-1)', show(hello.versions));
      check(Number.isInteger(hello.ts) && Math.abs(hello.ts - Date.now()) < 3_600_000, 'hello.ts: integer ms since the epoch (ENC-3)', show(hello.ts));
      check(/^[A-Za-z0-9_-]{43}$/.test(hello.challenge), 'challenge in unpadded base64url (ENC-2)', show(hello.challenge));
      check(base64urlDecode(hello.challenge).length === 32, 'challenge of 32 bytes, base64url', show(hello.challenge));
      check(JSON.stringify(hello.limits) === JSON.stringify(ctx.limits) || Object.entries(ctx.limits).every(([k, v]) => (hello.limits as unknown as Record<string, unknown>)[k] === v),
        `hello.limits = ${show(ctx.limits)}`, show(hello.limits));
    },
  },
  {
    id: 'HS-002', area: 'handshake', level: 'MUST', requirements: ['CON-2'],
    title: 'the challenge is unique per connection',
    async run(ctx) {
      const a = await ctx.hello(await ctx.connect('first'));
      const b = await ctx.hello(await ctx.connect('second'));
      check(a.challenge !== b.challenge, 'two different challenges', `${a.challenge} twice`);
    },
  },
  {
    id: 'HS-003', area: 'handshake', level: 'MUST', requirements: ['CON-3', 'CON-5'],
    title: 'a valid auth is answered with welcome naming the agent, the relay, v and a session',
    async run(ctx) {
      const key = generateKeyPair();
      const conn = await ctx.connect('agent');
      const hello = await ctx.hello(conn);
      conn.send(signAuth(key, hello, ctx.now()));
      const w = await conn.expectOp('welcome');
      check(w.agent === key.did && w.relay === ctx.relayDid && w.v === 1 && typeof w.session === 'string',
        `welcome {v:1, agent:${key.did}, relay:${ctx.relayDid}, session}`, show(w));
    },
  },
  {
    id: 'HS-004', area: 'handshake', level: 'MUST', requirements: ['CON-4', 'CON-6'],
    title: 'auth with a version not in hello.versions: UNSUPPORTED_VERSION, connection closed',
    async run(ctx) {
      const conn = await ctx.connect('agent');
      const hello = await ctx.hello(conn);
      const key = generateKeyPair();
      conn.send(signAuth(key, hello, ctx.now(), 99));
      await expectFatal(conn, 'UNSUPPORTED_VERSION');
    },
  },
  {
    id: 'HS-005', area: 'handshake', level: 'MUST', requirements: ['CON-4', 'ID-2', 'SIG-3'],
    title: 'auth by a small-order key with the identity signature (signs every message): AUTH_FAILED, 1008',
    async run(ctx) {
      const conn = await ctx.connect('hostile');
      await ctx.hello(conn);
      conn.send({ op: 'auth', v: 1, agent: SMALL_ORDER_DID, ts: ctx.now(), sig: IDENTITY_SIG });
      await expectFatal(conn, 'AUTH_FAILED');
    },
  },
  {
    id: 'HS-006', area: 'handshake', level: 'MUST', requirements: ['CON-4'],
    title: 'auth with ts outside max_clock_skew_ms: CLOCK_SKEW, connection closed',
    async run(ctx) {
      const conn = await ctx.connect('agent');
      const hello = await ctx.hello(conn);
      conn.send(signAuth(generateKeyPair(), hello, ctx.now() - ctx.limits.max_clock_skew_ms - 60_000));
      await expectFatal(conn, 'CLOCK_SKEW');
    },
  },
  {
    id: 'HS-007', area: 'handshake', level: 'MUST', requirements: ['CON-4', 'CON-3'],
    title: 'auth replayed from another connection (other challenge): AUTH_FAILED, 1008',
    async run(ctx) {
      const key = generateKeyPair();
      const first = await ctx.connect('first');
      const hello1 = await ctx.hello(first);
      const second = await ctx.connect('attacker');
      await ctx.hello(second);
      second.send(signAuth(key, hello1, ctx.now()));
      await expectFatal(second, 'AUTH_FAILED');
    },
  },
  {
    id: 'HS-008', area: 'handshake', level: 'MUST', requirements: ['CON-4', 'CON-3'],
    title: 'auth signed for another relay did:key: AUTH_FAILED, 1008',
    async run(ctx) {
      const conn = await ctx.connect('agent');
      const hello = await ctx.hello(conn);
      conn.send(signAuth(generateKeyPair(), { ...hello, relay: generateKeyPair().did }, ctx.now()));
      await expectFatal(conn, 'AUTH_FAILED');
    },
  },
  {
    id: 'HS-009', area: 'handshake', level: 'MUST', requirements: ['CON-4', 'SIG-3'],
    title: 'auth with a malleated signature (S + L): AUTH_FAILED, 1008',
    async run(ctx) {
      const conn = await ctx.connect('hostile');
      const hello = await ctx.hello(conn);
      const auth = signAuth(generateKeyPair(), hello, ctx.now());
      conn.send({ ...auth, sig: malleateSignature(auth.sig) });
      await expectFatal(conn, 'AUTH_FAILED');
    },
  },
  {
    id: 'HS-010', area: 'handshake', level: 'MUST', requirements: ['CON-4', 'CON-6'],
    title: 'a malformed auth (short sig): INVALID_FRAME, connection closed',
    async run(ctx) {
      const conn = await ctx.connect('hostile');
      await ctx.hello(conn);
      conn.send({ op: 'auth', v: 1, agent: generateKeyPair().did, ts: ctx.now(), sig: 'short' });
      await expectFatal(conn, 'INVALID_FRAME');
    },
  },
  {
    id: 'HS-011', area: 'handshake', level: 'MUST', requirements: ['CON-6', 'ERR-3'],
    title: 'send before auth: NOT_AUTHENTICATED, close 1008',
    async run(ctx) {
      const conn = await ctx.connect('hostile');
      await ctx.hello(conn);
      conn.send({ op: 'send', env: { v: 1 } });
      await expectFatal(conn, 'NOT_AUTHENTICATED');
    },
  },
  {
    id: 'HS-012', area: 'handshake', level: 'MUST', requirements: ['CON-6', 'ERR-3'],
    title: 'an unknown op before auth is NOT_AUTHENTICATED too (no probing), close 1008',
    async run(ctx) {
      const conn = await ctx.connect('hostile');
      await ctx.hello(conn);
      conn.send({ op: 'subscribe' });
      await expectFatal(conn, 'NOT_AUTHENTICATED');
    },
  },
  {
    id: 'HS-013', area: 'handshake', level: 'MUST', requirements: ['CON-6', 'ENC-1'],
    title: 'unreadable text before auth: MALFORMED_FRAME, connection closed',
    async run(ctx) {
      const conn = await ctx.connect('hostile');
      await ctx.hello(conn);
      conn.sendText('{op:auth');
      await expectFatal(conn, 'MALFORMED_FRAME');
    },
  },
  {
    id: 'HS-014', area: 'handshake', level: 'MUST', requirements: ['CON-6'],
    title: 'a second auth after welcome: INVALID_FRAME, connection stays open',
    async run(ctx) {
      const a = await ctx.agent('agent');
      a.conn.send(signAuth(a.key, a.hello, ctx.now()));
      const f = await a.conn.expect('error frame with code INVALID_FRAME', (x) => x.op === 'error' || x.op === 'welcome');
      check(f.op === 'error' && f.code === 'INVALID_FRAME', 'error frame with code INVALID_FRAME', show(f));
      await expectAlive(a, 'second auth');
    },
  },
  {
    id: 'HS-015', area: 'handshake', level: 'MUST', requirements: ['CON-7'],
    title: 'no auth within handshake_timeout_ms: HANDSHAKE_TIMEOUT, close 1008',
    async run(ctx) {
      const conn = await ctx.connect('silent');
      await ctx.hello(conn);
      const wait = ctx.limits.handshake_timeout_ms + ctx.timeoutMs;
      const f = await conn.expect('error frame with code HANDSHAKE_TIMEOUT', (x) => x.op === 'error', wait);
      check(f.code === 'HANDSHAKE_TIMEOUT', 'error frame with code HANDSHAKE_TIMEOUT', show(f));
      const closed = await conn.waitClose('connection closed after HANDSHAKE_TIMEOUT');
      check(closed.code === 1008 && closed.reason === 'HANDSHAKE_TIMEOUT', 'close 1008 HANDSHAKE_TIMEOUT (ERR-3)', `close ${closed.code} ${closed.reason}`);
    },
  },
];
