/**
 * Replays the task state machine (SPEC TSK-3, TSK-4, TSK-13, TSK-15, TSK-16) over the envelopes of an audit
 * log in `seq` order, with `applyTaskCause` from @baton/spec (the table is never re-implemented here). Input
 * envelopes are already schema- and signature-checked, and notices already attributed to the relay.
 *
 * What the log cannot tell and how it is read: in `queued` the handler of a capability-routed request is
 * unknown (null: any non-owner may act), of a direct one it is the request's `to`; a receipt for the request
 * names the handler; `task-requeued` resets it. The relay tells the owner and the handler about one
 * transition with one notice each, so a `task-failed` / `task-cancelled` notice that repeats the transition
 * which ended the task is an echo, not a second transition. A `dead-lettered` notice fails a queued task; on
 * an ended task it is only a statement about the request envelope. An envelope naming a task whose request is
 * not in the log (pruned after `task_retention_ms`, TSK-21) gives a warning.
 */
import {
  applyTaskCause, isTerminal, TASK_STATES,
  type Envelope, type ErrorCode, type NoticeBody, type TaskCause, type TaskState,
} from '@baton/spec';

/** One finding about one envelope. */
export interface ReplayIssue {
  readonly severity: 'error' | 'warning';
  readonly code: ErrorCode;
  /** The task concerned, when there is one. */
  readonly task?: string;
  readonly message: string;
}

/** Counts at the end of a replay. */
export interface ReplaySummary {
  /** Tasks created by requests in the log. */
  readonly tasks: number;
  /** Tasks by their final state. */
  readonly states: Record<TaskState, number>;
  /** Results accepted for tasks that had already ended (TSK-10). */
  readonly lateResults: number;
}

/** How a task ended, to tell echo notices from transitions. */
type Ending = 'cancel' | 'result' | 'task-failed' | 'task-cancelled' | 'dead-lettered';

interface ReplayTask {
  readonly id: string;
  readonly owner: string;
  /** The request's `to` when it is an agent (direct routing), else null. */
  readonly direct: string | null;
  /** Digest of the request's signing input (TYP-4), to check receipts. */
  readonly digest: string;
  readonly thread: string | null;
  readonly children: string[];
  state: TaskState;
  handler: string | null;
  ending: Ending | null;
}

const ECHO: Partial<Record<NoticeBody['event'], readonly Ending[]>> = {
  'task-failed': ['task-failed'],
  'task-cancelled': ['cancel', 'task-cancelled'],
};

/** The task state machine of one log, fed envelope by envelope. */
export class TaskReplay {
  readonly #tasks = new Map<string, ReplayTask>();
  #lateResults = 0;

  /**
   * Applies one checked envelope. `digest` is the hex SHA-256 of its signing input.
   * @returns what is wrong with it as a task transition (empty when nothing): the TSK-4 codes from
   *   applyTaskCause, INVALID_RECEIPT, INVALID_ENVELOPE, DUPLICATE_ID; warnings UNKNOWN_TASK for pruned tasks.
   */
  apply(env: Envelope, digest: string): ReplayIssue[] {
    const body = env.body as Record<string, unknown>;
    switch (env.type) {
      case 'request': return this.#request(env, digest);
      case 'receipt': return this.#receipt(env);
      case 'update':
        return this.#step(String(body['task']), { kind: 'update', from: env.from, to: env.to, state: body['state'] as 'in-flight' | 'awaiting-input' });
      case 'answer': return this.#step(String(body['task']), { kind: 'answer', from: env.from, to: env.to });
      case 'cancel': return this.#step(String(body['task']), { kind: 'cancel', from: env.from }, 'cancel');
      case 'result':
        if (env.parent === undefined) return [];
        return this.#step(env.parent, { kind: 'result', from: env.from, to: env.to, status: body['status'] as 'ok' | 'error' }, 'result');
      case 'notice': return this.#notice(env, body as unknown as NoticeBody);
      default: return [];
    }
  }

