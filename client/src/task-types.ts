/**
 * Public types of the client's task API (SPEC section 21): delegation options, the owner's task handle and
 * what it reports, clarification questions, and the task facts a handler sees. Kept free of runtime code.
 */
import type { Brief, Envelope, ErrorCode, TaskEvent, TaskState, TaskSummary } from '@baton/spec';
import type { RequestTarget } from './types.ts';

/** Options of `Agent.delegate` (SPEC TYP-2, TSK-9, TSK-14..TSK-16). */
export interface DelegateOptions {
  /** Structured hand-off brief signed into `body.brief` (TSK-9). Not part of the idempotency key's prose. */
  brief?: Brief;
  /** Absolute deadline, ms since the Unix epoch: signed as the request's `exp` (TSK-11). Wins over `timeoutMs`. */
  deadline?: number;
  /** Relative deadline in ms: `exp = now + timeoutMs`. Without either, the relay uses the manifest's `timeout_ms`. */
  timeoutMs?: number;
  /** Idempotency key to sign into the request (TSK-14). */
  idempotencyKey?: string;
  /**
   * The originating conversation turn. When given and `idempotencyKey` is not, the key is
   * `defaultIdempotencyKey({ turn, to, capability, input, refs })` (TSK-14), so a rephrased brief for the same
   * work in the same turn is the same task. For `HandlerContext.delegate` it defaults to the current task id.
   */
  turn?: string;
  /** Parent task id: the request creates a sub-task of it (TSK-15; only that task's handler may). */
  parent?: string;
  /** Thread (conversation / piece of work) to put in the envelope's `thread`. */
  thread?: string;
  /** Id of a completed task whose work is to be redone (`body.revise_of`, TSK-16); requires `thread`. */
  reviseOf?: string;
  /** Aborting it cancels the task (a signed `cancel`, TSK-7) once it is accepted. */
  signal?: AbortSignal;
  /** How long to wait for discovery and the relay's `accepted`, in ms. @default ConnectOptions.requestTimeoutMs */
  acceptTimeoutMs?: number;
}

/** A clarification question asked by a task's handler (TSK-5, TSK-8). */
export interface Question {
  /** The task the question is about (= `update.body.task`). */
  task: string;
  /** The question text. */
  text: string;
  /** JSON Schema the answer must satisfy (the relay checks it: `INPUT_SCHEMA_VIOLATION`, TSK-6). */
  schema?: Record<string, unknown>;
  /** Allowed answers, when the handler offered a choice. */
  choices?: string[];
  /** The handler's did:key (the answer goes to it). */
  handler: string;
  /** The verified `update` envelope that asked (signed by the handler). */
  update: Envelope;
  /** The task's verified `request` envelope (signed by the owner), from the deliver frame's `context` (TSK-8). */
  request: Envelope;
}

/** Answers a question; the returned (or resolved) value is sent as the signed answer (TSK-6). */
export type QuestionHandler = (question: Question) => unknown;

/**
 * What a task handle reports through `events()`:
 * - `state`: the task moved to `state` (from what this client saw: receipt, update, answer, cancel, result,
 *   notice, or a live `task-event` when watching); `event` is the relay's history event when known.
 * - `progress`: the handler's progress update (TSK-5); `pct` is 0..100.
 * - `question`: the handler asked something (answer with `onQuestion` or `answer()`).
 * - `requeued`: the handler was lost and the task is queued again (TSK-12); `reason` is `HANDLER_LOST`.
 * - `needs-human`: the review loop hit `max_revisions` (TSK-16); the thread is flagged.
 */
export type TaskUpdate =
  | { kind: 'state'; state: TaskState; event?: TaskEvent }
  | { kind: 'progress'; message: string; pct?: number; update: Envelope }
  | { kind: 'question'; question: Question }
  | { kind: 'requeued'; reason: string; task: TaskSummary }
  | { kind: 'needs-human'; reason: string; task: TaskSummary };

