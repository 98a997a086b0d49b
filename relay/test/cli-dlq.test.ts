// `baton dlq` as a real child process against a real relay (SPEC DLQ-1..DLQ-4, HTA-1..HTA-3): list, show,
// redrive and purge with an agent key and with the operator token (flag and environment), JSON and table
// output, exit codes, and `CODE: message` on stderr.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeKeyFile, type KeyPair } from '@baton/spec';
import { TestAgent, startTestRelay, type TestRelay } from './harness.ts';
import { deadLetter, deliveryOf, dlqEntryProblem } from './dlq-helpers.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TOKEN = 'cli-operator-token-0123456789abcdef';

type Run = { code: number; stdout: string; stderr: string };

let t: TestRelay;
let dir: string;
beforeAll(async () => {
  t = await startTestRelay({ operatorToken: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-dlq-'));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `baton dlq ...args` in a child process (never blocking this process, which serves the relay). */
function baton(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (env['BATON_OPERATOR_TOKEN'] === undefined) delete base['BATON_OPERATOR_TOKEN'];
  delete base['BATON_HTTP_URL'];
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, 'dlq', ...args], { env: base, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

function keyFile(key: KeyPair): string {
  const file = join(dir, `${key.did.slice(-8)}.json`);
  writeFileSync(file, encodeKeyFile(key), { mode: 0o600 });
  return file;
}

const relayArg = (): string[] => ['--relay', t.relay.httpUrl];

describe('baton dlq', () => {
  it('lists, shows and purges with an agent key (signed requests): own entries only, JSON lines, CODE: message on errors', { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([TestAgent.connect(t), TestAgent.connect(t)]);
    const first = await deadLetter(t, a, b);
    const second = await deadLetter(t, a, b);
    const [keyA, keyB] = [keyFile(a.key), keyFile(b.key)];

    const list = await baton(['list', ...relayArg(), '--key', keyA]);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    const lines = list.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { entry: number });
    expect(lines.map((e) => e.entry)).toEqual([first.entry, second.entry]);
    for (const e of lines) expect(dlqEntryProblem(e)).toBeNull();

    const paged = await baton(['list', ...relayArg(), '--key', keyA, '--limit', '1']);
    expect(paged.code).toBe(0);
    expect(paged.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(paged.stderr).toBe(`more entries: add --after ${first.entry}\n`);

    const show = await baton(['show', String(first.entry), ...relayArg(), '--key', keyA]);
    expect(show.code).toBe(0);
    const shown = JSON.parse(show.stdout) as { envelope: unknown };
    expect(dlqEntryProblem(shown)).toBeNull();
    expect(shown.envelope).toEqual(first.env);

    // the recipient is not the sender: it sees nothing and gets NOT_FOUND
    expect(await baton(['list', ...relayArg(), '--key', keyB])).toEqual({ code: 0, stdout: '', stderr: '' });
    const notYours = await baton(['show', String(first.entry), ...relayArg(), '--key', keyB]);
    expect(notYours).toEqual({ code: 1, stdout: '', stderr: `NOT_FOUND: no dead-letter entry ${first.entry}\n` });

    const purge = await baton(['purge', String(first.entry), ...relayArg(), '--key', keyA]);
    expect(purge).toEqual({ code: 0, stdout: `${JSON.stringify({ entry: first.entry, status: 'purged' })}\n`, stderr: '' });
    const after = await baton(['list', ...relayArg(), '--key', keyA]);
    expect(after.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { entry: number }).entry)).toEqual([second.entry]);
    await Promise.all([a.close(), b.close()]);
  });

  it('works as the operator with --operator-token or BATON_OPERATOR_TOKEN: tables, sender filter, redrive', { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([TestAgent.connect(t), TestAgent.connect(t)]);
    const { env, entry } = await deadLetter(t, a, b);

    const table = await baton(['list', ...relayArg(), '--operator-token', TOKEN, '--sender', a.did, '--table']);
    expect(table.code).toBe(0);
    const [header, row, ...more] = table.stdout.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual(['ENTRY', 'SENDER', 'TYPE', 'TO', 'REASON', 'ATTEMPTS', 'DEAD-LETTERED']);
    expect(row?.split(/\s+/).slice(0, 5)).toEqual([String(entry), a.did, 'message', b.did, 'UNSUPPORTED_CAPABILITY']);
    expect(more).toEqual([]);

    const shown = await baton(['show', String(entry), ...relayArg(), '--table'], { BATON_OPERATOR_TOKEN: TOKEN });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^FIELD +VALUE\\nentry +${entry}\\nsender +${a.did}\\n`));
    expect(shown.stdout).toContain(`"sig": "${env.sig}"`);

    const redrive = await baton(['redrive', String(entry), ...relayArg()], { BATON_OPERATOR_TOKEN: TOKEN });
    expect(redrive).toEqual({ code: 0, stdout: `${JSON.stringify({ entry, status: 'pending' })}\n`, stderr: '' });
    expect(await deliveryOf(b, env)).toMatchObject({ seq: entry, attempt: 1 });
    const again = await baton(['redrive', String(entry), ...relayArg(), '--operator-token', TOKEN]);
    expect(again).toEqual({ code: 1, stdout: '', stderr: `NOT_FOUND: no dead-letter entry ${entry}\n` });
    await Promise.all([a.close(), b.close()]);
  });

  it('exits 1 with CODE: message for refused credentials, bad parameters, a bad key file and an unreachable relay', { timeout: 60_000 }, async () => {
    const wrong = await baton(['list', ...relayArg(), '--operator-token', 'not-the-operator-token-at-all']);
    expect(wrong).toEqual({ code: 1, stdout: '', stderr: 'UNAUTHORIZED: wrong operator token\n' });
    const badLimit = await baton(['list', ...relayArg(), '--operator-token', TOKEN, '--limit', '0']);
    expect(badLimit).toEqual({ code: 1, stdout: '', stderr: 'INVALID_FRAME: limit must be an integer 1..1000\n' });
    const badEntry = await baton(['show', 'abc', ...relayArg(), '--operator-token', TOKEN]);
    expect(badEntry).toEqual({ code: 1, stdout: '', stderr: 'INVALID_FRAME: the entry must be a positive integer\n' });
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"not":"a key"}');
    const badKey = await baton(['list', ...relayArg(), '--key', garbage]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^INVALID_IDENTITY: /);
    const missingKey = await baton(['list', ...relayArg(), '--key', join(dir, 'missing.json')]);
    expect(missingKey).toMatchObject({ code: 1, stderr: `INVALID_IDENTITY: cannot read key file ${join(dir, 'missing.json')}\n` });
    const closed = await startTestRelay();
    const url = closed.relay.httpUrl;
    await closed.cleanup();
    const unreachable = await baton(['list', '--relay', url, '--operator-token', TOKEN]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^CONNECTION_CLOSED: cannot reach /);
  });

  it('exits 2 with the usage on bad arguments', { timeout: 60_000 }, async () => {
    const agent = await TestAgent.connect(t);
    const keyArgs = ['--key', keyFile(agent.key)];
    for (const args of [
      ['list', ...relayArg()], // no credentials
      ['list', ...relayArg(), ...keyArgs, '--operator-token', TOKEN], // both
      ['show', ...relayArg(), ...keyArgs], // no entry
      ['frobnicate', '1', ...relayArg(), ...keyArgs],
      ['list', '--relay', 'ftp://example', ...keyArgs],
      ['purge', '1', '--limit', '3', ...relayArg(), ...keyArgs],
    ]) {
      const run = await baton(args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(run.stderr).toContain('usage: baton dlq list');
    }
    const help = await baton(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--operator-token TOKEN');
    await agent.close();
  });
});
