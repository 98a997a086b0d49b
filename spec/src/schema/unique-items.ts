/**
 * JSON Schema's `uniqueItems` in time linear in the array's size, for capability schemas (SPEC MAN-5): items are
 * compared by their RFC 8785 canonical form, which is equal exactly when JSON Schema calls two values equal
 * (same numbers however written, same members in any order).
 *
 * Why: ajv compares every pair of items unless the schema pins them to one scalar type, so an input array of
 * 8,000 small objects (183 KB) took 8.7 s, and of 2,000 (45 KB, inside one envelope) 0.5 s, on the 2-core machine;
 * a relay validates request input against a schema written by another agent (TSK-10).
 */
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { canonicalize } from '../json/canonicalize.ts';

/** Whether every item of `items` differs from the others (JSON Schema 2020-12 validation §6.4.3). */
export function allDistinct(items: readonly unknown[]): boolean {
  const seen = new Set<string>();
  for (const item of items) {
    const key = typeof item === 'string' ? `s${item}` : canonicalize(item);
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

/** Replaces ajv's `uniqueItems` on `ajv` with `allDistinct`. */
export function useLinearUniqueItems(ajv: Ajv2020): void {
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({
    keyword: 'uniqueItems',
    type: 'array',
    schemaType: 'boolean',
    errors: false,
    error: { message: 'must NOT have duplicate items' },
    validate: (schema: boolean, data: unknown[]) => !schema || allDistinct(data),
  });
}
