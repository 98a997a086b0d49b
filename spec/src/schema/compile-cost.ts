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
 * Unit: about 10-65 µs of compiling, V8's compiling of the generated code at the validator's first call
 * included (user-schemas.ts makes that call), on the 2-core machine (`node bench/src/registration-cost.ts`,
 * bench/HISTORY.md round 12: realistic tool schemas 25-28, 999 empty properties 52-63, `dependentRequired`
 * 30-31, patterns 16-25, `$ref`s 36-37, keyword-heavy properties 10 µs per unit; up to ~80 loaded). A
 * schema costs SCHEMA_BASE_COST, plus 1 per schema object, 1 per member of a schema object, 1 per entry of a map
 * of subschemas (`properties`, `$defs`, ..., the schema entries of draft-07 `dependencies`), 2 per property
 * dependency (an entry of `dependentRequired`, or a list in `dependencies`) plus 1 per name it lists, and 1 per
 * PATTERN_ATOMS_PER_UNIT atoms of pattern size (pattern-size.ts) over its `pattern` values and
 * `patternProperties` names, rounded up. Counting objects alone was off by up to 15x: ajv generates code per
 * keyword, and 2,000 `dependentRequired` entries in one schema object took 0.35 s. The count is linear in the
 * schema because compiling is: a schema named by `$ref`s is compiled once, not copied into each (ajv's
 * default copied it: 499 `$ref`s to 497 properties took 26 s, user-schemas.ts).
 */
import { patternSize } from './pattern-size.ts';
import { DEPENDENCIES, LIST, ONE, isSchemaObject, mapsSchemas } from './schema-work.ts';

/** Units every schema costs, whatever it holds: its ajv instance and meta-schema check (~0.4-0.6 ms). */
export const SCHEMA_BASE_COST = 16;

/** Atoms of pattern size per unit (a pattern's program costs ~1-3.5 µs per atom to compile). */
export const PATTERN_ATOMS_PER_UNIT = 16;

/** Most units one registration's schemas may cost together (SPEC MAN-7). */
export const MAX_REGISTRATION_COST = 10_000;

/**
 * The compile cost of one capability schema in units (module header). Walks the schema positions MAN-6 counts;
 * works on any JSON value (a schema that turns out invalid still has a cost).
 */
export function schemaCompileCost(schema: unknown): number {
  let units = 0;
  let atoms = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (!isSchemaObject(node)) return;
    units += 1;
    for (const [key, value] of Object.entries(node)) {
      units += 1;
      if (key === 'pattern' && typeof value === 'string') atoms += patternSize(value);
      if (ONE.has(key) || LIST.has(key) && Array.isArray(value)) visit(value);
      else if (mapsSchemas(key, value)) {
        for (const [name, sub] of Object.entries(value)) {
          // draft-07 `dependencies` holds lists of names and schemas side by side
          if (Array.isArray(sub) && DEPENDENCIES.has(key)) {
            units += 2 + sub.length;
            continue;
          }
          units += 1;
          if (key === 'patternProperties') atoms += patternSize(name);
          visit(sub);
        }
      } else if (DEPENDENCIES.has(key) && isSchemaObject(value)) {
        for (const names of Object.values(value)) units += 2 + (Array.isArray(names) ? names.length : 0);
      }
    }
  };
  visit(schema);
  const cost = SCHEMA_BASE_COST + units + Math.ceil(atoms / PATTERN_ATOMS_PER_UNIT);
  // a relay charges this to token buckets: never NaN or Infinity, whatever text a pattern holds
  return Number.isFinite(cost) ? Math.min(cost, Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER;
}
