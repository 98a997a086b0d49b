/**
 * `@baton/conformance`: the conformance suite for Baton relays (relay mode; agent mode comes next).
 * It talks to the implementation over the wire only, cites SPEC.md requirement IDs, and writes JSON, JUnit
 * and HTML reports. Library entry: {@link runRelaySuite}.
 */
export { runRelaySuite, parseExpectedFailures, httpBaseOf, type RelaySuiteOptions, type RunReport, type CaseResult, type CaseStatus } from './runner.ts';
export { relayCases } from './cases/index.ts';
export type { ConformanceCase, Level, Area } from './cases/types.ts';
export { loadRequirements, parseRequirements, levelOf, SPEC_PATH, type Requirement, type RequirementLevel } from './requirements.ts';
export { NOT_TESTABLE_IN_RELAY_MODE } from './not-testable.ts';
export { writeReports } from './report/write.ts';
export { renderJunit } from './report/junit.ts';
export { renderHtml } from './report/html.ts';
export { formatSummary, formatCaseLine } from './report/terminal.ts';
