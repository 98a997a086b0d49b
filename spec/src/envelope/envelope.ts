/**
 * Envelope construction, signing and signature verification (SPEC sections 5 and 7): UUIDv7 ids, the signing
 * input `"baton/v1/envelope" || 0x00 || JCS(envelope without sig)`, its SHA-256 digest (used by receipts,
 * TYP-4), and strict verification by the key that `from` names.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Envelope } from '../generated/types.ts';
import { ENVELOPE_SIGNING_PREFIX, PROTOCOL_VERSION } from '../constants.ts';
import { canonicalize } from '../json/canonicalize.ts';
import { base64urlDecode, base64urlEncode, concatBytes, prefixedUtf8, utf8 } from '../encoding/bytes.ts';
import { sha256Hex } from '../crypto/sha256.ts';
import { getDefaultBackend } from '../crypto/signature.ts';
import { didToPublicKey } from '../identity/did-key.ts';
import type { KeyPair } from '../identity/keys.ts';

/** An envelope before signing: every member but `sig`. */
export type UnsignedEnvelope = Omit<Envelope, 'sig'>;

const ENVELOPE_PREFIX_BYTES = concatBytes(utf8(ENVELOPE_SIGNING_PREFIX), Uint8Array.of(0));

/** A new envelope id: a lowercase UUIDv7 (RFC 9562), time-ordered (SPEC ENV-3). */
export function newEnvelopeId(): string {
  return uuidv7();
}

/** The envelope without its `sig` member (a shallow copy). */
export function withoutSignature(env: UnsignedEnvelope | Envelope): UnsignedEnvelope {
  if (!('sig' in env)) return env;
  const { sig: _sig, ...rest } = env;
  return rest;
}

/**
 * The exact bytes that are signed (SPEC SIG-1): the 17 ASCII bytes `baton/v1/envelope`, one 0x00 byte, then
 * the UTF-8 RFC 8785 serialization of the envelope without `sig`.
 * @throws BatonError `INVALID_ENVELOPE` when the envelope holds values JCS cannot represent.
 */
export function envelopeSigningInput(env: UnsignedEnvelope | Envelope): Uint8Array {
  return prefixedUtf8(ENVELOPE_PREFIX_BYTES, canonicalize(withoutSignature(env)));
}

/** Lowercase hex SHA-256 of a signing input (SPEC TYP-4). */
export function digestOfSigningInput(signingInput: Uint8Array): string {
  return sha256Hex(signingInput);
}

/** Lowercase hex SHA-256 of an envelope's signing input: the `digest` a receipt carries (SPEC TYP-4). */
export function envelopeDigest(env: UnsignedEnvelope | Envelope): string {
  return digestOfSigningInput(envelopeSigningInput(env));
}

/**
 * Signs an envelope (SPEC SIG-2). The caller is responsible for `from` naming the key's did.
 * @param secretKey 32-byte Ed25519 seed
 */
export function signEnvelope(unsigned: UnsignedEnvelope, secretKey: Uint8Array): Envelope {
  const body = withoutSignature(unsigned);
  const sig = base64urlEncode(getDefaultBackend().sign(secretKey, envelopeSigningInput(body)));
  return { ...body, sig };
}

/**
 * Fields a caller supplies to `createEnvelope` (derived from the generated `Envelope` type): everything but
 * `v`, `from` and `sig`; `id` (default: a new UUIDv7) and `ts` (default: `Date.now()`, ms) are optional.
 */
export type EnvelopeFields = Omit<Envelope, 'v' | 'from' | 'sig' | 'id' | 'ts'> & { id?: string; ts?: number };

/** Builds and signs an envelope from `key` (SPEC section 5): `v` = 1, `from` = key.did. */
export function createEnvelope(key: KeyPair, fields: EnvelopeFields): Envelope {
  const { id, ts, ...rest } = fields;
  const unsigned: UnsignedEnvelope = {
    v: PROTOCOL_VERSION,
    id: id ?? newEnvelopeId(),
    from: key.did,
    ts: ts ?? Date.now(),
    ...rest,
  };
  return signEnvelope(unsigned, key.secretKey);
}

/**
 * Strictly verifies `env.sig` against the key named by `env.from` (SPEC SIG-3, SIG-4). Does not check the
 * schema, times or routing; never throws.
 * @param signingInput pass it when already computed, to avoid canonicalizing twice
 */
export function verifyEnvelope(env: Envelope, signingInput?: Uint8Array): boolean {
  try {
    const publicKey = didToPublicKey(env.from);
    const signature = base64urlDecode(env.sig);
    return getDefaultBackend().verify(publicKey, signingInput ?? envelopeSigningInput(env), signature);
  } catch {
    return false;
  }
}
