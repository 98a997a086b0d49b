// Shape of a conformance case (relay mode and agent mode share it; only the context differs).
import type { CaseContext } from '../context.ts';

/** RFC 2119 level a case checks; MUST failures fail the run, SHOULD failures warn, MAY failures are skipped. */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** Relay-mode areas, one file each under src/cases/. */
export type RelayArea = 'handshake' | 'encoding' | 'envelopes' | 'signatures' | 'replay-expiry' | 'limits' | 'discovery' | 'routing' | 'receipts'
  | 'delivery' | 'dead-letters' | 'flow-control' | 'dlq' | 'tasks';

/** Agent-mode areas, one file each under src/agent-mode/cases/. */
export type AgentArea = 'agent-session' | 'agent-requests' | 'agent-verification' | 'agent-replay' | 'agent-robustness' | 'agent-notices' | 'agent-lifecycle'
  | 'agent-tasks';

/** Case areas of both modes. */
export type Area = RelayArea | AgentArea;

/** What every case declares, whatever its mode: identity, the requirements it checks and its level. */
export interface CaseInfo {
  /** Stable id: area prefix and number, e.g. `SIG-003` (relay mode) or `AG-040` (agent mode). Never reused. */
  id: string;
  title: string;
  area: Area;
  /** SPEC.md requirement IDs this case checks. */
  requirements: string[];
  level: Level;
  /**
   * For MAY cases: the optional feature the case tests (e.g. `multi-connection`). The case runs only when the
   * target declares the feature (`--features`), and then counts as MUST: a declared feature is mandatory.
   */
  feature?: string;
}

/** One conformance case, e.g. `{ id: 'HS-001', requirements: ['CON-4'], level: 'MUST', run }`. */
export interface ConformanceCase<Ctx = CaseContext> extends CaseInfo {
  /** Passes by resolving; fails by throwing CaseFailure (or any error); skips by throwing CaseSkipped. */
  run(ctx: Ctx): Promise<void>;
}
