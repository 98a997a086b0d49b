// MAN-5's pattern size, MAN-6's count of pattern searches and depth bound for referring schemas, and MAN-7's
// compile cost: the counts at their exact boundaries, and validateRegisterBody's order of checks.
import { describe, expect, it } from 'vitest';
import { BatonError, checkValue, validateRegisterBody, type CapabilityManifest } from '@baton/spec';
import { MAX_REGISTRATION_COST, OBJECT_COST, REFERENCE_COST, schemaCompileCost } from '../src/schema/compile-cost.ts';
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
  const O = OBJECT_COST;
  it('counts 16 per schema, 8 per schema object, 1 per member and map entry, 2 + n per property dependency, 1 per 16 pattern atoms', () => {
    expect(O).toBe(8);
    expect(schemaCompileCost({})).toBe(16 + O);
    expect(schemaCompileCost({ type: 'object' })).toBe(16 + O + 1);
    // 3 objects; root 2 members + 2 properties entries; a: 2 members; b: 1 member; pattern of 64 atoms: 4
    expect(schemaCompileCost({ type: 'object', properties: { a: { type: 'string', pattern: '^[a-z]{1,64}$' }, b: { type: 'integer' } } })).toBe(16 + 3 * O + 2 + 2 + 2 + 1 + 4);
    expect(schemaCompileCost({ dependentRequired: { a: ['b', 'c'], d: [] } })).toBe(16 + O + 1 + 4 + 2);
    // draft-07 dependencies: a list counts as in dependentRequired, a schema as a dependentSchemas entry
    expect(schemaCompileCost({ dependencies: { a: ['b'], c: { type: 'string' } } })).toBe(16 + O + 1 + 3 + 1 + O + 1);
  });

  it('counts the square of the size / 200 (rounded down), 8 per reference and, with unevaluated*, the square / 128', () => {
    // 999 properties: 1,000 schema objects, 999 entries, 1 member; floor(1,000,000 / 200); nothing below 15
    const props = (n: number): Record<string, unknown> => ({ properties: Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, {}])) });
    expect(schemaCompileCost(props(999))).toBe(16 + 1000 * O + 999 + 1 + 5_000);
    expect(schemaCompileCost(props(13))).toBe(16 + 14 * O + 13 + 1);
    expect(schemaCompileCost(props(14))).toBe(16 + 15 * O + 14 + 1 + 1);
    expect(REFERENCE_COST).toBe(8);
    // root: 2 members ($defs, allOf), 1 entry; x: 1 member; 3 allOf objects of one reference each
    const refs = { $defs: { x: { type: 'string' } }, allOf: [{ $ref: '#/$defs/x' }, { $dynamicRef: '#x' }, { $recursiveRef: '#' }] };
    expect(schemaCompileCost(refs)).toBe(16 + O + 2 + 1 + O + 1 + 3 * (O + 8));
    // 897 $refs to one definition of 100 properties took 0.32-0.45 s to compile
    const many = { $defs: { o: { type: 'object', properties: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, {}])) } },
      allOf: Array.from({ length: 897 }, () => ({ $ref: '#/$defs/o' })) };
    expect(schemaCompileCost(many)).toBe(16 + O + 2 + 1 + O + 2 + 100 + 100 * O + 897 * (O + 8) + Math.floor((999 * 999) / 200));
    // 499 allOf entries of one property: 999 counted; 416-529 ms with unevaluatedProperties, 42-51 ms without
    const entries = Array.from({ length: 499 }, (_, i) => ({ properties: { [`p${i}`]: {} } }));
    const plain = schemaCompileCost({ allOf: entries });
    expect(plain).toBe(16 + O + 1 + 499 * (O + 1 + 1 + O) + Math.floor((999 * 999) / 200));
    expect(schemaCompileCost({ allOf: entries, unevaluatedProperties: false })).toBe(plain + 1 + Math.floor((999 * 999) / 128));
    // a schema object more: n = 1,000
    expect(schemaCompileCost({ allOf: entries, unevaluatedItems: { type: 'string' } }))
      .toBe(plain + 1 + O + 1 + (5_000 - Math.floor((999 * 999) / 200)) + Math.floor((1000 * 1000) / 128));
    // dependencies are in n too: n = 12 with 11 of them, 0 more below 12 (144 / 128)
    const deps = (k: number): Record<string, unknown> => ({ dependentRequired: Object.fromEntries(Array.from({ length: k }, (_, i) => [`d${i}`, ['a']])), unevaluatedProperties: false });
    expect(schemaCompileCost(deps(11)) - schemaCompileCost(deps(10))).toBe(3 + 1);
    expect(schemaCompileCost({ patternProperties: { '^x{33}$': true } })).toBe(16 + O + 1 + 1 + 3);
  });

  it('refuses a registration over 10,000 units before compiling or asking the budget, and admits one at exactly 10,000', () => {
    // one schema object of k members (a description and annotations no validator reads): 16 + 8 + k; one
    // object, so no square term (rounded down, it starts at 15)
    const members = (k: number): Record<string, unknown> => ({
      description: unique(), ...Object.fromEntries(Array.from({ length: k - 1 }, (_, i) => [`x-note-${i}`, i])),
    });
    const output = { description: unique() }; // 16 + 8 + 1 = 25
    const body = (last: number) => ({ manifests: [...Array.from({ length: 9 }, (_, i) => manifest(`c${i}`, members(975), output)), manifest('c9', members(last), output)] });
    // nine manifests of 999 + one of last + 24, and the output schema ten times (counted each time): 25 * 10
    const asked: number[] = [];
    const admit = (units: number) => { asked.push(units); return undefined; };
    const over = validateRegisterBody(body(736), 64, admit); // 8,991 + 760 + 250 = 10,001
    expect(over.ok ? 'ok' : over.message).toMatch(/10,001 units, more than 10,000/);
    expect(asked).toEqual([]);
    const exact = validateRegisterBody(body(735), 64, admit);
    expect(exact.ok).toBe(true);
    expect(asked).toEqual([8991 + 759 + 25]); // the budget pays for distinct schemas only: the output schema once
    expect(MAX_REGISTRATION_COST).toBe(10_000);
  });

  it('refuses a schema over MAN-6 by counting, before asking the budget (it would drain it for nothing)', () => {
    const asked: number[] = [];
    const admit = (units: number) => { asked.push(units); return undefined; };
    const deps = { dependentRequired: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`d${i}`, ['a']])) };
    const wide = validateRegisterBody({ manifests: [manifest('ok', { description: unique() }), manifest('deps', { description: unique() }, deps)] }, 64, admit);
    expect(wide.ok ? 'ok' : `${wide.code} ${wide.message}`).toMatch(/^INVALID_MANIFEST deps\.output_schema: .*1,000 schema objects and property dependencies/);
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 1; i < 33; i++) deep = { items: deep };
    const nested = validateRegisterBody({ manifests: [manifest('deep', deep)] }, 64, admit);
    expect(nested.ok ? 'ok' : nested.message).toMatch(/^deep\.input_schema: .*nested more than 32 deep/);
    expect(asked).toEqual([]);
  });

  it('asks the budget for the schemas not compiled yet, and passes its refusal on as RATE_LIMITED', () => {
    const known = { type: 'object', description: unique() };
    expect(validateRegisterBody({ manifests: [manifest('a', known, known)] }).ok).toBe(true);
    expect(uncompiledCost([known, structuredClone(known)])).toBe(0);
    const fresh = { type: 'object', description: unique() };
    expect(uncompiledCost([known, fresh, structuredClone(fresh)])).toBe(16 + O + 2);
    const refused = validateRegisterBody({ manifests: [manifest('a', known, fresh)] }, 64, () => ({ message: 'no', retryAfterMs: 42 }));
    expect(refused).toEqual({ ok: false, code: 'RATE_LIMITED', message: 'no', retryAfterMs: 42 });
    expect(uncompiledCost([fresh])).toBe(16 + O + 2); // refused: nothing compiled
  });
});
