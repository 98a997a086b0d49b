// Runs conformance cases against a relay: reads its information document, runs each case with its own
// recorded context, maps outcomes to pass/fail/warn/skip by RFC 2119 level and applies the expected-failures
// baseline (a listed failure does not fail the run; a listed case that passes is stale and does).
import { CaseFailure, CaseSkipped } from './assert.ts';
import type { Area, ConformanceCase, Level } from './cases/types.ts';
import { CaseContext } from './context.ts';
import { relayCases } from './cases/index.ts';
import { WireRecorder, type WireEvent } from './wire/recorder.ts';
import type { RelayInfo } from '@baton/spec';

/** Outcome of a case: MUST failures are `fail`, SHOULD failures `warn`, MAY failures and skips `skip`. */
export type CaseStatus = 'pass' | 'fail' | 'warn' | 'skip';

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
}

/** A whole run, as written to report.json. */
export interface RunReport {
  mode: 'relay';
  target: string;
  relay: RelayInfo | null;
  started_at: string;
  duration_ms: number;
  ok: boolean;
  summary: Record<CaseStatus, number> & { expected_failures: number; stale: number; total: number };
  results: CaseResult[];
}

/** Options of {@link runRelaySuite}. */
export interface RelaySuiteOptions {
  /** WebSocket URL of the relay, e.g. `ws://127.0.0.1:8787/v1/ws`. */
  url: string;
  /** Wait for one frame / close / HTTP answer, ms. @default 2000 */
  timeoutMs?: number;
  /** Only run these case ids. */
  only?: readonly string[];
  /** Case ids whose failure is expected (baseline). */
  expectedFailures?: readonly string[];
  /** Cases to run. @default relayCases */
  cases?: readonly ConformanceCase[];
  /** Called after each case (progress output). */
  onResult?: (r: CaseResult) => void;
}

/** `ws://h:p/v1/ws` -> `http://h:p`; `wss:` -> `https:`. */
export function httpBaseOf(wsUrl: string): string {
  const u = new URL(wsUrl);
  const proto = u.protocol === 'wss:' ? 'https:' : 'http:';
  return `${proto}//${u.host}`;
}

async function fetchInfo(httpUrl: string, timeoutMs: number): Promise<RelayInfo> {
  const res = await fetch(new URL('/.well-known/baton', httpUrl), { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`GET /.well-known/baton answered ${res.status}`);
  return (await res.json()) as RelayInfo;
}

async function runOne(c: ConformanceCase, base: Omit<ConstructorParameters<typeof CaseContext>[0], 'recorder'>, expected: boolean): Promise<CaseResult> {
  const started = Date.now();
  const recorder = new WireRecorder(started);
  const ctx = new CaseContext({ ...base, recorder });
  const result: CaseResult = {
    id: c.id, title: c.title, area: c.area, requirements: c.requirements, level: c.level, status: 'pass',
    expected_failure: expected, stale: false, duration_ms: 0, frames: recorder.events,
  };
  const guardMs = base.timeoutMs * 10 + base.info.limits.handshake_timeout_ms;
  let guard: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.run(ctx),
      new Promise<never>((_, reject) => {
        guard = setTimeout(() => reject(new CaseFailure('case to finish', `still running after ${guardMs} ms`)), guardMs);
      }),
    ]);
  } catch (e) {
    if (e instanceof CaseSkipped) {
      result.status = 'skip';
      result.message = e.message;
    } else {
      result.status = c.level === 'MUST' ? 'fail' : c.level === 'SHOULD' ? 'warn' : 'skip';
      result.message = e instanceof Error ? e.message : String(e);
      if (e instanceof CaseFailure) {
        result.expected = e.expected;
        result.received = e.received;
      }
    }
  } finally {
    clearTimeout(guard);
    ctx.closeAll();
  }
  result.stale = expected && result.status === 'pass';
  result.duration_ms = Date.now() - started;
  return result;
}

/**
 * Runs relay-mode conformance cases, one after the other, against the relay at `options.url`.
 * Resolves with the report; `report.ok` is false when a MUST case failed (and is not an expected failure)
 * or an expected failure passed (stale baseline).
 * @throws Error when the relay information document (LIM-1) cannot be read: nothing can run without it.
 */
export async function runRelaySuite(options: RelaySuiteOptions): Promise<RunReport> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const httpUrl = httpBaseOf(options.url);
  const startedAt = new Date();
  const info = await fetchInfo(httpUrl, timeoutMs);
  const expected = new Set(options.expectedFailures ?? []);
  const only = options.only && options.only.length > 0 ? new Set(options.only) : null;
  const cases = (options.cases ?? relayCases).filter((c) => !only || only.has(c.id));
  const results: CaseResult[] = [];
  for (const c of cases) {
    const r = await runOne(c, { url: options.url, httpUrl, info, timeoutMs }, expected.has(c.id));
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
  return {
    mode: 'relay', target: options.url, relay: info, started_at: startedAt.toISOString(),
    duration_ms: Date.now() - startedAt.getTime(), ok, summary, results,
  };
}

/**
 * Parses an expected-failures file: a JSON array of case ids, a JSON object `{ "relay": [ids] }` /
 * `{ "expected_failures": [ids] }`, or one id per line (`#` starts a comment).
 */
export function parseExpectedFailures(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const v: unknown = JSON.parse(trimmed);
    const list = Array.isArray(v) ? v : (v as Record<string, unknown>).relay ?? (v as Record<string, unknown>).expected_failures;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string')) throw new Error('expected-failures JSON must hold an array of case ids');
    return list as string[];
  }
  return trimmed.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter((l) => l.length > 0);
}
