/**
 * A bound on the work of one validation against a capability schema (SPEC MAN-6), counted, not timed, so that
 * the verdict is the same on a fast and a slow machine.
 *
 * Why: with linear-time patterns and uniqueItems (MAN-5), JSON Schema validation is still not linear. A schema
 * whose `anyOf` branches both `$ref` the schema again evaluates it 2^depth times on nested arrays (44 bytes of
 * `[[[...]]]` took ajv 7 s on the 2-core machine), and a schema applies each of its subschemas to each value
 * of the input (2,500 `allOf` entries on a 16,000-item array: 40 million evaluations).
 *
 * Compiling is bounded too: a schema may hold at most MAX_SCHEMA_OBJECTS schema objects and property
 * dependencies together (entries of `dependentRequired`, and array-valued entries of draft-07 `dependencies`),
 * nested at most MAX_SCHEMA_DEPTH deep, and is compiled without ajv's code optimization pass, which made compiling
 * superlinear (800 `allOf` entries: 1.3 s with it, 0.15 s without; 2,500 in one 64 KB registration: 12.7 s).
 * Dependencies count because ajv's code nests one block per dependency as it nests one per property: 1,400
 * entries (about 25 KB) compiled, and then every validation against the schema overflowed the stack of V8's parser
 * (RangeError; bench/HISTORY.md round 12).
 *
 * How: every schema object of a capability schema gets a `$batonWork` keyword (weight: 1, plus 1 per 256 bytes
 * of its own non-schema members' JSON, such as a large `enum`) that ajv evaluates with the object. Each evaluation adds
 * the weight, 1 per 256 characters of a string value and 1 per 16 items of an array value, and a validation
 * that passes MAX_WORK units throws SchemaWorkExceeded (caught in user-schemas.ts).
 */
import { _, type Ajv2020, type KeywordCxt } from 'ajv/dist/2020.js';

/** Units of work one validation may use (SPEC MAN-6). */
export const MAX_WORK = 200_000;

/**
 * Schema objects and property dependencies one capability schema may hold together, and how deep schema objects
 * may nest (SPEC MAN-6).
 */
export const MAX_SCHEMA_OBJECTS = 1_000;
export const MAX_SCHEMA_DEPTH = 32;

/** The keyword added to every schema object. */
export const WORK_KEYWORD = '$batonWork';

/** Thrown by a validation that used more than MAX_WORK units. */
export class SchemaWorkExceeded extends Error {}

/** The counter the generated code calls; one validation runs at a time (validation is synchronous). */
const counter = {
  used: 0,
  add(weight: number, data: unknown): void {
    this.used += weight + (typeof data === 'string' ? data.length >> 8 : Array.isArray(data) ? data.length >> 4 : 0);
    if (this.used > MAX_WORK) throw new SchemaWorkExceeded();
  },
};

/**
 * Adds `units` of work to the current validation (a pattern search, linear-regexp.ts).
 * @throws SchemaWorkExceeded past MAX_WORK (nothing runs after the throw).
 */
export function chargeWork(units: number): void {
  counter.add(units, undefined);
}

/** Starts counting a new validation. */
export function resetWork(): void {
  counter.used = 0;
}

// Keywords whose value is one schema, a map of names to schemas, or an array of schemas (draft 2020-12 and the
// draft-07 spellings ajv also reads): the schema positions MAN-6 counts, also walked by compile-cost.ts.
/** Keywords whose value is one schema. */
export const ONE = new Set(['additionalProperties', 'additionalItems', 'contains', 'propertyNames', 'not', 'if', 'then', 'else', 'unevaluatedItems', 'unevaluatedProperties', 'items']);
/** Keywords whose value maps names to schemas. */
export const MAP = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is an array of schemas. */
export const LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

/** Whether `value` is a JSON object (a schema object where a schema is expected). */
export function isSchemaObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A schema with WORK_KEYWORD added, how many schema objects and property dependencies it holds (MAN-6 counts them
 * together), how deep they nest, and whether it refers.
 */
