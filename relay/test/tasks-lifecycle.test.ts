// Integration tests of durable tasks (SPEC section 21) over real sockets and a real SQLite file: the state
// machine with its refusals, clarifications with deliver context, late results, deadlines, leases, cancel
// cascade, idempotency, revisions, live events and restart. Time runs on the harness FakeClock.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_SCHEMAS, newEnvelopeId, validateFrame, type CapabilityManifest, type Envelope } from '@baton/spec';
import { TestAgent, deliverOf, nothing, ping, receiptFor, relayPerTest, whichReceives, type AnyFrame, type TestRelay } from './harness.ts';

const startRelayForTest = relayPerTest();

const ajv = new Ajv2020({ strict: false });
for (const s of Object.values(PROTOCOL_SCHEMAS)) ajv.addSchema(s as object);
const validTask = ajv.getSchema('https://baton.dev/schemas/v1/task.schema.json');

const WORK: CapabilityManifest = {
  name: 'work.do', version: '1.0.0', description: 'test work',
  input_schema: { type: 'object', required: ['n'] }, output_schema: { type: 'object', required: ['sum'] }, timeout_ms: 3_600_000, tags: [],
};

async function setup(limits: Record<string, number> = {}): Promise<{ r: TestRelay; owner: TestAgent; worker: TestAgent }> {
  const r = await startRelayForTest({ limits: { ack_timeout_ms: 600_000, ...limits } });
  const owner = await TestAgent.connect(r);
  const worker = await TestAgent.connect(r);
  await worker.register(r.relay.did, [WORK]);
  return { r, owner, worker };
}

function request(from: TestAgent, to: string, extra: Partial<Envelope> = {}, input: unknown = { n: 1 }): Envelope {
  return from.envelope({ type: 'request', to, body: { capability: 'work.do', input }, ...extra });
}

async function refused(agent: TestAgent, env: Envelope): Promise<string> {
  agent.sendEnvelope(env);
  const f = await agent.next((x) => (x.op === 'error' || x.op === 'accepted') && x.id === env.id);
  return f.op === 'error' ? String(f.code) : 'accepted';
}

/** Sends a request and lets the worker receipt it: the task is in-flight. */
async function inFlight(owner: TestAgent, worker: TestAgent, extra: Partial<Envelope> = {}): Promise<Envelope> {
  const req = await sent(owner, request(owner, worker.did, extra));
  await worker.next(deliverOf(req.id));
  await worker.submit(receiptFor(worker, req));
  return req;
}

async function sent(agent: TestAgent, env: Envelope): Promise<Envelope> {
  await agent.submit(env);
  return env;
}

const noticeOf = (event: string, task: string) => (f: AnyFrame): boolean =>
  f.op === 'deliver' && (f.env as Envelope).type === 'notice' && (f.env as Envelope).body.event === event && (f.env as Envelope).body.for === task;

