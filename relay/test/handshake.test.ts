// Integration tests of the connection handshake (SPEC CON-2..CON-7, ADM-1, ADM-2) over real sockets.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { base64urlEncode, generateKeyPair, isValidDid, signAuth, verifyAuth, type HelloFrame } from '@baton/spec';
import { startRelay } from '../src/index.ts';
import { TestAgent, ping, startTestRelay, type TestRelay } from './harness.ts';

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** Sends a (possibly broken) auth frame and returns the error frame and close event. */
async function failAuth(relay: TestRelay, mutate: (auth: Record<string, unknown>, agent: TestAgent) => Record<string, unknown>) {
  const agent = await TestAgent.open(relay.relay.url, relay.clock);
  agent.send(mutate(agent.auth(), agent));
  const error = await agent.error();
  const closed = await agent.closed;
  return { error, closed };
}

describe('handshake', () => {
  it('sends hello with a fresh challenge, accepts a valid auth and answers welcome', async () => {
    t = await startTestRelay();
    const a = await TestAgent.open(t.relay.url, t.clock);
    const b = await TestAgent.open(t.relay.url, t.clock);
    const hello = a.hello as HelloFrame;
    expect(hello.relay).toBe(t.relay.did);
    expect(isValidDid(hello.relay)).toBe(true);
    expect(hello.versions).toEqual([1]);
    expect(hello.ts).toBe(t.clock.now());
    expect(hello.limits.max_frame_bytes).toBeGreaterThan(0);
    expect(hello.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hello.challenge).not.toBe(b.hello?.challenge);
    a.send(a.auth());
    const welcome = await a.next((f) => f.op === 'welcome');
    expect(welcome).toMatchObject({ op: 'welcome', v: 1, agent: a.did, relay: t.relay.did });
    expect(typeof welcome.session).toBe('string');
    await ping(a);
    await b.close();
    await a.close();
  });

  it('rejects a bad signature with AUTH_FAILED and closes 1008', async () => {
    t = await startTestRelay();
    const other = generateKeyPair();
    const { error, closed } = await failAuth(t, (auth, agent) => ({ ...auth, sig: signAuth(other, agent.hello as HelloFrame, agent.clock.now()).sig }));
    expect(error.code).toBe('AUTH_FAILED');
    expect(closed).toEqual({ code: 1008, reason: 'AUTH_FAILED' });
  });

  it('rejects an auth signed for another relay (AUTH_FAILED)', async () => {
    t = await startTestRelay();
    const { error, closed } = await failAuth(t, (_auth, agent) => {
      const forged = { ...(agent.hello as HelloFrame), relay: generateKeyPair().did };
      const auth = signAuth(agent.key, forged, agent.clock.now());
      expect(verifyAuth(auth, forged.challenge, forged.relay)).toBe(true);
      return { ...auth };
    });
    expect(error.code).toBe('AUTH_FAILED');
    expect(closed.code).toBe(1008);
  });

  it('rejects a skewed auth ts with CLOCK_SKEW', async () => {
    t = await startTestRelay();
    const { error, closed } = await failAuth(t, (_auth, agent) => ({ ...signAuth(agent.key, agent.hello as HelloFrame, agent.clock.now() + 300_001) }));
    expect(error.code).toBe('CLOCK_SKEW');
    expect(closed).toEqual({ code: 1008, reason: 'CLOCK_SKEW' });
  });

  it('rejects an unsupported version with UNSUPPORTED_VERSION and closes', async () => {
    t = await startTestRelay();
    const { error, closed } = await failAuth(t, (_auth, agent) => ({ ...signAuth(agent.key, agent.hello as HelloFrame, agent.clock.now(), 2) }));
    expect(error.code).toBe('UNSUPPORTED_VERSION');
    expect(closed).toEqual({ code: 1008, reason: 'UNSUPPORTED_VERSION' });
  });

  it('rejects an invalid did:key with AUTH_FAILED', async () => {
    t = await startTestRelay();
    const { error, closed } = await failAuth(t, (auth) => ({ ...auth, agent: 'did:key:z6MkNOTAKEY' }));
    expect(error.code).toBe('AUTH_FAILED');
    expect(closed.code).toBe(1008);
  });

  it('rejects a malformed auth frame with INVALID_FRAME and closes (CON-4)', async () => {
    t = await startTestRelay();
    const { error, closed } = await failAuth(t, (auth) => ({ ...auth, sig: 42 }));
    expect(error.code).toBe('INVALID_FRAME');
    expect(closed).toEqual({ code: 1008, reason: 'INVALID_FRAME' });
  });

  it('refuses keys outside the allowlist with NOT_ADMITTED and admits listed keys', async () => {
    const listed = generateKeyPair();
    t = await startTestRelay({ admission: 'allowlist', allowlist: [listed.did] });
    const { error, closed } = await failAuth(t, (auth) => auth);
    expect(error.code).toBe('NOT_ADMITTED');
    expect(closed).toEqual({ code: 1008, reason: 'NOT_ADMITTED' });
    const ok = await TestAgent.connect(t, listed);
    await ping(ok);
    await ok.close();
  });

  it('closes with HANDSHAKE_TIMEOUT when no auth arrives in time', async () => {
    t = await startTestRelay({ limits: { handshake_timeout_ms: 100 } });
    const agent = await TestAgent.open(t.relay.url, t.clock);
    const error = await agent.error();
    expect(error.code).toBe('HANDSHAKE_TIMEOUT');
    expect(await agent.closed).toEqual({ code: 1008, reason: 'HANDSHAKE_TIMEOUT' });
  });

  it('answers any other frame before auth with NOT_AUTHENTICATED and closes', async () => {
    t = await startTestRelay();
    const agent = await TestAgent.open(t.relay.url, t.clock);
    agent.send({ op: 'discover', ref: 'x', query: {} });
    expect((await agent.error()).code).toBe('NOT_AUTHENTICATED');
    expect(await agent.closed).toEqual({ code: 1008, reason: 'NOT_AUTHENTICATED' });
  });

  it('answers a second auth with INVALID_FRAME and keeps the connection', async () => {
    t = await startTestRelay();
    const agent = await TestAgent.connect(t);
    agent.send(agent.auth());
    expect((await agent.error()).code).toBe('INVALID_FRAME');
    await ping(agent);
    expect(agent.isOpen).toBe(true);
    await agent.close();
  });

  it('a failed handshake does not affect other connections', async () => {
    t = await startTestRelay();
    const good = await TestAgent.connect(t);
    const bad = await TestAgent.open(t.relay.url, t.clock);
    bad.send({ ...bad.auth(), sig: base64urlEncode(new Uint8Array(64)) });
    expect((await bad.error()).code).toBe('AUTH_FAILED');
    await bad.closed;
    await ping(good);
    await good.close();
  });

  it('terminates a connection that stops answering pings, and keeps one that answers (CON-8)', async () => {
    t = await startTestRelay({ limits: { heartbeat_ms: 40 } });
    const live = await TestAgent.connect(t);
    const silent = new WebSocket(t.relay.url, { autoPong: false });
    let pings = 0;
    silent.on('ping', () => { pings++; });
    const closed = new Promise<number>((resolve) => silent.on('close', (code) => resolve(code)));
    expect(await closed).toBe(1006);
    expect(pings).toBeGreaterThanOrEqual(1);
    let livePings = 0;
    live.ws.on('ping', () => { livePings++; });
    await new Promise<void>((resolve) => live.ws.on('ping', () => { if (livePings >= 3) resolve(); }));
    await ping(live);
    await live.close();
  });

  it('refuses to start on a non-loopback host without an explicit admission policy (ADM-1)', async () => {
    await expect(startRelay({ host: '0.0.0.0', port: 0, logLevel: 'silent', dataDir: '/nonexistent-never-created' }))
      .rejects.toThrow(/ADM-1/);
  });
});
