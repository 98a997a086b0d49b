// The fake relay's checks of a `send` frame from the adapter, in the order SPEC RTE-1 fixes: frame schema,
// envelope schema/size/version/sender/signature/skew/expiry (checkEnvelope), addressing, duplicate id,
// type-specific checks (MAN-1 for register, ACK-3 for receipts), recipient. A conforming adapter never
// fails one of them; when it does, the fake relay answers with the same `error` a real relay would.
import { checkEnvelope, parseTarget, validateRegisterBody, type Envelope, type ErrorCode, type Limits } from '@baton/spec';

/** A delivery the fake relay made to the adapter, keyed by (sender, id). */
export interface Delivery {
  env: Envelope;
  /** Relay sequence number (stable across attempts). */
  seq: number;
  attempts: number;
  /** TYP-4 digest of the delivered envelope. */
  digest: string;
  /** True after a valid receipt or a reject: no longer in flight. */
  settled: boolean;
}

/** What the checks need to know about the fake relay. */
export interface IntakeState {
  now: number;
  limits: Limits;
  relayDid: string;
  /** The agent authenticated on the connection. */
  agent: string;
  /** Agents the relay knows (UNKNOWN_RECIPIENT otherwise). */
  known(did: string): boolean;
  /** Digest of an envelope already accepted from (from, id). */
  acceptedDigest(from: string, id: string): string | undefined;
  /** A delivery made to the adapter. */
  delivery(sender: string, id: string): Delivery | undefined;
}

/** Outcome: accept (possibly as a duplicate) or reject with a registry code. */
export type IntakeResult =
  | { ok: true; env: Envelope; digest: string; duplicate: boolean }
  | { ok: false; code: ErrorCode; message: string; id?: string };

function reject(code: ErrorCode, message: string, env: Envelope): IntakeResult {
  return { ok: false, code, message, id: env.id };
}

/** The ACK-3 rule for a receipt sent by the adapter; null when valid. */
function receiptProblem(env: Envelope, s: IntakeState): string | null {
  const body = env.body as { for?: string; digest?: string };
  const d = typeof body.for === 'string' ? s.delivery(env.to, body.for) : undefined;
  if (!d) return `no envelope ${String(body.for)} from ${env.to} was delivered to this agent`;
  if (body.digest !== d.digest) return `digest ${String(body.digest)} is not the delivered envelope's ${d.digest}`;
  if (env.parent !== body.for) return `parent ${String(env.parent)} differs from body.for ${body.for}`;
  return null;
}

/** Checks the envelope of a schema-valid `send` frame (RTE-1 after the frame step). Never throws. */
export function checkSend(value: unknown, s: IntakeState): IntakeResult {
  const checked = checkEnvelope(value, { now: s.now, limits: s.limits, authenticated: s.agent });
  if (!checked.ok) return checked.id === undefined ? { ok: false, code: checked.code, message: checked.message } : { ok: false, code: checked.code, message: checked.message, id: checked.id };
  const { envelope: env, digest } = checked.value;
  const target = parseTarget(env.to);
  if (env.type === 'register' && env.to !== s.relayDid) return reject('INVALID_ENVELOPE', 'a register envelope must be addressed to the relay (RTE-4)', env);
  if (env.type === 'notice') return reject('INVALID_ENVELOPE', 'only the relay sends notice envelopes', env);
  if (target.kind === 'capability' && env.type !== 'request') return reject('INVALID_ENVELOPE', `a ${env.type} cannot be addressed to cap: (RTE-1)`, env);
  const seen = s.acceptedDigest(env.from, env.id);
  if (seen !== undefined) {
    return seen === digest ? { ok: true, env, digest, duplicate: true } : reject('DUPLICATE_ID', `id ${env.id} was already used for other content (RPL-3)`, env);
  }
  if (env.type === 'register') {
    const r = validateRegisterBody(env.body, s.limits.max_manifests);
    if (!r.ok) return reject(r.code, r.message, env);
  } else if (env.type === 'receipt') {
    const problem = receiptProblem(env, s);
    if (problem !== null) return reject('INVALID_RECEIPT', problem, env);
  } else if (target.kind === 'capability') {
    return reject('NO_PROVIDER', `no connected agent provides ${target.name}`, env);
  } else if (env.to !== s.relayDid && !s.known(env.to)) {
    return reject('UNKNOWN_RECIPIENT', `${env.to} is not known to this relay`, env);
  }
  return { ok: true, env, digest, duplicate: false };
}
