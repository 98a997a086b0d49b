/**
 * Validation of `register` bodies (SPEC TYP-1, MAN-1, MAN-2, MAN-7) and of routing targets (`to`, SPEC RTE-2, RTE-3).
 */
import type { RegisterBody } from '../generated/types.ts';
import { DEFAULT_LIMITS } from '../constants.ts';
import { describeSchemaErrors, protocolValidator } from '../schema/protocol-validators.ts';
import { MAX_REGISTRATION_COST, countSchema } from '../schema/compile-cost.ts';
import { MAX_SCHEMA_DEPTH, MAX_SCHEMA_OBJECTS } from '../schema/schema-work.ts';
import { OVERSIZE, checkJsonSchema, uncompiledCost } from '../schema/user-schemas.ts';
import type { CheckResult } from '../envelope/check.ts';

/**
 * A relay's compile budget (SPEC MAN-7): given the units compiling a registration's new schemas would cost,
 * takes them and returns undefined, or takes nothing and says how long to wait (ms) until they would be there.
 */
export type CompileAdmission = (units: number) => { readonly message: string; readonly retryAfterMs: number } | undefined;

/** validateRegisterBody's answer: RATE_LIMITED comes only from a CompileAdmission, with its wait in ms. */
export type RegisterCheckResult = CheckResult<RegisterBody> | { ok: false; code: 'RATE_LIMITED'; message: string; retryAfterMs: number };

/**
 * The checks of a register body that compile nothing (SPEC MAN-1, MAN-6, MAN-7), in this order: schema, at most
 * `maxManifests`, distinct names, MAN-6's size and depth of each capability schema (counted), and the compile
 * cost of all of them (at most MAX_REGISTRATION_COST units, counted whether or not they are compiled already).
 * What an agent needs to trust a discovered registration (client discovery): whether each schema is a usable
 * JSON Schema is found when it is used, and compiling every schema of every discovered agent would cost the
 * caller up to ~0.4 s per registration (bench/HISTORY.md round 12).
 * @returns the body, or `INVALID_MANIFEST` with a message naming the offending manifest.
 */
export function checkRegisterBodyShape(body: unknown, maxManifests: number = DEFAULT_LIMITS.max_manifests): CheckResult<RegisterBody> {
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
  }
  const counts = register.manifests.flatMap((m) => [countSchema(m.input_schema), countSchema(m.output_schema)]);
  // MAN-6's size and depth are counted, not compiled: a schema refused by counting is not charged to the budget
  const oversize = counts.findIndex((c) => c.counted > MAX_SCHEMA_OBJECTS || c.depth > MAX_SCHEMA_DEPTH);
  if (oversize >= 0) {
    const manifest = register.manifests[oversize >> 1]!;
    return { ok: false, code: 'INVALID_MANIFEST', message: `${manifest.name}.${oversize % 2 === 0 ? 'input_schema' : 'output_schema'}: ${OVERSIZE}` };
  }
  const cost = counts.reduce((sum, c) => sum + c.units, 0);
  if (cost > MAX_REGISTRATION_COST) {
    return {
      ok: false, code: 'INVALID_MANIFEST',
      message: `compiling these manifests' schemas costs ${cost.toLocaleString('en-US')} units, more than ${MAX_REGISTRATION_COST.toLocaleString('en-US')} (SPEC MAN-7)`,
    };
  }
  return { ok: true, value: register };
}

/**
 * Validates a register body (SPEC MAN-1, MAN-7): checkRegisterBodyShape, then `admit` with the cost of the
 * schemas not compiled yet (a relay's budget; agents pass none), then usable input/output JSON Schemas (MAN-1,
 * MAN-5, MAN-6's work instrumentation; compiling them).
 * @returns the body, `INVALID_MANIFEST` with a message naming the offending manifest, or `RATE_LIMITED` with
 *   `retryAfterMs` when `admit` refused.
 */
export function validateRegisterBody(body: unknown, maxManifests: number = DEFAULT_LIMITS.max_manifests, admit?: CompileAdmission): RegisterCheckResult {
  const shape = checkRegisterBodyShape(body, maxManifests);
  if (!shape.ok) return shape;
  const register = shape.value;
  if (admit !== undefined) {
    const refused = admit(uncompiledCost(register.manifests.flatMap((m) => [m.input_schema, m.output_schema])));
    if (refused !== undefined) return { ok: false, code: 'RATE_LIMITED', message: refused.message, retryAfterMs: refused.retryAfterMs };
  }
  for (const manifest of register.manifests) {
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
