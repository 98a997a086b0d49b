/**
 * `node bench/src/registration-cost.ts [runs] [shape,shape,...]`: what one registration's capability schemas cost
 * to compile (SPEC MAN-7) on this machine, on the event loop as the relay does it. For each shape, `runs`
 * (default 3) registrations with names or constants not seen before (so that neither the schema cache nor V8's
 * cache of compiled code helps) go through `validateRegisterBody`, the relay's path; then each schema validates one value
 * (the first call of a validator, where V8 compiles what ajv generated, unless compiling already did). Prints,
 * per shape, the MAN-7 units, the median milliseconds of both steps and the microseconds per unit, and writes
 * `bench/results/registration-cost.json`. Calibrates MAN-7's unit (spec/src/schema/compile-cost.ts) and
 * shows the worst stall one accepted registration can cause. Not part of `npm run bench`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { checkValue, uncompiledCost, validateRegisterBody, type CapabilityManifest } from '@baton/spec';

const runs = Number(process.argv[2] ?? 3);
const only = process.argv[3]?.split(',');

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const doc = 'A documented parameter of a tool, about two hundred characters long, as tool schemas write them: what it is, its unit and its default value, so that a model can fill it in.';

/** Registration shapes: each makes the input schemas of one registration from a prefix unique to the run. */
const SHAPES: Record<string, { what: string; make: (k: string) => Record<string, unknown>[] }> = {
  tools: {
    what: 'six tool schemas of 40 documented string properties (a realistic large registration)',
    make: (k) => range(6).map((j) => ({
      type: 'object', required: [`${k}p0`], additionalProperties: false,
      properties: Object.fromEntries(range(40).map((i) => [`${k}${j}p${i}`, { type: 'string', description: doc, maxLength: 1000 }])),
    })),
  },
  properties: {
    what: 'one schema of 700 properties with a minimum each',
    make: (k) => [{ type: 'object', properties: Object.fromEntries(range(700).map((i) => [`${k}p${i}`, { minimum: i }])) }],
  },
  allOf: {
    what: 'one allOf list of 700 schemas with a minimum each',
    // the constants differ per run: V8 reuses the compiled code of a source text it has seen
    make: (k) => [{ allOf: range(700).map((i) => ({ minimum: Number(k) * 1_000 + i })) }],
  },
  oneOf: {
    what: 'one oneOf list of 700 schemas with a minimum each',
    make: (k) => [{ oneOf: range(700).map((i) => ({ minimum: Number(k) * 1_000 + i })) }],
  },
  keywords: {
    what: 'three schemas of 95 properties with 13 keywords each',
    make: (k) => range(3).map((j) => ({
      type: 'object',
      properties: Object.fromEntries(range(95).map((i) => [`${k}${j}p${i}`, {
        type: 'string', minLength: 1, maxLength: 99, format: 'x', title: 't', default: 'd', readOnly: false, deprecated: false,
        $comment: 'c', examples: ['e'], writeOnly: false, contentMediaType: 'text/plain', const: `v${i}`,
      }])),
    })),
  },
  dependentRequired: {
    what: 'one schema of 998 dependentRequired entries',
    make: (k) => [{ dependentRequired: Object.fromEntries(range(998).map((i) => [`${k}d${i}`, ['a']])) }],
  },
  patterns: {
    what: 'three schemas of 43 properties with a pattern of size 999 each',
    make: (k) => range(3).map((j) => ({
      type: 'object',
      properties: Object.fromEntries(range(43).map((i) => [`${k}${j}p${i}`, { type: 'string', pattern: `(?:a${String.fromCharCode(98 + ((i + j) % 20))}){499}${i}` }])),
    })),
  },
  refs: {
    what: 'one schema of 400 $refs (fewer by the run number) to one definition of 100 properties',
    // the root's code holds no names: a count per run keeps V8 from reusing the previous run's compiled code
    make: (k) => [{
      $defs: { big: { type: 'object', properties: Object.fromEntries(range(100).map((i) => [`${k}p${i}`, {}])) } },
      allOf: range(400 - Number(k)).map(() => ({ $ref: '#/$defs/big' })),
    }],
  },
  unevaluated: {
    what: 'one schema of 250 allOf entries of one property each, with unevaluatedProperties',
    make: (k) => [{ allOf: range(250).map((i) => ({ properties: { [`${k}p${i}`]: {} } })), unevaluatedProperties: false }],
  },
};

const manifest = (name: string, input: Record<string, unknown>): CapabilityManifest => ({
  name, version: '1.0.0', description: 'registration-cost', input_schema: input, output_schema: { type: 'object' }, timeout_ms: 1000,
});
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row { shape: string; what: string; schemas: number; bytes: number; units: number; compileMs: number; firstMs: number; usPerUnit: number; runs: number[][] }
const rows: Row[] = [];
for (const [shape, { what, make }] of Object.entries(SHAPES)) {
  if (only !== undefined && !only.includes(shape)) continue;
  const samples: number[][] = [];
  let units = 0;
  let bytes = 0;
  let schemas = 0;
  for (let r = 0; r < runs; r++) {
    const inputs = make(`${r}`);
    const body = { manifests: inputs.map((s, i) => manifest(`cost.${shape.toLowerCase()}.${i}`, s)) };
    bytes = JSON.stringify(body).length;
    schemas = inputs.length;
    units = uncompiledCost(inputs);
    let t = performance.now();
    const checked = validateRegisterBody(body, 128);
    const compileMs = performance.now() - t;
    if (!checked.ok) throw new Error(`${shape}: ${checked.message}`);
    t = performance.now();
    for (const s of inputs) checkValue(s, {}, 'INPUT_SCHEMA_VIOLATION');
    samples.push([compileMs, performance.now() - t]);
  }
  const compileMs = median(samples.map((s) => s[0]!));
  const firstMs = median(samples.map((s) => s[1]!));
  rows.push({ shape, what, schemas, bytes, units, compileMs, firstMs, usPerUnit: (1000 * (compileMs + firstMs)) / units, runs: samples });
  console.error(`${shape}: done`);
}

console.log(`\nOne registration's schemas compiled on the event loop (median of ${runs} runs; ${cpus().length} cores, Node ${process.version})\n`);
console.log('| shape | schemas | KB | MAN-7 units | compile ms | first validation ms | µs per unit |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.shape}: ${r.what} | ${r.schemas} | ${(r.bytes / 1024).toFixed(1)} | ${r.units.toLocaleString('en-US')} | ${r.compileMs.toFixed(1)} | ${r.firstMs.toFixed(1)} | ${r.usPerUnit.toFixed(1)} |`);
}
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(new URL('../results/registration-cost.json', import.meta.url), `${JSON.stringify({
  node: process.version, cpus: cpus().length, model: cpus()[0]?.model, runs, rows,
}, null, 2)}\n`);