  /** Tasks by final state and late results so far. */
  summary(): ReplaySummary {
    const states = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
    for (const t of this.#tasks.values()) states[t.state] += 1;
    return { tasks: this.#tasks.size, states, lateResults: this.#lateResults };
  }

  #request(env: Envelope, digest: string): ReplayIssue[] {
    const issues: ReplayIssue[] = [];
    const error = (code: ErrorCode, message: string, task?: string): void => {
      issues.push({ severity: 'error', code, message, ...(task === undefined ? {} : { task }) });
    };
    if (this.#tasks.has(env.id)) return [{ severity: 'error', code: 'DUPLICATE_ID', task: env.id, message: 'a second request with this id' }];
    let thread = env.thread ?? null;
    if (env.parent !== undefined) {
      const parent = this.#tasks.get(env.parent);
      if (parent === undefined) {
        issues.push(missing(env.parent, 'the parent task'));
      } else {
        thread ??= parent.thread;
        parent.children.push(env.id);
        const handler = parent.handler === null ? env.from !== parent.owner : env.from === parent.handler;
        if (!handler) error('NOT_TASK_PARTY', `only the handler of task ${parent.id} may create a sub-task of it (TSK-15)`, parent.id);
        else if (isTerminal(parent.state)) error('TASK_TERMINAL', `the parent task is ${parent.state} (TSK-15)`, parent.id);
      }
    }
    const reviseOf = (env.body as { revise_of?: string }).revise_of;
    if (reviseOf !== undefined) {
      const revised = this.#tasks.get(reviseOf);
      if (revised === undefined) issues.push(missing(reviseOf, 'the revised task'));
      else if (revised.state !== 'completed') error('INVALID_TRANSITION', `revise_of names a ${revised.state} task, not a completed one (TSK-16)`, reviseOf);
      else if (revised.thread !== thread) error('INVALID_ENVELOPE', 'the revised task is on another thread (TSK-16)', reviseOf);
    }
    const direct = env.to.startsWith('did:') ? env.to : null;
    this.#tasks.set(env.id, {
      id: env.id, owner: env.from, direct, digest, thread, children: [], state: 'queued', handler: direct, ending: null,
    });
    return issues;
  }

  #receipt(env: Envelope): ReplayIssue[] {
    const body = env.body as { for: string; digest: string };
    const task = this.#tasks.get(body.for);
    // Only receipts for a task's request take part; receipts for other envelopes are not task transitions.
    if (task === undefined || env.to !== task.owner) return [];
    if (body.digest !== task.digest) return [invalidReceipt(task.id, 'body.digest does not match the request (TYP-4)')];
    if (task.direct !== null && env.from !== task.direct) return [invalidReceipt(task.id, 'the request was addressed to another agent (ACK-3)')];
    return this.#step(task.id, { kind: 'receipt', from: env.from });
  }

  #notice(env: Envelope, body: NoticeBody): ReplayIssue[] {
    const task = this.#tasks.get(body.for);
    if (body.event === 'dead-lettered') {
      // A dead-lettered notice concerns a task only when it is about the owner's request.
      if (task === undefined || env.to !== task.owner || isTerminal(task.state)) return [];
      return this.#step(task.id, { kind: 'notice', event: 'dead-lettered' }, 'dead-lettered');
    }
    if (task === undefined) return [missing(body.for, 'the task')];
    const echo = task.ending !== null && (ECHO[body.event]?.includes(task.ending) ?? false);
    const ending = body.event === 'task-failed' || body.event === 'task-cancelled' ? body.event : null;
    const issues = echo ? [] : this.#step(task.id, { kind: 'notice', event: body.event }, ending);
    if (issues.length > 0) return issues;
    if (body.task.id !== task.id || body.task.state !== task.state) {
      return [{
        severity: 'error', code: 'INVALID_TRANSITION', task: task.id,
        message: `the notice says task ${body.task.id} is ${body.task.state}; the replay has ${task.id} ${task.state} (TSK-17)`,
      }];
    }
    return [];
  }

  /** Applies `cause` to the task `id`; `ending` names the cause when it ends the task. */
  #step(id: string, cause: TaskCause, ending: Ending | null = null): ReplayIssue[] {
    const task = this.#tasks.get(id);
    if (task === undefined) return [missing(id, 'the task')];
    const step = applyTaskCause({ state: task.state, owner: task.owner, handler: task.handler }, cause);
    if (!step.ok) return [{ severity: 'error', code: step.code, task: id, message: step.message }];
    if (step.late === true) this.#lateResults += 1;
    if (step.to === task.state && step.handler === task.handler) return [];
    task.handler = step.to === 'queued' ? task.direct : step.handler;
    task.state = step.to;
    if (isTerminal(step.to)) task.ending = ending;
    if (step.to === 'cancelled') this.#cascade(task);
    return [];
  }

  /** Cancels every non-terminal sub-task below `task` (TSK-13). */
  #cascade(task: ReplayTask): void {
    for (const childId of task.children) {
      const child = this.#tasks.get(childId);
      if (child === undefined || isTerminal(child.state)) continue;
      child.state = 'cancelled';
      child.ending = 'cancel';
      this.#cascade(child);
    }
  }
}

function missing(id: string, what: string): ReplayIssue {
  return { severity: 'warning', code: 'UNKNOWN_TASK', task: id, message: `${what} ${id} has no request in the log (pruned after task_retention_ms, TSK-21?)` };
}

function invalidReceipt(task: string, message: string): ReplayIssue {
  return { severity: 'error', code: 'INVALID_RECEIPT', task, message };
}
