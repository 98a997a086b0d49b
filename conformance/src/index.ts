/**
 * `@baton/conformance`: the conformance suite for Baton relays (relay mode) and agent adapters (agent mode).
 * It talks to the implementation over the wire only, cites SPEC.md requirement IDs, and writes JSON, JUnit
 * and HTML reports. Library entries: {@link runRelaySuite} and {@link runAgentSuite}.
 */
export { runRelaySuite, httpBaseOf, type RelaySuiteOptions } from './runner.ts';
export { runAgentSuite, type AgentSuiteOptions } from './agent-mode/runner.ts';
export { parseExpectedFailures, type RunReport, type CaseResult, type CaseStatus, type AdapterRun } from './run-cases.ts';
export { relayCases } from './cases/index.ts';
export { agentCases } from './agent-mode/cases/index.ts';
export type { AgentCase } from './agent-mode/cases/types.ts';
export { ENV, SCENARIOS, CAPABILITY, FAIL_CODE, manifestProblem, type Scenario } from './agent-mode/scenarios.ts';
export type { ConformanceCase, CaseInfo, Level, Area, RelayArea, AgentArea } from './cases/types.ts';
export { loadRequirements, parseRequirements, levelOf, SPEC_PATH, type Requirement, type RequirementLevel } from './requirements.ts';
export { NOT_TESTABLE } from './not-testable.ts';
export { CONFORMANCE_PROFILE, PROFILE_CEILINGS, profileFlags, requireProfile, type ProfileLimit } from './profile.ts';
export { writeReports } from './report/write.ts';
export { renderJunit } from './report/junit.ts';
export { renderHtml } from './report/html.ts';
export { formatSummary, formatCaseLine } from './report/terminal.ts';
