// Dead-letter queue over HTTP (SPEC sections 19-20, DLQ-1..DLQ-4, HTA-1..HTA-3): who may see and change
// which entries (signed agents, the operator token, 401/404), listing pages and the entry shape, re-drive,
// the 409 for an expired entry, purge with the dedupe memory kept, and rejection of bad signed headers.
import { canonicalize, generateKeyPair } from '@baton/spec';
import { check, show } from '../assert.ts';
import { deadLetterByReject, deliveredOf, nextAttempt, pause, receiptFor } from './delivery-helpers.ts';
import {
  batonAuthorization, entryProblem, expectHttpError, expectOk, operatorRequest, requireOperatorToken, signedRequest,
} from './dlq-helpers.ts';
import { IDENTITY_SIG, SMALL_ORDER_DID, malleateSignature } from './helpers.ts';
import type { ConformanceCase } from './types.ts';

/** An entry number no relay reaches: the largest seq the schema allows. */
const MISSING_ENTRY = 9_007_199_254_740_991;

/** Entry numbers of a listing body. */
function entriesOf(body: Record<string, unknown>): number[] {
  const entries = body.entries;
  check(Array.isArray(entries), 'a listing {"entries": [...]} (DLQ-2)', show(body));
  return (entries as Array<{ entry?: unknown }>).map((e) => e.entry as number);
}

