/**
 * The task part of the RTE-1 type-specific step (SPEC TSK-3..TSK-16) for `update`, `answer`, `result`,
 * `cancel` and the receipt of a request: finds the task (UNKNOWN_TASK), asks `applyTaskCause` from
 * @baton/spec whether the envelope's author may cause the transition (NOT_TASK_PARTY, TASK_TERMINAL,
 * INVALID_TRANSITION), then checks the result's output schema (OUTPUT_SCHEMA_VIOLATION) and the answer's
 * question schema (INPUT_SCHEMA_VIOLATION). A passing check returns a plan; `apply` records the transition
 * (only once every later RTE-1 step passed). Requests are checked in request-checks.ts, cancellation
 * cascades in task-cancel.ts.
 */
import {
  applyTaskCause, checkValue,
  type AnswerBody, type Envelope, type ErrorCode, type Limits, type ResultBody, type TaskCause, type UpdateBody,
} from '@baton/spec';
import type { RelayStore } from '../store/store.ts';
import type { ReceiptTarget } from './receipt-check.ts';
import type { TaskBook } from './task-book.ts';
import type { TaskEffects } from './task-effects.ts';
import type { LiveTask } from './task-registry.ts';
import type { Registry } from './registry.ts';
import type { Clock } from './types.ts';

/** A refusal with its registry code. */
export interface Rejection {
  readonly code: ErrorCode;
  readonly message: string;
  /** For RATE_LIMITED: the error frame's `retry_after_ms` (FLW-3, MAN-7). */
  readonly retryAfterMs?: number;
}

/** A task envelope that passed its checks. */
export interface TaskPlan {
  readonly taskId: string;
  /** The agent the envelope is delivered to; null when it is stored only (cancel, late result). */
  readonly recipient: string | null;
  /** Records the transition(s); call after the remaining RTE-1 steps passed. */
  apply(): TaskEffects;
}

/** What the checks read. */
export interface TaskCheckDeps {
  readonly book: TaskBook;
  readonly store: RelayStore;
  readonly agents: Registry;
  readonly clock: Clock;
  readonly limits: Limits;
  /** JSON text of the accepted envelope (sender, id): the commit queue first, then the store. */
  envelopeJson(sender: string, id: string): string | undefined;
  /** Cancels a task and its open sub-tasks (task-cancel.ts). */
  cancel(task: LiveTask, env: Envelope): TaskEffects;
}

const unknown = (id: string): Rejection => ({ code: 'UNKNOWN_TASK', message: `the relay knows no task ${id}` });

/** The handler as TSK-3 sees it: in `queued`, the agent the request is being delivered to. */
export function handlerFacts(task: LiveTask, store: RelayStore): string | null {
  if (task.state !== 'queued') return task.handler;
  return task.requestSeq === 0 ? null : (store.envelopeAt(task.requestSeq)?.recipient ?? null);
}

/** Task envelope checks. */
export class TaskChecks {
  readonly #d: TaskCheckDeps;

  constructor(deps: TaskCheckDeps) {
    this.#d = deps;
  }

