/**
 * Shared helpers of the audit log tests (audit-log, cli-audit): a builder of JSON Lines audit logs made of
 * real signed envelopes (createEnvelope with generated keys: an owner, a handler, a stranger and the relay),
 * and the clean multi-task log SPEC TSK-20's verifier must accept.
 */
import {
  createEnvelope, envelopeDigest, generateKeyPair,
  type Envelope, type EnvelopeFields, type KeyPair, type TaskSummary,
} from '@baton/spec';

type Fields = Omit<EnvelopeFields, 'ts'> & { ts?: number };

/** Builds a log line by line; `line(env)` is the 1-based line number of an envelope. */
export class LogBuilder {
  readonly relay: KeyPair = generateKeyPair();
  readonly owner: KeyPair = generateKeyPair();
  readonly handler: KeyPair = generateKeyPair();
  readonly stranger: KeyPair = generateKeyPair();
  readonly lines: string[] = [];
  #seq = 0;
  #ids = new Map<string, number>();

  /** The seq of the next line (each call takes one). */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** Signs `fields` with `key` and appends the envelope as the next line (seq + 1). */
  add(key: KeyPair, fields: Fields): Envelope {
    const env = createEnvelope(key, { ts: Date.now(), ...fields });
    this.raw({ seq: this.nextSeq(), accepted_at: env.ts, env });
    this.#ids.set(env.id, this.lines.length);
    return env;
  }

  /** Appends any value as a line (JSON text), or a string as is. */
  raw(line: unknown): void {
    this.lines.push(typeof line === 'string' ? line : JSON.stringify(line));
  }

  /** The line number of the envelope `env`. */
  line(env: Envelope): number {
    const n = this.#ids.get(env.id);
    if (n === undefined) throw new Error(`envelope ${env.id} not in the log`);
    return n;
  }

  /** The log as JSON Lines text. */
  text(): string {
    return `${this.lines.join('\n')}\n`;
  }

  request(from: KeyPair, to: string, extra: Partial<Fields> = {}): Envelope {
    const capability = to.startsWith('cap:') ? to.slice(4) : 'demo.echo';
    return this.add(from, { type: 'request', to, body: { capability, input: { n: this.#seq } }, ...extra });
  }

  receipt(from: KeyPair, of: Envelope, to = of.from): Envelope {
    return this.add(from, { type: 'receipt', to, parent: of.id, body: { for: of.id, digest: envelopeDigest(of) } });
  }

  progress(from: KeyPair, task: Envelope): Envelope {
    return this.add(from, { type: 'update', to: task.from, parent: task.id, body: { task: task.id, state: 'in-flight', progress: { message: 'half way', pct: 50 } } });
  }

  question(from: KeyPair, task: Envelope): Envelope {
    return this.add(from, { type: 'update', to: task.from, parent: task.id, body: { task: task.id, state: 'awaiting-input', question: { text: 'which one?', choices: ['a', 'b'] } } });
  }

  answer(from: KeyPair, task: Envelope, to: string): Envelope {
    return this.add(from, { type: 'answer', to, parent: task.id, body: { task: task.id, answer: 'a' } });
  }

  cancel(from: KeyPair, task: Envelope): Envelope {
    return this.add(from, { type: 'cancel', to: this.relay.did, parent: task.id, body: { task: task.id, reason: 'not needed' } });
  }

  result(from: KeyPair, task: Envelope, ok = true): Envelope {
    const body = ok ? { status: 'ok', output: { done: true } } : { status: 'error', error: { code: 'HANDLER_ERROR', message: 'broke' } };
    return this.add(from, { type: 'result', to: task.from, parent: task.id, body });
  }

  /** A task notice (TSK-17) signed by `signer` (default: the relay) about `task` with its summary after the transition. */
  taskNotice(to: string, task: Envelope, event: string, state: TaskSummary['state'], handler: string | null, signer = this.relay): Envelope {
    const reason = event === 'task-cancelled' ? 'CANCELLED' : event === 'needs-human' ? 'REVISION_LIMIT' : 'DEADLINE_EXCEEDED';
    const summary: TaskSummary = {
      id: task.id, owner: task.from, handler, capability: (task.body as { capability: string }).capability,
      state, attempts: handler === null ? 0 : 1, revision: 0,
    };
    return this.add(signer, { type: 'notice', to, parent: task.id, body: { event, for: task.id, reason, task: summary } });
  }

  /** A dead-lettered notice (DLV-6) about `env`, to its sender. */
  deadLettered(env: Envelope): Envelope {
    return this.add(this.relay, {
      type: 'notice', to: env.from, parent: env.id,
      body: { event: 'dead-lettered', for: env.id, to: env.to, reason: 'MAX_ATTEMPTS_EXCEEDED', attempts: 3, entry: 1 },
    });
  }
}

/**
 * A clean log of five tasks: A (direct) completed after a question and an answer; B (capability-routed)
 * cancelled with its sub-task D (cascade, TSK-13) and echo notices; C failed by the relay, then a late result
 * (TSK-10); E (capability-routed) failed by a dead-lettered request; plus a message with its own dead letter.
 */
export function cleanLog(): LogBuilder {
  const b = new LogBuilder();
  const { owner, handler, stranger, relay } = b;
  const a = b.request(owner, handler.did, { thread: '019b7663-e800-7000-8000-0000000000aa' });
  b.receipt(handler, a);
  b.question(handler, a);
  b.answer(owner, a, handler.did);
  b.progress(handler, a);
  b.result(handler, a);

  const bTask = b.request(owner, 'cap:demo.search');
  b.receipt(handler, bTask);
  const d = b.request(handler, stranger.did, { parent: bTask.id });
  b.receipt(stranger, d);
  b.cancel(owner, bTask);
  b.taskNotice(handler.did, bTask, 'task-cancelled', 'cancelled', handler.did);
  const dNotice = b.taskNotice(handler.did, d, 'task-cancelled', 'cancelled', stranger.did);
  b.taskNotice(stranger.did, d, 'task-cancelled', 'cancelled', stranger.did);
  b.receipt(handler, dNotice, relay.did);

  const c = b.request(owner, handler.did);
  b.receipt(handler, c);
  b.taskNotice(owner.did, c, 'task-failed', 'failed', handler.did);
  b.taskNotice(handler.did, c, 'task-failed', 'failed', handler.did);
  b.result(handler, c, false);

  const e = b.request(owner, 'cap:demo.search');
  b.deadLettered(e);
  const m = b.add(owner, { type: 'message', to: stranger.did, body: { hi: true } });
  b.deadLettered(m);
  return b;
}
