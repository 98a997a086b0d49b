// Terminal output of a run: one line per case as it finishes, then a summary with expected vs received.
import type { CaseResult, RunReport } from '../runner.ts';

const MARK: Record<CaseResult['status'], string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

/** One progress line, e.g. `PASS  HS-001 [CON-2] hello arrives first (12 ms)`. */
export function formatCaseLine(r: CaseResult): string {
  const tag = r.stale ? 'STALE' : r.expected_failure && r.status === 'fail' ? 'XFAIL' : MARK[r.status];
  return `${tag.padEnd(5)} ${r.id} [${r.requirements.join(',')}] ${r.title} (${r.duration_ms} ms)`;
}

/** Summary block: counts, then every failure/warning with expected vs received. */
export function formatSummary(report: RunReport): string {
  const s = report.summary;
  const lines = [
    '',
    `Baton conformance (${report.mode} mode) against ${report.target}`,
    `${s.total} cases: ${s.pass} pass, ${s.fail} fail (${s.expected_failures} expected), ${s.warn} warn, ${s.skip} skip, ${s.stale} stale`,
  ];
  for (const r of report.results) {
    if (r.status === 'pass' && !r.stale) continue;
    if (r.status === 'skip') {
      lines.push(`  ${r.id} skipped: ${r.message ?? ''}`);
      continue;
    }
    if (r.stale) {
      lines.push(`  ${r.id} is listed as an expected failure but passed: remove it from the baseline`);
      continue;
    }
    lines.push(`  ${r.id} ${r.status}${r.expected_failure ? ' (expected)' : ''}: ${r.title}`);
    lines.push(`    expected: ${r.expected ?? '(see message)'}`);
    lines.push(`    received: ${r.received ?? r.message ?? ''}`);
  }
  lines.push(report.ok ? 'RESULT: conformant (every MUST case passed)' : 'RESULT: NOT conformant');
  return lines.join('\n');
}
