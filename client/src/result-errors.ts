/**
 * Mapping between errors and the wire: `error` frames, `result` error bodies and dead-letter `notice` bodies
 * become thrown `BatonError`s, and thrown errors become `result` error bodies (SPEC ERR-1, TYP-3, DLV-6).
 */
import { BatonError, isBatonError, isErrorCode } from '@baton/spec';
import type { CloseInfo } from './transport.ts';
import type { ErrorFrame, DeadLetterNoticeBody, ResultBody, TaskNoticeBody } from '@baton/spec';

/** `CONNECTION_CLOSED` for a closed or lost connection; `details` = the close code and reason. */
export function closedError(info: CloseInfo, what: string): BatonError {
  return new BatonError('CONNECTION_CLOSED', `the connection to the relay ${what} (${info.code}${info.reason ? ` ${info.reason}` : ''})`, {
    details: info,
  });
}

/** The `BatonError` for a relay `error` frame: same code and message; the frame is in `details`. */
export function errorFromFrame(frame: ErrorFrame): BatonError {
  return new BatonError(frame.code, frame.message, { details: frame });
}

/**
 * The `BatonError` for a dead-letter notice (DLV-6): code = the notice's `reason` (`MAX_ATTEMPTS_EXCEEDED`,
 * `EXPIRED`, `MAILBOX_EXPIRED`, `UNSUPPORTED_CAPABILITY`, ...; a reason this client does not know becomes
 * `INTERNAL_ERROR`), `details` = the notice body.
 */
export function errorFromNotice(body: DeadLetterNoticeBody): BatonError {
  const code = isErrorCode(body.reason) ? body.reason : 'INTERNAL_ERROR';
  const last = body.last_error === undefined ? '' : `; last error ${body.last_error.code}: ${body.last_error.message}`;
  return new BatonError(code, `envelope ${body.for} was dead-lettered by the relay after ${body.attempts} attempt(s) (${body.reason}${last})`, {
    details: body,
  });
}

/**
 * The `BatonError` for a task notice that ends a task (TSK-17): code = its `reason` (`DEADLINE_EXCEEDED`,
 * `HANDLER_LOST`, `CANCELLED`; an unknown reason becomes `INTERNAL_ERROR`), `details` = the notice body.
 */
export function errorFromTaskNotice(body: TaskNoticeBody): BatonError {
  const code = isErrorCode(body.reason) ? body.reason : 'INTERNAL_ERROR';
  const text = body.message === undefined ? '' : `: ${body.message}`;
  return new BatonError(code, `task ${body.for} is ${body.task.state} (${body.event}, ${body.reason}${text})`, { details: body });
}

/** The error that ends a task for a notice that ends it (`task-failed`, `task-cancelled`), else undefined. */
export function taskEndingError(body: TaskNoticeBody): BatonError | undefined {
  return body.event === 'task-failed' || body.event === 'task-cancelled' ? errorFromTaskNotice(body) : undefined;
}

/**
 * The `BatonError` for a `result` body of status `error`: its code when it is a registry code, otherwise
 * `HANDLER_ERROR` with the original `{ code, message }` in `details`.
 */
export function errorFromResult(error: { code: string; message: string }, provider: string): BatonError {
  if (isErrorCode(error.code)) {
    return new BatonError(error.code, error.message, { details: { provider, error } });
  }
  return new BatonError('HANDLER_ERROR', `${error.code}: ${error.message}`, { details: { provider, error } });
}

/**
 * The `result` error body for an exception thrown by a handler: a `BatonError` keeps its code, anything else
 * becomes `HANDLER_ERROR` with the exception's message (never its stack).
 */
export function resultBodyFromError(error: unknown): ResultBody {
  if (isBatonError(error)) return { status: 'error', error: { code: error.code, message: error.message || error.code } };
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'error', error: { code: 'HANDLER_ERROR', message: message || 'handler failed' } };
}
