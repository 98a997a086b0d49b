// Coverage of SPEC.md: every MUST requirement is checked by a relay-mode case or listed, with a reason, in
// src/not-testable.ts; cases cite only existing requirement IDs; case ids are unique.
import { describe, expect, it } from 'vitest';
import { relayCases } from '../src/cases/index.ts';
import { NOT_TESTABLE_IN_RELAY_MODE } from '../src/not-testable.ts';
import { levelOf, loadRequirements, parseRequirements } from '../src/requirements.ts';

const requirements = loadRequirements();
const ids = new Set(requirements.map((r) => r.id));
const covered = new Set(relayCases.flatMap((c) => c.requirements));

describe('requirement registry and coverage', () => {
  it('parses SPEC.md requirement ids and levels', () => {
    expect(requirements.length).toBeGreaterThan(50);
    expect(requirements.find((r) => r.id === 'SIG-3')?.level).toBe('MUST');
    expect(requirements.find((r) => r.id === 'CON-1')?.level).toBe('SHOULD');
    expect(requirements.find((r) => r.id === 'CON-9')?.level).toBe('MAY');
    expect(levelOf('it must be')).toBe('INFO');
    expect(parseRequirements('## 1. A\n- **[X-1]** one\n  MUST two\n- **[X-2]** MAY three\n').map((r) => [r.id, r.level, r.section])).toEqual([['X-1', 'MUST', '1. A'], ['X-2', 'MAY', '1. A']]);
  });

  it('every MUST requirement has a case or a not-testable reason', () => {
    const missing = requirements.filter((r) => r.level === 'MUST' && !covered.has(r.id) && !(r.id in NOT_TESTABLE_IN_RELAY_MODE)).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it('cases cite existing requirements, not-testable entries exist and have reasons, case ids are unique', () => {
    expect([...covered].filter((id) => !ids.has(id))).toEqual([]);
    for (const [id, why] of Object.entries(NOT_TESTABLE_IN_RELAY_MODE)) {
      expect(ids.has(id), id).toBe(true);
      expect(why.length).toBeGreaterThan(10);
    }
    const caseIds = relayCases.map((c) => c.id);
    expect(new Set(caseIds).size).toBe(caseIds.length);
  });
});
