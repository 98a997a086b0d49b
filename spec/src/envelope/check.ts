/**
 * Envelope validation in the order SPEC RTE-1 fixes, so that every implementation returns the same code for
 * the same input: schema, size, version, sender, signature, clock skew, expiry. The stateful checks that
 * follow (duplicates, type-specific rules, routing) belong to the relay.
 */
import type { Envelope, Limits } from '../generated/types.ts';
import type { ErrorCode } from '../errors/registry.ts';
import { SUPPORTED_VERSIONS } from '../constants.ts';
import { describeSchemaErrors, protocolValidator } from '../schema/protocol-validators.ts';
import { getDefaultBackend } from '../crypto/signature.ts';
import { base64urlDecode } from '../encoding/bytes.ts';
import { didToPublicKey } from '../identity/did-key.ts';
import { digestOfSigningInput, envelopeSigningInput } from './envelope.ts';

/** Outcome of a check: the value, or the registry code and a message (and the envelope id when readable). */
export type CheckResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string; id?: string };

/** Bytes that `"sig":"<86 chars>"` and its comma add to the JCS text of an envelope without `sig`. */
const SIG_MEMBER_BYTES = 6 + 88 + 1;

function failure(code: ErrorCode, message: string, value: unknown): CheckResult<never> {
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 64 ? { ok: false, code, message, id } : { ok: false, code, message };
}

/**
 * Schema validation of an envelope and its type-specific body (SPEC ENV-1, ENV-2, ENV-4, TYP-1..TYP-5).
 * @returns `INVALID_ENVELOPE` with a message naming the first offending member.
 */
export function validateEnvelope(value: unknown): CheckResult<Envelope> {
  const validate = protocolValidator('envelope');
  if (!validate(value)) return failure('INVALID_ENVELOPE', `envelope ${describeSchemaErrors(validate.errors)}`, value);
  const env = value as Envelope;
  if (env.exp !== undefined && env.exp <= env.ts) return failure('INVALID_ENVELOPE', 'envelope exp must be greater than ts', value);
  if ((env.type === 'update' || env.type === 'answer' || env.type === 'cancel') && env.parent !== (env.body as { task: string }).task) {
    return failure('INVALID_ENVELOPE', `${env.type} parent must equal body.task (TYP-7)`, value);
  }
  if (env.type === 'request' && (env.body as { revise_of?: string }).revise_of !== undefined && env.thread === undefined) {
    return failure('INVALID_ENVELOPE', 'a request with body.revise_of must carry thread (TSK-16)', value);
  }
  if (env.type === 'request' && env.to.startsWith('cap:') && env.to.slice(4) !== (env.body as { capability: string }).capability) {
    return failure('INVALID_ENVELOPE', 'request body.capability must equal the capability in to', value);
  }
  return { ok: true, value: env };
}

/** What `checkEnvelope` needs to know about the receiver. */
export interface EnvelopeCheckContext {
  /** The receiver's clock, ms since epoch. */
  now: number;
  /** `max_envelope_bytes` and `max_clock_skew_ms` are used. */
  limits: Pick<Limits, 'max_envelope_bytes' | 'max_clock_skew_ms'>;
  /** The did:key authenticated on the connection; when given, `from` must equal it (SENDER_MISMATCH). */
  authenticated?: string;
  /** Accepted protocol versions; default SUPPORTED_VERSIONS. */
  versions?: readonly number[];
}

/** A checked envelope with the values computed on the way, for reuse (storage, receipts). */
export interface CheckedEnvelope {
  envelope: Envelope;
  /** SPEC SIG-1 signing input. */
  signingInput: Uint8Array;
  /** Hex SHA-256 of the signing input (TYP-4). */
  digest: string;
  /** SPEC ENV-5 size in bytes. */
  size: number;
}

/** An envelope that passed every stateless check before the signature, with what verifying it needs. */
export interface PrecheckedEnvelope extends Omit<CheckedEnvelope, 'digest'> {
  /** The sender's 32-byte Ed25519 public key (from `from`, SIG-4). */
  publicKey: Uint8Array;
  /** The decoded 64-byte `sig` (SIG-2). */
  signature: Uint8Array;
}

