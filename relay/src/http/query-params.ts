/**
 * Query-string parameters shared by the relay's paged HTTP listings (`/v1/dlq`, DLQ-2; `/v1/tasks`, TSK-18):
 * `limit` and did:key filters. A bad parameter is answered `400 INVALID_FRAME` (as on `/v1/agents`, DIS-3).
 */
import { isValidDid } from '@baton/spec';

/** Why a parameter was refused: always INVALID_FRAME, with a message for people. */
export interface ParamFailure {
  readonly code: 'INVALID_FRAME';
  readonly message: string;
}

/** Largest `limit` of a listing (DLQ-2, TSK-18). */
export const LIST_MAX_LIMIT = 1000;
/** `limit` when the query has none (DLQ-2, TSK-18). */
export const LIST_DEFAULT_LIMIT = 100;

/** An INVALID_FRAME failure with `message`. */
export function badParam(message: string): ParamFailure {
  return { code: 'INVALID_FRAME', message };
}

/** True when `value` is a {@link ParamFailure} rather than a parsed value. */
export function isParamFailure(value: unknown): value is ParamFailure {
  return typeof value === 'object' && value !== null && (value as { code?: unknown }).code === 'INVALID_FRAME'
    && typeof (value as { message?: unknown }).message === 'string';
}

/**
 * Parses `limit`: a decimal integer 1..`max`.
 * @returns `fallback` when absent, the number, or a failure.
 */
export function parseLimit(text: string | undefined, max = LIST_MAX_LIMIT, fallback = LIST_DEFAULT_LIMIT): number | ParamFailure {
  if (text === undefined) return fallback;
  const n = /^[0-9]{1,4}$/.test(text) ? Number(text) : NaN;
  return n >= 1 && n <= max ? n : badParam(`limit must be an integer 1..${max}`);
}

/**
 * Parses an optional did:key filter named `name`.
 * @returns undefined when absent, the did, or a failure when it is not a valid did:key (ID-1).
 */
export function parseDidParam(name: string, text: string | undefined): string | undefined | ParamFailure {
  if (text === undefined) return undefined;
  return isValidDid(text) ? text : badParam(`${name} must be a did:key`);
}
