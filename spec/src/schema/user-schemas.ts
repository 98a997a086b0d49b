/**
 * JSON Schemas supplied by agents (a capability's `input_schema` and `output_schema`, SPEC MAN-1, MAN-4):
 * checked for validity and compiled once each with ajv (draft 2020-12, non-strict so that annotation
 * keywords from other tools are tolerated), cached by content and, in front of that, by object. Patterns are
 * matched in linear time (linear-regexp.ts) and `uniqueItems` is checked in linear time (unique-items.ts),
 * SPEC MAN-5: a schema with a pattern outside that subset is invalid here. Each check's work is counted (pattern
 * searches included), a value nested more than MAX_VALUE_DEPTH deep is refused against a schema that refers, and
 * schemas are limited in size (schema-work.ts, SPEC MAN-6). What compiling would cost is counted before
 * compiling (`uncompiledCost`, compile-cost.ts, SPEC MAN-7) so that a relay can charge it to a budget.
 *
 * Costs this file is shaped by (bench/HISTORY.md round 8, measured on the 2-core machine):
 * - Compiling: each distinct schema gets its own ajv instance (user schemas may reuse `$id`s without clashing,
 *   and an instance keeps every value it ever compiled, so a shared one would grow without bound), created
 *   with `validateSchema: false`; validity against the draft 2020-12 meta-schema is checked by one shared
 *   instance, whose compiled meta-schema is reused. A new instance compiling the meta-schema again for every
 *   schema took ~13 ms and ~205 KB of RSS per distinct small schema; now ~1.2 ms and ~31 KB.
 * - Looking up: a schema object seen before is found by identity, without canonicalizing it. Keying every
 *   call by the schema's JCS text cost ~95-120 µs per validation for an 8-10 KB schema (6 validations per
 *   request round trip across requester, relay and provider), ~1 µs now.
 * - Bounding: least recently used entries are evicted past MAX_CACHED (was: the whole cache cleared, so a
 *   relay with more distinct schemas than that compiled again on nearly every request).
 * - Compiling in time linear in the schema (bench/HISTORY.md round 12): ajv's default copies a schema named by
 *   `$ref` into each `$ref` (`inlineRefs`) and, in its 2020-12 mode, merges the names each subschema evaluated
 *   at each `$ref` for `unevaluatedProperties`: 499 `$ref`s to one 497-property definition (16 KB) took 26 s to
 *   compile and V8 26 s more at the first validation. Now each named schema is compiled once
 *   and the evaluated names are tracked only in schemas that read them: 0.25 s. The validator is called once
 *   when compiled, so that V8's compiling of its code (up to ~0.2 s for 4,000 properties) is paid there, under
 *   MAN-7's budget, rather than by the first request.
 *
 * A schema object is treated as immutable once it has been passed here: its compiled validator is cached per
 * object, so changing the object afterwards does not change validation (pass a new object instead). The
 * client registers a copy of each manifest for that reason.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { canonicalize } from '../json/canonicalize.ts';
import { schemaCompileCost } from './compile-cost.ts';
import { LruCache } from '../util/lru-cache.ts';
import { linearRegExpEngine } from './linear-regexp.ts';
import { describeSchemaErrors } from './protocol-validators.ts';
import {
  MAX_SCHEMA_DEPTH, MAX_SCHEMA_OBJECTS, MAX_VALUE_DEPTH, MAX_WORK, SchemaWorkExceeded, nestsDeeperThan, resetWork, useWorkBudget, withWork,
} from './schema-work.ts';
import { useLinearUniqueItems } from './unique-items.ts';
import { BatonError } from '../errors/baton-error.ts';
import type { ErrorCode } from '../errors/registry.ts';

/** Distinct schemas (by content) whose compiled validators are kept. */
export const MAX_CACHED = 1024;

/** A compiled schema: its content key and its validator, or the message saying why the schema is invalid. */
interface Compiled {
  readonly key: string;
  readonly result: ValidateFunction | string;
}

