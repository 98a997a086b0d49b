/**
 * Frame types and frame validation (SPEC sections 8-11, VER-2, VER-3). Frames are open: unknown members are
 * ignored; an unknown `op` is `UNKNOWN_OP`; a frame that fails its op's schema is `INVALID_FRAME`.
 */
import type {
  AcceptedFrame, AuthFrame, DeliverFrame, DeliveredFrame, DiscoverFrame, DiscoveredFrame, ErrorFrame, HelloFrame,
  RejectFrame, SendFrame, TaskEventFrame, WatchFrame, WatchingFrame, WelcomeFrame, WorkingFrame,
} from '../generated/types.ts';
import { parseJson } from '../json/parse-json.ts';
import { isBatonError } from '../errors/baton-error.ts';
import { describeSchemaErrors, protocolValidator, type ProtocolSchemaName } from '../schema/protocol-validators.ts';
import type { CheckResult } from '../envelope/check.ts';

/** Frames an agent sends to the relay. */
export type ClientFrame = AuthFrame | SendFrame | DiscoverFrame | RejectFrame | WorkingFrame | WatchFrame;
/** Frames the relay sends to an agent. */
export type RelayFrame =
  HelloFrame | WelcomeFrame | AcceptedFrame | DeliverFrame | DeliveredFrame | DiscoveredFrame | ErrorFrame | WatchingFrame | TaskEventFrame;
/** Any protocol v1 frame, discriminated on `op`. */
export type Frame = ClientFrame | RelayFrame;
/** The `op` values of protocol v1. */
export type FrameOp = Frame['op'];

/** Every `op` of protocol v1. */
export const FRAME_OPS: readonly FrameOp[] = [
  'hello', 'auth', 'welcome', 'send', 'accepted', 'deliver', 'delivered', 'discover', 'discovered', 'error', 'reject',
  'working', 'watch', 'watching', 'task-event',
];

const OPS = new Set<string>(FRAME_OPS);

/**
 * Validates a parsed frame (SPEC ENC-1, VER-2, VER-3).
 * @returns `MALFORMED_FRAME` when not a JSON object, `INVALID_FRAME` when `op` is missing or the frame fails
 *   its schema, `UNKNOWN_OP` for an op this version does not define.
 */
export function validateFrame(value: unknown): CheckResult<Frame> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'MALFORMED_FRAME', message: 'a frame must be a JSON object' };
  }
  const op = (value as { op?: unknown }).op;
  if (typeof op !== 'string') return { ok: false, code: 'INVALID_FRAME', message: 'frame has no string op' };
  if (!OPS.has(op)) return { ok: false, code: 'UNKNOWN_OP', message: `unknown op '${op.slice(0, 64)}'` };
  const validate = protocolValidator(`frame-${op}` as ProtocolSchemaName);
  if (!validate(value)) return { ok: false, code: 'INVALID_FRAME', message: `${op} frame ${describeSchemaErrors(validate.errors)}` };
  return { ok: true, value: value as Frame };
}

/** Parses (safely, ENC-4) and validates one frame's text. Never throws. */
export function parseFrame(text: string): CheckResult<Frame> {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    return { ok: false, code: 'MALFORMED_FRAME', message: isBatonError(error) ? error.message : 'message is not JSON' };
  }
  return validateFrame(value);
}
