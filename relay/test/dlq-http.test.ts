// The dead-letter queue over HTTP (SPEC DLQ-1..DLQ-4) with signed requests and the operator token
// (HTA-1..HTA-3), against a real relay over real sockets: authentication, who sees what, listing and paging,
// the stored envelope, re-drive, purge (dedupe memory kept) and re-drive of an expired envelope.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, signHttpRequest, type Envelope } from '@baton/spec';
import { TestAgent, startTestRelay, type TestRelay } from './harness.ts';
import { deadLetter, deliveryOf, dlqEntryProblem, receiptFor, signedBy } from './dlq-helpers.ts';

const TOKEN = 'operator-token-for-tests-0123456789';
const BEARER = `Bearer ${TOKEN}`;

type Answer = { status: number; body: Record<string, unknown>; headers: Headers };
type Entry = Record<string, unknown> & { entry: number; sender: string };

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay({ operatorToken: TOKEN });
});
afterAll(async () => {
  await t.cleanup();
});

async function call(method: string, path: string, authorization?: string, relay = t): Promise<Answer> {
  const res = await fetch(`${relay.relay.httpUrl}${path}`, { method, headers: authorization === undefined ? {} : { authorization } });
  return { status: res.status, body: await res.json() as Record<string, unknown>, headers: res.headers };
}

/** A signed request by `agent`. */
function as(agent: TestAgent, method: string, path: string): Promise<Answer> {
  return call(method, path, signedBy(t, agent, method, path));
}

function errorOf(a: Answer): { status: number; code: unknown } {
  return { status: a.status, code: (a.body.error as { code?: unknown } | undefined)?.code };
}

function entriesOf(a: Answer): Entry[] {
  expect(a.status).toBe(200);
  const entries = a.body.entries as Entry[];
  for (const e of entries) expect(dlqEntryProblem(e)).toBeNull();
  return entries;
}

/** Every entry the operator sees for `query`, following `next`. */
async function operatorList(query = ''): Promise<Entry[]> {
  const all: Entry[] = [];
  let after = 0;
  for (;;) {
    const page = await call('GET', `/v1/dlq?limit=1000&after=${after}${query}`, BEARER);
    all.push(...entriesOf(page));
    if (page.body.next === undefined) return all;
    after = page.body.next as number;
  }
}

async function agents(n: number): Promise<TestAgent[]> {
  return Promise.all(Array.from({ length: n }, () => TestAgent.connect(t)));
}

