/**
 * The error-code registry of Baton protocol v1 (SPEC.md section 13, ERR-1..ERR-4).
 *
 * One table of stable UPPER_SNAKE codes: the same code travels in `error` frames, in `result` error bodies
 * and on errors thrown by the relay, the client and the conformance suite. `spec/ERRORS.md` documents every
 * code; `errors.test.ts` fails when the two disagree.
 */

/** How a code is used: who raises it and whether the relay closes the connection after it. */
export interface ErrorCodeInfo {
  /** One-line meaning, the same sentence as in ERRORS.md. */
  readonly summary: string;
  /** True when the relay closes the connection (close code 1008, reason = the code) after sending it (ERR-3). */
  readonly fatal: boolean;
}

/** Every error code of protocol v1. Codes are never renamed or reused; new ones are only added. */
export const ERROR_CODES = {
  MALFORMED_FRAME: { summary: 'The message is not a single well-formed JSON object (or is binary, or has duplicate or forbidden member names).', fatal: false },
  INVALID_FRAME: { summary: 'The frame does not match the schema for its op.', fatal: false },
  UNKNOWN_OP: { summary: 'The frame op is not one the receiver knows.', fatal: false },
  FRAME_TOO_LARGE: { summary: 'The frame exceeds max_frame_bytes; the relay closes the connection with close code 1009.', fatal: true },
  NOT_AUTHENTICATED: { summary: 'A frame other than auth arrived before the handshake completed.', fatal: true },
  HANDSHAKE_TIMEOUT: { summary: 'The agent did not authenticate within handshake_timeout_ms.', fatal: true },
  AUTH_FAILED: { summary: 'The auth frame names an invalid identity or its signature does not verify.', fatal: true },
  NOT_ADMITTED: { summary: 'The admission policy does not admit this key.', fatal: true },
  UNSUPPORTED_VERSION: { summary: 'The protocol version is not one the relay announced.', fatal: false },
  INVALID_IDENTITY: { summary: 'A did:key is malformed, not a canonical point encoding, or a small-order key.', fatal: false },
  INVALID_ENVELOPE: { summary: 'The envelope or its body does not match the schema for its type.', fatal: false },
  ENVELOPE_TOO_LARGE: { summary: 'The envelope exceeds max_envelope_bytes.', fatal: false },
  SENDER_MISMATCH: { summary: 'The envelope from is not the agent authenticated on this connection.', fatal: false },
  BAD_SIGNATURE: { summary: 'The envelope signature does not verify strictly.', fatal: false },
  CLOCK_SKEW: { summary: 'The timestamp is outside the max_clock_skew_ms window around the receiver clock.', fatal: false },
  EXPIRED: { summary: 'The envelope exp has passed.', fatal: false },
  DUPLICATE_ID: { summary: 'The sender already used this envelope id for different content.', fatal: false },
  INVALID_MANIFEST: { summary: 'A capability manifest fails its schema, repeats a name, or carries an invalid JSON Schema (MAN-1, MAN-5, MAN-6), or the registration\'s schemas would cost more than 10,000 units to compile (MAN-7).', fatal: false },
  HANDLE_TAKEN: { summary: 'The handle is bound to another key.', fatal: false },
  INVALID_RECEIPT: { summary: 'The receipt does not match a delivery made to its author, or its digest is wrong.', fatal: false },
  UNKNOWN_RECIPIENT: { summary: 'The envelope is addressed to an agent the relay does not know.', fatal: false },
  NO_PROVIDER: { summary: 'No connected agent provides the requested capability.', fatal: false },
  UNSUPPORTED_CAPABILITY: { summary: 'The recipient does not provide the requested capability.', fatal: false },
  INPUT_SCHEMA_VIOLATION: { summary: 'The request input does not match the capability input_schema.', fatal: false },
  OUTPUT_SCHEMA_VIOLATION: { summary: 'The result output does not match the capability output_schema.', fatal: false },
  SCHEMA_TOO_COMPLEX: { summary: 'Checking the value against its schema would take more than the bounds of SPEC MAN-6 (its work budget, or its nesting for a schema that refers; a stack overflow while checking is reported the same way); the envelope was not accepted.', fatal: false },
  HANDLER_ERROR: { summary: 'The capability handler failed without a more specific code.', fatal: false },
  TIMEOUT: { summary: 'A client-side wait (request, connection) ran past its limit.', fatal: false },
  ABORTED: { summary: 'The caller aborted the operation through its AbortSignal.', fatal: false },
  CONNECTION_CLOSED: { summary: 'The connection closed before the operation completed.', fatal: false },
  RATE_LIMITED: { summary: 'The sender exceeded its send rate or its unsettled-envelope limit (per key or per IP, FLW-3), or a registration the compile budget cannot pay for now (MAN-7); retry after retry_after_ms.', fatal: false },
  MAILBOX_FULL: { summary: 'The recipient mailbox already holds mailbox_max_envelopes pending envelopes; the envelope was not accepted.', fatal: false },
  MAX_ATTEMPTS_EXCEEDED: { summary: 'The envelope was delivered max_delivery_attempts times without a receipt and was dead-lettered.', fatal: false },
  MAILBOX_EXPIRED: { summary: 'The envelope waited in a mailbox longer than mailbox_max_age_ms and was dead-lettered.', fatal: false },
  BUSY: { summary: 'The recipient cannot take the envelope now; the relay retries later (the only retryable rejection code).', fatal: false },
  UNKNOWN_DELIVERY: { summary: 'A reject or working frame names no delivery in flight to this agent.', fatal: false },
  UNAUTHORIZED: { summary: 'An HTTP request carries no valid Baton signature or operator token (HTTP 401).', fatal: false },
  FORBIDDEN: { summary: 'The authenticated caller may not see or change this resource (HTTP 403).', fatal: false },
  NOT_FOUND: { summary: 'The HTTP resource does not exist (HTTP 404).', fatal: false },
  UNKNOWN_TASK: { summary: 'The envelope names a task (body.task, parent or revise_of) the relay does not know.', fatal: false },
  NOT_TASK_PARTY: { summary: 'The sender (or addressee) of a task envelope is not the task party SPEC TSK-3 names for it.', fatal: false },
  TASK_TERMINAL: { summary: 'The task is already completed, failed or cancelled; its state never changes again.', fatal: false },
  INVALID_TRANSITION: { summary: 'The task envelope asks for a transition the task state machine does not allow from the current state.', fatal: false },
  IDEMPOTENCY_CONFLICT: { summary: 'The idempotency key was already used by this owner for a request with a different target, capability or input.', fatal: false },
  REVISION_LIMIT: { summary: 'The thread already had max_revisions revisions; it is flagged for human attention.', fatal: false },
  DEADLINE_EXCEEDED: { summary: 'The task deadline passed before it ended; the relay failed it.', fatal: false },
  HANDLER_LOST: { summary: 'The task handler stopped renewing its lease max_task_attempts times; the relay failed the task.', fatal: false },
  CANCELLED: { summary: 'The task was cancelled by its owner or with its parent task.', fatal: false },
  INTERNAL_ERROR: { summary: 'The relay failed unexpectedly; the envelope was not accepted and may be resent.', fatal: false },
} as const satisfies Record<string, ErrorCodeInfo>;

/** A registry error code, e.g. `'BAD_SIGNATURE'`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Type guard: is `value` a code of this registry? */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
