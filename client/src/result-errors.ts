/**
 * Mapping between errors and the wire: `error` frames and `result` error bodies become thrown
 * `BatonError`s, and thrown errors become `result` error bodies (SPEC ERR-1, TYP-3).
 */
import { BatonError, isBatonError, isErrorCode } from '@baton/spec';
import type { ErrorFrame, ResultBody } from '@baton/spec';

/** The `BatonError` for a relay `error` frame: same code and message; the frame is in `details`. */
export function errorFromFrame(frame: ErrorFrame): BatonError {
  return new BatonError(frame.code, frame.message, { details: frame });
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
