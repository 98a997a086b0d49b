/**
 * Tasks over HTTP (SPEC TSK-18), mounted at `/v1/tasks` and authorized like the dead-letter queue (DLQ-1):
 * - `GET /v1/tasks/<id>` -> `{"task": Task}` with its `events` (its history);
 * - `GET /v1/tasks?owner=&handler=&state=&thread=&limit=&after=` -> `{"tasks": [Task without events], "next"?}`
 *   in ascending id order (limit 1..1000, default 100; `next` present exactly when more follow).
 * Every request is authenticated first (HTA-1..HTA-3, 401 UNAUTHORIZED). An agent sees the tasks it owns or
 * handles or has handled (`TaskApi.isParty`; listings pass `visibleTo`); the operator token sees all. A task
 * the caller may not see is 404 NOT_FOUND exactly like a missing one. Bad parameters are 400 INVALID_FRAME.
 */
import { Hono } from 'hono';
import { TASK_STATES, type TaskState } from '@baton/spec';
import type { TaskApi, TaskQuery } from '../core/task-api.ts';
import { authenticate, type AuthEnv, type AuthorizeOptions, type Caller } from './authorize.ts';
import { httpError } from './http-error.ts';
import { badParam, isParamFailure, parseDidParam, parseLimit, type ParamFailure } from './query-params.ts';

/** What the task routes need: the task queries and the authentication facts. */
export interface TaskRouteOptions extends AuthorizeOptions {
  readonly tasks: TaskApi;
}

/** A task id, i.e. a request envelope id: a lowercase UUIDv7 (ENV-3). */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** A thread: any lowercase UUID (envelope.schema.json). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function isTaskState(text: string): text is TaskState {
  return (TASK_STATES as readonly string[]).includes(text);
}

/** An optional parameter that must match `pattern`; `what` names it in the message. */
function matching(name: string, text: string | undefined, pattern: RegExp, what: string): string | undefined | ParamFailure {
  if (text === undefined || pattern.test(text)) return text;
  return badParam(`${name} must be ${what}`);
}

/**
 * Turns `GET /v1/tasks` parameters into a listing query for `caller` (TSK-18).
 * @returns the query (an agent's is restricted with `visibleTo` to its own tasks), or INVALID_FRAME naming
 *   the first bad parameter: `owner`/`handler` not a did:key, `state` not a task state, `thread` not a UUID,
 *   `after` not a UUIDv7, `limit` not 1..1000.
 */
export function parseTaskQuery(params: Record<string, string>, caller: Caller): TaskQuery | ParamFailure {
  const limit = parseLimit(params['limit']);
  if (isParamFailure(limit)) return limit;
  const owner = parseDidParam('owner', params['owner']);
  if (isParamFailure(owner)) return owner;
  const handler = parseDidParam('handler', params['handler']);
  if (isParamFailure(handler)) return handler;
  const state = params['state'];
  if (state !== undefined && !isTaskState(state)) return badParam(`state must be one of ${TASK_STATES.join(', ')}`);
  const thread = matching('thread', params['thread'], UUID, 'a lowercase UUID');
  if (isParamFailure(thread)) return thread;
  const after = matching('after', params['after'], UUID_V7, 'a task id (a lowercase UUIDv7)');
  if (isParamFailure(after)) return after;
  return {
    limit,
    ...(owner === undefined ? {} : { owner }),
    ...(handler === undefined ? {} : { handler }),
    ...(state === undefined ? {} : { state }),
    ...(thread === undefined ? {} : { thread }),
    ...(after === undefined ? {} : { after }),
    ...(caller.kind === 'agent' ? { visibleTo: caller.agent } : {}),
  };
}

/** Creates the `/v1/tasks` routes (mount with `app.route('/v1/tasks', taskRoutes(o))`). */
export function taskRoutes(o: TaskRouteOptions): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use('*', authenticate(o));

  app.get('/', (c) => {
    const q = parseTaskQuery(c.req.query(), c.get('caller'));
    if (isParamFailure(q)) return httpError(c, q.code, q.message);
    const page = o.tasks.list(q);
    // The listing carries tasks without their history (TSK-18), whatever the implementation returns.
    return c.json({ tasks: page.tasks.map(({ events: _events, ...task }) => task), ...(page.next === undefined ? {} : { next: page.next }) });
  });

  app.get('/:id', (c) => {
    const id = c.req.param('id');
    if (!UUID_V7.test(id)) return httpError(c, 'INVALID_FRAME', 'the task id must be a lowercase UUIDv7');
    const task = o.tasks.get(id);
    const caller = c.get('caller');
    if (task === undefined || (caller.kind === 'agent' && !o.tasks.isParty(task, caller.agent))) {
      return httpError(c, 'NOT_FOUND', `no task ${id}`);
    }
    return c.json({ task });
  });

  return app;
}