export interface Instrumented {
  readonly schema: unknown;
  /** Schema objects plus entries of `dependentRequired` and array-valued entries of `dependencies`. */
  readonly objects: number;
  readonly depth: number;
  /** Whether a schema object uses `$ref`, `$dynamicRef` or `$recursiveRef` (validation may then recurse with the value). */
  readonly refers: boolean;
  /** Whether a schema object uses `unevaluatedProperties` or `unevaluatedItems`. */
  readonly unevaluated: boolean;
}

/** How deep a value may nest when checked against a schema that refers (SPEC MAN-6). */
export const MAX_VALUE_DEPTH = 256;

const REFS = new Set(['$ref', '$dynamicRef', '$recursiveRef']);

/** Keywords mapping property names to lists of required names: 2020-12's, and draft-07's spelling. */
export const DEPENDENCIES = new Set(['dependentRequired', 'dependencies']);

/** The property dependencies (entries with a list of names) of a DEPENDENCIES keyword's value. */
export function dependencyCount(value: unknown): number {
  return isSchemaObject(value) ? Object.values(value).filter((v) => Array.isArray(v)).length : 0;
}

/**
 * Whether `value`, found under `key` in a schema object, maps names to subschemas: a MAP keyword, or draft-07
 * `dependencies`, whose entries are lists of names or schemas (ajv's 2020-12 validator reads it; the 2020-12
 * meta-schema allows both), so that its schema entries are schema positions like those of `dependentSchemas`.
 */
export function mapsSchemas(key: string, value: unknown): value is Record<string, unknown> {
  return (MAP.has(key) || key === 'dependencies') && isSchemaObject(value);
}

/** Whether `value` nests arrays and objects more than `max` levels deep (the value itself is level 1); iterative. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * A copy of `schema` with WORK_KEYWORD on every schema object (JSON pointers into it stay valid: members are
 * only added). Values that are not schemas (`const`, `enum`, `default`, `examples`, unknown keywords) are kept
 * as they are and count towards the weight of the object holding them.
 */
export function withWork(schema: unknown): Instrumented {
  let objects = 0;
  let deepest = 0;
  let refers = false;
  let unevaluated = false;
  const visit = (node: unknown, depth: number): unknown => {
    if (!isSchemaObject(node)) return Array.isArray(node) ? node.map((n) => visit(n, depth)) : node;
    objects += 1;
    deepest = Math.max(deepest, depth);
    for (const ref of REFS) if (ref in node) refers = true;
    if ('unevaluatedProperties' in node || 'unevaluatedItems' in node) unevaluated = true;
    // past the limits the schema is refused: stop copying (the counts only need to show it is over)
    if (objects > MAX_SCHEMA_OBJECTS || depth > MAX_SCHEMA_DEPTH) return node;
    const out: Record<string, unknown> = {};
    let own = 0;
    for (const [key, value] of Object.entries(node)) {
      if (DEPENDENCIES.has(key)) objects += dependencyCount(value);
      if (ONE.has(key) || LIST.has(key) && Array.isArray(value)) out[key] = visit(value, depth + 1);
      // a list of names under `dependencies` is not a schema: visit() keeps arrays of strings as they are
      else if (mapsSchemas(key, value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v, depth + 1)]));
      else {
        out[key] = value;
        own += JSON.stringify(value).length;
      }
    }
    out[WORK_KEYWORD] = 1 + Math.floor(own / 256);
    return out;
  };
  const copy = visit(schema, 1);
  return { schema: copy, objects, depth: deepest, refers, unevaluated };
}

/** Teaches `ajv` WORK_KEYWORD: generated code that adds to the counter (no function call per keyword by ajv). */
export function useWorkBudget(ajv: Ajv2020): void {
  ajv.addKeyword({
    keyword: WORK_KEYWORD,
    schemaType: 'number',
    code(cxt: KeywordCxt) {
      const ref = cxt.gen.scopeValue('func', { ref: counter });
      cxt.gen.code(_`${ref}.add(${cxt.schema as number}, ${cxt.data})`);
    },
  });
}
