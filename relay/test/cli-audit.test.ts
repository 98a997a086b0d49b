// `baton export-log` and `baton verify-log` as real child processes (SPEC TSK-20): export a running relay's
// data directory (a second process reading the WAL store) and a stopped one, verify the export, report
// problems with line, seq, envelope, task and code, --json, stdin, and the exit codes 0 / 1 / 2.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '@baton/spec';
import type { VerifyReport } from '../src/audit/verify-log.ts';
import { cleanLog, LogBuilder } from './audit-helpers.ts';
import { deliveryOf, receiptFor } from './dlq-helpers.ts';
import { TestAgent, startTestRelay, type TestRelay } from './harness.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

type Run = { code: number; stdout: string; stderr: string };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'baton-cli-audit-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `baton ...args` in a child process, optionally feeding `stdin`. */
function baton(args: string[], stdin?: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['BATON_DATA'];
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [MAIN, ...args], { env, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('baton export-log', () => {
  let t: TestRelay;
  beforeAll(async () => {
    t = await startTestRelay();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('exports a running relay and a stopped one, to a file or stdout; the export verifies', { timeout: 60_000 }, async () => {
    const [owner, handler] = await Promise.all([TestAgent.connect(t), TestAgent.connect(t)]);
    const request = owner.envelope({ type: 'request', to: handler.did, body: { capability: 'demo.echo', input: 1 } });
    await owner.submit(request);
    await deliveryOf(handler, request);
    const receipt = receiptFor(handler, request);
    await handler.submit(receipt);
    const result = handler.envelope({ type: 'result', to: owner.did, parent: request.id, body: { status: 'ok', output: 2 } });
    await handler.submit(result);

    const out = join(dir, 'running.jsonl');
    const running = await baton(['export-log', '--data', t.dataDir, '--out', out]);
    expect(running).toMatchObject({ code: 0, stdout: '' });
    expect(running.stderr).toMatch(/^exported 3 envelopes \(seq \d+\.\.\d+\)\n$/);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const text = readFileSync(out, 'utf8');
    const envs = text.trimEnd().split('\n').map((l) => (JSON.parse(l) as { env: Envelope }).env);
    expect(envs).toEqual([request, receipt, result]);

    const verified = await baton(['verify-log', out]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('tasks: 1 (completed 1), late results: 0');
    expect(verified.stdout).toMatch(/OK: 0 errors, 0 warnings\n$/);

    await Promise.all([owner.close(), handler.close()]);
    await t.stop();
    const stopped = await baton(['export-log', '--data', t.dataDir]);
    expect(stopped).toEqual({ code: 0, stdout: text, stderr: running.stderr });
  });

  it('fails with NOT_FOUND on a directory without a store, and exits 2 on bad arguments', async () => {
    expect(await baton(['export-log', '--data', join(dir, 'missing')])).toEqual({
      code: 1, stdout: '', stderr: `NOT_FOUND: no relay store at ${join(dir, 'missing', 'baton.sqlite')}\n`,
    });
    const bad = await baton(['export-log', '--nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: baton export-log');
  });
});

describe('baton verify-log', () => {
  it('exits 0 on a clean log (file or stdin) with a summary, or the JSON report', { timeout: 30_000 }, async () => {
    const b = cleanLog();
    const path = file('clean.jsonl', b.text());
    const plain = await baton(['verify-log', path, '--relay', b.relay.did]);
    expect(plain).toMatchObject({ code: 0, stderr: '' });
    expect(plain.stdout).toBe([
      `envelopes: ${b.lines.length} of ${b.lines.length} lines (request 5, receipt 5, update 2, answer 1, result 2, cancel 1, notice 7, message 1)`,
      `relay: ${b.relay.did}`,
      'tasks: 5 (completed 1, failed 2, cancelled 2), late results: 1',
      'OK: 0 errors, 0 warnings',
      '',
    ].join('\n'));
    const piped = await baton(['verify-log', '-', '--json'], b.text());
    expect(piped.code).toBe(0);
    const report = JSON.parse(piped.stdout) as VerifyReport;
    expect(report).toMatchObject({ ok: true, problems: [], summary: { tasks: 5, lateResults: 1, relay: b.relay.did } });
  });

  it('exits 1 and names line, seq, envelope, task and code of every problem', { timeout: 30_000 }, async () => {
    const b = new LogBuilder();
    const req = b.request(b.owner, b.handler.did);
    b.receipt(b.handler, req);
    const answer = b.answer(b.owner, req, b.handler.did);
    const stranger = b.result(b.stranger, req);
    const forged = b.taskNotice(b.owner.did, req, 'task-failed', 'failed', b.handler.did, b.stranger);
    const run = await baton(['verify-log', file('bad.jsonl', b.text()), '--relay', b.relay.did]);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual([
      `line 3 seq 3 env ${answer.id} task ${req.id}: INVALID_TRANSITION: an answer is allowed only in awaiting-input, not in-flight`,
      `line 4 seq 4 env ${stranger.id} task ${req.id}: NOT_TASK_PARTY: only the task's handler sends its result, to its owner`,
      `line 5 seq 5 env ${forged.id}: INVALID_ENVELOPE: the notice is signed by ${b.stranger.did}, not by the relay ${b.relay.did} (TYP-6)`,
    ]);
    expect(run.stdout).toMatch(/FAILED: 3 errors, 0 warnings\n$/);
    const json = await baton(['verify-log', file('bad.jsonl', b.text()), '--json', '--relay', b.relay.did]);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as VerifyReport).problems.map((p) => p.code)).toEqual(['INVALID_TRANSITION', 'NOT_TASK_PARTY', 'INVALID_ENVELOPE']);
    // without --relay the signer of the first notice is taken for the relay: the forged notice is believed
    const inferred = JSON.parse((await baton(['verify-log', file('bad.jsonl', b.text()), '--json'])).stdout) as VerifyReport;
    expect(inferred.summary.relay).toBe(b.stranger.did);
    expect(inferred.problems.map((p) => p.code)).toEqual(['INVALID_TRANSITION', 'NOT_TASK_PARTY']);
  });

  it('exits 2 on usage errors and unreadable files', async () => {
    for (const args of [['verify-log'], ['verify-log', 'a', 'b'], ['verify-log', 'x.jsonl', '--relay', 'did:web:nope'], ['verify-log', join(dir, 'absent.jsonl')]]) {
      const run = await baton(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.length).toBeGreaterThan(0);
    }
  });
});