describe('task state machine', () => {
  it('runs request -> receipt -> question -> answer -> result, with context and a schema-valid history', async () => {
    const { r, owner, worker } = await setup();
    owner.send({ op: 'watch', ref: 'w1' });
    expect(await owner.next((f) => f.op === 'watching')).toEqual({ op: 'watching', ref: 'w1' });
    const req = await inFlight(owner, worker);
    const ask = worker.envelope({
      type: 'update', to: owner.did, parent: req.id,
      body: { task: req.id, state: 'awaiting-input', question: { text: 'which?', schema: { type: 'string' } } },
    });
    await worker.submit(ask);
    const asked = await owner.next(deliverOf(ask.id));
    expect(asked.context).toEqual({ request: req });
    // answer schema, then a valid answer delivered with request and question
    const bad = owner.envelope({ type: 'answer', to: worker.did, parent: req.id, body: { task: req.id, answer: 3 } });
    expect(await refused(owner, bad)).toBe('INPUT_SCHEMA_VIOLATION');
    const answer = await sent(owner, owner.envelope({ type: 'answer', to: worker.did, parent: req.id, body: { task: req.id, answer: 'a' } }));
    expect((await worker.next(deliverOf(answer.id))).context).toEqual({ request: req, question: ask });
    // output schema, then the result
    const wrong = worker.envelope({ type: 'result', to: owner.did, parent: req.id, body: { status: 'ok', output: {} } });
    expect(await refused(worker, wrong)).toBe('OUTPUT_SCHEMA_VIOLATION');
    const result = await sent(worker, worker.envelope({ type: 'result', to: owner.did, parent: req.id, body: { status: 'ok', output: { sum: 1 } } }));
    await owner.next(deliverOf(result.id));
    const again = worker.envelope({ type: 'update', to: owner.did, parent: req.id, body: { task: req.id, state: 'in-flight' } });
    expect(await refused(worker, again)).toBe('TASK_TERMINAL');
    const task = r.relay.tasks.get(req.id);
    expect(validTask?.(task)).toBe(true);
    expect(task).toMatchObject({ state: 'completed', handler: worker.did, attempts: 1, result: { status: 'ok', output: { sum: 1 } } });
    expect(task?.events?.map((e) => [e.from, e.to, e.cause.type])).toEqual([
      [null, 'queued', 'request'], ['queued', 'in-flight', 'receipt'], ['in-flight', 'awaiting-input', 'update'],
      ['awaiting-input', 'in-flight', 'answer'], ['in-flight', 'completed', 'result'],
    ]);
    const events = owner.buffered.filter((f) => f.op === 'task-event');
    expect(events.map((f) => (f.event as { to: string }).to)).toEqual(['queued', 'in-flight', 'awaiting-input', 'in-flight', 'completed']);
    for (const f of events) expect(validateFrame(f).ok).toBe(true);
    expect(r.relay.tasks.list({ limit: 10, owner: owner.did }).tasks.map((x) => x.id)).toEqual([req.id]);
  });

  it('refuses task envelopes with the TSK-4 codes and input schema violations', async () => {
    const { r, owner, worker } = await setup();
    const stranger = await TestAgent.connect(r);
    expect(await refused(owner, request(owner, worker.did, {}, { m: 1 }))).toBe('INPUT_SCHEMA_VIOLATION');
    const req = await inFlight(owner, worker);
    const ghost = newEnvelopeId();
    expect(await refused(worker, worker.envelope({ type: 'update', to: owner.did, parent: ghost, body: { task: ghost, state: 'in-flight' } }))).toBe('UNKNOWN_TASK');
    expect(await refused(stranger, stranger.envelope({ type: 'result', to: owner.did, parent: req.id, body: { status: 'ok', output: { sum: 1 } } }))).toBe('NOT_TASK_PARTY');
    expect(await refused(owner, owner.envelope({ type: 'answer', to: worker.did, parent: req.id, body: { task: req.id, answer: 1 } }))).toBe('INVALID_TRANSITION');
    expect(await refused(owner, owner.envelope({ type: 'cancel', to: worker.did, parent: req.id, body: { task: req.id } }))).toBe('INVALID_ENVELOPE');
    expect(await refused(stranger, stranger.envelope({ type: 'cancel', to: r.relay.did, parent: req.id, body: { task: req.id } }))).toBe('NOT_TASK_PARTY');
  });

  it('accepts a result before the receipt (on-complete providers); the later receipt changes nothing', async () => {
    const { r, owner, worker } = await setup();
    const req = await sent(owner, request(owner, worker.did));
    await worker.next(deliverOf(req.id));
    await worker.submit(worker.envelope({ type: 'result', to: owner.did, parent: req.id, body: { status: 'error', error: { code: 'HANDLER_ERROR', message: 'x' } } }));
    await worker.submit(receiptFor(worker, req));
    expect(r.relay.tasks.get(req.id)).toMatchObject({ state: 'failed', handler: worker.did, reason: 'HANDLER_ERROR' });
  });
});

