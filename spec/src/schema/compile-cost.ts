/**
 * What compiling a registration's capability schemas costs, counted before compiling (SPEC MAN-7), so that a relay
 * can refuse a registration too large to compile (INVALID_MANIFEST) and charge the ones it compiles to a budget
 * (RATE_LIMITED) without doing the work first.
 *
 * Why: MAN-6 bounds one schema (1,000 schema objects), but a 64 KB `register` envelope holds up to 128 schemas,
 * and each costs its own ajv instance (~0.4 ms), its code generation (25-80 µs per schema object measured on the
 * 2-core machine) and the linear-time programs of its patterns (1-3.5 µs per atom of pattern size). Measured
 * before MAN-7: one 64 KB registration of 1,000-object schemas took 0.5-0.7 s of the relay's event loop, one of
 * patterns 3.5 s, and nothing stopped an agent from sending one per second with distinct schemas.
 *
 * Unit: about 8-37 µs of compiling, V8's compiling of the generated code at the validator's first call
 * included (user-schemas.ts makes that call), on the 2-core machine (`node bench/src/registration-cost.ts`,
 * bench/HISTORY.md round 12, two runs: `oneOf` of 700 `minimum`s 30-37, `allOf` of 700 18-19, realistic tool
 * schemas 16-18, `unevaluatedProperties` 17-19, patterns 17, 700 properties 11-14, `$ref`s 12, `dependentRequired`
 * 11-16, keyword-heavy properties 8-14 µs per unit). A schema costs SCHEMA_BASE_COST, plus OBJECT_COST per
 * schema object, 1 per member of a schema object (REFERENCE_COST for a reference), 1 per entry of a map of
 * subschemas (`properties`, `$defs`, ..., the schema entries of draft-07 `dependencies`), 2 per property
 * dependency (an entry of `dependentRequired`, or a list in `dependencies`) plus 1 per name it lists, 1 per
 * PATTERN_ATOMS_PER_UNIT atoms of pattern size (pattern-size.ts) over its `pattern` values and
 * `patternProperties` names, rounded up, and the square terms below. Counting objects alone was off by up to 15x: ajv generates code per
 * keyword, and 2,000 `dependentRequired` entries in one schema object took 0.35 s. Three costs are not linear
 * in the members (bench/HISTORY.md round 12):
 * - Every schema object compiles to a nested block of its own (its work count, its error handling): 250
 *   `allOf`, `anyOf` or `oneOf` entries of one `minimum` each took 215-320 µs per entry, 2 units each at 1 per
 *   object, so a registration of twelve such schemas held the event loop ~1 s. OBJECT_COST is 8.
 * - V8 compiles a validator's code in time that grows with the square of its size (ajv nests a block per
 *   member it checks, and each variable is resolved through the blocks around it): 998 `allOf` entries of one
 *   `minimum` each took 365-433 ms, 125 of them 26 ms (210 µs per entry against 365). Every schema costs
 *   floor(n^2 / SIZE_SQUARED_DIVISOR) more, n its MAN-6 count (5,000 units at 1,000, none below 15). Round 10
 *   had measured `allOf` lists of identical empty entries, whose identical code V8 compiled once and reused.
 * - A `$ref` (or `$dynamicRef`, `$recursiveRef`) compiles to a call with its own error handling, which V8 then
 *   compiles at every place it appears: 897 `$ref`s to one definition took 0.32 s, ~0.36 ms each, against
 *   ~0.1 ms per empty property. Each costs REFERENCE_COST units. (A schema named by `$ref`s is compiled once,
 *   not copied into each: ajv's default copied it, and 499 `$ref`s to 497 properties took 26 s,
 *   user-schemas.ts.)
 * - `unevaluatedProperties` and `unevaluatedItems` make ajv track which names every subschema evaluated,
 *   merging them at each applicator and `$ref` while compiling: time up to the square of the schema's size
 *   (499 `allOf` entries of one property each: 0.42 s, against 0.05 s with `anyOf`, which merges nothing
 *   statically). Such a schema costs floor(n^2 / UNEVALUATED_DIVISOR) more.
 */
import { patternSize } from './pattern-size.ts';
import { DEPENDENCIES, LIST, ONE, dependencyCount, isSchemaObject, mapsSchemas } from './schema-work.ts';

