/**
 * The client's default idempotency key for a delegation (SPEC TSK-14): derived from the originating turn and
 * the brief's structured part (target, capability, input, sorted reference URIs), never from its prose, so
 * that a rephrased brief for the same work in the same turn maps to the same key.
 */
import { canonicalize } from '../json/canonicalize.ts';
import { base64urlEncode, fromHex, utf8 } from '../encoding/bytes.ts';
import { sha256Hex } from '../crypto/sha256.ts';

/** What the default key is derived from. */
export interface DelegationKeyInput {
  /** Identifies the originating conversation turn (for a sub-task, default: the parent task id). */
  readonly turn: string;
  /** The request's `to` (an agent did:key or `cap:<name>`). */
  readonly to: string;
  readonly capability: string;
  readonly input: unknown;
  /** `brief.context.refs[].uri`, any order. */
  readonly refs?: readonly string[];
}

/**
 * `"t1." + base64url(SHA-256(UTF-8(JCS({turn, to, capability, input, refs}))))` (TSK-14): 46 characters.
 * @throws BatonError `INVALID_ENVELOPE` when `input` holds a value JCS cannot represent.
 */
export function defaultIdempotencyKey(k: DelegationKeyInput): string {
  const refs = [...(k.refs ?? [])].sort();
  const text = canonicalize({ turn: k.turn, to: k.to, capability: k.capability, input: k.input, refs });
  return `t1.${base64urlEncode(fromHex(sha256Hex(utf8(text))))}`;
}
