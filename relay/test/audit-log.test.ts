// The audit log (SPEC TSK-20): verify-log over logs of real signed envelopes (a clean multi-task log passes;
// a tampered signature, a transition out of a terminal state, an answer without a question, a result from a
// stranger and a notice not signed by the relay fail with their code and line), and export-log over a real
// relay's data directory, while it runs and after it stopped, compared to what was accepted.
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '@baton/spec';
import { exportLog } from '../src/audit/export-log.ts';
import { parseLogLine } from '../src/audit/log-line.ts';
import { verifyLog, type LogProblem, type VerifyOptions, type VerifyReport } from '../src/audit/verify-log.ts';
import { cleanLog, LogBuilder } from './audit-helpers.ts';
import { receiptFor, deliveryOf } from './dlq-helpers.ts';
import { TestAgent, startTestRelay, type TestRelay } from './harness.ts';

function verify(text: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyLog(Readable.from([text]), options);
}

const errors = (r: VerifyReport): LogProblem[] => r.problems.filter((p) => p.severity === 'error');

/** A task taken by the handler: request + receipt. */
function taken(b: LogBuilder): Envelope {
  const req = b.request(b.owner, b.handler.did);
  b.receipt(b.handler, req);
  return req;
}

describe('verify-log', () => {
  it('accepts a clean multi-task log and summarizes it', async () => {
    const b = cleanLog();
    const report = await verify(b.text());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.summary).toMatchObject({
      lines: b.lines.length, envelopes: b.lines.length, relay: b.relay.did, tasks: 5, lateResults: 1, errors: 0, warnings: 0,
      states: { queued: 0, 'in-flight': 0, 'awaiting-input': 0, completed: 1, failed: 2, cancelled: 2 },
      types: { request: 5, receipt: 5, update: 2, answer: 1, result: 2, cancel: 1, notice: 7, message: 1 },
    });
    // the same log with the relay given explicitly
    expect((await verify(b.text(), { relay: b.relay.did })).ok).toBe(true);
  });

  it('reports a tampered signature as BAD_SIGNATURE on its line and does not replay it', async () => {
    const b = new LogBuilder();
    const req = taken(b);
    const result = b.result(b.handler, req);
    const i = b.line(result) - 1;
    b.lines[i] = (b.lines[i] ?? '').replace('"done":true', '"done":false');
    const report = await verify(b.text());
    expect(report.ok).toBe(false);
    expect(errors(report)).toEqual([expect.objectContaining({ line: 3, seq: 3, id: result.id, code: 'BAD_SIGNATURE' })]);
    expect(report.summary.states['in-flight']).toBe(1);
  });

  it('refuses a transition out of a terminal state with TASK_TERMINAL', async () => {
    const b = new LogBuilder();
    const req = taken(b);
    b.result(b.handler, req);
    const late = b.progress(b.handler, req);
    const report = await verify(b.text());
    expect(errors(report)).toEqual([expect.objectContaining({ line: b.line(late), id: late.id, task: req.id, code: 'TASK_TERMINAL' })]);
  });

  it('refuses an answer without a question with INVALID_TRANSITION', async () => {
    const b = new LogBuilder();
    const req = taken(b);
    const answer = b.answer(b.owner, req, b.handler.did);
    const report = await verify(b.text());
    expect(errors(report)).toEqual([expect.objectContaining({ line: 3, seq: 3, id: answer.id, task: req.id, code: 'INVALID_TRANSITION' })]);
  });

  it('refuses a result from a stranger with NOT_TASK_PARTY, also on a capability-routed queued task', async () => {
    const b = new LogBuilder();
    const req = taken(b);
    const bad = b.result(b.stranger, req);
    const cap = b.request(b.owner, 'cap:demo.search');
    const own = b.result(b.owner, cap);
    const report = await verify(b.text());
    expect(errors(report)).toEqual([
      expect.objectContaining({ line: b.line(bad), id: bad.id, task: req.id, code: 'NOT_TASK_PARTY' }),
      expect.objectContaining({ line: b.line(own), id: own.id, task: cap.id, code: 'NOT_TASK_PARTY' }),
    ]);
  });

  it('refuses a notice not signed by the relay with INVALID_ENVELOPE, with --relay or after the first notice', async () => {
    const b = new LogBuilder();
    const req = taken(b);
    const forged = b.taskNotice(b.owner.did, req, 'task-failed', 'failed', b.handler.did, b.stranger);
    const given = await verify(b.text(), { relay: b.relay.did });
    expect(errors(given)).toEqual([expect.objectContaining({ line: 3, id: forged.id, code: 'INVALID_ENVELOPE' })]);
    expect(given.summary.states['in-flight']).toBe(1);

    const c = new LogBuilder();
    const first = c.request(c.owner, c.handler.did);
    c.deadLettered(first);
    const second = taken(c);
    const forged2 = c.taskNotice(c.owner.did, second, 'task-failed', 'failed', c.handler.did, c.stranger);
    const inferred = await verify(c.text());
    expect(inferred.summary.relay).toBe(c.relay.did);
    expect(errors(inferred)).toEqual([expect.objectContaining({ line: c.line(forged2), code: 'INVALID_ENVELOPE' })]);
  });

  it('checks lines, seq order, schemas and receipts; a pruned request is only a warning', async () => {
    const b = new LogBuilder();
    const req = taken(b);
    b.raw('not json');
    b.raw({ seq: b.nextSeq(), accepted_at: 1, env: {}, extra: true });
    b.raw({ seq: 2, accepted_at: 1, env: JSON.parse(b.lines[0] ?? '{}').env });
    const wrongDigest = b.add(b.handler, { type: 'receipt', to: req.from, parent: req.id, body: { for: req.id, digest: '0'.repeat(64) } });
    b.raw({ seq: b.nextSeq(), accepted_at: 1, env: { v: 1, id: 'x' } });
    const orphan = b.add(b.handler, { type: 'update', to: b.owner.did, parent: '019b7663-e800-7000-8000-00000000beef', body: { task: '019b7663-e800-7000-8000-00000000beef', state: 'in-flight' } });
    const report = await verify(b.text());
    expect(report.problems.map((p) => [p.line, p.severity, p.code])).toEqual([
      [3, 'error', 'MALFORMED_FRAME'],
      [4, 'error', 'INVALID_FRAME'],
      [5, 'error', 'INVALID_FRAME'],
      [5, 'error', 'DUPLICATE_ID'],
      [b.line(wrongDigest), 'error', 'INVALID_RECEIPT'],
      [7, 'error', 'INVALID_ENVELOPE'],
      [b.line(orphan), 'warning', 'UNKNOWN_TASK'],
    ]);

    const pruned = new LogBuilder();
    const gone = { from: pruned.owner.did, id: '019b7663-e800-7000-8000-00000000cafe' } as Envelope;
    pruned.result(pruned.handler, gone);
    const onlyWarning = await verify(pruned.text());
    expect(onlyWarning.ok).toBe(true);
    expect(onlyWarning.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'UNKNOWN_TASK', task: gone.id })]);
  });
});