/**
 * The steps of SPEC RTE-1 before the signature, in order: schema (`INVALID_ENVELOPE`), size
 * (`ENVELOPE_TOO_LARGE`), version (`UNSUPPORTED_VERSION`), sender (`SENDER_MISMATCH`). The signature is then
 * verified by the caller (for example on a worker thread) and the result passed to {@link completeEnvelopeCheck},
 * which applies the steps after it. `checkEnvelope` is the two run back to back. Never throws.
 */
export function precheckEnvelope(value: unknown, ctx: EnvelopeCheckContext): CheckResult<PrecheckedEnvelope> {
  const validated = validateEnvelope(value);
  if (!validated.ok) return validated;
  const envelope = validated.value;
  let signingInput: Uint8Array;
  try {
    signingInput = envelopeSigningInput(envelope);
  } catch {
    return failure('INVALID_ENVELOPE', 'envelope holds a value RFC 8785 cannot represent', value);
  }
  // ENV-5: JCS(E) is JCS(E') plus the sig member; the prefix (17 bytes + 0x00) is not part of the size.
  const size = signingInput.length - 18 + SIG_MEMBER_BYTES;
  if (size > ctx.limits.max_envelope_bytes) {
    return failure('ENVELOPE_TOO_LARGE', `envelope is ${size} bytes; the limit is ${ctx.limits.max_envelope_bytes}`, value);
  }
  if (!(ctx.versions ?? SUPPORTED_VERSIONS).includes(envelope.v)) {
    return failure('UNSUPPORTED_VERSION', `protocol version ${envelope.v} is not supported`, value);
  }
  if (ctx.authenticated !== undefined && envelope.from !== ctx.authenticated) {
    return failure('SENDER_MISMATCH', 'envelope from is not the authenticated agent', value);
  }
  let publicKey: Uint8Array;
  let signature: Uint8Array;
  try {
    publicKey = didToPublicKey(envelope.from);
    signature = base64urlDecode(envelope.sig);
  } catch {
    // the schema admits only did:key senders and 86-character base64url signatures; a key that decodes to
    // something else cannot verify
    publicKey = new Uint8Array(0);
    signature = new Uint8Array(0);
  }
  return { ok: true, value: { envelope, signingInput, size, publicKey, signature } };
}

/**
 * The steps of SPEC RTE-1 from the signature on: signature (`BAD_SIGNATURE`, given as `signatureValid`, the
 * outcome of strict SIG-3 verification of `prechecked.signature` over `prechecked.signingInput` with
 * `prechecked.publicKey`), clock skew (`CLOCK_SKEW`, RPL-1), expiry (`EXPIRED`, RPL-2). Never throws.
 */
export function completeEnvelopeCheck(
  prechecked: PrecheckedEnvelope, signatureValid: boolean, ctx: Pick<EnvelopeCheckContext, 'now' | 'limits'>,
): CheckResult<CheckedEnvelope> {
  const { envelope, signingInput, size } = prechecked;
  if (!signatureValid) return failure('BAD_SIGNATURE', 'envelope signature does not verify', envelope);
  if (Math.abs(envelope.ts - ctx.now) > ctx.limits.max_clock_skew_ms) {
    return failure('CLOCK_SKEW', `envelope ts is ${envelope.ts - ctx.now} ms from the receiver clock; the limit is ±${ctx.limits.max_clock_skew_ms}`, envelope);
  }
  if (envelope.exp !== undefined && envelope.exp <= ctx.now) return failure('EXPIRED', 'envelope exp has passed', envelope);
  // the digest (TYP-4) only for envelopes that passed: a rejected one never needs it
  return { ok: true, value: { envelope, signingInput, digest: digestOfSigningInput(signingInput), size } };
}

/**
 * The stateless part of SPEC RTE-1, in order: schema (`INVALID_ENVELOPE`), size (`ENVELOPE_TOO_LARGE`),
 * version (`UNSUPPORTED_VERSION`), sender (`SENDER_MISMATCH`), signature (`BAD_SIGNATURE`), clock skew
 * (`CLOCK_SKEW`, RPL-1), expiry (`EXPIRED`, RPL-2). Never throws.
 */
export function checkEnvelope(value: unknown, ctx: EnvelopeCheckContext): CheckResult<CheckedEnvelope> {
  const pre = precheckEnvelope(value, ctx);
  if (!pre.ok) return pre;
  const { publicKey, signature, signingInput } = pre.value;
  return completeEnvelopeCheck(pre.value, getDefaultBackend().verify(publicKey, signingInput, signature), ctx);
}