const OPTIONS = { strict: false, allErrors: false, validateFormats: false, logger: false } as const;
/** Checks schemas against the meta-schema (named by `$schema`, draft 2020-12 by default); compiles none. */
let metaChecker: Ajv2020 | undefined;
const byContent = new LruCache<string, Compiled>(MAX_CACHED);
/** Validators of schemas that refer (`$ref` and kin): their validation recurses as deep as the value nests. */
const referring = new WeakSet<ValidateFunction>();
const byObject = new WeakMap<object, Compiled>();

/** Why a schema over MAN-6's size or depth is invalid. */
export const OVERSIZE = `invalid JSON Schema: more than ${MAX_SCHEMA_OBJECTS.toLocaleString('en-US')} schema objects and property dependencies or nested more than ${MAX_SCHEMA_DEPTH} deep (SPEC MAN-6)`;

function compile(schema: Record<string, unknown>): ValidateFunction | string {
  try {
    // counted first, so that neither the meta-schema check nor compiling sees a schema over MAN-6's limits
    const instrumented = withWork(schema);
    if (instrumented.objects > MAX_SCHEMA_OBJECTS || instrumented.depth > MAX_SCHEMA_DEPTH) return OVERSIZE;
    metaChecker ??= new Ajv2020(OPTIONS);
    // throws "schema is invalid: ..." (or "no schema with key or ref" for an unknown $schema), as compile did
    metaChecker.validateSchema(schema, true);
    const ajv = new Ajv2020({ ...OPTIONS, validateSchema: false, inlineRefs: false, code: { regExp: linearRegExpEngine, optimize: false } });
    // Ajv2020 forces `unevaluated` on; off, ajv does not track which properties and items each subschema
    // evaluated. That tracking merges the evaluated names of a referenced schema at every `$ref` (time: refs x
    // properties), and only unevaluatedProperties and unevaluatedItems read it.
    if (!instrumented.unevaluated) (ajv.opts as { unevaluated: boolean }).unevaluated = false;
    useLinearUniqueItems(ajv);
    useWorkBudget(ajv);
    const validate = ajv.compile(instrumented.schema as Record<string, unknown>);
    // V8 compiles a function's body at its first call: call it now, so that compiling is paid here (where MAN-7
    // charges it) and not by the first request, and so that code too deeply nested for V8's parser refuses
    // the schema (a RangeError, caught below) instead of failing every validation afterwards.
    resetWork();
    validate(null);
    if (instrumented.refers) referring.add(validate);
    return validate;
  } catch (error) {
    // ajv's compiler, its generated code (at the call above) or the meta-schema check of a deeply nested value
    if (isStackOverflow(error)) return 'invalid JSON Schema: checking or compiling it overflowed the stack (SPEC MAN-6)';
    return `invalid JSON Schema: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Whether `error` is the engine's stack overflow (V8: RangeError "Maximum call stack size exceeded"). */
function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** Content keys computed by uncompiledCost for objects not compiled yet, so that compiling does not compute them again. */
const pendingKeys = new WeakMap<object, string>();

function contentKey(schema: Record<string, unknown>): string {
  const pending = typeof schema === 'object' && schema !== null ? pendingKeys.get(schema) : undefined;
  return pending ?? canonicalize(schema);
}

function compileCached(schema: Record<string, unknown>): ValidateFunction | string {
  // typed as an object, but a JavaScript caller may pass a boolean schema, which cannot key a WeakMap
  const byIdentity = typeof schema === 'object' && schema !== null;
  const known = byIdentity ? byObject.get(schema) : undefined;
  // an entry evicted from the content cache is not trusted by identity either, so that MAX_CACHED bounds both
  if (known !== undefined && byContent.get(known.key) === known) return known.result;
  const key = contentKey(schema);
  const entry = byContent.getOrSet(key, () => ({ key, result: compile(schema) }));
  if (byIdentity) byObject.set(schema, entry);
  return entry.result;
}

/**
 * What compiling `schemas` would cost now (SPEC MAN-7, compile-cost.ts): the summed schemaCompileCost of the
 * distinct ones (by content) not held compiled in this process's cache. Does not compile; a later
 * checkJsonSchema of the same objects reuses the content keys computed here.
 * @returns units (0 when every schema is compiled already).
 */
export function uncompiledCost(schemas: readonly Record<string, unknown>[]): number {
  const seen = new Set<string>();
  let cost = 0;
  for (const schema of schemas) {
    const byIdentity = typeof schema === 'object' && schema !== null;
    const known = byIdentity ? byObject.get(schema) : undefined;
    if (known !== undefined && byContent.get(known.key) === known) continue;
    const key = contentKey(schema);
    if (seen.has(key) || byContent.get(key) !== undefined) continue;
    seen.add(key);
    if (byIdentity) pendingKeys.set(schema, key);
    cost += schemaCompileCost(schema);
  }
  return cost;
}

/** Returns `null` when `schema` is a usable JSON Schema (draft 2020-12), else a message saying why not. */
export function checkJsonSchema(schema: Record<string, unknown>): string | null {
  const result = compileCached(schema);
  return typeof result === 'string' ? result : null;
}

/**
 * Validates `value` against a user-supplied JSON Schema (SPEC MAN-4). The compiled validator is cached per
 * schema object and per content (see the module header: do not change a schema object after passing it).
 * @returns `null` when valid, else a one-line message (also when the schema itself is invalid).
 * @throws BatonError `SCHEMA_TOO_COMPLEX` when checking `value` would take more than MAX_WORK units of work, or
 *   when the schema refers and `value` nests more than MAX_VALUE_DEPTH (256) levels deep (SPEC MAN-6,
 *   schema-work.ts): neither valid nor invalid.
 */
export function validateAgainstSchema(schema: Record<string, unknown>, value: unknown): string | null {
  const validate = compileCached(schema);
  if (typeof validate === 'string') return validate;
  if (referring.has(validate) && nestsDeeperThan(value, MAX_VALUE_DEPTH)) {
    // ajv's generated code recurses once per level: past a few thousand levels it would overflow the stack
    throw new BatonError('SCHEMA_TOO_COMPLEX', `the value nests more than ${MAX_VALUE_DEPTH} levels deep and the schema refers ($ref), SPEC MAN-6`);
  }
  resetWork();
  try {
    return validate(value) ? null : describeSchemaErrors(validate.errors);
  } catch (error) {
    // not expected within MAN-6's bounds (the depth check above, the call at compile): refused, not an internal error
    if (isStackOverflow(error)) throw new BatonError('SCHEMA_TOO_COMPLEX', 'checking this value against the schema overflowed the stack (SPEC MAN-6)');
    if (!(error instanceof SchemaWorkExceeded)) throw error;
    throw new BatonError('SCHEMA_TOO_COMPLEX', `checking this value against the schema takes more than ${MAX_WORK.toLocaleString('en-US')} units of work (SPEC MAN-6)`);
  }
}

/**
 * The generated code of `schema`'s compiled validator (its root function; each schema a `$ref` names is a
 * function of its own, not copied in), or the message saying why the schema is invalid. For tests (the code's
 * size shows whether referenced schemas were copied).
 */
export function validatorSource(schema: Record<string, unknown>): string {
  const result = compileCached(schema);
  return typeof result === 'string' ? result : result.toString();
}

/** Why a value was refused: `violation` (the caller's code) or `SCHEMA_TOO_COMPLEX` (MAN-6), with a message. */
export interface SchemaRefusal<C extends ErrorCode> {
  readonly code: C | 'SCHEMA_TOO_COMPLEX';
  readonly message: string;
}

/**
 * validateAgainstSchema with MAN-6's refusal as a value, for callers that answer with a code (the relay's
 * TSK-10 checks, the client's MAN-4 checks).
 * @param violation - the code for a value the schema refuses (e.g. `INPUT_SCHEMA_VIOLATION`).
 * @returns `null` when valid, else the code and message.
 */
export function checkValue<C extends ErrorCode>(schema: Record<string, unknown>, value: unknown, violation: C): SchemaRefusal<C> | null {
  try {
    const problem = validateAgainstSchema(schema, value);
    return problem === null ? null : { code: violation, message: problem };
  } catch (error) {
    if (error instanceof BatonError && error.code === 'SCHEMA_TOO_COMPLEX') return { code: 'SCHEMA_TOO_COMPLEX', message: error.message };
    throw error;
  }
}
