// The mode-independent core of a conformance run: runs cases one after the other, each with a guard timer,
// maps outcomes to pass/fail/warn/skip by RFC 2119 level, applies the expected-failures baseline (a listed
// failure does not fail the run; a listed case that passes is stale and does) and builds the report.
// Relay mode (runner.ts) and agent mode (agent-mode/runner.ts) only supply how one case is opened and closed.
import type { RelayInfo } from '@baton/spec';
import { CaseFailure, CaseSkipped } from './assert.ts';
import type { Area, CaseInfo, Level } from './cases/types.ts';
import { WireRecorder, type WireEvent } from './wire/recorder.ts';

/** Outcome of a case: MUST failures are `fail`, SHOULD failures `warn`, MAY failures and skips `skip`. */
export type CaseStatus = 'pass' | 'fail' | 'warn' | 'skip';

/** One start of the adapter under test (agent mode): how it ran and what it printed. */
export interface AdapterRun {
  /** BATON_SCENARIO it was started with. */
  scenario: string;
  /** Exit code, or null when it ended by a signal or is still running. */
  exit_code: number | null;
  signal: string | null;
  /** Captured output (the last 20,000 characters each). */
  stdout: string;
  stderr: string;
}

/** Result of one case, as written to report.json. */
export interface CaseResult {
  id: string;
  title: string;
  area: Area;
  requirements: string[];
  level: Level;
  status: CaseStatus;
  /** What SPEC.md required (failures only). */
  expected?: string;
  /** What the implementation did (failures only). */
  received?: string;
  /** Failure or skip message. */
  message?: string;
  /** True when the case is listed in the expected-failures baseline. */
  expected_failure: boolean;
  /** True when listed in the baseline but it passed: the baseline is stale and the run fails. */
  stale: boolean;
  duration_ms: number;
  frames: WireEvent[];
  /** Agent mode: every start of the adapter during the case, with its output. */
  adapter?: AdapterRun[];
}

/** A whole run, as written to report.json. */
export interface RunReport {
  mode: 'relay' | 'agent';
  /** Relay mode: the WebSocket URL; agent mode: the adapter command. */
  target: string;
  /** Relay mode: the relay's information document. */
  relay: RelayInfo | null;
  started_at: string;
  duration_ms: number;
  ok: boolean;
  summary: Record<CaseStatus, number> & { expected_failures: number; stale: number; total: number };
  results: CaseResult[];
}

/** One case being run: the body, and the teardown that always follows it. */
export interface CaseSession {
  /** Runs the case: resolves (pass) or throws CaseFailure / CaseSkipped / any error (fail). */
  run(): Promise<void>;
  /**
   * Called once after `run` settled or the guard fired. May report a failure found at teardown (it fails a
   * case that had passed) and extra result fields (e.g. the adapter's output).
   */
  close(): Promise<{ failure?: CaseFailure; extra?: Partial<Pick<CaseResult, 'adapter'>> }>;
}

/** Options common to both modes. */
export interface RunCasesOptions {
  /** Only run these case ids. */
  only?: readonly string[] | undefined;
  /** Case ids whose failure is expected (baseline). */
  expectedFailures?: readonly string[] | undefined;
  /** Called after each case (progress output). */
  onResult?: ((r: CaseResult) => void) | undefined;
  /** Optional (MAY) features the target declares: their cases run and count as MUST. */
  features?: readonly string[] | undefined;
  /** Longest a case may run before it fails, in ms. */
  guardMs: number;
}

function classify(result: CaseResult, level: Level, e: unknown): void {
  if (e instanceof CaseSkipped) {
    result.status = 'skip';
    result.message = e.message;
    return;
  }
  result.status = level === 'MUST' ? 'fail' : level === 'SHOULD' ? 'warn' : 'skip';
  result.message = e instanceof Error ? e.message : String(e);
  if (e instanceof CaseFailure) {
    result.expected = e.expected;
    result.received = e.received;
  }
}

