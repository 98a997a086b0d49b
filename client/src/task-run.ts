/**
 * The handler side of one task while its handler runs (SPEC TSK-5, TSK-8, TSK-12, TSK-15, DLV-3): the task
 * part of the handler's context (`progress`, `askClarification`, `fail`, `delegate`), the receipt that must
 * precede any update (a provider acknowledging on completion is still `queued`), the `working` heartbeat that
 * keeps the delivery (before the receipt) and the lease (in-flight) alive - paused while awaiting input - and
 * the abort when the task ends under the handler (a task-cancelled / task-failed notice).
 */
import { BatonError, createEnvelope } from '@baton/spec';
import type { Brief, Envelope, ErrorCode, KeyPair, UpdateBody, WorkingFrame } from '@baton/spec';
import type { DelegateOptions, QuestionSpec, TaskContext, TaskHandle, TaskInfo } from './task-types.ts';
import type { RequestTarget } from './types.ts';

/** Shortest interval between `working` frames, in ms (guards against tiny limits). */
const MIN_WORKING_INTERVAL_MS = 20;

/** What a running task needs from the provider runtime. */
export interface TaskRunHost {
  readonly key: KeyPair;
  /** Sends an envelope and waits for `accepted` (throws the relay's refusal). */
  sendAwaited(env: Envelope): Promise<void>;
  /** Sends a `working` frame now (dropped when not connected). */
  sendControl(frame: WorkingFrame): void;
  /** `ack_timeout_ms` and `task_lease_ms` of the relay (LIM-1). */
  ackTimeoutMs(): number;
  leaseMs(): number;
  /** `Agent.delegate`. */
  delegate(target: RequestTarget, input: unknown, options: DelegateOptions): Promise<TaskHandle>;
}

/** How a run starts. */
export interface TaskRunStart {
  /** True when the request is already acknowledged (`on-receive`, or a TSK-8 resumption). */
  receipted: boolean;
  /** Sends the request's receipt and waits for it to be accepted. */
  sendReceipt: () => Promise<void>;
  /** TSK-8: the answer that resumes this run; the first `askClarification()` resolves with it at once. */
  resumeWith?: { answer: unknown };
}

/** One running task on the handler side. */
export class TaskRun {
  readonly request: Envelope;
  readonly controller = new AbortController();
  readonly info: TaskInfo;
  /** Set when a relay notice ended the task: its result is not sent (TSK-13). */
  endedBy: BatonError | undefined;
  readonly #host: TaskRunHost;
  readonly #sendReceipt: () => Promise<void>;
  #receipt: Promise<void> | undefined;
  #awaiting = false;
  #resume: { answer: unknown } | undefined;
  #waiter: { resolve: (value: unknown) => void; reject: (error: unknown) => void } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(host: TaskRunHost, request: Envelope, start: TaskRunStart) {
    this.#host = host;
    this.request = request;
    this.#sendReceipt = start.sendReceipt;
    if (start.receipted) this.#receipt = Promise.resolve();
    this.#resume = start.resumeWith;
    const body = request.body as { capability?: unknown; brief?: Brief };
    this.info = {
      id: request.id, owner: request.from, capability: String(body.capability),
      ...(body.brief !== undefined ? { brief: body.brief } : {}),
      ...(request.thread !== undefined ? { thread: request.thread } : {}),
      ...(request.parent !== undefined ? { parent: request.parent } : {}),
    };
    this.controller.signal.addEventListener('abort', () => {
      this.stop(); // cancelled, failed, expired or closing: no more heartbeats
      this.#waiter?.reject(this.controller.signal.reason);
    }, { once: true });
    this.#schedule();
  }

  /** True once the request's receipt was sent (or was not needed). */
  get receipted(): boolean {
    return this.#receipt !== undefined;
  }

  /** The task part of the handler's context. */
  context(): TaskContext {
    return {
      task: this.info,
      progress: (message, pct) => this.#progress(message, pct),
      askClarification: (question) => this.#ask(question),
      fail: (code: ErrorCode, message?: string): never => { throw new BatonError(code, message ?? code); },
      delegate: (target, input, options = {}) => this.#delegate(target, input, options),
    };
  }

  /** Sends the receipt once (before the first update or sub-task); later calls wait for the same one. */
  ensureReceipted(): Promise<void> {
    this.#receipt ??= this.#sendReceipt();
    this.#schedule();
    return this.#receipt;
  }

  /** An answer for this task arrived (TSK-6); false when the handler is not waiting for one (it is dropped). */
  onAnswer(answer: unknown): boolean {
    const waiter = this.#waiter;
    if (waiter === undefined) return false;
    this.#waiter = undefined;
    waiter.resolve(answer);
    return true;
  }

  /** The task ended under the handler (task-cancelled / task-failed notice): abort it, send no result. */
  end(error: BatonError): void {
    this.endedBy ??= error;
    this.controller.abort(error);
  }

  /** The handler finished: no more heartbeats. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  async #progress(message: string, pct: number | undefined): Promise<void> {
    await this.#update({ task: this.request.id, state: 'in-flight', progress: { message, ...(pct !== undefined ? { pct } : {}) } });
    this.#schedule();
  }

  async #ask(spec: QuestionSpec): Promise<unknown> {
    const resume = this.#resume;
    if (resume !== undefined) {
      this.#resume = undefined;
      return resume.answer;
    }
    const q = typeof spec === 'string' ? { text: spec } : spec;
    const question = {
      text: q.text,
      ...(q.schema !== undefined ? { schema: q.schema } : {}),
      ...(q.choices !== undefined ? { choices: q.choices as [string, ...string[]] } : {}),
    };
    this.controller.signal.throwIfAborted();
    const answered = new Promise<unknown>((resolve, reject) => { this.#waiter = { resolve, reject }; });
    answered.catch(() => {});
    this.#awaiting = true;
    try {
      await this.#update({ task: this.request.id, state: 'awaiting-input', question });
      return await answered;
    } finally {
      this.#waiter = undefined;
      this.#awaiting = false;
      this.#schedule();
    }
  }

  async #delegate(target: RequestTarget, input: unknown, options: DelegateOptions): Promise<TaskHandle> {
    await this.ensureReceipted();
    const thread = options.thread ?? this.request.thread;
    return this.#host.delegate(target, input, {
      ...options, parent: options.parent ?? this.request.id, turn: options.turn ?? this.request.id, ...(thread !== undefined ? { thread } : {}),
    });
  }

  async #update(body: UpdateBody): Promise<void> {
    await this.ensureReceipted();
    const env = createEnvelope(this.#host.key, {
      type: 'update', to: this.request.from, parent: this.request.id, thread: this.request.thread ?? this.request.id,
      body: body as unknown as Record<string, unknown>,
    });
    await this.#host.sendAwaited(env);
  }

  /** (Re)starts the heartbeat: every ack_timeout/3 before the receipt, lease/3 after it, none awaiting input. */
  #schedule(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#stopped || this.#awaiting) return;
    const lease = this.#host.leaseMs() / 3;
    const every = Math.max(MIN_WORKING_INTERVAL_MS, Math.floor(this.receipted ? lease : Math.min(lease, this.#host.ackTimeoutMs() / 3)));
    this.#timer = setInterval(() => this.#host.sendControl({ op: 'working', sender: this.request.from, id: this.request.id }), every);
  }
}