  /** Checks an `update`, `answer`, `result` or `cancel`; undefined for other types. */
  check(env: Envelope): Rejection | TaskPlan | undefined {
    if (env.type !== 'update' && env.type !== 'answer' && env.type !== 'result' && env.type !== 'cancel') return undefined;
    const id = env.type === 'result' ? env.parent : (env.body as { task: string }).task;
    if (id === undefined) return unknown('(none: a result needs parent = the task id)');
    const task = this.#d.book.registry.get(id);
    if (task === undefined) return unknown(id);
    const step = applyTaskCause({ state: task.state, owner: task.owner, handler: handlerFacts(task, this.#d.store) }, this.#cause(env));
    if (!step.ok) return { code: step.code, message: `${step.message} (task ${id} is ${task.state})` };
    switch (env.type) {
      case 'update': return this.#update(env, task, step.to);
      case 'answer': return this.#answer(env, task);
      case 'result': return this.#result(env, task, step.handler, step.late === true);
      default: return { taskId: id, recipient: null, apply: () => this.#d.cancel(task, env) };
    }
  }

  /**
   * A valid receipt for `target` (ACK-3 passed): when it is a queued task's request, the task moves to
   * in-flight with the receipt's author as handler (TSK-3). Later receipts change nothing.
   */
  receipt(env: Envelope, target: ReceiptTarget): TaskPlan | undefined {
    if (target.type !== 'request') return undefined;
    const task = this.#d.book.registry.get(target.id);
    if (task === undefined || task.owner !== target.sender) return undefined;
    const d = this.#d;
    return {
      taskId: task.id, recipient: null,
      apply: () => {
        const current = d.book.registry.get(task.id);
        if (current === undefined || current.state !== 'queued') return { taskId: task.id, own: [], notices: [], withdrawn: [] };
        const t = d.book.change(current, {
          state: 'in-flight', handler: env.from, attempts: current.attempts + 1, leaseUntil: d.clock.now() + d.limits.task_lease_ms,
        });
        return { taskId: task.id, own: [t], notices: [], withdrawn: [] };
      },
    };
  }

  #cause(env: Envelope): TaskCause {
    switch (env.type) {
      case 'update': return { kind: 'update', from: env.from, to: env.to, state: (env.body as unknown as UpdateBody).state };
      case 'answer': return { kind: 'answer', from: env.from, to: env.to };
      case 'result': return { kind: 'result', from: env.from, to: env.to, status: (env.body as unknown as ResultBody).status };
      default: return { kind: 'cancel', from: env.from };
    }
  }

  #requestJson(task: LiveTask): string {
    return this.#d.envelopeJson(task.owner, task.id) ?? 'null';
  }

  #update(env: Envelope, task: LiveTask, to: LiveTask['state']): TaskPlan {
    const d = this.#d;
    const asks = to === 'awaiting-input';
    return {
      taskId: task.id, recipient: task.owner,
      apply: () => {
        const t = d.book.change(task, {
          state: to, leaseUntil: asks ? null : d.clock.now() + d.limits.task_lease_ms, question: asks ? env.id : null,
        });
        return { taskId: task.id, own: [t], notices: [], withdrawn: [], ...(asks ? { context: `{"request":${this.#requestJson(task)}}` } : {}) };
      },
    };
  }

  #answer(env: Envelope, task: LiveTask): Rejection | TaskPlan {
    const d = this.#d;
    const questionJson = task.question === null || task.handler === null ? undefined : d.envelopeJson(task.handler, task.question);
    const question = questionJson === undefined ? undefined : (JSON.parse(questionJson) as { body: UpdateBody }).body.question;
    if (question?.schema !== undefined) {
      const problem = checkValue(question.schema, (env.body as unknown as AnswerBody).answer, 'INPUT_SCHEMA_VIOLATION');
      if (problem !== null) return { code: problem.code, message: `the answer does not match the question's schema: ${problem.message}` };
    }
    return {
      taskId: task.id, recipient: task.handler,
      apply: () => {
        const t = d.book.change(task, { state: 'in-flight', leaseUntil: d.clock.now() + d.limits.task_lease_ms, question: null });
        const context = `{"request":${this.#requestJson(task)},"question":${questionJson ?? 'null'}}`;
        return { taskId: task.id, own: [t], notices: [], withdrawn: [], context };
      },
    };
  }

  #result(env: Envelope, task: LiveTask, handler: string | null, late: boolean): Rejection | TaskPlan {
    const d = this.#d;
    const body = env.body as unknown as ResultBody;
    if (body.status === 'ok') {
      const manifest = d.agents.get(env.from)?.manifests.find((m) => m.name === task.capability);
      const problem = manifest === undefined ? null : checkValue(manifest.output_schema, body.output, 'OUTPUT_SCHEMA_VIOLATION');
      if (problem !== null) return { code: problem.code, message: `output does not match the output_schema of ${task.capability}: ${problem.message}` };
    }
    if (late) {
      return {
        taskId: task.id, recipient: null,
        apply: () => ({ taskId: task.id, own: [d.book.change(task, { lateResults: task.lateResults + 1 }, { late: true })], notices: [], withdrawn: [] }),
      };
    }
    return {
      taskId: task.id, recipient: task.owner,
      apply: () => {
        const t = d.book.change(task, {
          state: body.status === 'ok' ? 'completed' : 'failed', handler,
          attempts: task.state === 'queued' ? task.attempts + 1 : task.attempts, leaseUntil: null, question: null,
          result: JSON.stringify(body), reason: body.status === 'error' ? body.error.code : null,
        });
        return { taskId: task.id, own: [t], notices: [], withdrawn: [] };
      },
    };
  }
}
