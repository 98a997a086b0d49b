/**
 * The task state machine of SPEC section 21 (TSK-2..TSK-4) as a pure function, shared by the relay (which
 * validates every task envelope with it), `baton verify-log` (which replays it over an exported log, TSK-20)
 * and the conformance suite. `vectors/task-transitions.json` holds the same table for other languages.
 */
import type { ErrorCode } from '../errors/registry.ts';
import type { NoticeBody } from '../generated/types.ts';

/** A task state (TSK-2). */
export type TaskState = 'queued' | 'in-flight' | 'awaiting-input' | 'completed' | 'failed' | 'cancelled';

/** Every task state, in lifecycle order. */
export const TASK_STATES: readonly TaskState[] = ['queued', 'in-flight', 'awaiting-input', 'completed', 'failed', 'cancelled'];

/** True for `completed`, `failed` and `cancelled`: states that never change again (TSK-2). */
export function isTerminal(state: TaskState): boolean {
  return state === 'completed' || state === 'failed' || state === 'cancelled';
}

/** The body of a `dead-lettered` notice (DLV-6). */
export type DeadLetterNoticeBody = Extract<NoticeBody, { event: 'dead-lettered' }>;
/** The body of a task notice (TSK-17). */
export type TaskNoticeBody = Exclude<NoticeBody, { event: 'dead-lettered' }>;
/** Events of task notices and of the dead-lettered notice that fails a queued task. */
export type TaskNoticeEvent = NoticeBody['event'];

/** What a task currently is, as far as the state machine needs it. */
export interface TaskFacts {
  readonly state: TaskState;
  /** The owner's did:key (the request's `from`). */
  readonly owner: string;
  /**
   * The handler's did:key: in `queued` the agent the request is currently delivered to (null when unknown,
   * e.g. while replaying a log); afterwards the agent that took it, kept after the task ends (TSK-10 late results).
   */
  readonly handler: string | null;
}

/** The envelope that asks for a transition, reduced to what TSK-3 looks at. */
export type TaskCause =
  | { readonly kind: 'receipt'; readonly from: string }
  | { readonly kind: 'update'; readonly from: string; readonly to: string; readonly state: 'in-flight' | 'awaiting-input' }
  | { readonly kind: 'answer'; readonly from: string; readonly to: string }
  | { readonly kind: 'cancel'; readonly from: string }
  | { readonly kind: 'result'; readonly from: string; readonly to: string; readonly status: 'ok' | 'error' }
  | { readonly kind: 'notice'; readonly event: TaskNoticeEvent };

/** Outcome of {@link applyTaskCause}. */
export type TaskStep =
  | {
    readonly ok: true;
    /** The state after the envelope (equal to the state before for progress, receipts and late results). */
    readonly to: TaskState;
    /** The handler after the envelope. */
    readonly handler: string | null;
    /** True when the envelope changes nothing that is recorded (a repeated receipt, a needs-human notice). */
    readonly noop?: true;
    /** A result for a terminal task from its last handler (TSK-10): stored, recorded, not delivered. */
    readonly late?: true;
  }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

const refuse = (code: ErrorCode, message: string): TaskStep => ({ ok: false, code, message });

/**
 * Applies one envelope to a task (TSK-3), checking TSK-4's refusals in order: party (`NOT_TASK_PARTY`),
 * terminal (`TASK_TERMINAL`, except a late result), transition (`INVALID_TRANSITION`). `UNKNOWN_TASK` is the
 * caller's (it has no task to pass). Relay notices are not party-checked (their signature says who sent them).
 */
export function applyTaskCause(task: TaskFacts, cause: TaskCause): TaskStep {
  const { state, owner, handler } = task;
  const same = (extra: Partial<{ noop: true; late: true }> = {}): TaskStep => ({ ok: true, to: state, handler, ...extra });
  const terminal = isTerminal(state);
  const notHandler = (from: string): boolean => (handler === null ? from === owner : from !== handler);
  switch (cause.kind) {
    case 'receipt':
      if (state !== 'queued') return same({ noop: true });
      return { ok: true, to: 'in-flight', handler: cause.from };
    case 'update':
      if (notHandler(cause.from) || cause.to !== owner) return refuse('NOT_TASK_PARTY', `only the handler of a ${state} task sends it updates, to its owner`);
      if (terminal) return refuse('TASK_TERMINAL', `the task is ${state}`);
      if (state !== 'in-flight') return refuse('INVALID_TRANSITION', `an update is not allowed in state ${state}`);
      return { ok: true, to: cause.state, handler };
    case 'answer':
      if (cause.from !== owner || handler === null || cause.to !== handler) return refuse('NOT_TASK_PARTY', 'only the owner answers, to the task\'s handler');
      if (terminal) return refuse('TASK_TERMINAL', `the task is ${state}`);
      if (state !== 'awaiting-input') return refuse('INVALID_TRANSITION', `an answer is allowed only in awaiting-input, not ${state}`);
      return { ok: true, to: 'in-flight', handler };
    case 'cancel':
      if (cause.from !== owner) return refuse('NOT_TASK_PARTY', 'only the owner cancels a task');
      if (terminal) return refuse('TASK_TERMINAL', `the task is ${state}`);
      return { ok: true, to: 'cancelled', handler };
    case 'result':
      if (notHandler(cause.from) || cause.to !== owner) return refuse('NOT_TASK_PARTY', 'only the task\'s handler sends its result, to its owner');
      if (terminal) return same({ late: true });
      return { ok: true, to: cause.status === 'ok' ? 'completed' : 'failed', handler: handler ?? cause.from };
    case 'notice':
      return applyNotice(task, cause.event);
  }
}

function applyNotice(task: TaskFacts, event: TaskNoticeEvent): TaskStep {
  const { state, handler } = task;
  if (event === 'needs-human') return { ok: true, to: state, handler, noop: true };
  const invalid = (): TaskStep => refuse('INVALID_TRANSITION', `a ${event} notice is not allowed in state ${state}`);
  if (isTerminal(state)) return refuse('TASK_TERMINAL', `the task is ${state}`);
  switch (event) {
    case 'task-failed': return { ok: true, to: 'failed', handler };
    case 'task-cancelled': return { ok: true, to: 'cancelled', handler };
    case 'task-requeued': return state === 'in-flight' ? { ok: true, to: 'queued', handler: null } : invalid();
    case 'dead-lettered': return state === 'queued' ? { ok: true, to: 'failed', handler } : invalid();
  }
}
