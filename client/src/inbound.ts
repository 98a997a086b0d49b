/**
 * Intake of envelopes the relay delivers (SPEC SIG-4, ACK-3, ACK-5, DLV-6): decide whether a `deliver` frame's
 * envelope may be acted on at all - schema-valid, strictly verified, a deliverable type, from the relay when
 * it is a `notice`, and addressed to this agent - before any receipt or handler sees it.
 */
import { capabilityTarget, digestOfSigningInput, envelopeSigningInput, validateEnvelope, verifyEnvelope } from '@baton/spec';
import type { Envelope } from '@baton/spec';

/** The verdict on one delivered envelope; `digest` is the envelope's TYP-4 digest, computed from the same signing input that was verified. */
export type Intake = { ok: true; env: Envelope; digest: string } | { ok: false; reason: string };

/** The envelope types a relay delivers (ACK-3): never receipts, registrations or cancels (RTE-4). */
const DELIVERABLE = new Set<Envelope['type']>(['request', 'result', 'message', 'notice', 'update', 'answer']);

/**
 * Checks a delivered envelope, in order: schema (ENV-1..ENV-4, including the body of its type), strict
 * signature (SIG-3/SIG-4), type (`request`, `result`, `message`, `update`, `answer`, or `notice` signed by
 * `relay` - the relay did learned in `hello`; receipts, registrations and cancels are never delivered), audience (`to` is `did`, or
 * `cap:<body.capability>` for a request routed by capability).
 */
export function admitDelivered(raw: unknown, did: string, relay: string): Intake {
  const checked = validateEnvelope(raw);
  if (!checked.ok) return { ok: false, reason: `${checked.code}: ${checked.message}` };
  const env = checked.value;
  let signingInput: Uint8Array;
  try {
    signingInput = envelopeSigningInput(env);
  } catch {
    return { ok: false, reason: 'INVALID_ENVELOPE: holds a value RFC 8785 cannot represent' };
  }
  if (!verifyEnvelope(env, signingInput)) return { ok: false, reason: 'BAD_SIGNATURE: signature does not verify' };
  if (env.type === 'notice' && env.from !== relay) return { ok: false, reason: `a notice from ${env.from}, not from the relay` };
  if (!DELIVERABLE.has(env.type)) {
    return { ok: false, reason: `a ${env.type} envelope is never delivered` };
  }
  const capability = (env.body as { capability?: unknown }).capability;
  const forUs = env.to === did || (env.type === 'request' && typeof capability === 'string' && env.to === capabilityTarget(capability));
  if (!forUs) return { ok: false, reason: `addressed to ${env.to}, not to this agent` };
  return { ok: true, env, digest: digestOfSigningInput(signingInput) };
}