/**
 * The owner's handle on one task (SPEC section 21). Its state follows what the client sees; its `result`
 * settles once: with the output, or with a `BatonError`.
 */
export interface TaskHandle {
  /** The task id (= its request envelope id; for an idempotent duplicate, the EXISTING task's id). */
  readonly id: string;
  /** The task's state as last seen by this client (TSK-2). */
  readonly state: TaskState;
  /** True when the relay answered the delegation as an idempotent duplicate (TSK-14). */
  readonly duplicate: boolean;
  /**
   * Resolves with the output (validated against the handler's `output_schema` when its manifest is known).
   * Rejects with a `BatonError`: the result's error code (unknown codes become `HANDLER_ERROR`),
   * `OUTPUT_SCHEMA_VIOLATION`, a task notice's reason (`DEADLINE_EXCEEDED`, `HANDLER_LOST`, `CANCELLED`;
   * `details` = the notice body), a dead-letter reason (`MAX_ATTEMPTS_EXCEEDED`, `EXPIRED`, ...),
   * `TASK_TERMINAL` (a duplicate of a task that ended before this process knew it), `CONNECTION_CLOSED`.
   */
  readonly result: Promise<unknown>;
  /** Every update seen for this task, from the first, ending after the task becomes terminal. */
  events(): AsyncIterable<TaskUpdate>;
  /**
   * Answers this task's questions with `fn` (also a question that arrived before the call); replaces a
   * previous function. Returns the unsubscribe function.
   */
  onQuestion(fn: QuestionHandler): () => void;
  /**
   * Sends a signed `answer` (TSK-6) to the handler that asked the pending question.
   * @throws BatonError `INVALID_TRANSITION` (no question pending here), the relay's code
   *   (`INPUT_SCHEMA_VIOLATION`, `TASK_TERMINAL`, ...), `TIMEOUT`, `CONNECTION_CLOSED`.
   */
  answer(value: unknown): Promise<void>;
  /**
   * Sends a signed `cancel` (TSK-7) to the relay; once accepted the task is `cancelled` and `result` rejects
   * with `CANCELLED`. @throws BatonError the relay's code (`TASK_TERMINAL`, `NOT_TASK_PARTY`, ...), `TIMEOUT`.
   */
  cancel(reason?: string): Promise<void>;
}

/** The task a handler runs (TSK-1): the request's id, owner, capability, brief, thread and parent task. */
export interface TaskInfo {
  id: string;
  owner: string;
  capability: string;
  brief?: Brief;
  thread?: string;
  parent?: string;
}

/** A question as a handler asks it (TSK-5). */
export type QuestionSpec = string | { text: string; schema?: Record<string, unknown>; choices?: string[] };

/** The task part of a handler's context (see `HandlerContext`). */
export interface TaskContext {
  /** The task this handler runs. */
  task: TaskInfo;
  /** Sends a progress `update` (state in-flight, TSK-5); renews the lease (TSK-12). `pct` is 0..100. */
  progress(message: string, pct?: number): Promise<void>;
  /**
   * Asks the owner (update `awaiting-input`, TSK-5) and resolves with the answer's value (TSK-6). The lease
   * pauses meanwhile. @throws BatonError the relay's refusal, `CANCELLED` / `DEADLINE_EXCEEDED` when the task
   * ends while waiting, `CONNECTION_CLOSED`.
   */
  askClarification(question: QuestionSpec): Promise<unknown>;
  /** Ends the handler with an error result `{ code, message }` (throws a `BatonError`; never returns). */
  fail(code: ErrorCode, message?: string): never;
  /** Delegates a sub-task (parent = this task, its thread, turn default = this task id; TSK-15). */
  delegate(target: RequestTarget, input: unknown, options?: DelegateOptions): Promise<TaskHandle>;
}

/** Listener of live task events (TSK-19). */
export type TaskEventListener = (task: TaskSummary, event: TaskEvent) => void;
