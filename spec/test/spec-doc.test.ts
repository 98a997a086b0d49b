/**
 * Keeps SPEC.md honest: requirement IDs are unique and well-formed, the worked example equals the vector it
 * is generated from, and every JSON Schema compiles under ajv strict mode.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PROTOCOL_SCHEMAS } from '@baton/spec';
import { specFile, specWithExample } from '../scripts/worked-example.ts';

const spec = readFileSync(specFile, 'utf8');

describe('SPEC.md', () => {
  it('defines every requirement ID exactly once', () => {
    const ids = [...spec.matchAll(/\*\*\[([A-Z]{2,4}-\d+)\]\*\*/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(50);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(dupes).toEqual([]);
  });

  it('uses only defined requirement IDs in cross-references', () => {
    const defined = new Set([...spec.matchAll(/\*\*\[([A-Z]{2,4}-\d+)\]\*\*/g)].map((m) => m[1]!));
    const cited = [...spec.matchAll(/\b((?:ENC|ID|CAN|ENV|TYP|SIG|CON|MAN|DIS|RTE|ACK|RPL|ERR|LIM|VER|ADM|DLV|MBX|FLW|DLQ|HTA|TSK)-\d+)\b/g)].map((m) => m[1]!);
    expect(cited.filter((id) => !defined.has(id))).toEqual([]);
  });

  it('has an up-to-date worked example (run spec/scripts/worked-example.ts)', () => {
    expect(spec).toBe(specWithExample(spec));
  });
});

describe('JSON Schemas', () => {
  it('all compile under ajv strict mode, draft 2020-12', () => {
    const ajv = new Ajv2020({ strict: true });
    for (const schema of Object.values(PROTOCOL_SCHEMAS)) ajv.addSchema(schema as object);
    for (const [name, schema] of Object.entries(PROTOCOL_SCHEMAS)) {
      expect(() => ajv.getSchema((schema as { $id: string }).$id), name).not.toThrow();
      expect((schema as { $schema: string }).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });
});
