/**
 * MAN-6's work bounds on capability schemas: size and depth limits at registration, and the counted budget of
 * one check (SCHEMA_TOO_COMPLEX), exactly at its boundary, without changing verdicts below it.
 */
import { describe, expect, it } from 'vitest';
import { isBatonError } from '../src/errors/baton-error.ts';
import { MAX_SCHEMA_DEPTH, MAX_SCHEMA_OBJECTS, MAX_WORK } from '../src/schema/schema-work.ts';
import { checkJsonSchema, checkValue, validateAgainstSchema, validatorSource } from '../src/schema/user-schemas.ts';

// both anyOf branches evaluate the whole schema again on each item: 2^depth evaluations on [[[...]]]
const EXPONENTIAL = {
  $defs: { n: { anyOf: [{ allOf: [{ items: { $ref: '#/$defs/n' } }, { minItems: 2 }] }, { allOf: [{ items: { $ref: '#/$defs/n' } }, { minItems: 3 }] }] } },
  $ref: '#/$defs/n',
};
const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

function chain(depth: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'number' };
  for (let i = 1; i < depth; i++) schema = { items: schema };
  return schema;
}

describe('work bounds (MAN-6)', () => {
  it('refuses a check that needs exponential work with SCHEMA_TOO_COMPLEX, and answers a small one', () => {
    // 44 bytes of input: ajv alone took 7 s at depth 22 and doubles per level; depth 60 would never end
    expect(checkValue(EXPONENTIAL, nested(60), 'INPUT_SCHEMA_VIOLATION')).toEqual({
      code: 'SCHEMA_TOO_COMPLEX', message: expect.stringContaining('MAN-6') as unknown as string,
    });
    let thrown: unknown;
    try {
      validateAgainstSchema(EXPONENTIAL, nested(60));
    } catch (error) {
      thrown = error;
    }
    expect(isBatonError(thrown) && thrown.code).toBe('SCHEMA_TOO_COMPLEX');
    expect(checkValue(EXPONENTIAL, nested(6), 'INPUT_SCHEMA_VIOLATION')).toEqual({
      code: 'INPUT_SCHEMA_VIOLATION', message: expect.stringMatching(/fewer than 2 items/) as unknown as string,
    });
  });

  it('counts units, not time: the same check passes or fails at the same size on any machine', () => {
    // root (1) + 1 per 16 items of the array + 1 per item: 180,000 items use 191,251 units, 190,000 use 201,876
    const schema = { type: 'array', items: { type: 'number' } };
    expect(MAX_WORK).toBe(200_000);
    expect(checkValue(schema, new Array<number>(180_000).fill(1), 'INPUT_SCHEMA_VIOLATION')).toBeNull();
    expect(checkValue(schema, new Array<number>(190_000).fill(1), 'INPUT_SCHEMA_VIOLATION')?.code).toBe('SCHEMA_TOO_COMPLEX');
    // strings count 1 per 256 characters: 200,000 units of text in one string
    expect(checkValue({ type: 'string' }, 'x'.repeat(256 * 200_000), 'INPUT_SCHEMA_VIOLATION')?.code).toBe('SCHEMA_TOO_COMPLEX');
    expect(checkValue({ type: 'string' }, 'x'.repeat(256 * 199_000), 'INPUT_SCHEMA_VIOLATION')).toBeNull();
  });

  it('passes an input of a realistic tool schema with a discriminated union of 10 kinds on 2,000 items', () => {
    const union = {
      type: 'array',
      items: { anyOf: Array.from({ length: 10 }, (_, j) => ({ type: 'object', required: ['kind'], properties: { kind: { const: `k${j}` }, a: { type: 'string' }, b: { type: 'number' } } })) },
    };
    expect(checkValue(union, Array.from({ length: 2000 }, (_, i) => ({ kind: 'k9', a: 'x', b: i })), 'INPUT_SCHEMA_VIOLATION')).toBeNull();
  });

  it('refuses schemas over 1,000 schema objects or 32 levels, and accepts them at the limits', () => {
    expect([MAX_SCHEMA_OBJECTS, MAX_SCHEMA_DEPTH]).toEqual([1000, 32]);
    // the root and 999 properties: 1,000 objects; one more property: 1,001
    const props = (n: number): Record<string, unknown> => ({ properties: Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { type: 'string' }])) });
    expect(checkJsonSchema(props(999))).toBeNull();
    expect(checkJsonSchema(props(1000))).toMatch(/more than 1,000 schema objects .*MAN-6/);
    // $defs count too, also when nothing refers to them
    expect(checkJsonSchema({ $defs: props(1000).properties as Record<string, unknown> })).toMatch(/MAN-6/);
    expect(checkJsonSchema(chain(32))).toBeNull();
    expect(checkJsonSchema(chain(33))).toMatch(/nested more than 32 deep/);
  });

  it('counts property dependencies with the schema objects, and the schemas of draft-07 dependencies as schema objects', () => {
    const deps = (n: number, key = 'dependentRequired'): Record<string, unknown> => ({
      [key]: Object.fromEntries(Array.from({ length: n }, (_, i) => [`d${i}`, ['a']])),
    });
    // the root and 999 dependencies: 1,000; ajv nests one block per dependency, and 1,400 of them compiled but
    // overflowed V8's parser at every validation (a RangeError, answered INTERNAL_ERROR by a relay)
    expect(checkJsonSchema(deps(999))).toBeNull();
    expect(validateAgainstSchema(deps(999), { d998: 1 })).toMatch(/must have property a when property d998 is present/);
    expect(checkJsonSchema(deps(1000))).toMatch(/more than 1,000 schema objects and property dependencies .*MAN-6/);
    expect(checkJsonSchema(deps(1000, 'dependencies'))).toMatch(/MAN-6/);
    // counted together: the root, 500 properties and 499 or 500 dependencies
    const properties = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`p${i}`, {}]));
    expect(checkJsonSchema({ ...deps(499), properties })).toBeNull();
    expect(checkJsonSchema({ ...deps(500), properties })).toMatch(/MAN-6/);
    // schemas under `dependencies` are schema positions: counted, and their work counted
    const big = { properties: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p${i}`, {}])) };
    expect(checkJsonSchema({ dependencies: { a: big } })).toMatch(/MAN-6/);
    // 190,000 evaluations of {} and 11,875 for the array's length: over 200,000 when `a` is present
    const items = { dependencies: { a: { properties: { b: { items: {} } } } } };
    expect(checkValue(items, { a: 1, b: new Array(190_000).fill(0) }, 'INPUT_SCHEMA_VIOLATION')?.code).toBe('SCHEMA_TOO_COMPLEX');
    expect(checkValue(items, { b: new Array(190_000).fill(0) }, 'INPUT_SCHEMA_VIOLATION')).toBeNull();
  });

  it('compiles a schema a $ref names once, not into every $ref (499 $refs to 497 properties compiled for 26 s)', () => {
    const refs = (n: number, props: number): Record<string, unknown> => ({
      $defs: { big: { type: 'object', properties: Object.fromEntries(Array.from({ length: props }, (_, i) => [`p${i}`, { type: 'string' }])) } },
      allOf: Array.from({ length: n }, () => ({ $ref: '#/$defs/big' })),
    });
    const small = refs(2, 200);
    const large = refs(200, 200);
    // copied into each $ref, the code grows with refs x properties: 200 x 200 x (at least 60 bytes) = 2.4 MB
    expect(validatorSource(large).length).toBeLessThan(validatorSource(small).length + 200 * 1_000);
    expect(validateAgainstSchema(large, { p0: 'x', p199: 'y' })).toBeNull();
    expect(validateAgainstSchema(large, { p199: 1 })).toMatch(/p199.*must be string/);
  });

  it('tracks evaluated properties and items where unevaluatedProperties or unevaluatedItems reads them', () => {
    const props = { $defs: { a: { properties: { x: {} } } }, $ref: '#/$defs/a', unevaluatedProperties: false };
    expect(validateAgainstSchema(props, { x: 1 })).toBeNull();
    expect(validateAgainstSchema(props, { x: 1, y: 2 })).toMatch(/unevaluated properties/);
    const items = { allOf: [{ $ref: '#/$defs/two' }], $defs: { two: { prefixItems: [{}, {}] } }, unevaluatedItems: false };
    expect(validateAgainstSchema(items, [1, 2])).toBeNull();
    expect(validateAgainstSchema(items, [1, 2, 3])).toMatch(/must NOT have more than 2 items/);
    // nested: the keyword below the root still sees what its own subschemas evaluated
    const nestedProps = { $defs: props.$defs, properties: { o: { $ref: '#/$defs/a', unevaluatedProperties: false } } };
    expect(validateAgainstSchema(nestedProps, { o: { x: 1, y: 2 } })).toMatch(/unevaluated properties/);
  });

  it('leaves values that are not schemas alone (const and enum are compared as given)', () => {
    const schema = { const: { properties: { a: { type: 'string' } }, items: [1] }, enum: [{ properties: { a: { type: 'string' } }, items: [1] }] };
    expect(validateAgainstSchema(schema, { properties: { a: { type: 'string' } }, items: [1] })).toBeNull();
    expect(validateAgainstSchema(schema, { properties: { a: { type: 'string', $batonWork: 1 } }, items: [1] })).toMatch(/constant/);
  });
});