describe('deadlines, leases and cancellation', () => {
  it('fails a task at its exp deadline with notices; a late result is stored, not delivered, and marked late', async () => {
    const { r, owner, worker } = await setup();
    const req = await inFlight(owner, worker, { exp: r.clock.now() + 5_000 });
    await r.clock.advance(6_000);
    await owner.next(noticeOf('task-failed', req.id));
    const toWorker = await worker.next(noticeOf('task-failed', req.id));
    expect((toWorker.env as Envelope).body).toMatchObject({ reason: 'DEADLINE_EXCEEDED', task: { id: req.id, state: 'failed' } });
    const late = await sent(worker, worker.envelope({ type: 'result', to: owner.did, parent: req.id, body: { status: 'ok', output: { sum: 2 } } }));
    expect(await nothing(owner, deliverOf(late.id))).toBe(true);
    const task = r.relay.tasks.get(req.id);
    expect(task).toMatchObject({ state: 'failed', reason: 'DEADLINE_EXCEEDED', late_results: 1 });
    expect(task?.events?.at(-1)).toMatchObject({ from: 'failed', to: 'failed', late: true, cause: { type: 'result', id: late.id } });
  });

  it('takes the deadline from the manifest timeout_ms and withdraws a queued request', async () => {
    const { r, owner } = await setup();
    const slow = await TestAgent.connect(r);
    await slow.register(r.relay.did, [{ ...WORK, timeout_ms: 2_000 }]);
    await slow.close();
    const req = await sent(owner, request(owner, slow.did));
    expect(r.relay.tasks.get(req.id)?.deadline).toBe(r.clock.now() + 2_000);
    await r.clock.advance(3_000);
    await owner.next(noticeOf('task-failed', req.id));
    const back = await TestAgent.connect(r, slow.key);
    expect(await nothing(back, deliverOf(req.id))).toBe(true);
    expect(r.relay.dlq.list({ limit: 10 }).entries).toEqual([]);
  });

  it('requeues an in-flight task whose lease expired to another provider, and renews leases on working frames', async () => {
    const { r, owner, worker } = await setup({ task_lease_ms: 10_000 });
    const other = await TestAgent.connect(r);
    await other.register(r.relay.did, [WORK]);
    const req = await sent(owner, owner.envelope({ type: 'request', to: 'cap:work.do', body: { capability: 'work.do', input: { n: 1 } } }));
    const first = await whichReceives([worker, other], deliverOf(req.id));
    await first.next(deliverOf(req.id));
    const second = first === worker ? other : worker;
    await first.submit(receiptFor(first, req));
    for (let i = 0; i < 3; i++) {
      await r.clock.advance(8_000);
      first.send({ op: 'working', sender: owner.did, id: req.id });
      await ping(first);
    }
    expect(r.relay.tasks.get(req.id)?.state).toBe('in-flight');
    await r.clock.advance(11_000);
    const requeued = await owner.next(noticeOf('task-requeued', req.id));
    expect((requeued.env as Envelope).body).toMatchObject({ reason: 'HANDLER_LOST', task: { state: 'queued', handler: null } });
    await second.next(deliverOf(req.id));
    await second.submit(receiptFor(second, req));
    await second.submit(second.envelope({ type: 'result', to: owner.did, parent: req.id, body: { status: 'ok', output: { sum: 3 } } }));
    expect(r.relay.tasks.get(req.id)).toMatchObject({ state: 'completed', handler: second.did, attempts: 2 });
  });

  it('fails with HANDLER_LOST after max_task_attempts lost leases', async () => {
    const { r, owner, worker } = await setup({ task_lease_ms: 10_000, max_task_attempts: 1 });
    const req = await inFlight(owner, worker);
    await r.clock.advance(11_000);
    expect((await owner.next(noticeOf('task-failed', req.id)).then((f) => f.env as Envelope)).body).toMatchObject({ reason: 'HANDLER_LOST' });
    await worker.next(noticeOf('task-failed', req.id));
  });

  it('cancels a task and its sub-task in one step, with task-cancelled notices', async () => {
    const { r, owner, worker } = await setup();
    const helper = await TestAgent.connect(r);
    await helper.register(r.relay.did, [WORK]);
    const req = await inFlight(owner, worker);
    const sub = await sent(worker, worker.envelope({ type: 'request', to: helper.did, parent: req.id, body: { capability: 'work.do', input: { n: 2 } } }));
    await helper.next(deliverOf(sub.id));
    await helper.submit(receiptFor(helper, sub));
    expect(r.relay.tasks.get(sub.id)).toMatchObject({ parent: req.id, state: 'in-flight' });
    await owner.submit(owner.envelope({ type: 'cancel', to: r.relay.did, parent: req.id, body: { task: req.id, reason: 'stop' } }));
    await worker.next(noticeOf('task-cancelled', req.id));
    await worker.next(noticeOf('task-cancelled', sub.id));
    await helper.next(noticeOf('task-cancelled', sub.id));
    expect(r.relay.tasks.get(sub.id)?.state).toBe('cancelled');
    const late = helper.envelope({ type: 'update', to: worker.did, parent: sub.id, body: { task: sub.id, state: 'in-flight' } });
    expect(await refused(helper, late)).toBe('TASK_TERMINAL');
  });
});

