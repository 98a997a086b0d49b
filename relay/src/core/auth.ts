/**
 * The relay side of the handshake checks (SPEC CON-4), in the protocol's order: version
 * (UNSUPPORTED_VERSION), identity (AUTH_FAILED), clock skew (CLOCK_SKEW), strict signature (AUTH_FAILED),
 * admission (NOT_ADMITTED). Well-formedness (INVALID_FRAME) is checked before, by `parseFrame`.
 */
import { isValidDid, verifyAuth, type AuthFrame, type ErrorCode } from '@baton/spec';
import type { Admission } from './types.ts';

/** What the auth check needs to know about the connection and the relay. */
export interface AuthContext {
  readonly challenge: string;
  readonly relayDid: string;
  /** Relay time, ms since epoch. */
  readonly now: number;
  readonly maxClockSkewMs: number;
  readonly versions: readonly number[];
  readonly admission: Admission;
  readonly allowlist: ReadonlySet<string>;
}

/** Result of {@link checkAuth}: `null` when the agent is authenticated, else the first failure. */
export type AuthFailure = { code: ErrorCode; message: string } | null;

/** Checks an `auth` frame against the connection's challenge (CON-3, CON-4, ADM-2). */
export function checkAuth(frame: AuthFrame, ctx: AuthContext): AuthFailure {
  if (!ctx.versions.includes(frame.v)) {
    return { code: 'UNSUPPORTED_VERSION', message: `version ${frame.v} is not one of ${JSON.stringify(ctx.versions)}` };
  }
  if (!isValidDid(frame.agent)) return { code: 'AUTH_FAILED', message: 'agent is not a valid did:key' };
  if (Math.abs(frame.ts - ctx.now) > ctx.maxClockSkewMs) {
    return { code: 'CLOCK_SKEW', message: `auth ts is more than ${ctx.maxClockSkewMs} ms from relay time ${ctx.now}` };
  }
  let verified = false;
  try {
    verified = verifyAuth(frame, ctx.challenge, ctx.relayDid);
  } catch {
    verified = false;
  }
  if (!verified) return { code: 'AUTH_FAILED', message: 'auth signature does not verify' };
  if (ctx.admission === 'allowlist' && !ctx.allowlist.has(frame.agent)) {
    return { code: 'NOT_ADMITTED', message: 'this key is not on the relay allowlist' };
  }
  return null;
}
