/**
 * The error body of every relay HTTP endpoint: `{"error":{"code","message"}}` with a registry code
 * (SPEC ERR-1, DIS-3, DLQ-1..DLQ-4), and the status each code is served with.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '@baton/spec';

/** HTTP status of the codes the HTTP API answers; any other code is a 400. */
const STATUS: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, EXPIRED: 409, TASK_TERMINAL: 409, INTERNAL_ERROR: 500,
};

/** Answers `{"error":{"code","message"}}` with the status of `code` (UNAUTHORIZED 401, NOT_FOUND 404, ... else 400). */
export function httpError(c: Context, code: ErrorCode, message: string): Response {
  return c.json({ error: { code, message } }, STATUS[code] ?? 400);
}