describe('export-log', () => {
  let t: TestRelay | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  async function exported(dataDir: string): Promise<string> {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportLog(dataDir, out);
    out.end();
    return Buffer.concat(chunks).toString('utf8');
  }

  it('exports every accepted envelope in seq order, exactly as accepted, while the relay runs and after it stopped; the export verifies', { timeout: 30_000 }, async () => {
    t = await startTestRelay();
    const [owner, handler] = await Promise.all([TestAgent.connect(t), TestAgent.connect(t)]);
    const sent: Envelope[] = [];
    const request = await (async () => {
      const env = owner.envelope({ type: 'request', to: handler.did, body: { capability: 'demo.echo', input: { q: 'hi' } } });
      await owner.submit(env);
      return env;
    })();
    sent.push(request);
    await deliveryOf(handler, request);
    const receipt = receiptFor(handler, request);
    await handler.submit(receipt);
    sent.push(receipt);
    const result = handler.envelope({ type: 'result', to: owner.did, parent: request.id, thread: request.id, body: { status: 'ok', output: { a: 1 } } });
    await handler.submit(result);
    sent.push(result);
    const message = owner.envelope({ type: 'message', to: handler.did, body: { note: 'thanks' } });
    await owner.submit(message);
    sent.push(message);

    const running = await exported(t.dataDir);
    const lines = running.trimEnd().split('\n').map((l) => {
      const parsed = parseLogLine(l);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.value;
    });
    expect(lines.map((l) => l.env)).toEqual(sent);
    const seqs = lines.map((l) => l.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const l of lines) expect(l.accepted_at).toBe(t.clock.now());
    const report = await verify(running);
    expect(report.problems).toEqual([]);
    expect(report.summary).toMatchObject({ envelopes: 4, tasks: 1, states: { completed: 1 } });

    await Promise.all([owner.close(), handler.close()]);
    await t.stop();
    expect(await exported(t.dataDir)).toBe(running);
  });

  it('exports a relay-made task history (question, answer, cancel cascade, deadline, late result) that verifies clean', { timeout: 30_000 }, async () => {
    t = await startTestRelay();
    const relay = t.relay.did;
    const [owner, handler, helper] = await Promise.all([TestAgent.connect(t), TestAgent.connect(t), TestAgent.connect(t)]);
    const delegate = async (from: TestAgent, to: TestAgent, extra: Partial<Pick<Envelope, 'parent' | 'exp'>> = {}): Promise<Envelope> => {
      const env = from.envelope({ type: 'request', to: to.did, body: { capability: 'demo.echo', input: 1 }, ...extra });
      await from.submit(env);
      await deliveryOf(to, env);
      await to.submit(receiptFor(to, env));
      return env;
    };
    const task = (id: string): string | undefined => t?.relay.tasks.get(id)?.state;
    const done = await delegate(owner, handler);
    const question = handler.envelope({ type: 'update', to: owner.did, parent: done.id, body: { task: done.id, state: 'awaiting-input', question: { text: 'which?' } } });
    await handler.submit(question);
    await owner.submit(owner.envelope({ type: 'answer', to: handler.did, parent: done.id, body: { task: done.id, answer: 'this' } }));
    await handler.submit(handler.envelope({ type: 'result', to: owner.did, parent: done.id, body: { status: 'ok', output: 2 } }));

    const parent = await delegate(owner, handler);
    const sub = await delegate(handler, helper, { parent: parent.id });
    await owner.submit(owner.envelope({ type: 'cancel', to: relay, parent: parent.id, body: { task: parent.id } }));

    const late = await delegate(owner, handler, { exp: t.clock.now() + 5_000 });
    await t.clock.advance(6_000);
    const failed = await owner.next((f) => f.op === 'deliver' && (f.env as Envelope).type === 'notice' && (f.env as { body: { for?: string } }).body.for === late.id);
    expect((failed.env as Envelope).body).toMatchObject({ event: 'task-failed' });
    await handler.submit(handler.envelope({ type: 'result', to: owner.did, parent: late.id, body: { status: 'ok', output: 3 } }));
    expect([task(done.id), task(parent.id), task(sub.id), task(late.id)]).toEqual(['completed', 'cancelled', 'cancelled', 'failed']);

    const report = await verify(await exported(t.dataDir), { relay });
    expect(report.problems).toEqual([]);
    expect(report.summary).toMatchObject({
      tasks: 4, lateResults: 1, states: { completed: 1, cancelled: 2, failed: 1, queued: 0, 'in-flight': 0, 'awaiting-input': 0 },
    });
    expect(report.summary.types['notice']).toBeGreaterThanOrEqual(3);
    await Promise.all([owner.close(), handler.close(), helper.close()]);
  });

  it('refuses a directory without a relay store with NOT_FOUND', async () => {
    await expect(exportLog('/nonexistent/baton-data', new PassThrough())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
