/**
 * Unit tests for key files, user-supplied JSON Schemas (capability input/output), register bodies, targets
 * and safe JSON parsing.
 */
import { describe, expect, it } from 'vitest';
import {
  checkJsonSchema, decodeKeyFile, encodeKeyFile, generateKeyPair, parseJson, parseTarget, validateAgainstSchema,
  validateRegisterBody, isBatonError,
} from '@baton/spec';

const codeOf = (fn: () => unknown): string | undefined => {
  try { fn(); } catch (error) { return isBatonError(error) ? error.code : 'not a BatonError'; }
  return undefined;
};

describe('key files', () => {
  it('round-trips and rejects inconsistent files', () => {
    const key = generateKeyPair();
    const text = encodeKeyFile(key);
    const back = decodeKeyFile(text);
    expect(back.did).toBe(key.did);
    expect(back.secretKey).toEqual(key.secretKey);
    const other = generateKeyPair();
    const mixed = JSON.stringify({ ...JSON.parse(text), did: other.did });
    expect(codeOf(() => decodeKeyFile(mixed))).toBe('INVALID_IDENTITY');
    expect(codeOf(() => decodeKeyFile('not json'))).toBe('INVALID_IDENTITY');
    expect(codeOf(() => decodeKeyFile('{"secret_key":"AAAA"}'))).toBe('INVALID_IDENTITY');
  });
});

describe('user JSON Schemas', () => {
  const schema = { type: 'object', required: ['text'], properties: { text: { type: 'string', maxLength: 5 } }, additionalProperties: false };
  it('validates values and names the failing member', () => {
    expect(validateAgainstSchema(schema, { text: 'abc' })).toBeNull();
    expect(validateAgainstSchema(schema, { text: 'abcdef' })).toMatch(/\/text/);
    expect(validateAgainstSchema(schema, { other: 1 })).toMatch(/required|text/);
  });
  it('reports invalid schemas instead of throwing', () => {
    expect(checkJsonSchema({ type: 'no-such-type' })).toMatch(/invalid JSON Schema/);
    expect(checkJsonSchema({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' })).toMatch(/invalid JSON Schema/);
    expect(checkJsonSchema(schema)).toBeNull();
  });
  it('tolerates two schemas with the same $id', () => {
    expect(validateAgainstSchema({ $id: 'https://example.com/s.json', type: 'string' }, 'a')).toBeNull();
    expect(validateAgainstSchema({ $id: 'https://example.com/s.json', type: 'number' }, 'a')).not.toBeNull();
  });
});

describe('register bodies', () => {
  const manifest = { name: 'echo', version: '1.0.0', description: 'Echoes.', input_schema: {}, output_schema: {}, timeout_ms: 1000 };
  it('accepts valid manifests and rejects duplicates, bad schemas and too many', () => {
    expect(validateRegisterBody({ manifests: [manifest] }).ok).toBe(true);
    const dup = validateRegisterBody({ manifests: [manifest, manifest] });
    expect(dup.ok ? 'ok' : dup.code).toBe('INVALID_MANIFEST');
    const bad = validateRegisterBody({ manifests: [{ ...manifest, input_schema: { type: 'nope' } }] });
    expect(bad.ok ? 'ok' : bad.message).toMatch(/echo\.input_schema/);
    const many = validateRegisterBody({ manifests: [manifest, { ...manifest, name: 'echo2' }] }, 1);
    expect(many.ok ? 'ok' : many.code).toBe('INVALID_MANIFEST');
    const version = validateRegisterBody({ manifests: [{ ...manifest, version: 'v1' }] });
    expect(version.ok ? 'ok' : version.code).toBe('INVALID_MANIFEST');
  });
});

describe('targets and JSON parsing', () => {
  it('classifies to values', () => {
    expect(parseTarget('cap:summarize.text')).toEqual({ kind: 'capability', name: 'summarize.text' });
    expect(parseTarget('cap:Bad')).toEqual({ kind: 'invalid' });
    expect(parseTarget('did:key:z6Mkabc').kind).toBe('agent');
  });
  it('rejects prototype poisoning with MALFORMED_FRAME', () => {
    expect(codeOf(() => parseJson('{"a":{"__proto__":{"x":1}}}'))).toBe('MALFORMED_FRAME');
    expect(codeOf(() => parseJson('{"a":'))).toBe('MALFORMED_FRAME');
    expect(parseJson('{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
  });
});
