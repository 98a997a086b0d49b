/**
 * The compiled-schema cache of user-schemas.ts: per object and per content, least recently used entries
 * evicted past MAX_CACHED, and the same verdicts and messages as compiling each schema on its own instance.
 */
import { describe, expect, it } from 'vitest';
import { MAX_CACHED, checkJsonSchema, validateAgainstSchema } from '../src/schema/user-schemas.ts';

describe('user schema cache', () => {
  it('gives an equal schema in another object the same verdicts', () => {
    const a = { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] };
    const b = structuredClone(a);
    for (const value of [{ n: 1 }, { n: 0 }, {}, { n: 'x' }]) {
      expect(validateAgainstSchema(b, value)).toBe(validateAgainstSchema(a, value));
    }
    expect(validateAgainstSchema(a, { n: 0 })).toMatch(/\/n/);
  });

  it('compiles a schema object once: a change to it is seen only once its entry was evicted', () => {
    const schema: Record<string, unknown> = { type: 'string', description: 'cache-identity-test' };
    expect(validateAgainstSchema(schema, 'a')).toBeNull();
    schema.type = 'number';
    // the documented contract: the object is treated as immutable once passed
    expect(validateAgainstSchema(schema, 'a')).toBeNull();
    // a new object with the changed content is compiled on its own
    expect(validateAgainstSchema({ ...schema }, 'a')).toMatch(/number/);
    // MAX_CACHED other schemas push the entry out; the object is then canonicalized again, as changed
    for (let i = 0; i < MAX_CACHED; i++) expect(checkJsonSchema({ type: 'string', minLength: i })).toBeNull();
    expect(validateAgainstSchema(schema, 'a')).toMatch(/number/);
  });

  it('keeps a schema in use while others come and go (least recently used eviction, not a clear)', () => {
    const hot: Record<string, unknown> = { type: 'boolean', description: 'cache-hot-test' };
    expect(validateAgainstSchema(hot, true)).toBeNull();
    hot.type = 'string';
    for (let i = 0; i < MAX_CACHED * 2; i++) {
      expect(checkJsonSchema({ type: 'integer', maximum: i })).toBeNull();
      // used between the others, so never the least recently used: its first compilation stays
      expect(validateAgainstSchema(hot, true)).toBeNull();
    }
  });

  it('rejects schemas that fail the meta-schema or fail to compile, with the reason', () => {
    expect(checkJsonSchema({ type: 'object', required: 'text' })).toMatch(/^invalid JSON Schema: schema is invalid: .*required/);
    expect(checkJsonSchema({ $schema: 'https://example.com/unknown-meta', type: 'object' })).toMatch(/^invalid JSON Schema: .*unknown-meta/);
    // valid against the meta-schema (formats are not checked), rejected when compiled
    expect(checkJsonSchema({ type: 'string', pattern: '(' })).toMatch(/^invalid JSON Schema: .*\(/);
    expect(checkJsonSchema({ $ref: 'https://example.com/elsewhere.json' })).toMatch(/^invalid JSON Schema: .*elsewhere/);
    expect(validateAgainstSchema({ type: 'string', pattern: '(' }, 'x')).toMatch(/^invalid JSON Schema/);
  });

  it('takes a boolean schema from a JavaScript caller without throwing', () => {
    const asAny = validateAgainstSchema as (schema: unknown, value: unknown) => string | null;
    expect(asAny(true, 1)).toBeNull();
    expect(asAny(false, 1)).not.toBeNull();
  });

  it('compiles schemas that name or reference the draft 2020-12 meta-schema', () => {
    const meta = 'https://json-schema.org/draft/2020-12/schema';
    expect(validateAgainstSchema({ $schema: meta, type: 'string' }, 'a')).toBeNull();
    const schemaOfSchemas = { type: 'object', properties: { schema: { $ref: meta } } };
    expect(validateAgainstSchema(schemaOfSchemas, { schema: { type: 'string' } })).toBeNull();
    expect(validateAgainstSchema(schemaOfSchemas, { schema: { type: 7 } })).toMatch(/\/schema/);
  });
});
