/**
 * One line of a relay audit log (SPEC TSK-20): the JSON object `{"seq", "accepted_at", "env"}` - the relay
 * sequence number, the acceptance time (ms since epoch) and the envelope exactly as accepted. Shared by
 * `baton export-log` (which writes lines) and `baton verify-log` (which checks their shape).
 */
import { parseJson, type CheckResult } from '@baton/spec';

/** A parsed, well-shaped log line; `env` is still unchecked. */
export interface LogLine {
  /** Relay sequence number (DLV-2), a positive integer. */
  readonly seq: number;
  /** When the relay accepted the envelope, ms since epoch. */
  readonly accepted_at: number;
  /** The envelope as accepted (an object; its schema and signature are checked separately). */
  readonly env: Record<string, unknown>;
}

const MEMBERS = new Set(['seq', 'accepted_at', 'env']);

/**
 * Formats one line without its newline. `envJson` is the stored JSON text of the envelope, spliced in as is
 * so that the exported envelope is byte for byte the stored one.
 */
export function formatLogLine(seq: number, acceptedAt: number, envJson: string): string {
  return `{"seq":${seq},"accepted_at":${acceptedAt},"env":${envJson}}`;
}

/**
 * Parses and shape-checks one line.
 * @returns the line, or `MALFORMED_FRAME` when it is not JSON (or carries a prototype-poisoning member),
 *   `INVALID_FRAME` when it is not exactly `{seq: positive integer, accepted_at: integer >= 0, env: object}`.
 */
export function parseLogLine(text: string): CheckResult<LogLine> {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    return { ok: false, code: 'MALFORMED_FRAME', message: `the line is not a JSON object: ${error instanceof Error ? error.message : String(error)}` };
  }
  const invalid = (message: string): CheckResult<LogLine> => ({ ok: false, code: 'INVALID_FRAME', message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('the line is not a JSON object');
  const line = value as Record<string, unknown>;
  const extra = Object.keys(line).find((k) => !MEMBERS.has(k));
  if (extra !== undefined) return invalid(`unexpected member ${JSON.stringify(extra)}; a line is {seq, accepted_at, env}`);
  const { seq, accepted_at: acceptedAt, env } = line;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return invalid('seq must be a positive integer');
  if (typeof acceptedAt !== 'number' || !Number.isSafeInteger(acceptedAt) || acceptedAt < 0) {
    return invalid('accepted_at must be a non-negative integer (ms since epoch)');
  }
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return invalid('env must be an envelope object');
  return { ok: true, value: { seq, accepted_at: acceptedAt, env: env as Record<string, unknown> } };
}
