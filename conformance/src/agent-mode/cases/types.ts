// Shape of an agent-mode case: a conformance case run against an adapter started with one scenario.
import type { ConformanceCase } from '../../cases/types.ts';
import type { AgentContext } from '../context.ts';
import type { FakeRelayOptions } from '../fake-relay.ts';
import type { Scenario } from '../scenarios.ts';

/** One agent-mode case, e.g. `{ id: 'AG-010', scenario: 'echo', requirements: ['ACK-3'], level: 'MUST', run }`. */
export interface AgentCase extends ConformanceCase<AgentContext> {
  /** BATON_SCENARIO the adapter is started with before `run`. */
  scenario: Scenario;
  /** Extra members the fake relay adds to `hello` / `welcome` in this case (VER-2); implies `isolated`. */
  relay?: Pick<FakeRelayOptions, 'helloExtra' | 'welcomeExtra'>;
  /**
   * Runs with an adapter process and fake relay of its own (e.g. it crashes and restarts the adapter).
   * Other cases share one adapter process per scenario with the consecutive cases of that scenario.
   */
  isolated?: boolean;
}
