/**
 * The owner's local view of one task (SPEC section 21): its state as this client saw it (moved only through
 * the shared state machine `applyTaskCause`), the log of updates that `events()` replays, the pending
 * question, and the result, which settles exactly once (TSK-10: nothing is surfaced after that).
 */
import { BatonError, applyTaskCause, isTerminal } from '@baton/spec';
import type { TaskCause, TaskEvent, TaskState } from '@baton/spec';
import type { ClientLogger } from './types.ts';
import type { Question, QuestionHandler, TaskUpdate } from './task-types.ts';

/** Most updates kept per task for `events()` (the oldest progress updates are dropped past it). */
const MAX_LOG = 1_000;

/** One task this agent owns. */
export class TaskRecord {
  readonly id: string;
  readonly owner: string;
  state: TaskState;
  handler: string | null = null;
  /** The capability, when known (from the delegation, a question's request or a task summary). */
  capability: string | undefined;
  /** The question waiting for an answer, if any. */
  pending: Question | undefined;
  questionHandler: QuestionHandler | undefined;
  readonly result: Promise<unknown>;
  #settled = false;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;
  readonly #log: TaskUpdate[] = [];
  #wake = new Set<() => void>();
  readonly #logger: ClientLogger;

  constructor(id: string, owner: string, state: TaskState, logger: ClientLogger) {
    this.id = id;
    this.owner = owner;
    this.state = state;
    this.#logger = logger;
    this.result = new Promise((resolve, reject) => { this.#resolve = resolve; this.#reject = reject; });
    this.result.catch(() => {});
  }

  /** True while the result has not settled: only then may a result be surfaced (TSK-10). */
  get waiting(): boolean {
    return !this.#settled;
  }

  /**
   * Applies an envelope this client saw through the shared state machine (TSK-3). This client does not see
   * every transition (an update can overtake the receipt's `delivered`; a handle made by id starts without
   * facts): when the machine refuses a non-terminal move, `fallback` (the state the envelope itself names,
   * which the relay already checked) is taken instead; otherwise the refusal is logged.
   */
  apply(cause: TaskCause, fallback?: TaskState): void {
    const step = applyTaskCause({ state: this.state, owner: this.owner, handler: this.handler }, cause);
    if (step.ok) {
      this.handler = step.handler;
      if (step.to !== this.state) this.moveTo(step.to);
      return;
    }
    if (fallback !== undefined && !isTerminal(this.state)) {
      if ('from' in cause && cause.from !== this.owner) this.handler = cause.from;
      this.moveTo(fallback);
      return;
    }
    this.#logger.warn(`task ${this.id}: ignored a ${cause.kind} (${step.code}: ${step.message})`);
  }

  /** Sets the state from an authoritative source (a live event, a duplicate's `accepted`) unless it is terminal. */
  moveTo(state: TaskState, event?: TaskEvent): void {
    if (isTerminal(this.state) && state !== this.state) return;
    if (state === this.state && event === undefined) return;
    this.state = state;
    if (state !== 'awaiting-input') this.pending = undefined;
    this.push(event === undefined ? { kind: 'state', state } : { kind: 'state', state, event });
  }

  /** Appends an update for `events()`. */
  push(update: TaskUpdate): void {
    this.#log.push(update);
    if (this.#log.length > MAX_LOG) {
      const index = this.#log.findIndex((u) => u.kind === 'progress');
      this.#log.splice(index < 0 ? 0 : index, 1);
    }
    const wake = this.#wake;
    this.#wake = new Set();
    for (const fn of wake) fn();
  }

  /** Settles the result with the output; false when it had settled already. */
  succeed(output: unknown): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#resolve(output);
    this.#ended();
    return true;
  }

  /** Settles the result with `error`; false when it had settled already. */
  fail(error: BatonError): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#reject(error);
    this.#ended();
    return true;
  }

  /** Every update from the first; ends once the result settled and everything was read. */
  async *events(): AsyncGenerator<TaskUpdate> {
    let next = 0;
    for (;;) {
      while (next < this.#log.length) yield this.#log[next++]!;
      if (!this.waiting) return;
      await new Promise<void>((resolve) => this.#wake.add(resolve));
    }
  }

  #ended(): void {
    this.pending = undefined;
    const wake = this.#wake;
    this.#wake = new Set();
    for (const fn of wake) fn();
  }
}
