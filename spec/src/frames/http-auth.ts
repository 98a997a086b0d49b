/**
 * Signed HTTP requests (SPEC HTA-1..HTA-3): an agent proves its key on the relay's HTTP API (`/v1/dlq`, ...)
 * with the header `Authorization: Baton <did:key> <ts> <sig>`, where `sig` signs
 * `"baton/v1/http" || 0x00 || JCS({agent, method, path, relay, ts, v})`.
 */
import { HTTP_SIGNING_PREFIX, PROTOCOL_VERSION } from '../constants.ts';
import { canonicalize } from '../json/canonicalize.ts';
import { base64urlDecode, base64urlEncode, concatBytes, prefixedUtf8, utf8 } from '../encoding/bytes.ts';
import { getDefaultBackend } from '../crypto/signature.ts';
import { didToPublicKey, isValidDid } from '../identity/did-key.ts';
import type { KeyPair } from '../identity/keys.ts';
import type { CheckResult } from '../envelope/check.ts';

/** The members of the signed HTTP request object (SPEC HTA-1). */
export interface HttpAuthPayload {
  /** The requesting agent's did:key. */
  agent: string;
  /** Upper-case HTTP method, e.g. `GET`. */
  method: string;
  /** The request target exactly as sent: path plus query string, e.g. `/v1/dlq?limit=10`. */
  path: string;
  /** The relay's did:key (from `/.well-known/baton`). */
  relay: string;
  /** The agent's clock, ms since the Unix epoch. */
  ts: number;
  /** Protocol version. */
  v: number;
}

/** The request facts a verifier checks a signature against. */
export interface HttpRequestFacts {
  method: string;
  path: string;
  relay: string;
  /** The verifier's clock, ms. */
  now: number;
  /** Allowed |ts - now|, ms (the relay's `max_clock_skew_ms`). */
  maxClockSkewMs: number;
}

const HTTP_PREFIX_BYTES = concatBytes(utf8(HTTP_SIGNING_PREFIX), Uint8Array.of(0));
const HEADER = /^Baton (did:key:z[1-9A-HJ-NP-Za-km-z]{1,60}) (\d{1,16}) ([A-Za-z0-9_-]{86})$/;

/** The exact bytes an agent signs for one HTTP request (SPEC HTA-1). */
export function httpAuthSigningInput(p: HttpAuthPayload): Uint8Array {
  const { agent, method, path, relay, ts, v } = p;
  return prefixedUtf8(HTTP_PREFIX_BYTES, canonicalize({ agent, method: method.toUpperCase(), path, relay, ts, v }));
}

/**
 * Builds the `Authorization` header value for one request (SPEC HTA-1).
 * @param request - method, path with query string, and the relay's did:key; `ts` defaults to `Date.now()` (ms).
 * @returns `Baton <did:key> <ts> <sig>`.
 */
export function signHttpRequest(key: KeyPair, request: { method: string; path: string; relay: string; ts?: number }): string {
  const ts = request.ts ?? Date.now();
  const input = httpAuthSigningInput({ agent: key.did, method: request.method, path: request.path, relay: request.relay, ts, v: PROTOCOL_VERSION });
  return `Baton ${key.did} ${ts} ${base64urlEncode(getDefaultBackend().sign(key.secretKey, input))}`;
}

/**
 * Checks an `Authorization` header against the request (SPEC HTA-2): format, identity, clock skew, then the
 * strict signature. Never throws.
 * @returns the authenticated agent, or `UNAUTHORIZED` with the reason.
 */
export function verifyHttpRequest(header: string | undefined | null, facts: HttpRequestFacts): CheckResult<{ agent: string }> {
  const fail = (message: string): CheckResult<{ agent: string }> => ({ ok: false, code: 'UNAUTHORIZED', message });
  if (header === undefined || header === null || header === '') return fail('missing Authorization header');
  const match = HEADER.exec(header);
  if (match === null) return fail('Authorization must be "Baton <did:key> <ts> <sig>"');
  const [, agent = '', tsText = '', sig = ''] = match;
  if (!isValidDid(agent)) return fail('the did:key is not a valid Ed25519 identity');
  const ts = Number(tsText);
  if (!Number.isSafeInteger(ts) || Math.abs(ts - facts.now) > facts.maxClockSkewMs) return fail('ts is outside max_clock_skew_ms');
  try {
    const input = httpAuthSigningInput({ agent, method: facts.method, path: facts.path, relay: facts.relay, ts, v: PROTOCOL_VERSION });
    if (getDefaultBackend().verify(didToPublicKey(agent), input, base64urlDecode(sig))) return { ok: true, value: { agent } };
  } catch {
    // fall through
  }
  return fail('the signature does not verify for this method, path and relay');
}
