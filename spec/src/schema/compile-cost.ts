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
 * Unit: about 25-65 µs of compiling (measured per shape: empty schema objects, objects with 15 keywords,
 * property maps, `dependentRequired`, tiny schemas). A schema costs SCHEMA_BASE_COST, plus 1 per schema object,
 * 1 per member of a schema object, 1 per entry of a map of subschemas (`properties`, `$defs`, ...), 2 per entry
 * of `dependentRequired` (and draft-07 `dependencies`) plus 1 per name it lists, and 1 per
 * PATTERN_ATOMS_PER_UNIT atoms of pattern size (pattern-size.ts) over its `pattern` values and
 * `patternProperties` names, rounded up. Counting objects alone was off by up to 15x: ajv generates code per
 * keyword, and 2,000 `dependentRequired` entries in one schema object took 0.35 s.
 */
import { patternSize } from './pattern-size.ts';
import { LIST, MAP, ONE, isSchemaObject } from './schema-work.ts';

/** Units every schema costs, whatever it holds: its ajv instance and meta-schema check (~0.4-0.6 ms). */
export const SCHEMA_BASE_COST = 16;

/** Atoms of pattern size per unit (a pattern's program costs ~1-3.5 µs per atom to compile). */
export const PATTERN_ATOMS_PER_UNIT = 16;

/** Keywords mapping property names to lists of required names (2020-12, and draft-07's spelling). */
const DEPENDENCIES = new Set(['dependentRequired', 'dependencies']);

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
      else if (MAP.has(key) && isSchemaObject(value)) {
        for (const [name, sub] of Object.entries(value)) {
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