describe('authentication (HTA-1..HTA-3)', () => {
  it('answers 401 UNAUTHORIZED without credentials, with a bad or misplaced signature, a skewed ts or a wrong token', async () => {
    const [a] = await agents(1) as [TestAgent];
    const path = '/v1/dlq?limit=5';
    const now = t.clock.now();
    const skew = (await (await fetch(`${t.relay.httpUrl}/.well-known/baton`)).json() as { limits: { max_clock_skew_ms: number } }).limits.max_clock_skew_ms;
    const good = signedBy(t, a, 'GET', path);
    const cases: [string, string | undefined][] = [
      ['no header', undefined],
      ['garbage', 'Baton nonsense'],
      ['bad signature', `${good.slice(0, -5)}AAAAA`],
      ['signed for another path', signedBy(t, a, 'GET', '/v1/dlq?limit=6')],
      ['signed for another method', signedBy(t, a, 'DELETE', path)],
      ['signed for another relay', signHttpRequest(a.key, { method: 'GET', path, relay: generateKeyPair().did, ts: now })],
      ['ts too old', signedBy(t, a, 'GET', path, now - skew - 1)],
      ['ts too far ahead', signedBy(t, a, 'GET', path, now + skew + 1)],
      ['wrong operator token', 'Bearer not-the-operator-token-at-all'],
    ];
    for (const [what, header] of cases) {
      const answer = await call('GET', path, header);
      expect({ what, ...errorOf(answer) }).toEqual({ what, status: 401, code: 'UNAUTHORIZED' });
      expect(answer.headers.get('www-authenticate')).toBe('Baton, Bearer');
    }
    // the same path signed correctly, at the edge of the skew window, is fine
    expect((await call('GET', path, good)).status).toBe(200);
    expect((await call('GET', path, signedBy(t, a, 'GET', path, now - skew))).status).toBe(200);
    expect((await call('GET', path, BEARER)).status).toBe(200);
    await a.close();
  });

  it('verifies the signature over the request target exactly as received, without URL normalization', async () => {
    const [a] = await agents(1) as [TestAgent];
    // a WHATWG URL parser would rewrite ' as %27; the relay must check the bytes the agent signed
    const raw = "/v1/dlq?limit=2&note='x'";
    const statusOf = (authorization: string): Promise<number> => new Promise((resolve, reject) => {
      const { hostname, port } = new URL(t.relay.httpUrl);
      // the options form sends `path` byte for byte (a URL string would be normalized first)
      const req = request({ hostname, port, path: raw, method: 'GET', headers: { authorization } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(new URL(raw, t.relay.httpUrl).search).toContain('%27');
    expect(await statusOf(signedBy(t, a, 'GET', raw))).toBe(200);
    expect(await statusOf(signedBy(t, a, 'GET', "/v1/dlq?limit=2&note=%27x%27"))).toBe(401);
    await a.close();
  });

  it('refuses every bearer token when the relay has no operator token (operator access off)', async () => {
    const plain = await startTestRelay();
    try {
      expect(errorOf(await call('GET', '/v1/dlq', BEARER, plain))).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    } finally {
      await plain.cleanup();
    }
  });

  it('checks parameters after authentication: 400 INVALID_FRAME, 403 FORBIDDEN for another sender filter, JSON 404 elsewhere', async () => {
    const [a, b] = await agents(2) as [TestAgent, TestAgent];
    expect(errorOf(await call('GET', '/v1/dlq?limit=0'))).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    for (const query of ['limit=0', 'limit=1001', 'limit=ten', 'after=-1', 'after=1.5', 'sender=did:key:zNOPE']) {
      expect({ query, ...errorOf(await as(a, 'GET', `/v1/dlq?${query}`)) }).toEqual({ query, status: 400, code: 'INVALID_FRAME' });
    }
    for (const [method, path] of [['GET', '/v1/dlq/abc'], ['GET', '/v1/dlq/0'], ['POST', '/v1/dlq/-3/redrive'], ['DELETE', '/v1/dlq/1e3']]) {
      expect({ path, ...errorOf(await as(a, method as string, path as string)) }).toEqual({ path, status: 400, code: 'INVALID_FRAME' });
    }
    expect(errorOf(await as(a, 'GET', `/v1/dlq?sender=${b.did}`))).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect(errorOf(await call('GET', '/v1/nothing-here'))).toEqual({ status: 404, code: 'NOT_FOUND' });
    await Promise.all([a.close(), b.close()]);
  });
});

describe('dead-letter entries', () => {
  it('shows an agent only the entries it sent; another agent gets 404 NOT_FOUND on them', async () => {
    const [a, b, c] = await agents(3) as [TestAgent, TestAgent, TestAgent];
    const fromA = await deadLetter(t, a, b);
    const fromC = await deadLetter(t, c, b);
    expect(entriesOf(await as(a, 'GET', '/v1/dlq')).map((e) => e.entry)).toEqual([fromA.entry]);
    expect(entriesOf(await as(c, 'GET', '/v1/dlq')).map((e) => e.entry)).toEqual([fromC.entry]);
    // the recipient is not the sender: it sees nothing, and may neither read, re-drive nor purge
    expect(entriesOf(await as(b, 'GET', '/v1/dlq'))).toEqual([]);
    expect(entriesOf(await as(b, 'GET', `/v1/dlq?sender=${b.did}`))).toEqual([]);
    for (const [method, path] of [['GET', `/v1/dlq/${fromA.entry}`], ['POST', `/v1/dlq/${fromA.entry}/redrive`], ['DELETE', `/v1/dlq/${fromA.entry}`]]) {
      expect({ path, ...errorOf(await as(b, method as string, path as string)) }).toEqual({ path, status: 404, code: 'NOT_FOUND' });
    }
    // ... and the entry is untouched by those attempts
    const own = await as(a, 'GET', `/v1/dlq/${fromA.entry}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ entry: fromA.entry, sender: a.did, reason: 'UNSUPPORTED_CAPABILITY' });
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('lets the operator see every sender, filter by sender and page with limit/after/next', async () => {
    const [a, b, c] = await agents(3) as [TestAgent, TestAgent, TestAgent];
    const a1 = await deadLetter(t, a, b);
    const c1 = await deadLetter(t, c, b);
    const a2 = await deadLetter(t, a, b);
    const all = await operatorList();
    expect(all.map((e) => e.entry)).toEqual([...all.map((e) => e.entry)].sort((x, y) => x - y));
    expect(all.map((e) => e.entry)).toEqual(expect.arrayContaining([a1.entry, c1.entry, a2.entry]));
    expect((await operatorList(`&sender=${a.did}`)).map((e) => e.entry)).toEqual([a1.entry, a2.entry]);
    expect((await operatorList(`&sender=${c.did}`)).map((e) => e.entry)).toEqual([c1.entry]);
    // an agent pages through its own entries
    const first = await as(a, 'GET', '/v1/dlq?limit=1');
    expect(entriesOf(first).map((e) => e.entry)).toEqual([a1.entry]);
    expect(first.body.next).toBe(a1.entry);
    const second = await as(a, 'GET', `/v1/dlq?limit=1&after=${String(first.body.next)}`);
    expect(entriesOf(second).map((e) => e.entry)).toEqual([a2.entry]);
    const rest = await as(a, 'GET', `/v1/dlq?limit=1&after=${a2.entry}`);
    expect(entriesOf(rest)).toEqual([]);
    expect(rest.body.next).toBeUndefined();
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  it('shows an entry with the envelope exactly as sent (same signature), for its sender and the operator', async () => {
    const [a, b] = await agents(2) as [TestAgent, TestAgent];
    const { env, entry } = await deadLetter(t, a, b, { body: { text: 'é ✓ \u2028', n: 1.5, list: [null, true] } });
    for (const answer of [await as(a, 'GET', `/v1/dlq/${entry}`), await call('GET', `/v1/dlq/${entry}`, BEARER)]) {
      expect(answer.status).toBe(200);
      expect(dlqEntryProblem(answer.body)).toBeNull();
      expect(answer.body).toMatchObject({
        entry, sender: a.did, id: env.id, type: 'message', to: b.did, recipient: b.did, reason: 'UNSUPPORTED_CAPABILITY', attempts: 1,
      });
      expect(answer.body.envelope).toEqual(env);
      expect((answer.body.envelope as Envelope).sig).toBe(env.sig);
      expect(answer.body.dead_lettered_at as number).toBeGreaterThanOrEqual(answer.body.accepted_at as number);
    }
    // listings carry no envelope
    const listed = entriesOf(await as(a, 'GET', '/v1/dlq')).find((e) => e.entry === entry);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('envelope');
    await Promise.all([a.close(), b.close()]);
  });

  it('re-drives an entry: delivered again as attempt 1, out of the DLQ, and the receipt reaches the sender', async () => {
    const [a, b] = await agents(2) as [TestAgent, TestAgent];
    const { env, entry } = await deadLetter(t, a, b);
    const redriven = await as(a, 'POST', `/v1/dlq/${entry}/redrive`);
    expect({ status: redriven.status, body: redriven.body }).toEqual({ status: 200, body: { entry, status: 'pending' } });
    const again = await deliveryOf(b, env);
    expect(again).toMatchObject({ seq: entry, attempt: 1, env });
    expect(errorOf(await as(a, 'GET', `/v1/dlq/${entry}`))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(entriesOf(await as(a, 'GET', '/v1/dlq')).map((e) => e.entry)).not.toContain(entry);
    // a second re-drive finds nothing to re-drive
    expect(errorOf(await as(a, 'POST', `/v1/dlq/${entry}/redrive`))).toEqual({ status: 404, code: 'NOT_FOUND' });
    const receipt = receiptFor(b, env);
    await b.submit(receipt);
    expect(await a.next((f) => f.op === 'delivered' && f.id === env.id)).toEqual({ op: 'delivered', id: env.id, receipt });
    await Promise.all([a.close(), b.close()]);
  });

  it('lets the operator re-drive any sender\'s entry', async () => {
    const [a, b] = await agents(2) as [TestAgent, TestAgent];
    const { env, entry } = await deadLetter(t, a, b);
    expect((await call('POST', `/v1/dlq/${entry}/redrive`, BEARER)).body).toEqual({ entry, status: 'pending' });
    expect(await deliveryOf(b, env)).toMatchObject({ seq: entry, attempt: 1 });
    await Promise.all([a.close(), b.close()]);
  });

  it('purges an entry: gone from the DLQ, and a resend of the same envelope is still a duplicate (RPL-3)', async () => {
    const [a, b] = await agents(2) as [TestAgent, TestAgent];
    const { env, entry } = await deadLetter(t, a, b);
    const purged = await as(a, 'DELETE', `/v1/dlq/${entry}`);
    expect({ status: purged.status, body: purged.body }).toEqual({ status: 200, body: { entry, status: 'purged' } });
    expect(entriesOf(await as(a, 'GET', '/v1/dlq')).map((e) => e.entry)).not.toContain(entry);
    expect((await operatorList()).map((e) => e.entry)).not.toContain(entry);
    expect(errorOf(await as(a, 'GET', `/v1/dlq/${entry}`))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(errorOf(await call('DELETE', `/v1/dlq/${entry}`, BEARER))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(errorOf(await call('POST', `/v1/dlq/${entry}/redrive`, BEARER))).toEqual({ status: 404, code: 'NOT_FOUND' });
    expect(await a.submit(env)).toEqual({ op: 'accepted', id: env.id, duplicate: true });
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses to re-drive an envelope whose exp has passed: 409 EXPIRED, and the entry stays', async () => {
    const [a, b] = await agents(2) as [TestAgent, TestAgent];
    const { entry } = await deadLetter(t, a, b, { exp: t.clock.now() + 5_000 });
    t.clock.advance(6_000);
    expect(errorOf(await as(a, 'POST', `/v1/dlq/${entry}/redrive`))).toEqual({ status: 409, code: 'EXPIRED' });
    expect((await as(a, 'GET', `/v1/dlq/${entry}`)).body).toMatchObject({ entry, reason: 'UNSUPPORTED_CAPABILITY' });
    await Promise.all([a.close(), b.close()]);
  });
});
