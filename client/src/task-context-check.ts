/**
 * Verification of the envelopes a `deliver` frame carries in `context` (SPEC TSK-8): the task's request (signed
 * by its owner) and the question `update` (signed by its handler). They are checked like any delivered
 * envelope - schema, strict signature - and bound to the task they claim to be about before anything uses them.
 */
import { validateEnvelope, verifyEnvelope } from '@baton/spec';
import type { Envelope } from '@baton/spec';

/** What a context envelope must be. */
export interface ContextExpectation {
  /** `request` (the task's request) or `update` (the question that asked). */
  type: 'request' | 'update';
  /** The task id: the request's `id`, or the update's `body.task`. */
  task: string;
  /** The did that must have signed it (the owner for the request, the handler for the update), when known. */
  from?: string;
}

/** Returns the verified envelope, or the reason it cannot be trusted. */
export function checkContextEnvelope(raw: unknown, expect: ContextExpectation): { ok: true; env: Envelope } | { ok: false; reason: string } {
  if (raw === undefined) return { ok: false, reason: `the deliver frame carries no context ${expect.type} (TSK-8)` };
  const checked = validateEnvelope(raw);
  if (!checked.ok) return { ok: false, reason: `context ${expect.type}: ${checked.code}: ${checked.message}` };
  const env = checked.value;
  let valid = false;
  try {
    valid = verifyEnvelope(env);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: `context ${expect.type}: signature does not verify` };
  if (env.type !== expect.type) return { ok: false, reason: `context ${expect.type} is a ${env.type}` };
  if (expect.from !== undefined && env.from !== expect.from) return { ok: false, reason: `context ${expect.type} is signed by ${env.from}, not ${expect.from}` };
  if (expect.type === 'request' && env.id !== expect.task) return { ok: false, reason: `context request ${env.id} is not task ${expect.task}` };
  if (expect.type === 'update') {
    const body = env.body as { task?: unknown; state?: unknown };
    if (body.task !== expect.task || body.state !== 'awaiting-input') {
      return { ok: false, reason: `context update does not ask a question about task ${expect.task}` };
    }
  }
  return { ok: true, env };
}
