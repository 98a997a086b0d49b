// Runs the client-side CLI commands (`baton keygen|agents|request`, relay/src/cli/commands) as real processes
// against a real relay with a real provider agent.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKeyFile } from '@baton/spec';
import type { Agent } from '../src/index.ts';
import { manifest, startHarness, textSchema } from './helpers.ts';
import type { Harness } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../../relay/src/cli/main.ts', import.meta.url));

function baton(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let harness: Harness;
let provider: Agent;
let dir: string;
let keyPath: string;

beforeAll(async () => {
  harness = await startHarness();
  provider = await harness.agent();
  provider.handle('text.upper', async (input) => ({ text: (input as { text: string }).text.toUpperCase() }));
  await provider.register(manifest('text.upper', textSchema, textSchema), { handle: 'upper-cli' });
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-test-'));
  keyPath = join(dir, 'caller.key.json');
});
afterAll(async () => {
  await harness.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('baton keygen', () => {
  it('writes a 0600 key file, prints its did, and refuses to overwrite it', async () => {
    const first = await baton(['keygen', '--out', keyPath]);
    expect(first.code, first.stderr).toBe(0);
    const key = decodeKeyFile(readFileSync(keyPath, 'utf8'));
    expect(first.stdout.trim()).toBe(key.did);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    const again = await baton(['keygen', '--out', keyPath]);
    expect(again.code).toBe(1);
    expect(decodeKeyFile(readFileSync(keyPath, 'utf8')).did).toBe(key.did);
  });

  it('prints the key file JSON without --out', async () => {
    const { code, stdout } = await baton(['keygen']);
    expect(code).toBe(0);
    expect(decodeKeyFile(stdout).did).toMatch(/^did:key:z6Mk/);
  });
});

describe('baton agents', () => {
  it('lists registered agents as JSON and as a table, filtered by capability', async () => {
    const json = await baton(['agents', '--url', harness.relay.httpUrl, '--json', '--capability', 'text.upper']);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { agents: { agent: string; handle?: string; capabilities: string[] }[] };
    expect(doc.agents.map((a) => [a.agent, a.handle, a.capabilities])).toEqual([[provider.did, 'upper-cli', ['text.upper']]]);

    const table = await baton(['agents', '--url', harness.relay.httpUrl]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^DID\s+HANDLE\s+ONLINE\s+CAPABILITIES/);
    expect(table.stdout).toMatch(new RegExp(`${provider.did}\\s+upper-cli\\s+yes\\s+text\\.upper`));

    const none = await baton(['agents', '--url', harness.relay.httpUrl, '--json', '--capability', 'nobody.offers']);
    expect(JSON.parse(none.stdout)).toEqual({ agents: [] });
  });

  it('exits 1 when the relay cannot be reached', async () => {
    const { code, stderr } = await baton(['agents', '--url', 'http://127.0.0.1:1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^CONNECTION_CLOSED:/);
  });
});

describe('baton request', () => {
  it('prints the output of a capability request, by capability and directly', async () => {
    const viaCap = await baton(['request', '--key', keyPath, '--url', harness.relay.url, 'text.upper', '{"text":"cli"}']);
    expect(viaCap.code, viaCap.stderr).toBe(0);
    expect(JSON.parse(viaCap.stdout)).toEqual({ text: 'CLI' });
    const direct = await baton(['request', '--agent', provider.did, 'text.upper', '{"text":"direct"}'], { BATON_URL: harness.relay.url, BATON_KEY: keyPath });
    expect(direct.code, direct.stderr).toBe(0);
    expect(JSON.parse(direct.stdout)).toEqual({ text: 'DIRECT' });
  });

  it('exits 1 with CODE: message on errors', async () => {
    const noProvider = await baton(['request', '--key', keyPath, '--url', harness.relay.url, 'nobody.offers', '{}']);
    expect(noProvider.code).toBe(1);
    expect(noProvider.stderr).toMatch(/^NO_PROVIDER: /);
    const badInput = await baton(['request', '--key', keyPath, '--url', harness.relay.url, 'text.upper', '{"text":1}']);
    expect(badInput.code).toBe(1);
    expect(badInput.stderr).toMatch(/^INPUT_SCHEMA_VIOLATION: /);
    const usage = await baton(['request', 'text.upper']);
    expect(usage.code).toBe(2);
  });
});
