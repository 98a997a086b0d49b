// Shape of a conformance case and the context it runs with.
import type { CaseContext } from '../context.ts';

/** RFC 2119 level a case checks; MUST failures fail the run, SHOULD failures warn, MAY failures are skipped. */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** Case areas, one file each under src/cases/. */
export type Area = 'handshake' | 'encoding' | 'envelopes' | 'signatures' | 'replay-expiry' | 'limits' | 'discovery' | 'routing' | 'receipts';

/** One conformance case, e.g. `{ id: 'HS-001', requirements: ['CON-4'], level: 'MUST', run }`. */
export interface ConformanceCase {
  /** Stable id: area prefix and number, e.g. `SIG-003`. Never reused. */
  id: string;
  title: string;
  area: Area;
  /** SPEC.md requirement IDs this case checks. */
  requirements: string[];
  level: Level;
  /** Passes by resolving; fails by throwing CaseFailure (or any error); skips by throwing CaseSkipped. */
  run(ctx: CaseContext): Promise<void>;
}
