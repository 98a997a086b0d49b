/**
 * JSON Schemas supplied by agents (a capability's `input_schema` and `output_schema`, SPEC MAN-1, MAN-4):
 * checked for validity and compiled once each with ajv (draft 2020-12, non-strict so that annotation
 * keywords from other tools are tolerated), cached by content.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { canonicalize } from '../json/canonicalize.ts';
import { describeSchemaErrors } from './protocol-validators.ts';

const MAX_CACHED = 1024;
const cache = new Map<string, ValidateFunction | string>();

function compileCached(schema: Record<string, unknown>): ValidateFunction | string {
  const key = canonicalize(schema);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  let result: ValidateFunction | string;
  try {
    // One ajv instance per distinct schema: user schemas may reuse `$id`s without clashing.
    result = new Ajv2020({ strict: false, allErrors: false, validateFormats: false }).compile(schema);
  } catch (error) {
    result = `invalid JSON Schema: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, result);
  return result;
}

/** Returns `null` when `schema` is a usable JSON Schema (draft 2020-12), else a message saying why not. */
export function checkJsonSchema(schema: Record<string, unknown>): string | null {
  const result = compileCached(schema);
  return typeof result === 'string' ? result : null;
}

/**
 * Validates `value` against a user-supplied JSON Schema (SPEC MAN-4).
 * @returns `null` when valid, else a one-line message (also when the schema itself is invalid).
 */
export function validateAgainstSchema(schema: Record<string, unknown>, value: unknown): string | null {
  const validate = compileCached(schema);
  if (typeof validate === 'string') return validate;
  return validate(value) ? null : describeSchemaErrors(validate.errors);
}
