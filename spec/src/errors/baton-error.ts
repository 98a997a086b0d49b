/**
 * `BatonError`: the one error class thrown by every Baton package, carrying a registry code (SPEC ERR-1).
 */
import { isErrorCode, type ErrorCode } from './registry.ts';

/**
 * An error with a stable registry code, the same code that travels on the wire.
 *
 * @example
 * ```ts
 * try { await agent.request('summarize', input); }
 * catch (e) { if (isBatonError(e) && e.code === 'TIMEOUT') retryLater(); }
 * ```
 */
export class BatonError extends Error {
  /** The registry code, e.g. `'BAD_SIGNATURE'` (see spec/ERRORS.md). */
  readonly code: ErrorCode;
  /** Optional structured context (for example the original error body of a result). */
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BatonError';
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }
}

/**
 * Type guard that also recognises a `BatonError` from another copy of this package: it checks `name` and
 * `code`, not only `instanceof`.
 */
export function isBatonError(error: unknown): error is BatonError {
  if (error instanceof BatonError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: unknown; code?: unknown };
  return candidate.name === 'BatonError' && isErrorCode(candidate.code);
}
