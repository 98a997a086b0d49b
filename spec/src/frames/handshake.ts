/**
 * The connection handshake (SPEC CON-2..CON-5): the agent signs
 * `"baton/v1/auth" || 0x00 || JCS({agent, challenge, relay, ts, v})` to prove its key to this relay.
 */
import type { AuthFrame, HelloFrame } from '../generated/types.ts';
import { AUTH_SIGNING_PREFIX, PROTOCOL_VERSION } from '../constants.ts';
import { canonicalize } from '../json/canonicalize.ts';
import { base64urlDecode, base64urlEncode, concatBytes, prefixedUtf8, utf8 } from '../encoding/bytes.ts';
import { getDefaultBackend } from '../crypto/signature.ts';
import { didToPublicKey } from '../identity/did-key.ts';
import type { KeyPair } from '../identity/keys.ts';

/** The members of the signed handshake object (SPEC CON-3). */
export interface AuthPayload {
  agent: string;
  challenge: string;
  relay: string;
  ts: number;
  v: number;
}

const AUTH_PREFIX_BYTES = concatBytes(utf8(AUTH_SIGNING_PREFIX), Uint8Array.of(0));

/** The exact bytes an agent signs in `auth` (SPEC CON-3). */
export function authSigningInput(payload: AuthPayload): Uint8Array {
  const { agent, challenge, relay, ts, v } = payload;
  return prefixedUtf8(AUTH_PREFIX_BYTES, canonicalize({ agent, challenge, relay, ts, v }));
}

/**
 * Builds the `auth` frame answering `hello` (SPEC CON-3).
 * @param ts the agent's clock in ms; default `Date.now()`
 * @param v the chosen protocol version; default 1
 */
export function signAuth(key: KeyPair, hello: HelloFrame, ts: number = Date.now(), v: number = PROTOCOL_VERSION): AuthFrame {
  const input = authSigningInput({ agent: key.did, challenge: hello.challenge, relay: hello.relay, ts, v });
  return { op: 'auth', v, agent: key.did, ts, sig: base64urlEncode(getDefaultBackend().sign(key.secretKey, input)) };
}

/**
 * Verifies the signature of an `auth` frame against the challenge and relay identity of this connection
 * (SPEC CON-4). Does not check time or admission. Never throws.
 */
export function verifyAuth(frame: AuthFrame, challenge: string, relay: string): boolean {
  try {
    const publicKey = didToPublicKey(frame.agent);
    const input = authSigningInput({ agent: frame.agent, challenge, relay, ts: frame.ts, v: frame.v });
    return getDefaultBackend().verify(publicKey, input, base64urlDecode(frame.sig));
  } catch {
    return false;
  }
}
