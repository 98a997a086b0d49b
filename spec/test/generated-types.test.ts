/**
 * Fails while spec/src/generated/types.ts is stale, i.e. differs from what `npm run gen` renders from
 * spec/schemas (the schemas are the source of truth for the TypeScript types).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { outFile, renderTypes } from '../scripts/gen-types.ts';

it('generated types are up to date with the JSON Schemas', async () => {
  expect(readFileSync(outFile, 'utf8')).toBe(await renderTypes());
}, 60_000);
