// Agent mode: the adapter under test (`cmd`) is started once per scenario and serves the consecutive cases
// of that scenario (isolated cases get their own start); each case runs against a fake relay, with its own
// wire log. A session ends - the adapter gets SIGTERM, the relay closes - after its last case, or as soon as
// the adapter is no longer healthy. The run loop, statuses, baseline and reports are relay mode's (run-cases.ts).
import { CaseFailure } from '../assert.ts';
import { runCases, type CaseResult, type RunReport } from '../run-cases.ts';
import { agentCases } from './cases/index.ts';
import type { AgentCase } from './cases/types.ts';
import { AgentContext } from './context.ts';
import { AgentSession, type AgentRunOptions } from './session.ts';

/** Options of {@link runAgentSuite}. */
export interface AgentSuiteOptions {
  /** Shell command that starts the adapter, e.g. `node conformance/adapters/client-adapter.ts`. */
  cmd: string;
  /** Wait for one frame from the adapter, ms; also the fake relay's ack_timeout_ms. @default 2000 */
  timeoutMs?: number;
  /** Wait for the adapter to start, connect and register, ms. @default 15000 */
  startTimeoutMs?: number;
  /** Only run these case ids. */
  only?: readonly string[];
  /** Case ids whose failure is expected (baseline). */
  expectedFailures?: readonly string[];
  /** Optional (MAY) features the target declares, e.g. `multi-connection`: their cases run and count as MUST. */
  features?: readonly string[];
  /** Cases to run. @default agentCases */
  cases?: readonly AgentCase[];
  /** Called after each case (progress output). */
  onResult?: (r: CaseResult) => void;
}

/** Cases sharing a key share an adapter process; isolated cases have a key of their own. */
function sessionKey(c: AgentCase): string {
  return c.isolated === true || c.relay !== undefined ? `isolated:${c.id}` : c.scenario;
}

/** The cases to run, grouped by session key in order of first appearance (stable within a group). */
function executionOrder(cases: readonly AgentCase[], only: readonly string[] | undefined): AgentCase[] {
  const selected = only && only.length > 0 ? cases.filter((c) => only.includes(c.id)) : [...cases];
  const keys = [...new Set(selected.map(sessionKey))];
  return keys.flatMap((k) => selected.filter((c) => sessionKey(c) === k));
}

/**
 * Runs agent-mode conformance cases against the adapter started by `options.cmd` (through a shell, with
 * BATON_RELAY_URL, BATON_SCENARIO, BATON_AGENT_SECRET and BATON_CAPABILITY; see ADAPTERS.md). Cases run
 * grouped by scenario; the report lists them in declared order. Resolves with the report; `report.ok` is false when a MUST case failed (and is not an
 * expected failure) or an expected failure passed. Adapter misbehaviour is a case failure, never a throw.
 */
export async function runAgentSuite(options: AgentSuiteOptions): Promise<RunReport> {
  const run: AgentRunOptions = { cmd: options.cmd, timeoutMs: options.timeoutMs ?? 2000, startTimeoutMs: options.startTimeoutMs ?? 15_000 };
  const order = executionOrder(options.cases ?? agentCases, options.only);
  let session: Promise<AgentSession> | undefined;
  /** Scenario -> why the adapter could not be started for it: later cases fail at once instead of waiting again. */
  const startFailures = new Map<string, CaseFailure>();
  const report = await runCases(
    { mode: 'agent', target: options.cmd, relay: null },
    order,
    { expectedFailures: options.expectedFailures, features: options.features, onResult: options.onResult, guardMs: 2 * run.startTimeoutMs + 10 * run.timeoutMs },
    (c, recorder) => {
      const next = order[order.indexOf(c) + 1];
      let finished = false;
      return {
        run: async () => {
          let current = await session?.catch(() => undefined);
          if (current?.healthy) {
            current.beginCase(recorder);
          } else {
            if (current) await current.end();
            const earlier = startFailures.get(c.scenario);
            if (earlier) throw new CaseFailure(earlier.expected, `(as for an earlier case) ${earlier.received}`);
            session = AgentSession.create(run, recorder, c.relay ?? {});
            current = await session;
            await current.start(c.scenario).catch((e: unknown) => {
              if (e instanceof CaseFailure) startFailures.set(c.scenario, e);
              throw e;
            });
          }
          await c.run(new AgentContext(current));
          finished = true;
        },
        close: async () => {
          const s = await session?.catch(() => undefined);
          if (!s) return {};
          let failure = s.violationFailure();
          if (!finished || !next || sessionKey(next) !== sessionKey(c) || !s.healthy) {
            session = undefined;
            failure = (await s.end()) ?? failure;
          }
          const adapter = s.caseRuns();
          return failure ? { failure, extra: { adapter } } : { extra: { adapter } };
        },
      };
    },
  );
  const declared = (options.cases ?? agentCases).map((c) => c.id);
  report.results.sort((a, b) => declared.indexOf(a.id) - declared.indexOf(b.id));
  return report;
}
