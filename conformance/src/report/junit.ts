// JUnit XML of a run (one testsuite per area, one testcase per case) for CI systems.
import type { CaseResult, RunReport } from '../runner.ts';

/** Escapes text for XML attributes and content (also drops characters XML 1.0 forbids). */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '?')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function testcase(r: CaseResult, mode: string): string {
  const attrs = `classname="baton.${mode}.${r.area}" name="${xmlEscape(`${r.id} ${r.title}`)}" time="${(r.duration_ms / 1000).toFixed(3)}"`;
  const detail = xmlEscape(`requirements: ${r.requirements.join(', ')} (${r.level})\nexpected: ${r.expected ?? ''}\nreceived: ${r.received ?? r.message ?? ''}`);
  const err = r.adapter?.length ? `<system-err>${xmlEscape(r.adapter.map((a) => `[${a.scenario}] exit ${a.exit_code ?? a.signal}\n${a.stdout}${a.stderr}`).join('\n'))}</system-err>` : '';
  if (r.stale) return `    <testcase ${attrs}><failure message="stale expected failure: the case passed">${detail}</failure>${err}</testcase>`;
  if (r.status === 'fail' && !r.expected_failure) return `    <testcase ${attrs}><failure message="${xmlEscape(r.message ?? 'failed')}">${detail}</failure>${err}</testcase>`;
  if (r.status === 'skip' || (r.status === 'fail' && r.expected_failure)) {
    const why = r.status === 'skip' ? r.message ?? 'skipped' : `expected failure: ${r.message ?? ''}`;
    return `    <testcase ${attrs}><skipped message="${xmlEscape(why)}"/></testcase>`;
  }
  if (r.status === 'warn') return `    <testcase ${attrs}><system-out>${xmlEscape(`SHOULD not met\n`)}${detail}</system-out></testcase>`;
  return `    <testcase ${attrs}/>`;
}

/** Renders `report` as JUnit XML text. */
export function renderJunit(report: RunReport): string {
  const areas = [...new Set(report.results.map((r) => r.area))];
  const suites = areas.map((area) => {
    const rs = report.results.filter((r) => r.area === area);
    const failures = rs.filter((r) => (r.status === 'fail' && !r.expected_failure) || r.stale).length;
    const skipped = rs.filter((r) => r.status === 'skip' || (r.status === 'fail' && r.expected_failure)).length;
    const time = rs.reduce((t, r) => t + r.duration_ms, 0) / 1000;
    return `  <testsuite name="baton.${report.mode}.${area}" tests="${rs.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}">\n${rs.map((r) => testcase(r, report.mode)).join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="baton-conformance" tests="${report.summary.total}">\n${suites.join('\n')}\n</testsuites>\n`;
}
