// Tasks over HTTP (SPEC TSK-18) against a real relay over real sockets, with signed requests and the operator
// token (HTA-1..HTA-3, DLQ-1): one task with its history, who sees which task (owner, handler, stranger,
// operator), listing filters and paging, malformed parameters, and `baton tasks` as a real child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeKeyFile, type Envelope, type Task } from '@baton/spec';
import { TestAgent, startTestRelay, type TestRelay } from './harness.ts';
import { deliveryOf, receiptFor, schemaProblem, signedBy } from './dlq-helpers.ts';

const TOKEN = 'operator-token-for-task-tests-0123';
const BEARER = `Bearer ${TOKEN}`;
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const THREAD = '019b7663-e800-7000-8000-0000000000aa';

type Answer = { status: number; body: Record<string, unknown> };

let t: TestRelay;
let dir: string;
let owner: TestAgent;
let handler: TestAgent;
let stranger: TestAgent;
/** r1: owner -> handler, completed; r2: owner -> handler on THREAD, in-flight; r3: stranger -> handler, queued. */
let r1: Envelope;
let r2: Envelope;
let r3: Envelope;
let r1Receipt: Envelope;
let r1Result: Envelope;

async function call(path: string, authorization?: string): Promise<Answer> {
  const res = await fetch(`${t.relay.httpUrl}${path}`, { headers: authorization === undefined ? {} : { authorization } });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

const as = (agent: TestAgent, path: string): Promise<Answer> => call(path, signedBy(t, agent, 'GET', path));
const errorOf = (a: Answer): [number, unknown] => [a.status, (a.body.error as { code?: unknown } | undefined)?.code];

/** The ids of a listing, after checking each task against task.schema.json and that it has no history. */
function idsOf(a: Answer): string[] {
  expect(a.status).toBe(200);
  const tasks = a.body.tasks as Task[];
  for (const task of tasks) {
    expect(schemaProblem('task', task)).toBeNull();
    expect(task.events).toBeUndefined();
  }
  return tasks.map((x) => x.id);
}

async function send(from: TestAgent, to: TestAgent, extra: Partial<Pick<Envelope, 'thread'>> = {}): Promise<Envelope> {
  const env = from.envelope({ type: 'request', to: to.did, body: { capability: 'demo.echo', input: { n: 1 } }, ...extra });
  await from.submit(env);
  await deliveryOf(to, env);
  return env;
}

beforeAll(async () => {
  t = await startTestRelay({ operatorToken: TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'baton-task-http-'));
  [owner, handler, stranger] = await Promise.all([TestAgent.connect(t), TestAgent.connect(t), TestAgent.connect(t)]);
  r1 = await send(owner, handler);
  r1Receipt = receiptFor(handler, r1);
  await handler.submit(r1Receipt);
  r1Result = handler.envelope({ type: 'result', to: owner.did, parent: r1.id, body: { status: 'ok', output: { echo: 1 } } });
  await handler.submit(r1Result);
  r2 = await send(owner, handler, { thread: THREAD });
  await handler.submit(receiptFor(handler, r2));
  r3 = await send(stranger, handler);
});
afterAll(async () => {
  await Promise.all([owner, handler, stranger].map((a) => a.close()));
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /v1/tasks/<id>', () => {
  it('answers the task with its history to its owner, its handler and the operator', async () => {
    const path = `/v1/tasks/${r1.id}`;
    const answer = await as(owner, path);
    expect(answer.status).toBe(200);
    const task = answer.body.task as Task;
    expect(schemaProblem('task', task)).toBeNull();
    expect(task).toMatchObject({
      id: r1.id, owner: owner.did, handler: handler.did, capability: 'demo.echo', state: 'completed', to: handler.did,
      input: { n: 1 }, result: { status: 'ok', output: { echo: 1 } }, late_results: 0, flagged: false,
    });
    expect(task.events?.map((e) => [e.n, e.from, e.to, e.cause.type, e.cause.sender, e.cause.id])).toEqual([
      [1, null, 'queued', 'request', owner.did, r1.id],
      [2, 'queued', 'in-flight', 'receipt', handler.did, r1Receipt.id],
      [3, 'in-flight', 'completed', 'result', handler.did, r1Result.id],
    ]);
    expect((await as(handler, path)).body).toEqual(answer.body);
    expect((await call(path, BEARER)).body).toEqual(answer.body);
  });

  it('is 404 NOT_FOUND for a stranger exactly like a missing task; 400 for a malformed id; 401 without credentials', async () => {
    const hidden = await as(stranger, `/v1/tasks/${r1.id}`);
    const missing = await as(stranger, '/v1/tasks/019b7663-e800-7000-8000-00000000beef');
    expect(errorOf(hidden)).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(missing)).toEqual([404, 'NOT_FOUND']);
    expect(hidden.body.error).toEqual({ code: 'NOT_FOUND', message: `no task ${r1.id}` });
    expect(errorOf(await call('/v1/tasks/019b7663-e800-7000-8000-00000000beef', BEARER))).toEqual([404, 'NOT_FOUND']);
    expect(errorOf(await as(owner, '/v1/tasks/not-a-task'))).toEqual([400, 'INVALID_FRAME']);
    expect(errorOf(await as(owner, `/v1/tasks/${r1.id.toUpperCase()}`))).toEqual([400, 'INVALID_FRAME']);
    expect(errorOf(await call(`/v1/tasks/${r1.id}`))).toEqual([401, 'UNAUTHORIZED']);
    expect(errorOf(await call(`/v1/tasks/${r1.id}`, 'Bearer wrong-token-0123456789'))).toEqual([401, 'UNAUTHORIZED']);
  });
});

