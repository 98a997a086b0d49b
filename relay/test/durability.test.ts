// Durability and process tests: an accepted envelope survives a relay restart on the same data dir
// (SPEC ACK-1, ACK-2), the relay key is reused, and the `baton relay` CLI runs as a real child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair, type Envelope } from '@baton/spec';
import { TestAgent, manifest, startTestRelay, type TestRelay } from './harness.ts';

let t: TestRelay | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe('durability', () => {
  it('keeps accepted envelopes, registrations, known agents and the relay key across a restart', async () => {
    t = await startTestRelay({ durability: 'fsync' });
    const did = t.relay.did;
    const bKey = generateKeyPair();
    const provider = await TestAgent.connect(t, bKey);
    await provider.register(t.relay.did, [manifest('keep.me')], 'keeper');
    await provider.close();
    const a = await TestAgent.connect(t);
    const env = a.envelope({ type: 'message', to: bKey.did, body: { survive: true } });
    await a.submit(env);
    await a.close();

    await t.restart();
    expect(t.relay.did).toBe(did);
    expect(statSync(join(t.dataDir, 'relay-key.json')).mode & 0o777).toBe(0o600);
    const b = await TestAgent.connect(t, bKey);
    expect((await b.next((f) => f.op === 'deliver')).env as Envelope).toEqual(env);
    // the agent is still known (direct routing works) and its registration is still discoverable
    const c = await TestAgent.connect(t);
    await c.submit(c.envelope({ type: 'message', to: bKey.did, body: {} }));
    c.send({ op: 'discover', ref: 'r', query: { capability: 'keep.me' } });
    const found = await c.next((f) => f.op === 'discovered');
    expect(found.agents).toMatchObject([{ agent: bKey.did, handle: 'keeper', online: true }]);
    // RPL-3 across the restart: the stored id is a duplicate (the relay's id filter is rebuilt from the store)
    const again = await TestAgent.connect(t, a.key);
    expect(await again.submit(env)).toMatchObject({ op: 'accepted', id: env.id, duplicate: true });
    again.sendEnvelope(again.envelope({ id: env.id, type: 'message', to: bKey.did, body: { survive: false } }));
    expect(await again.error()).toMatchObject({ code: 'DUPLICATE_ID', id: env.id });
  });
});

/** A `baton relay` child process, once it logged `relay listening`. */
interface CliRelay {
  child: ChildProcess;
  url: string;
  http: string;
  did: string;
  exited: Promise<number | null>;
}

async function spawnRelay(dataDir: string): Promise<CliRelay> {
  const main = resolve(import.meta.dirname, '../src/cli/main.ts');
  const child = spawn(process.execPath, [main, 'relay', '--port', '0', '--data', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  for await (const line of createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })) {
    const rec = JSON.parse(line) as { msg: string; url: string; http: string; did: string };
    if (rec.msg === 'relay listening') return { child, url: rec.url, http: rec.http, did: rec.did, exited };
  }
  throw new Error('relay exited before listening');
}

describe('baton relay CLI', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'baton-cli-test-'));
    dirs.push(d);
    return d;
  };

  it('starts on an ephemeral port, serves /.well-known/baton, and stops on SIGTERM', async () => {
    const cli = await spawnRelay(tempDir());
    children.push(cli.child);
    expect(cli.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/ws$/);
    const info = await (await fetch(`${cli.http}/.well-known/baton`)).json() as { relay: string };
    expect(info.relay).toBe(cli.did);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('keeps an accepted envelope when the relay process is killed right after accepted (ACK-1)', async () => {
    const dataDir = tempDir();
    const cli = await spawnRelay(dataDir);
    children.push(cli.child);
    const clock = { now: () => Date.now() };
    const bKey = generateKeyPair();
    const b0 = await TestAgent.open(cli.url, clock, bKey);
    b0.send(b0.auth());
    await b0.next((f) => f.op === 'welcome');
    await b0.close();
    const a = await TestAgent.open(cli.url, clock);
    a.send(a.auth());
    await a.next((f) => f.op === 'welcome');
    const env = a.envelope({ type: 'message', to: bKey.did, body: { crash: 'safe' } });
    await a.submit(env);
    cli.child.kill('SIGKILL');
    await cli.exited;
    await a.closed;

    const again = await spawnRelay(dataDir);
    children.push(again.child);
    expect(again.did).toBe(cli.did);
    const b = await TestAgent.open(again.url, clock, bKey);
    b.send(b.auth());
    await b.next((f) => f.op === 'welcome');
    expect((await b.next((f) => f.op === 'deliver')).env).toEqual(env);
    await b.close();
  });
});
