/**
 * Keeps spec/ERRORS.md and the error registry (spec/src/errors/registry.ts) in sync, in both directions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BatonError, ERROR_CODES, isBatonError, isErrorCode } from '@baton/spec';

const doc = readFileSync(new URL('../ERRORS.md', import.meta.url), 'utf8');
const rows = new Map<string, { fatal: boolean; summary: string }>();
for (const match of doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (yes|no) \| [^|]+ \| (.+) \|$/gm)) {
  rows.set(match[1]!, { fatal: match[2] === 'yes', summary: match[3]!.trim() });
}

describe('error registry', () => {
  it('documents every registry code with the same fatal flag and summary', () => {
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      expect(rows.get(code), `ERRORS.md lacks ${code}`).toEqual({ fatal: info.fatal, summary: info.summary });
    }
  });

  it('has no documented code that the registry lacks', () => {
    const stale = [...rows.keys()].filter((code) => !isErrorCode(code));
    expect(stale).toEqual([]);
    expect(rows.size).toBe(Object.keys(ERROR_CODES).length);
  });

  it('uses UPPER_SNAKE codes only', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
  });

  it('recognises BatonError across package copies by name and code', () => {
    const foreign = Object.assign(new Error('x'), { name: 'BatonError', code: 'EXPIRED' });
    expect(isBatonError(foreign)).toBe(true);
    expect(isBatonError(Object.assign(new Error('x'), { name: 'BatonError', code: 'NOPE' }))).toBe(false);
    const own = new BatonError('TIMEOUT', 'late', { details: { waited_ms: 5 } });
    expect(isBatonError(own)).toBe(true);
    expect(own.code).toBe('TIMEOUT');
    expect(own.details).toEqual({ waited_ms: 5 });
  });
});
