/**
 * The dead-letter queue over HTTP (SPEC DLQ-1..DLQ-4), mounted at `/v1/dlq`:
 * - `GET /v1/dlq?limit=&after=&sender=` -> `{"entries":[...], "next"?}` ordered by entry ascending (limit 1..1000,
 *   default 100; `sender` is an operator filter, an agent may only name itself);
 * - `GET /v1/dlq/<entry>` -> the entry with its `envelope` exactly as accepted;
 * - `POST /v1/dlq/<entry>/redrive` -> `{"entry","status":"pending"}`, or 409 EXPIRED when its exp has passed,
 *   409 TASK_TERMINAL when it is a request whose task has ended (DLQ-3);
 * - `DELETE /v1/dlq/<entry>` -> `{"entry","status":"purged"}` (the row is kept for deduplication, RPL-3).
 * Every request is authenticated first (HTA-1..HTA-3, 401 UNAUTHORIZED). An agent sees and changes only
 * entries it sent: another sender's entry is 404 NOT_FOUND, so existence is not revealed. Bad parameters are
 * 400 INVALID_FRAME, as on `/v1/agents` (DIS-3).
 */
import { Hono, type Context } from 'hono';
import type { ErrorCode } from '@baton/spec';
import type { DeadLetterApi, DeadLetterQuery } from '../core/dead-letter-api.ts';
import { authenticate, type AuthEnv, type AuthorizeOptions, type Caller } from './authorize.ts';
import { httpError } from './http-error.ts';
import { LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT, isParamFailure, parseDidParam, parseLimit } from './query-params.ts';

/** Largest `limit` of a listing; also the schema bound of DLQ-1. */
export const DLQ_MAX_LIMIT = LIST_MAX_LIMIT;
/** `limit` when the query has none. */
export const DLQ_DEFAULT_LIMIT = LIST_DEFAULT_LIMIT;

/** What the DLQ routes need: the queue and the authentication facts. */
export interface DlqRouteOptions extends AuthorizeOptions {
  readonly dlq: DeadLetterApi;
}

type Failure = { code: ErrorCode; message: string };
type DlqEnv = AuthEnv;
type VisibleEntry = NonNullable<ReturnType<DeadLetterApi['get']>>;

const ENTRY = /^[1-9][0-9]{0,15}$/;

function parseEntry(text: string): number | undefined {
  const n = ENTRY.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Turns `GET /v1/dlq` parameters into a listing query for `caller`.
 * @returns the query (an agent's is always restricted to its own entries), or INVALID_FRAME for a bad
 *   parameter, FORBIDDEN when an agent asks for another sender's entries.
 */
export function parseDlqQuery(params: Record<string, string>, caller: Caller): DeadLetterQuery | Failure {
  const { after: afterText } = params;
  const limit = parseLimit(params['limit'], DLQ_MAX_LIMIT, DLQ_DEFAULT_LIMIT);
  if (isParamFailure(limit)) return limit;
  let after: number | undefined;
  if (afterText !== undefined) {
    after = afterText === '0' ? 0 : parseEntry(afterText);
    if (after === undefined) return { code: 'INVALID_FRAME', message: 'after must be an entry number (a non-negative integer)' };
  }
  const sender = parseDidParam('sender', params['sender']);
  if (isParamFailure(sender)) return sender;
  if (caller.kind === 'agent' && sender !== undefined && sender !== caller.agent) {
    return { code: 'FORBIDDEN', message: 'an agent may list only the entries it sent' };
  }
  const who = caller.kind === 'agent' ? caller.agent : sender;
  return { limit, ...(after === undefined ? {} : { after }), ...(who === undefined ? {} : { sender: who }) };
}

/** Creates the `/v1/dlq` routes (mount with `app.route('/v1/dlq', dlqRoutes(o))`). */
export function dlqRoutes(o: DlqRouteOptions): Hono<DlqEnv> {
  const app = new Hono<DlqEnv>();

  app.use('*', authenticate(o));

  /** The entry named in the path if the caller may see it; otherwise the error response (400 or 404). */
  const visibleEntry = (c: Context<DlqEnv>): VisibleEntry | Response => {
    const entry = parseEntry(c.req.param('entry') ?? '');
    if (entry === undefined) return httpError(c, 'INVALID_FRAME', 'the entry must be a positive integer');
    const found = o.dlq.get(entry);
    const caller = c.get('caller');
    if (found === undefined || (caller.kind === 'agent' && found.sender !== caller.agent)) {
      return httpError(c, 'NOT_FOUND', `no dead-letter entry ${entry}`);
    }
    return found;
  };

  app.get('/', (c) => {
    const q = parseDlqQuery(c.req.query(), c.get('caller'));
    if ('code' in q) return httpError(c, q.code, q.message);
    return c.json(o.dlq.list(q));
  });

  app.get('/:entry', (c) => {
    const found = visibleEntry(c);
    return found instanceof Response ? found : c.json(found);
  });

  app.post('/:entry/redrive', (c) => {
    const found = visibleEntry(c);
    if (found instanceof Response) return found;
    const { entry } = found;
    const outcome = o.dlq.redrive(entry);
    if (outcome === 'expired') return httpError(c, 'EXPIRED', `the exp of entry ${entry} has passed; it cannot be delivered any more`);
    if (outcome === 'task-terminal') return httpError(c, 'TASK_TERMINAL', `entry ${entry} is a request whose task has ended; delegate again instead`);
    if (outcome === 'not-found') return httpError(c, 'NOT_FOUND', `no dead-letter entry ${entry}`);
    return c.json({ entry, status: 'pending' });
  });

  app.delete('/:entry', (c) => {
    const found = visibleEntry(c);
    if (found instanceof Response) return found;
    const { entry } = found;
    if (o.dlq.purge(entry) === 'not-found') return httpError(c, 'NOT_FOUND', `no dead-letter entry ${entry}`);
    return c.json({ entry, status: 'purged' });
  });

  return app;
}
