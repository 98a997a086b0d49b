// Relay mode: reads the relay information document, then runs each relay case with its own recorded
// context (the shared run loop, statuses and baseline live in run-cases.ts).
import type { RelayInfo } from '@baton/spec';
import type { ConformanceCase } from './cases/types.ts';
import { CaseContext } from './context.ts';
import { relayCases } from './cases/index.ts';
import { runCases, type CaseResult, type RunReport } from './run-cases.ts';

export { parseExpectedFailures, type CaseResult, type CaseStatus, type RunReport, type AdapterRun } from './run-cases.ts';

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
  /** Optional (MAY) features the target declares, e.g. `multi-connection`: their cases run and count as MUST. */
  features?: readonly string[];
  /** Cases to run. @default relayCases */
  cases?: readonly ConformanceCase[];
  /** Called after each case (progress output). */
  onResult?: (r: CaseResult) => void;
  /**
   * The relay's operator token for `/v1/dlq` (`Authorization: Bearer`, DLQ-1). Without it the operator cases
   * end as `skip`.
   */
  operatorToken?: string | undefined;
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

/**
 * Runs relay-mode conformance cases, one after the other, against the relay at `options.url`.
 * Resolves with the report; `report.ok` is false when a MUST case failed (and is not an expected failure)
 * or an expected failure passed (stale baseline).
 * @throws Error when the relay information document (LIM-1) cannot be read: nothing can run without it.
 */
export async function runRelaySuite(options: RelaySuiteOptions): Promise<RunReport> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const httpUrl = httpBaseOf(options.url);
  const info = await fetchInfo(httpUrl, timeoutMs);
  return runCases(
    { mode: 'relay', target: options.url, relay: info },
    options.cases ?? relayCases,
    { only: options.only, expectedFailures: options.expectedFailures, features: options.features, onResult: options.onResult, guardMs: timeoutMs * 10 + info.limits.handshake_timeout_ms },
    (c, recorder) => {
      const ctx = new CaseContext({ url: options.url, httpUrl, info, timeoutMs, recorder, operatorToken: options.operatorToken });
      return {
        run: () => c.run(ctx),
        close: () => {
          ctx.closeAll();
          return Promise.resolve({});
        },
      };
    },
  );
}