async function runOne<C extends CaseInfo>(c: C, open: (c: C, recorder: WireRecorder) => CaseSession, expected: boolean, guardMs: number): Promise<CaseResult> {
  const started = Date.now();
  const recorder = new WireRecorder(started);
  const result: CaseResult = {
    id: c.id, title: c.title, area: c.area, requirements: c.requirements, level: c.level, status: 'pass',
    expected_failure: expected, stale: false, duration_ms: 0, frames: recorder.events,
  };
  let guard: NodeJS.Timeout | undefined;
  const session = open(c, recorder);
  try {
    await Promise.race([
      session.run(),
      new Promise<never>((_, reject) => {
        guard = setTimeout(() => reject(new CaseFailure('case to finish', `still running after ${guardMs} ms`)), guardMs);
      }),
    ]);
  } catch (e) {
    classify(result, c.level, e);
  } finally {
    clearTimeout(guard);
  }
  const closing: Awaited<ReturnType<CaseSession['close']>> = await session.close()
    .catch((e: unknown) => ({ failure: new CaseFailure('the case to clean up', e instanceof Error ? e.message : String(e)) }));
  if (closing.extra?.adapter) result.adapter = closing.extra.adapter;
  if (closing.failure && result.status === 'pass') classify(result, c.level, closing.failure);
  result.stale = expected && result.status === 'pass';
  result.duration_ms = Date.now() - started;
  return result;
}

/** The result of a MAY case whose feature the target did not declare: skipped, with how to declare it. */
function notDeclared(c: CaseInfo, expected: boolean): CaseResult {
  return {
    id: c.id, title: c.title, area: c.area, requirements: c.requirements, level: c.level, status: 'skip',
    message: `optional feature '${c.feature ?? ''}' not declared (declare it with --features ${c.feature ?? ''} to make this case mandatory)`,
    expected_failure: expected, stale: false, duration_ms: 0, frames: [],
  };
}

/**
 * Runs `cases` in order, each opened by `open`, and builds the report. `report.ok` is false when a MUST case
 * failed (and is not an expected failure) or an expected failure passed (stale baseline).
 */
export async function runCases<C extends CaseInfo>(
  head: Pick<RunReport, 'mode' | 'target' | 'relay'>, cases: readonly C[], options: RunCasesOptions,
  open: (c: C, recorder: WireRecorder) => CaseSession,
): Promise<RunReport> {
  const startedAt = new Date();
  const expected = new Set(options.expectedFailures ?? []);
  const only = options.only && options.only.length > 0 ? new Set(options.only) : null;
  const results: CaseResult[] = [];
  const features = new Set(options.features ?? []);
  for (const c of cases.filter((x) => !only || only.has(x.id))) {
    if (c.level === 'MAY' && c.feature !== undefined && !features.has(c.feature)) {
      const r = notDeclared(c, expected.has(c.id));
      results.push(r);
      options.onResult?.(r);
      continue;
    }
    const declared = c.level === 'MAY' && c.feature !== undefined ? { ...c, level: 'MUST' as const } : c;
    const r = await runOne(declared, open, expected.has(c.id), options.guardMs);
    results.push(r);
    options.onResult?.(r);
  }
  const count = (s: CaseStatus): number => results.filter((r) => r.status === s).length;
  const summary = {
    pass: count('pass'), fail: count('fail'), warn: count('warn'), skip: count('skip'),
    expected_failures: results.filter((r) => r.expected_failure && r.status === 'fail').length,
    stale: results.filter((r) => r.stale).length, total: results.length,
  };
  const ok = !results.some((r) => (r.status === 'fail' && !r.expected_failure) || r.stale);
  return { ...head, started_at: startedAt.toISOString(), duration_ms: Date.now() - startedAt.getTime(), ok, summary, results };
}

/**
 * Parses an expected-failures file: a JSON array of case ids, a JSON object `{ "relay": [ids] }`,
 * `{ "agent": [ids] }` or `{ "expected_failures": [ids] }`, or one id per line (`#` starts a comment, so a
 * reason can follow the id on its line).
 * @param mode which key of a JSON object to read first
 * @throws Error when JSON holds no array of strings; SyntaxError for invalid JSON.
 */
export function parseExpectedFailures(text: string, mode: 'relay' | 'agent' = 'relay'): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const v: unknown = JSON.parse(trimmed);
    const o = v as Record<string, unknown>;
    const list = Array.isArray(v) ? v : o[mode] ?? o.expected_failures;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new Error('expected-failures JSON must hold an array of case ids');
    return list as string[];
  }
  return trimmed.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l.length > 0);
}
