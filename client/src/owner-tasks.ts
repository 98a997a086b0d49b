/**
 * The owner side of tasks (SPEC section 21): the tasks this agent delegated or asked for by id, and the
 * routing of everything the relay says about them - receipts and dead letters of their requests, results
 * (surfaced only to a task still waiting, TSK-10), the handler's updates and questions (with their verified
 * TSK-8 context), relay task notices (TSK-17), live `task-event` frames (TSK-19) - plus the owner's signed
 * `answer` (TSK-6) and `cancel` (TSK-7) envelopes and the `watch` subscription.
 */
import { BatonError, checkValue, createEnvelope, isTerminal } from '@baton/spec';
import type {
  AcceptedFrame, DeadLetterNoticeBody, Envelope, KeyPair, ResultBody, TaskEventFrame, TaskNoticeBody, TaskState, UpdateBody, WatchingFrame,
} from '@baton/spec';
import { Outbox } from './outbox.ts';
import type { OutboxLink } from './outbox.ts';
import { errorFromNotice, errorFromResult, errorFromTaskNotice } from './result-errors.ts';
import { checkContextEnvelope } from './task-context-check.ts';
import { TaskHandleView } from './task-handle.ts';
import type { TaskOperations } from './task-handle.ts';
import { TaskRecord } from './task-record.ts';
import type { Question, QuestionHandler, TaskEventListener, TaskHandle } from './task-types.ts';
import type { ClientLogger, DeliveryOutcome, Provider } from './types.ts';
import type { WaitOptions } from './waiters.ts';

/** What the registry needs from its agent. */
export interface OwnerTasksHost {
  readonly did: string;
  readonly relay: string;
  readonly key: KeyPair;
  readonly logger: ClientLogger;
  readonly defaultTimeoutMs: number;
  /** Sends an envelope and waits for `accepted` (throws the `error` frame's code). */
  sendEnvelope(env: Envelope, wait: WaitOptions): Promise<AcceptedFrame>;
  /** Verified providers of `capability`, only `agent` when given (see `DiscoveryClient.findProviders`). */
  findProviders(capability: string, agent: string | undefined, fresh: boolean, wait: WaitOptions): Promise<Provider[]>;
  /** The agent's connection (for `watch` frames). */
  readonly link: OutboxLink;
}

/** Most task records kept; past it the oldest settled ones are forgotten (their handles keep working). */
const MAX_RECORDS = 10_000;

/** How a result's sender is checked and its manifest found: undefined = not a provider we trust. */
export type ProviderLookup = (did: string) => Promise<Provider | undefined>;

/** Tasks this agent owns, by id. */
export class OwnerTasks implements TaskOperations {
  readonly #host: OwnerTasksHost;
  readonly #records = new Map<string, TaskRecord>();
  /** Records some handle was given out for (the others exist only to hold a question, TSK-8). */
  readonly #handled = new Set<string>();
  readonly #lookups = new Map<string, ProviderLookup>();
  readonly #eventListeners = new Set<TaskEventListener>();
  /** `watch` frames awaiting `watching`, by ref. */
  readonly #watches: Outbox<true>;
  #anyQuestion: QuestionHandler | undefined;
  #watching = false;
  #closedError: BatonError | undefined;

  constructor(host: OwnerTasksHost) {
    this.#host = host;
    this.#watches = new Outbox(host.link);
  }

