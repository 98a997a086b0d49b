// How the task cases look at a task from outside the envelope flow: the signed HTTP task API (TSK-18) with the
// shape of a task view (schemas/task.schema.json), and live events on a watching connection (TSK-19).
import { PROTOCOL_SCHEMAS, validateFrame } from '@baton/spec';
import { check, show } from '../assert.ts';
import type { CaseContext, TestAgent } from '../context.ts';
import type { ReceivedFrame } from '../wire/connection.ts';
import { expectOk, signedRequest } from './dlq-helpers.ts';

/** A task view as the relay serves it (members of schemas/task.schema.json, loosely typed for checking). */
export type TaskView = Record<string, unknown> & { id: string; state: string; events?: Array<Record<string, unknown>> };

/** The task summary (schemas/task-summary.schema.json) of a task view. */
export function summaryOf(task: TaskView): Record<string, unknown> {
  const { id, owner, handler, capability, state, attempts, revision, thread } = task;
  return { id, owner, handler, capability, state, attempts, revision, ...(typeof thread === 'string' ? { thread } : {}) };
}

/**
 * Checks a task view against schemas/task.schema.json: the required members, the summary's members, and each
 * history event (checked inside a `task-event` frame, which carries the summary and one event).
 * @returns the first problem, or undefined when the view fits.
 */
export function taskProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const task = value as TaskView;
  const missing = (PROTOCOL_SCHEMAS.task.required as readonly string[]).filter((name) => !(name in task));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  // A listing's views carry no events: the summary is then checked with a placeholder event.
  const placeholder = { n: 1, at: 0, from: null, to: task.state, cause: { type: 'request', sender: task.owner, id: task.id, seq: 1 } };
  for (const event of task.events ?? [placeholder]) {
    const checked = validateFrame({ op: 'task-event', task: summaryOf(task), event });
    if (!checked.ok) return `${checked.message} (summary or event ${show(event)})`;
  }
  return undefined;
}

/**
 * GET /v1/tasks/<id> signed by `agent` (TSK-18): fails unless 200 `{ "task": Task }` with that id, matching the
 * task schema and carrying its history (`events`). @returns the task.
 */
export async function getTask(ctx: CaseContext, agent: TestAgent, id: string): Promise<TaskView> {
  const body = expectOk(await signedRequest(ctx, agent, 'GET', `/v1/tasks/${id}`), `GET /v1/tasks/${id} by ${agent.conn.label}`);
  const task = body.task as TaskView | undefined;
  const problem = taskProblem(task);
  check(problem === undefined && task?.id === id && Array.isArray(task.events), `{"task": Task} for ${id}, valid against task.schema.json, with its events (TSK-18)`, `${problem ?? ''} ${show(body)}`);
  return task;
}

/** GET /v1/tasks?<query> signed by `agent`: fails unless 200 `{ "tasks": [...] }`. @returns the ids and `next`. */
export async function listTasks(ctx: CaseContext, agent: TestAgent, query: string): Promise<{ ids: string[]; next: unknown; tasks: TaskView[] }> {
  const body = expectOk(await signedRequest(ctx, agent, 'GET', `/v1/tasks?${query}`), `GET /v1/tasks?${query} by ${agent.conn.label}`);
  check(Array.isArray(body.tasks), '{"tasks": [...]} (TSK-18)', show(body));
  const tasks = body.tasks as TaskView[];
  return { ids: tasks.map((t) => t.id), next: body.next, tasks };
}

let watchCounter = 0;

/** Sends `watch` on `agent`'s connection and fails unless it is answered `watching` with the same ref (TSK-19). */
export async function watch(agent: TestAgent): Promise<void> {
  const ref = `watch-${++watchCounter}`;
  agent.conn.send({ op: 'watch', ref });
  const f = await agent.conn.expect(`watching frame for ref ${ref} (TSK-19)`, (x) => x.ref === ref || x.op === 'error');
  check(f.op === 'watching', `{"op":"watching","ref":"${ref}"} (TSK-19)`, show(f));
}

/** Matches a `task-event` frame about task `id`. */
export function taskEventOf(id: string): (f: ReceivedFrame) => boolean {
  return (f) => f.op === 'task-event' && (f.task as { id?: unknown } | undefined)?.id === id;
}

/**
 * Waits for the next `task-event` frame about task `id` on `agent`'s connection and checks it against
 * frame-task-event.schema.json, with the summary's state equal to the event's `to` (TSK-19).
 * @returns the event.
 */
export async function nextTaskEvent(agent: TestAgent, id: string): Promise<Record<string, unknown>> {
  const f = await agent.conn.expect(`task-event frame about task ${id} (TSK-19)`, taskEventOf(id));
  const valid = validateFrame(f);
  const event = f.event as Record<string, unknown> | undefined;
  check(valid.ok && event !== undefined && (f.task as { state?: unknown }).state === event.to,
    'a task-event frame valid against its schema, summary state = event.to (TSK-19)', `${valid.ok ? '' : valid.message} ${show(f)}`);
  return event;
}
