/**
 * Validation of `register` bodies (SPEC TYP-1, MAN-1, MAN-2) and of routing targets (`to`, SPEC RTE-2, RTE-3).
 */
import type { RegisterBody } from '../generated/types.ts';
import { DEFAULT_LIMITS } from '../constants.ts';
import { describeSchemaErrors, protocolValidator } from '../schema/protocol-validators.ts';
import { checkJsonSchema } from '../schema/user-schemas.ts';
import type { CheckResult } from '../envelope/check.ts';

/**
 * Validates a register body: schema, at most `maxManifests`, distinct names, and usable input/output JSON
 * Schemas (SPEC MAN-1). @returns `INVALID_MANIFEST` with a message naming the offending manifest.
 */
export function validateRegisterBody(body: unknown, maxManifests: number = DEFAULT_LIMITS.max_manifests): CheckResult<RegisterBody> {
  const validate = protocolValidator('body-register');
  if (!validate(body)) return { ok: false, code: 'INVALID_MANIFEST', message: `register body ${describeSchemaErrors(validate.errors)}` };
  const register = body as RegisterBody;
  if (register.manifests.length > maxManifests) {
    return { ok: false, code: 'INVALID_MANIFEST', message: `at most ${maxManifests} manifests per agent` };
  }
  const names = new Set<string>();
  for (const manifest of register.manifests) {
    if (names.has(manifest.name)) return { ok: false, code: 'INVALID_MANIFEST', message: `capability '${manifest.name}' appears twice` };
    names.add(manifest.name);
    for (const which of ['input_schema', 'output_schema'] as const) {
      const problem = checkJsonSchema(manifest[which]);
      if (problem !== null) return { ok: false, code: 'INVALID_MANIFEST', message: `${manifest.name}.${which}: ${problem}` };
    }
  }
  return { ok: true, value: register };
}

/** Routing target for capability routing: `cap:<name>` (SPEC RTE-3). */
export function capabilityTarget(name: string): string {
  return `cap:${name}`;
}

/** What an envelope's `to` names (SPEC section 5). Does not decode the did:key. */
export type Target = { kind: 'agent'; did: string } | { kind: 'capability'; name: string } | { kind: 'invalid' };

/** Classifies an envelope `to` value. */
export function parseTarget(to: string): Target {
  if (to.startsWith('cap:')) return /^[a-z][a-z0-9._-]{0,63}$/.test(to.slice(4)) ? { kind: 'capability', name: to.slice(4) } : { kind: 'invalid' };
  if (to.startsWith('did:key:z')) return { kind: 'agent', did: to };
  return { kind: 'invalid' };
}