  /** The record of `id`, created (in `state`) when missing. */
  record(id: string, state: TaskState = 'queued'): TaskRecord {
    let record = this.#records.get(id);
    if (record === undefined) {
      record = new TaskRecord(id, this.#host.did, state, this.#host.logger);
      if (this.#closedError !== undefined) record.fail(this.#closedError);
      this.#records.set(id, record);
      if (this.#records.size > MAX_RECORDS) this.#prune();
    }
    return record;
  }

  /** A handle on `id` (`lookup` checks who may answer it); `duplicate` marks an idempotent duplicate (TSK-14). */
  handle(id: string, options: { duplicate?: boolean; state?: TaskState; capability?: string; lookup?: ProviderLookup } = {}): TaskHandle {
    const known = this.#records.has(id);
    const record = this.record(id, options.state);
    if (options.state !== undefined) record.moveTo(options.state);
    record.capability ??= options.capability;
    if (options.lookup !== undefined && !this.#lookups.has(id)) this.#lookups.set(id, options.lookup);
    this.#handled.add(id);
    if (!known && options.duplicate === true && isTerminal(record.state)) {
      const message = `task ${id} was already ${record.state} before this process delegated it again; see GET /v1/tasks/${id}`;
      record.fail(new BatonError('TASK_TERMINAL', message));
    }
    if (record.pending !== undefined) this.#dispatch(record);
    return new TaskHandleView(record, options.duplicate === true, this);
  }

  /** Forgets a record that never became a task (the relay refused the request, or it was a duplicate). */
  discard(id: string): void {
    this.#records.delete(id);
    this.#handled.delete(id);
    this.#lookups.delete(id);
  }

  /** Sets the handler of questions about tasks without a handle-level one (TSK-8). */
  onAnyQuestion(fn: QuestionHandler): () => void {
    this.#anyQuestion = fn;
    for (const record of this.#records.values()) if (record.pending !== undefined) this.#dispatch(record);
    return () => { if (this.#anyQuestion === fn) this.#anyQuestion = undefined; };
  }

  /** Subscribes to live task events (TSK-19); returns the unsubscribe function. */
  subscribeTaskEvents(listener: TaskEventListener): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Sends `watch` and waits for `watching` (TSK-19); remembered, so it is sent again after a reconnection. */
  async watch(wait: WaitOptions): Promise<void> {
    this.#watching = true;
    const ref = `watch-${crypto.randomUUID()}`;
    await this.#watches.submit(ref, { op: 'watch', ref }, wait, 'connection');
  }

  /** Handles a `watching` or `task-event` frame. */
  onFrame(frame: WatchingFrame | TaskEventFrame): void {
    if (frame.op === 'watching') this.#watches.resolve(frame.ref, true);
    else this.onTaskEvent(frame);
  }

  /** Fails the `watch` with ref `ref` (an `error` frame); false when no such watch waits. */
  rejectWatch(ref: string, error: BatonError): boolean {
    return this.#watches.reject(ref, error);
  }

  /** The connection was lost: a `watch` waiting for `watching` fails (it is sent again on reconnection). */
  onDown(error: BatonError): void {
    this.#watches.dropConnectionScoped(error);
  }

  /** A new connection is up: subscribes it again when this agent was watching. */
  onReconnected(): void {
    if (!this.#watching) return;
    void this.watch({ timeoutMs: this.#host.defaultTimeoutMs, what: 'watching' }).catch((error: unknown) => {
      this.#host.logger.warn('could not watch tasks again after reconnecting', { error: String(error) });
    });
  }

  /** The outcome of a request this agent sent: its receipt moves the task to in-flight, a dead letter fails it. */
  onOutcome(outcome: DeliveryOutcome, notice: DeadLetterNoticeBody | undefined): void {
    const record = this.#records.get(outcome.id);
    if (record === undefined) return;
    if (outcome.status === 'delivered') {
      record.apply({ kind: 'receipt', from: outcome.receipt.from });
    } else if (notice !== undefined) {
      record.apply({ kind: 'notice', event: 'dead-lettered' }, 'failed');
      record.fail(errorFromNotice(notice));
    }
  }

  /**
   * A verified, first-seen `result` for `env.parent` that no `request()` waits for. Surfaced only when a handle
   * exists and still waits (TSK-10); otherwise it is only logged (it was already acknowledged).
   */
  async onResult(env: Envelope): Promise<void> {
    const id = env.parent ?? '';
    const record = this.#records.get(id);
    if (record === undefined || !this.#handled.has(id) || !record.waiting) {
      this.#host.logger.warn('ignored a result for a task this client is not waiting for (TSK-10)', { task: id, from: env.from });
      return;
    }
    const body = env.body as unknown as ResultBody;
    const provider = await this.#provider(record, env.from);
    if (provider === null) {
      this.#host.logger.warn('ignored a result from an agent that does not provide the capability', { task: id, from: env.from });
      return;
    }
    if (!record.waiting) return;
    record.apply({ kind: 'result', from: env.from, to: env.to, status: body.status }, body.status === 'ok' ? 'completed' : 'failed');
    if (body.status !== 'ok') {
      record.fail(errorFromResult(body.error, env.from));
      return;
    }
    const problem = provider === undefined ? null : checkValue(provider.manifest.output_schema, body.output, 'OUTPUT_SCHEMA_VIOLATION');
    if (problem !== null) {
      record.fail(new BatonError(problem.code, `output of ${env.from} does not match ${record.capability} output_schema: ${problem.message}`, {
        details: { provider: env.from, output: body.output },
      }));
      return;
    }
    record.succeed(body.output);
  }

  /** A verified, first-seen `update` from a task's handler (TSK-5); a question needs its verified context (TSK-8). */
  onUpdate(env: Envelope, context: { request?: unknown } | undefined): void {
    const body = env.body as unknown as UpdateBody;
    if (body.state === 'in-flight') {
      const record = this.#records.get(body.task);
      if (record === undefined) return;
      record.apply({ kind: 'update', from: env.from, to: env.to, state: 'in-flight' }, 'in-flight');
      if (body.progress !== undefined) {
        record.push({ kind: 'progress', message: body.progress.message, ...(body.progress.pct !== undefined ? { pct: body.progress.pct } : {}), update: env });
      }
      return;
    }
    const checked = checkContextEnvelope(context?.request, { type: 'request', task: body.task, from: this.#host.did });
    if (!checked.ok || body.question === undefined) {
      this.#host.logger.warn('ignored a question without a trustworthy context', { task: body.task, reason: checked.ok ? 'no question' : checked.reason });
      return;
    }
    const request = checked.env;
    const question: Question = {
      task: body.task, text: body.question.text, handler: env.from, update: env, request,
      ...(body.question.schema !== undefined ? { schema: body.question.schema } : {}),
      ...(body.question.choices !== undefined ? { choices: [...body.question.choices] } : {}),
    };
    const record = this.record(body.task, 'in-flight');
    record.capability ??= String((request.body as { capability?: unknown }).capability);
    record.apply({ kind: 'update', from: env.from, to: env.to, state: 'awaiting-input' }, 'awaiting-input');
    record.pending = question;
    record.push({ kind: 'question', question });
    this.#dispatch(record);
  }

  /** A verified relay task notice (TSK-17) about a task this agent owns. */
  onNotice(body: TaskNoticeBody): void {
    const record = this.#records.get(body.for);
    if (record === undefined) return;
    record.capability ??= body.task.capability;
    if (body.event === 'task-requeued') {
      record.apply({ kind: 'notice', event: body.event }, 'queued');
      record.push({ kind: 'requeued', reason: body.reason, task: body.task });
    } else if (body.event === 'needs-human') {
      record.push({ kind: 'needs-human', reason: body.reason, task: body.task });
    } else {
      record.apply({ kind: 'notice', event: body.event }, body.task.state);
      record.fail(errorFromTaskNotice(body));
    }
  }

  /** A live event (TSK-19): updates the record's state; a failure or cancellation not caused by a result ends it. */
  onTaskEvent(frame: TaskEventFrame): void {
    const { task, event } = frame;
    const record = this.#records.get(task.id);
    if (record !== undefined) {
      record.capability ??= task.capability;
      record.handler = task.handler;
      record.moveTo(event.to, event);
      if ((event.to === 'failed' || event.to === 'cancelled') && event.cause.type !== 'result') {
        const reason = event.reason ?? (event.to === 'cancelled' ? 'CANCELLED' : 'INTERNAL_ERROR');
        record.fail(errorFromTaskNotice({ event: event.to === 'cancelled' ? 'task-cancelled' : 'task-failed', for: task.id, reason, task }));
      }
    }
    for (const listener of [...this.#eventListeners]) {
      try {
        listener(task, event);
      } catch (error) {
        this.#host.logger.warn('task event listener failed', { task: task.id, error: String(error) });
      }
    }
  }

  /** The agent closed for good: every waiting task fails with `error`, and so do later handles. */
  failAll(error: BatonError): void {
    this.#closedError = error;
    this.#watches.failAll(error);
    for (const record of this.#records.values()) record.fail(error);
  }

  // ---- TaskOperations ---------------------------------------------------------------------------------

  setQuestionHandler(record: TaskRecord, fn: QuestionHandler | undefined): void {
    record.questionHandler = fn;
    if (fn !== undefined && record.pending !== undefined) this.#dispatch(record);
  }

  async answer(record: TaskRecord, value: unknown): Promise<void> {
    const question = record.pending;
    if (question === undefined) throw new BatonError('INVALID_TRANSITION', `task ${record.id} has no question waiting for an answer (state ${record.state})`);
    const env = createEnvelope(this.#host.key, {
      type: 'answer', to: question.handler, parent: record.id, body: { task: record.id, answer: value as never },
      ...(question.request.thread !== undefined ? { thread: question.request.thread } : {}),
    });
    await this.#host.sendEnvelope(env, { timeoutMs: this.#host.defaultTimeoutMs, what: `accepted for answer ${env.id}` });
    if (record.pending === question) record.pending = undefined;
    record.apply({ kind: 'answer', from: this.#host.did, to: question.handler }, 'in-flight');
  }

  async cancel(record: TaskRecord, reason: string | undefined): Promise<void> {
    const env = createEnvelope(this.#host.key, {
      type: 'cancel', to: this.#host.relay, parent: record.id, body: { task: record.id, ...(reason !== undefined ? { reason } : {}) },
    });
    await this.#host.sendEnvelope(env, { timeoutMs: this.#host.defaultTimeoutMs, what: `accepted for cancel ${env.id}` });
    record.apply({ kind: 'cancel', from: this.#host.did }, 'cancelled');
    record.fail(new BatonError('CANCELLED', `task ${record.id} was cancelled by its owner${reason !== undefined ? `: ${reason}` : ''}`));
  }

  // ---- internals -------------------------------------------------------------------------------------

  /** Forgets settled records, oldest first, down to half of {@link MAX_RECORDS}. */
  #prune(): void {
    for (const [id, record] of this.#records) {
      if (this.#records.size <= MAX_RECORDS / 2) return;
      if (!record.waiting) this.discard(id);
    }
  }

  /** Runs the question handler for the pending question once; its value is sent as the answer. */
  #dispatch(record: TaskRecord): void {
    const question = record.pending;
    const fn = record.questionHandler ?? this.#anyQuestion;
    if (question === undefined || fn === undefined || dispatched.has(question)) return;
    dispatched.add(question);
    Promise.resolve()
      .then(() => fn(question))
      .then((value) => (record.pending === question ? this.answer(record, value) : undefined))
      .catch((error: unknown) => {
        dispatched.delete(question);
        this.#host.logger.warn('could not answer a task question', { task: record.id, error: String(error) });
      });
  }

  /**
   * The provider that sent a result: from the delegation's lookup (null = not trusted); without one (a handle
   * made by id after a restart) from a fresh discovery when the capability is known, else undefined (the relay
   * checked it is the task's handler, TSK-4; the output cannot be checked against a manifest).
   */
  async #provider(record: TaskRecord, did: string): Promise<Provider | null | undefined> {
    const lookup = this.#lookups.get(record.id);
    if (lookup !== undefined) return (await lookup(did)) ?? null;
    if (record.capability === undefined) return undefined;
    try {
      const found = await this.#host.findProviders(record.capability, did, true, { timeoutMs: 5_000, what: `discovery of ${did}` });
      return found[0];
    } catch {
      return undefined;
    }
  }
}

/** Questions whose handler was started (so a question is answered once even if handlers change meanwhile). */
const dispatched = new WeakSet<Question>();
