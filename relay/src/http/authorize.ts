/**
 * Authentication of relay HTTP requests (SPEC HTA-1..HTA-3): `Authorization: Baton <did:key> <ts> <sig>`
 * proves an agent key over the method, the request target and the relay did (verifyHttpRequest from
 * @baton/spec, clock skew = max_clock_skew_ms), and `Authorization: Bearer <token>` proves the operator when
 * the relay has an operator token. Anything else is UNAUTHORIZED. {@link authenticate} is the hono middleware
 * that the protected route groups (`/v1/dlq`, `/v1/tasks`) share.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { verifyHttpRequest, type CheckResult } from '@baton/spec';
import { httpError } from './http-error.ts';

/** Who made a request: an agent (sees only what it sent) or the operator (sees everything). */
export type Caller = { readonly kind: 'agent'; readonly agent: string } | { readonly kind: 'operator' };

/** What the checks need from the relay. */
export interface AuthorizeOptions {
  /** The relay's did:key (bound into every signature). */
  readonly relayDid: string;
  /** The relay clock, ms (the injectable core clock). */
  readonly now: () => number;
  /** Allowed |ts - now|, ms. */
  readonly maxClockSkewMs: number;
  /** The operator token; absent = operator access off. */
  readonly operatorToken?: string;
}

const BEARER = /^Bearer +(\S+) *$/i;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The request target exactly as received (HTA-1): the raw `req.url` of Node's IncomingMessage when the Node
 * adapter provides it, else path plus query string of the parsed URL.
 */
export function requestTarget(c: Context): string {
  const raw = (c.env as { incoming?: { url?: unknown } } | undefined)?.incoming?.url;
  if (typeof raw === 'string' && raw.startsWith('/')) return raw;
  const url = new URL(c.req.url);
  return `${url.pathname}${url.search}`;
}

/**
 * Authenticates a request.
 * @param header - the `Authorization` header value, if any.
 * @param method - the HTTP method (compared upper-case).
 * @param target - path plus query string as received ({@link requestTarget}).
 * @returns the caller, or `UNAUTHORIZED` with a message for people (never echoing a token).
 */
export function authorize(header: string | undefined, method: string, target: string, o: AuthorizeOptions): CheckResult<Caller> {
  const bearer = header === undefined ? null : BEARER.exec(header);
  if (bearer !== null) {
    if (o.operatorToken === undefined) return { ok: false, code: 'UNAUTHORIZED', message: 'operator access is not enabled on this relay' };
    // Comparing digests gives equal-length buffers, so neither the content nor the length leaks through timing.
    if (!timingSafeEqual(sha256(bearer[1] ?? ''), sha256(o.operatorToken))) {
      return { ok: false, code: 'UNAUTHORIZED', message: 'wrong operator token' };
    }
    return { ok: true, value: { kind: 'operator' } };
  }
  const checked = verifyHttpRequest(header, {
    method: method.toUpperCase(), path: target, relay: o.relayDid, now: o.now(), maxClockSkewMs: o.maxClockSkewMs,
  });
  return checked.ok ? { ok: true, value: { kind: 'agent', agent: checked.value.agent } } : checked;
}

/** Hono environment of routes behind {@link authenticate}: `c.get('caller')` is the authenticated caller. */
export type AuthEnv = { Variables: { caller: Caller } };

/**
 * Middleware authenticating every request of a route group (HTA-1..HTA-3, DLQ-1): on failure it answers
 * `401 UNAUTHORIZED` with `WWW-Authenticate: Baton, Bearer`; on success it sets `caller` and continues.
 */
export function authenticate(o: AuthorizeOptions): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const result = authorize(c.req.header('authorization'), c.req.method, requestTarget(c), o);
    if (!result.ok) {
      c.header('WWW-Authenticate', 'Baton, Bearer');
      return httpError(c, result.code, result.message);
    }
    c.set('caller', result.value);
    return next();
  };
}
