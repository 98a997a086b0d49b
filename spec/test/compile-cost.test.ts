// MAN-5's pattern size, MAN-6's count of pattern searches and depth bound for referring schemas, and MAN-7's
// compile cost: the counts at their exact boundaries, and validateRegisterBody's order of checks.
import { describe, expect, it } from 'vitest';
import { BatonError, checkValue, validateRegisterBody, type CapabilityManifest } from '@baton/spec';
import { MAX_REGISTRATION_COST, schemaCompileCost } from '../src/schema/compile-cost.ts';
import { patternSize } from '../src/schema/pattern-size.ts';
import { uncompiledCost, validateAgainstSchema } from '../src/schema/user-schemas.ts';

let nonce = 0;
const unique = (): string => `${process.pid}-${nonce++}`;
const manifest = (name: string, input: Record<string, unknown>, output: Record<string, unknown> = { description: unique() }): CapabilityManifest => ({
  name, version: '1.0.0', description: 'test', input_schema: input, output_schema: output, timeout_ms: 1000,
});

describe('pattern size (MAN-5)', () => {
  it('writes counted repetitions out, adds up sequences, alternatives and groups, and counts assertions as 0', () => {
    const sizes: [string, number][] = [
      ['(?:ab){1000}', 2000], ['^[a-z0-9]{1,64}$', 64], ['(?:a|bc){10}', 30], ['😀{3}', 3], ['a*b+c?', 3], ['x{2,}', 2],
      ['x{0,}', 1], ['[\\]a]{5}', 5], ['\\u{1F600}\\ud83d\\ude00', 2], ['\\bfoo\\B', 3], ['(?:a{10}){100}', 1000],
      ['a{3}?', 3], ['((a)|b)c', 3], ['\\p{L}{400}', 400], ['(?<year>\\d{4})', 4],
    ];
    for (const [pattern, size] of sizes) expect(patternSize(pattern), pattern).toBe(size);
  });
  it('gives a finite size for any text, so that a cost charged to a budget is never NaN', () => {
    // not valid ECMA-262 (nothing to repeat): refused at compile, but counted first; 20 counts of 1e20 made the
    // last item's size Infinity, and the final `*` added Infinity * 0 = NaN, which would poison a token bucket
    const stacked = `x${'{99999999999999999999}'.repeat(20)}*`;
    expect(patternSize(stacked)).toBe(Number.MAX_SAFE_INTEGER);
    const cost = schemaCompileCost({ pattern: stacked });
    expect(Number.isFinite(cost) && cost > MAX_REGISTRATION_COST).toBe(true);
  });
});

describe('searches count as work (MAN-6)', () => {
  // size 1,000: a search of n characters costs ceil(1000 * (n + 1) / 4) units, plus the object's 1 and n / 256
  const schema = { type: 'string', pattern: '[a-z]{1000}' };
  it('checks a string whose search fits in 200,000 units and refuses one that does not, before searching', () => {
    expect(checkValue(schema, 'a'.repeat(795), 'INPUT_SCHEMA_VIOLATION')?.code).toBe('INPUT_SCHEMA_VIOLATION'); // 199,004
    expect(checkValue(schema, 'a'.repeat(799), 'INPUT_SCHEMA_VIOLATION')?.code).toBe('SCHEMA_TOO_COMPLEX'); // 200,004
    expect(checkValue({ type: 'string', pattern: '\\S' }, ' '.repeat(60_000), 'INPUT_SCHEMA_VIOLATION')?.code).toBe('INPUT_SCHEMA_VIOLATION');
  });
  it('refuses a value nested more than 256 deep against a schema that refers, and only then', () => {
    const refers = { $defs: { a: { type: 'array', items: { $ref: '#/$defs/a' } } }, $ref: '#/$defs/a' };
    const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    expect(validateAgainstSchema(refers, nested(256))).toBeNull();
    expect(() => validateAgainstSchema(refers, nested(257))).toThrowError(BatonError);
    expect(checkValue(refers, nested(5000), 'INPUT_SCHEMA_VIOLATION')?.code).toBe('SCHEMA_TOO_COMPLEX'); // was a RangeError
    expect(validateAgainstSchema({ type: 'array' }, nested(5000))).toBeNull();
  });
});

describe('compile cost (MAN-7)', () => {
  it('counts 16 per schema, 1 per schema object, member and map entry, 2 + n per property dependency, 1 per 16 pattern atoms', () => {
    expect(schemaCompileCost({})).toBe(17);
    expect(schemaCompileCost({ type: 'object' })).toBe(18);
    // root (1) + 2 members + 2 properties entries + a: 1 object, 2 members + b: 1 object, 1 member + pattern 64 atoms (4)
    expect(schemaCompileCost({ type: 'object', properties: { a: { type: 'string', pattern: '^[a-z]{1,64}$' }, b: { type: 'integer' } } })).toBe(16 + 3 + 2 + 3 + 2 + 4);
    expect(schemaCompileCost({ dependentRequired: { a: ['b', 'c'], d: [] } })).toBe(16 + 1 + 1 + 4 + 2);
    // draft-07 dependencies: a list counts as in dependentRequired, a schema as a dependentSchemas entry
    expect(schemaCompileCost({ dependencies: { a: ['b'], c: { type: 'string' } } })).toBe(16 + 1 + 1 + 3 + 1 + 2);
    expect(schemaCompileCost({ patternProperties: { '^x{33}$': true } })).toBe(16 + 1 + 1 + 1 + 3);
  });

  it('refuses a registration over 10,000 units before compiling or asking the budget, and admits one at exactly 10,000', () => {
    // allOf of k empty schemas with a description: 16 + (k + 1) objects + 2 members = k + 19
    const allOf = (k: number): Record<string, unknown> => ({ allOf: Array.from({ length: k }, () => ({})), description: unique() });
    const output = { description: unique() }; // 16 + 1 + 1 = 18
    const body = (last: number) => ({ manifests: [...Array.from({ length: 9 }, (_, i) => manifest(`c${i}`, allOf(980), output)), manifest('c9', allOf(last), output)] });
    // nine manifests of 999 + one of last + 19, and the output schema ten times (counted each time): 18 * 10
    const asked: number[] = [];
    const admit = (units: number) => { asked.push(units); return undefined; };
    const over = validateRegisterBody(body(811), 64, admit); // 8,991 + 830 + 180 = 10,001
    expect(over.ok ? 'ok' : over.message).toMatch(/10,001 units, more than 10,000/);
    expect(asked).toEqual([]);
    const exact = validateRegisterBody(body(810), 64, admit);
    expect(exact.ok).toBe(true);
    expect(asked).toEqual([8991 + 829 + 18]); // the budget pays for distinct schemas only: the output schema once
    expect(MAX_REGISTRATION_COST).toBe(10_000);
  });

  it('asks the budget for the schemas not compiled yet, and passes its refusal on as RATE_LIMITED', () => {
    const known = { type: 'object', description: unique() };
    expect(validateRegisterBody({ manifests: [manifest('a', known, known)] }).ok).toBe(true);
    expect(uncompiledCost([known, structuredClone(known)])).toBe(0);
    const fresh = { type: 'object', description: unique() };
    expect(uncompiledCost([known, fresh, structuredClone(fresh)])).toBe(19);
    const refused = validateRegisterBody({ manifests: [manifest('a', known, fresh)] }, 64, () => ({ message: 'no', retryAfterMs: 42 }));
    expect(refused).toEqual({ ok: false, code: 'RATE_LIMITED', message: 'no', retryAfterMs: 42 });
    expect(uncompiledCost([fresh])).toBe(19); // refused: nothing compiled
  });
});