describe('idempotency, revisions and restart', () => {
  it('answers an idempotent duplicate with the existing task and refuses a conflicting reuse', async () => {
    const { r, owner, worker } = await setup();
    const first = await sent(owner, request(owner, worker.did, { idempotency_key: 'k1' }));
    const dup = owner.envelope({ type: 'request', to: worker.did, idempotency_key: 'k1', body: { capability: 'work.do', input: { n: 1 }, brief: { summary: 'again', next_action: 'do' } } });
    owner.sendEnvelope(dup);
    expect(await owner.next((f) => f.id === dup.id)).toEqual({ op: 'accepted', id: dup.id, duplicate: true, task: { id: first.id, state: 'queued' } });
    expect(await refused(owner, request(owner, worker.did, { idempotency_key: 'k1' }, { n: 2 }))).toBe('IDEMPOTENCY_CONFLICT');
    expect(r.relay.tasks.list({ limit: 10 }).tasks).toHaveLength(1);
  });

  it('counts revisions per thread and flags the thread at REVISION_LIMIT with a needs-human notice', async () => {
    const { r, owner, worker } = await setup({ max_revisions: 1 });
    const thread = globalThis.crypto.randomUUID();
    const done = async (extra: Partial<Envelope>, body: Record<string, unknown> = {}): Promise<Envelope> => {
      const req = await sent(owner, owner.envelope({ type: 'request', to: worker.did, thread, ...extra, body: { capability: 'work.do', input: { n: 1 }, ...body } }));
      await worker.next(deliverOf(req.id));
      await worker.submit(worker.envelope({ type: 'result', to: owner.did, parent: req.id, body: { status: 'ok', output: { sum: 1 } } }));
      return req;
    };
    const v0 = await done({});
    const v1 = await done({}, { revise_of: v0.id });
    expect(r.relay.tasks.get(v1.id)).toMatchObject({ revision: 1, revise_of: v0.id, flagged: false });
    const v2 = owner.envelope({ type: 'request', to: worker.did, thread, body: { capability: 'work.do', input: { n: 1 }, revise_of: v1.id } });
    expect(await refused(owner, v2)).toBe('REVISION_LIMIT');
    expect(((await owner.next(noticeOf('needs-human', v1.id))).env as Envelope).body).toMatchObject({ reason: 'REVISION_LIMIT' });
    expect(r.relay.tasks.get(v1.id)?.flagged).toBe(true);
  });

  it('keeps tasks, history and leases across a restart', async () => {
    const { r, owner, worker } = await setup({ task_lease_ms: 10_000 });
    const req = await inFlight(owner, worker);
    await r.clock.advance(9_000);
    await r.restart();
    expect(r.relay.tasks.get(req.id)).toMatchObject({ state: 'in-flight', handler: worker.did });
    await r.clock.advance(9_000); // the lease was re-armed to at least task_lease_ms from the restart
    expect(r.relay.tasks.get(req.id)?.state).toBe('in-flight');
    const o2 = await TestAgent.connect(r, owner.key);
    await r.clock.advance(2_000);
    await o2.next(noticeOf('task-requeued', req.id));
    expect(r.relay.tasks.get(req.id)?.events).toHaveLength(3);
  });
});
