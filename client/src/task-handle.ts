/**
 * The owner's {@link TaskHandle}: a view of one shared {@link TaskRecord} (two handles on the same task - the
 * original and an idempotent duplicate, TSK-14 - see the same state, updates and result), whose `answer`,
 * `cancel` and `onQuestion` are carried out by the agent's task registry.
 */
import type { TaskState } from '@baton/spec';
import type { TaskRecord } from './task-record.ts';
import type { QuestionHandler, TaskHandle, TaskUpdate } from './task-types.ts';

/** What a handle asks of the registry that owns its record. */
export interface TaskOperations {
  answer(record: TaskRecord, value: unknown): Promise<void>;
  cancel(record: TaskRecord, reason: string | undefined): Promise<void>;
  setQuestionHandler(record: TaskRecord, fn: QuestionHandler | undefined): void;
}

/** A handle on a task this agent owns. */
export class TaskHandleView implements TaskHandle {
  readonly id: string;
  readonly duplicate: boolean;
  readonly #record: TaskRecord;
  readonly #ops: TaskOperations;

  constructor(record: TaskRecord, duplicate: boolean, ops: TaskOperations) {
    this.id = record.id;
    this.duplicate = duplicate;
    this.#record = record;
    this.#ops = ops;
  }

  get state(): TaskState {
    return this.#record.state;
  }

  get result(): Promise<unknown> {
    return this.#record.result;
  }

  events(): AsyncIterable<TaskUpdate> {
    return this.#record.events();
  }

  onQuestion(fn: QuestionHandler): () => void {
    this.#ops.setQuestionHandler(this.#record, fn);
    return () => {
      if (this.#record.questionHandler === fn) this.#ops.setQuestionHandler(this.#record, undefined);
    };
  }

  answer(value: unknown): Promise<void> {
    return this.#ops.answer(this.#record, value);
  }

  cancel(reason?: string): Promise<void> {
    return this.#ops.cancel(this.#record, reason);
  }
}
