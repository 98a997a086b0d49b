// Coverage of SPEC.md: every MUST requirement is checked by a relay-mode or agent-mode case, or listed with a
// reason in src/not-testable.ts (not testable over the wire); listed ones are not also cited by a case; every
// relay-side requirement of the delivery sections (17-20) has a relay-mode case; cases cite only existing requirement IDs; case ids are unique across both modes; ADAPTERS.md lists
// every agent-mode case; the READMEs give the case counts of both modes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentCases } from '../src/agent-mode/cases/index.ts';
import { relayCases } from '../src/cases/index.ts';
import { NOT_TESTABLE } from '../src/not-testable.ts';
import { levelOf, loadRequirements, parseRequirements } from '../src/requirements.ts';

const requirements = loadRequirements();
const ids = new Set(requirements.map((r) => r.id));
const allCases = [...relayCases, ...agentCases];
const covered = new Set(allCases.flatMap((c) => c.requirements));
const listed: Readonly<Record<string, string>> = NOT_TESTABLE;

describe('requirement registry and coverage', () => {
  it('parses SPEC.md requirement ids and levels', () => {
    expect(requirements.length).toBeGreaterThan(50);
    expect(requirements.find((r) => r.id === 'SIG-3')?.level).toBe('MUST');
    expect(requirements.find((r) => r.id === 'CON-1')?.level).toBe('SHOULD');
    expect(requirements.find((r) => r.id === 'CON-9')?.level).toBe('MAY');
    expect(levelOf('it must be')).toBe('INFO');
    expect(parseRequirements('## 1. A\n- **[X-1]** one\n  MUST two\n- **[X-2]** MAY three\n').map((r) => [r.id, r.level, r.section])).toEqual([['X-1', 'MUST', '1. A'], ['X-2', 'MAY', '1. A']]);
  });

  it('every MUST requirement has a case or a listed reason', () => {
    const missing = requirements.filter((r) => r.level === 'MUST' && !covered.has(r.id) && !(r.id in listed)).map((r) => r.id);
    expect(missing).toEqual([]);
  });

  it('agent mode covers the recipient-side rules relay mode cannot check', () => {
    const agentCovered = new Set(agentCases.flatMap((c) => c.requirements));
    for (const id of ['MAN-4', 'RPL-4', 'RPL-5', 'TYP-6', 'CON-3', 'ACK-3', 'SIG-4']) expect(agentCovered.has(id), id).toBe(true);
  });

  it('relay mode covers every relay-side MUST of delivery, mailboxes, flow control, the DLQ and signed HTTP', () => {
    const relayCovered = new Set(relayCases.flatMap((c) => c.requirements));
    const relaySide = requirements.filter((r) => r.level === 'MUST' && /^(DLV|MBX|FLW|DLQ|HTA)-/.test(r.id)).map((r) => r.id);
    expect(relaySide.length).toBeGreaterThanOrEqual(13);
    expect(relaySide.filter((id) => !relayCovered.has(id))).toEqual([]);
  });

  it('the framework-author guide (ADAPTERS.md) lists every agent-mode case', () => {
    const guide = readFileSync(new URL('../ADAPTERS.md', import.meta.url), 'utf8');
    expect(agentCases.map((c) => c.id).filter((id) => !guide.includes(id))).toEqual([]);
  });

  it('the READMEs state how many cases each mode has', () => {
    const suite = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const root = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(suite).toContain(`${relayCases.length} cases in `);
    expect(suite).toContain(`${agentCases.length} cases \`AG-*\``);
    expect(root).toContain(`(${relayCases.length} cases) tests a relay`);
    expect(root).toContain(`(${agentCases.length} cases) tests an agent adapter`);
  });

  it('cases cite existing requirements, listed entries exist, have reasons and are not covered, case ids are unique', () => {
    expect([...covered].filter((id) => !ids.has(id))).toEqual([]);
    for (const [id, why] of Object.entries(listed)) {
      expect(ids.has(id), id).toBe(true);
      expect(why.length).toBeGreaterThan(10);
      expect(covered.has(id), `${id} is covered by a case: remove it from not-testable.ts`).toBe(false);
    }
    const caseIds = allCases.map((c) => c.id);
    expect(new Set(caseIds).size).toBe(caseIds.length);
  });
});