describe('GET /v1/tasks', () => {
  it('lists the tasks an agent may see, without history, in ascending id order', async () => {
    expect(idsOf(await as(owner, '/v1/tasks'))).toEqual([r1.id, r2.id]);
    expect(idsOf(await as(stranger, '/v1/tasks'))).toEqual([r3.id]);
    // filters narrow what the caller may see; they never widen it
    expect(idsOf(await as(stranger, `/v1/tasks?owner=${owner.did}`))).toEqual([]);
    const all = idsOf(await call('/v1/tasks', BEARER));
    expect(all).toEqual([r1.id, r2.id, r3.id]);
  });

  it('filters by owner, handler, state and thread, and pages with limit, after and next', async () => {
    expect(idsOf(await call(`/v1/tasks?owner=${owner.did}`, BEARER))).toEqual([r1.id, r2.id]);
    expect(idsOf(await call(`/v1/tasks?handler=${handler.did}&owner=${owner.did}`, BEARER))).toEqual([r1.id, r2.id]);
    expect(idsOf(await call('/v1/tasks?state=completed', BEARER))).toEqual([r1.id]);
    expect(idsOf(await call('/v1/tasks?state=queued', BEARER))).toEqual([r3.id]);
    expect(idsOf(await call(`/v1/tasks?thread=${THREAD}`, BEARER))).toEqual([r2.id]);
    const first = await as(owner, '/v1/tasks?limit=1');
    expect(idsOf(first)).toEqual([r1.id]);
    expect(first.body.next).toBe(r1.id);
    const second = await as(owner, `/v1/tasks?limit=1&after=${r1.id}`);
    expect(idsOf(second)).toEqual([r2.id]);
    expect(second.body).not.toHaveProperty('next');
  });

  it('answers 400 INVALID_FRAME for malformed parameters and 401 without credentials', async () => {
    for (const query of ['state=done', 'limit=0', 'limit=1001', 'limit=ten', 'after=42', 'owner=did:web:x', 'handler=nobody', `thread=${THREAD.toUpperCase()}`]) {
      expect(errorOf(await as(owner, `/v1/tasks?${query}`)), query).toEqual([400, 'INVALID_FRAME']);
    }
    expect(errorOf(await call('/v1/tasks'))).toEqual([401, 'UNAUTHORIZED']);
  });
});

describe('baton tasks', () => {
  type Run = { code: number; stdout: string; stderr: string };
  function baton(args: string[]): Promise<Run> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['BATON_OPERATOR_TOKEN'];
    delete env['BATON_HTTP_URL'];
    return new Promise((resolve) => {
      execFile(process.execPath, [MAIN, 'tasks', ...args, '--relay', t.relay.httpUrl], { env, timeout: 15_000 }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
      });
    });
  }
  function keyFile(agent: TestAgent): string {
    const file = join(dir, `${agent.did.slice(-8)}.json`);
    writeFileSync(file, encodeKeyFile(agent.key), { mode: 0o600 });
    return file;
  }

  it('lists and shows tasks with a key or the operator token; errors are CODE: message', { timeout: 60_000 }, async () => {
    const lines = (r: Run): string[] => r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as Task).id);
    const list = await baton(['--key', keyFile(owner)]);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(lines(list)).toEqual([r1.id, r2.id]);
    const paged = await baton(['list', '--key', keyFile(owner), '--limit', '1']);
    expect(lines(paged)).toEqual([r1.id]);
    expect(paged.stderr).toBe(`more tasks: add --after ${r1.id}\n`);
    const table = await baton(['list', '--operator-token', TOKEN, '--state', 'in-flight', '--table']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID +STATE +CAPABILITY +OWNER +HANDLER +ATTEMPTS +REVISION +UPDATED$/);
    expect(table.stdout).toContain(`${r2.id}  in-flight`);
    expect(table.stdout).not.toContain(r1.id);

    const show = await baton(['show', r1.id, '--key', keyFile(handler)]);
    expect(show.code).toBe(0);
    expect((JSON.parse(show.stdout) as Task).events).toHaveLength(3);
    const showTable = await baton(['show', r1.id, '--operator-token', TOKEN, '--table']);
    expect(showTable.stdout).toContain('history:');
    expect(showTable.stdout).toMatch(new RegExp(`3 +\\S+ +in-flight +completed +result +${handler.did}`));

    expect(await baton(['show', r1.id, '--key', keyFile(stranger)])).toEqual({ code: 1, stdout: '', stderr: `NOT_FOUND: no task ${r1.id}\n` });
    const bad = await baton(['list', '--operator-token', TOKEN, '--state', 'done']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^INVALID_FRAME: state must be one of /);
  });

  it('exits 2 on bad arguments', { timeout: 30_000 }, async () => {
    for (const args of [['show', '--operator-token', TOKEN], ['show', r1.id, '--state', 'queued', '--operator-token', TOKEN], ['purge', r1.id, '--operator-token', TOKEN], ['list']]) {
      const run = await baton(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain('usage: baton tasks');
    }
  });
});