/** Units every schema costs, whatever it holds: its ajv instance and meta-schema check (~0.4-0.6 ms). */
export const SCHEMA_BASE_COST = 16;

/** Atoms of pattern size per unit (a pattern's program costs ~1-3.5 µs per atom to compile). */
export const PATTERN_ATOMS_PER_UNIT = 16;

/** Most units one registration's schemas may cost together (SPEC MAN-7). */
export const MAX_REGISTRATION_COST = 10_000;

/** Units per schema object: each compiles to a nested block with its own work count and error handling. */
export const OBJECT_COST = 8;

/** Members naming another schema: each costs this many units, not 1 (the call and its error handling). */
export const REFERENCE_COST = 8;
const REFERENCES = new Set(['$ref', '$dynamicRef', '$recursiveRef']);

/**
 * Every schema costs floor(n * n / this) more units, n being MAN-6's count of its schema objects and property
 * dependencies: the engine's compiling of one validator grows with the square of its size.
 */
export const SIZE_SQUARED_DIVISOR = 200;

/** A schema that uses `unevaluatedProperties` or `unevaluatedItems` costs floor(n * n / this) more again. */
export const UNEVALUATED_DIVISOR = 128;

/** What counting a capability schema gives: MAN-7's units and MAN-6's size and depth. */
export interface SchemaCount {
  /** MAN-7's compile cost in units. */
  readonly units: number;
  /** MAN-6's count: schema objects and property dependencies together. */
  readonly counted: number;
  /** How deep schema objects nest (the root is 1; 0 for a value that is not an object). */
  readonly depth: number;
}

/**
 * The compile cost of one capability schema in units (module header). Walks the schema positions MAN-6 counts;
 * works on any JSON value (a schema that turns out invalid still has a cost).
 */
export function schemaCompileCost(schema: unknown): number {
  return countSchema(schema).units;
}

/** MAN-7's units and MAN-6's count and depth of one capability schema, in one walk, without compiling. */
export function countSchema(schema: unknown): SchemaCount {
  let units = 0;
  let atoms = 0;
  let counted = 0;
  let deepest = 0;
  let unevaluated = false;
  const visit = (node: unknown, depth: number): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, depth);
      return;
    }
    if (!isSchemaObject(node)) return;
    units += OBJECT_COST;
    counted += 1;
    deepest = Math.max(deepest, depth);
    for (const [key, value] of Object.entries(node)) {
      units += REFERENCES.has(key) ? REFERENCE_COST : 1;
      if (key === 'unevaluatedProperties' || key === 'unevaluatedItems') unevaluated = true;
      if (DEPENDENCIES.has(key)) counted += dependencyCount(value);
      if (key === 'pattern' && typeof value === 'string') atoms += patternSize(value);
      if (ONE.has(key) || LIST.has(key) && Array.isArray(value)) visit(value, depth + 1);
      else if (DEPENDENCIES.has(key) && isSchemaObject(value)) {
        // a list of names is a property dependency; draft-07 `dependencies` may hold schemas beside lists
        for (const sub of Object.values(value)) {
          if (Array.isArray(sub)) units += 2 + sub.length;
          else if (key === 'dependencies') {
            units += 1;
            visit(sub, depth + 1);
          } else units += 2;
        }
      } else if (mapsSchemas(key, value)) {
        for (const [name, sub] of Object.entries(value)) {
          units += 1;
          if (key === 'patternProperties') atoms += patternSize(name);
          visit(sub, depth + 1);
        }
      }
    }
  };
  visit(schema, 1);
  const squared = counted * counted;
  // rounded down: a small schema costs nothing more
  const tracking = unevaluated ? Math.floor(squared / UNEVALUATED_DIVISOR) : 0;
  const cost = SCHEMA_BASE_COST + units + Math.ceil(atoms / PATTERN_ATOMS_PER_UNIT) + Math.floor(squared / SIZE_SQUARED_DIVISOR) + tracking;
  // a relay charges this to token buckets: never NaN or Infinity, whatever text a pattern holds
  return { units: Number.isFinite(cost) ? Math.min(cost, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER, counted, depth: deepest };
}