export const dlqCases: ConformanceCase[] = [
  {
    id: 'DLQ-001', area: 'dlq', level: 'MUST', requirements: ['DLQ-1', 'DLQ-2', 'HTA-1'],
    title: 'a signed agent sees its own entry (envelope exactly as accepted); another agent gets 404 like a missing entry and cannot change it; no credentials: 401',
    async run(ctx) {
      const { a, b, env, entry } = await deadLetterByReject(ctx);
      const own = expectOk(await signedRequest(ctx, a, 'GET', `/v1/dlq/${entry}`), 'the sender\'s own entry');
      check(own.entry === entry && own.id === env.id && own.sender === a.did && own.reason === 'INPUT_SCHEMA_VIOLATION' && canonicalize(own.envelope) === canonicalize(env),
        `entry ${entry} of ${env.id} from ${a.did}, reason INPUT_SCHEMA_VIOLATION, envelope exactly as accepted (DLQ-2)`, show(own));
      expectHttpError(await signedRequest(ctx, b, 'GET', `/v1/dlq/${entry}`), 404, 'NOT_FOUND', 'an entry of another sender');
      expectHttpError(await signedRequest(ctx, a, 'GET', `/v1/dlq/${MISSING_ENTRY}`), 404, 'NOT_FOUND', 'a missing entry');
      expectHttpError(await signedRequest(ctx, b, 'POST', `/v1/dlq/${entry}/redrive`), 404, 'NOT_FOUND', 'a re-drive of another sender\'s entry');
      expectHttpError(await signedRequest(ctx, b, 'DELETE', `/v1/dlq/${entry}`), 404, 'NOT_FOUND', 'a purge of another sender\'s entry');
      const theirs = entriesOf(expectOk(await signedRequest(ctx, b, 'GET', '/v1/dlq?limit=1000'), 'another agent\'s listing'));
      check(!theirs.includes(entry), `entry ${entry} absent from another agent's listing (DLQ-1)`, show(theirs));
      expectHttpError(await ctx.http('GET', `/v1/dlq/${entry}`), 401, 'UNAUTHORIZED', 'a request without credentials');
      expectHttpError(await ctx.http('GET', '/v1/dlq'), 401, 'UNAUTHORIZED', 'a listing without credentials');
      expectOk(await signedRequest(ctx, a, 'GET', `/v1/dlq/${entry}`), 'the entry, unchanged by the other agent');
    },
  },
  {
    id: 'DLQ-002', area: 'dlq', level: 'MUST', requirements: ['DLQ-1', 'DLQ-2'],
    title: 'the operator token sees every sender\'s entries (also filtered by sender); a wrong token: 401',
    async run(ctx) {
      const token = requireOperatorToken(ctx);
      const { a, env, entry } = await deadLetterByReject(ctx);
      const one = expectOk(await operatorRequest(ctx, 'GET', `/v1/dlq/${entry}`), 'an entry, as the operator');
      check(one.id === env.id && one.sender === a.did, `entry ${entry} of ${env.id}`, show(one));
      const listed = expectOk(await operatorRequest(ctx, 'GET', `/v1/dlq?sender=${encodeURIComponent(a.did)}&limit=1000`), 'the operator\'s listing filtered by sender');
      const entries = listed.entries as Array<{ entry?: unknown; sender?: unknown }>;
      check(entriesOf(listed).includes(entry) && entries.every((e) => e.sender === a.did), `entry ${entry} listed, only entries of ${a.did} (DLQ-2)`, show(listed));
      expectHttpError(await operatorRequest(ctx, 'GET', `/v1/dlq/${entry}`, `${token}-wrong`), 401, 'UNAUTHORIZED', 'a wrong operator token');
    },
  },
  {
    id: 'DLQ-003', area: 'dlq', level: 'SHOULD', requirements: ['DLQ-2'],
    title: 'listings page in ascending entry order with limit, next and after; every entry matches dlq-entry.schema.json',
    async run(ctx) {
      const first = await deadLetterByReject(ctx);
      const agents = { a: first.a, b: first.b };
      const dead = [first.entry, (await deadLetterByReject(ctx, {}, agents)).entry, (await deadLetterByReject(ctx, {}, agents)).entry];
      const page1 = expectOk(await signedRequest(ctx, first.a, 'GET', '/v1/dlq?limit=2'), 'the first page');
      check(show(entriesOf(page1)) === show(dead.slice(0, 2)) && page1.next === dead[1], `entries ${show(dead.slice(0, 2))} and next = ${dead[1]}`, show(page1));
      const page2 = expectOk(await signedRequest(ctx, first.a, 'GET', `/v1/dlq?limit=2&after=${String(page1.next)}`), 'the second page');
      check(show(entriesOf(page2)) === show(dead.slice(2)), `entries ${show(dead.slice(2))} after ${dead[1]}`, show(page2));
      for (const e of [...(page1.entries as unknown[]), ...(page2.entries as unknown[])]) {
        const problem = entryProblem(e);
        check(problem === undefined, 'an entry valid against dlq-entry.schema.json', `${problem ?? ''}: ${show(e)}`);
      }
      const one = expectOk(await signedRequest(ctx, first.a, 'GET', `/v1/dlq/${first.entry}`), 'one entry');
      check(entryProblem(one) === undefined && typeof one.envelope === 'object', 'GET /v1/dlq/<entry>: a valid entry with its envelope', show(one));
    },
  },
  {
    id: 'DLQ-004', area: 'dlq', level: 'MUST', requirements: ['DLQ-3', 'HTA-3'],
    title: 're-drive: 200 pending, delivered again from attempt 1 with the same seq, delivered to the sender after the receipt; the entry is gone (404, also for a second re-drive)',
    async run(ctx) {
      const { a, b, env, entry } = await deadLetterByReject(ctx);
      const r = expectOk(await signedRequest(ctx, a, 'POST', `/v1/dlq/${entry}/redrive`), 'the re-drive');
      check(r.entry === entry && r.status === 'pending', `{"entry":${entry},"status":"pending"} (DLQ-3)`, show(r));
      const again = await nextAttempt(b, env.id);
      check(again.seq === entry && again.attempt === 1 && canonicalize(again.env) === canonicalize(env),
        `the unchanged envelope delivered again with seq ${entry} and attempt 1 (count reset, DLQ-3)`, show(again));
      await ctx.sendAccepted(b, receiptFor(ctx, b, env));
      await a.conn.expect(`delivered for ${env.id} after the re-drive`, deliveredOf(env.id));
      expectHttpError(await signedRequest(ctx, a, 'GET', `/v1/dlq/${entry}`), 404, 'NOT_FOUND', 'a re-driven entry');
      expectHttpError(await signedRequest(ctx, a, 'POST', `/v1/dlq/${entry}/redrive`), 404, 'NOT_FOUND', 'a second re-drive (HTA-3)');
    },
  },
  {
    id: 'DLQ-005', area: 'dlq', level: 'MUST', requirements: ['DLQ-3'],
    title: 'an entry whose exp has passed is not re-driven: 409 EXPIRED, and it stays in the queue',
    async run(ctx) {
      const { a, env, entry } = await deadLetterByReject(ctx, { exp: ctx.now() + 400 });
      await pause((env.exp ?? 0) - ctx.now() + 20);
      expectHttpError(await signedRequest(ctx, a, 'POST', `/v1/dlq/${entry}/redrive`), 409, 'EXPIRED', 'a re-drive after exp');
      expectOk(await signedRequest(ctx, a, 'GET', `/v1/dlq/${entry}`), 'the entry, still in the queue');
    },
  },
  {
    id: 'DLQ-006', area: 'dlq', level: 'MUST', requirements: ['DLQ-4', 'RPL-3', 'HTA-3'],
    title: 'purge: 200 purged, then 404; resending the purged envelope is still a duplicate; a second purge: 404',
    async run(ctx) {
      const { a, env, entry } = await deadLetterByReject(ctx);
      const p = expectOk(await signedRequest(ctx, a, 'DELETE', `/v1/dlq/${entry}`), 'the purge');
      check(p.entry === entry && p.status === 'purged', `{"entry":${entry},"status":"purged"} (DLQ-4)`, show(p));
      expectHttpError(await signedRequest(ctx, a, 'GET', `/v1/dlq/${entry}`), 404, 'NOT_FOUND', 'a purged entry');
      const resent = await ctx.sendAccepted(a, env);
      check(resent.duplicate === true, 'accepted with duplicate: true: purging keeps (from, id) for the dedupe window (DLQ-4, RPL-3)', show(resent));
      expectHttpError(await signedRequest(ctx, a, 'DELETE', `/v1/dlq/${entry}`), 404, 'NOT_FOUND', 'a second purge (HTA-3)');
    },
  },
  {
    id: 'HTA-001', area: 'dlq', level: 'MUST', requirements: ['HTA-2', 'HTA-1'],
    title: 'Authorization: Baton headers that are malformed, name a small-order key, are skewed, or are signed for another target, method or relay, or with S+L: 401',
    async run(ctx) {
      const key = generateKeyPair();
      const path = '/v1/dlq?limit=5';
      const get = (authorization: string) => ctx.http('GET', path, { authorization });
      const good = batonAuthorization(ctx, key, 'GET', path);
      entriesOf(expectOk(await get(good), 'a correctly signed listing (control)'));
      const [scheme, did, ts, sig] = good.split(' ');
      const hostile: Array<[string, string]> = [
        ['a malformed header', `${scheme} ${did} ${ts}`],
        ['a small-order did:key with the identity signature', `Baton ${SMALL_ORDER_DID} ${ts} ${IDENTITY_SIG}`],
        ['a ts older than max_clock_skew_ms', batonAuthorization(ctx, key, 'GET', path, { ts: ctx.now() - ctx.limits.max_clock_skew_ms - 60_000 })],
        ['a signature for another target', batonAuthorization(ctx, key, 'GET', path, { path: '/v1/dlq?limit=6' })],
        ['a signature for another method', batonAuthorization(ctx, key, 'GET', path, { method: 'DELETE' })],
        ['a signature for another relay', batonAuthorization(ctx, key, 'GET', path, { relay: generateKeyPair().did })],
        ['an S+L malleated signature', `${scheme} ${did} ${ts} ${malleateSignature(sig ?? '')}`],
      ];
      for (const [what, header] of hostile) expectHttpError(await get(header), 401, 'UNAUTHORIZED', what);
    },
  },
];
