// Self-contained HTML report (inline CSS, no scripts or external assets): a summary, then one collapsible
// section per case with requirements, expected vs received and the wire log, in the manner of Autobahn.
import type { CaseResult, RunReport } from '../runner.ts';

/** Escapes text for HTML content and attributes. */
export function htmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}.pass{color:#080}.fail{color:#b00;font-weight:bold}
.warn{color:#a60}.skip{color:#777}pre{background:#f6f6f6;padding:6px;white-space:pre-wrap;word-break:break-all}
details{margin:4px 0}summary{cursor:pointer}`;

function statusOf(r: CaseResult): string {
  if (r.stale) return 'STALE';
  if (r.status === 'fail' && r.expected_failure) return 'XFAIL';
  return r.status.toUpperCase();
}

function section(r: CaseResult): string {
  const cls = r.stale ? 'fail' : r.status;
  const wire = r.frames.map((f) => `${String(f.t_ms).padStart(6)} ms ${f.conn.padEnd(10)} ${f.dir === 'out' ? '->' : f.dir === 'in' ? '<-' : '--'} ${f.data}`).join('\n');
  const diff = r.status === 'pass' ? '' :
    `<p><b>expected:</b> ${htmlEscape(r.expected ?? '')}<br><b>received:</b> ${htmlEscape(r.received ?? r.message ?? '')}</p>`;
  const adapter = (r.adapter ?? []).map((a, i) => `<p>adapter run ${i + 1} (BATON_SCENARIO=${htmlEscape(a.scenario)}): exit ${htmlEscape(String(a.exit_code ?? a.signal))}</p><pre>${htmlEscape(`${a.stdout}${a.stderr}` || '(no output)')}</pre>`).join('');
  return `<details id="${htmlEscape(r.id)}"${r.status === 'fail' ? ' open' : ''}><summary><span class="${cls}">${statusOf(r)}</span> ${htmlEscape(r.id)} - ${htmlEscape(r.title)}</summary>
<p>requirements: ${htmlEscape(r.requirements.join(', '))} (${r.level}) - ${r.duration_ms} ms</p>${diff}<pre>${htmlEscape(wire)}</pre>${adapter}</details>`;
}

/** Renders `report` as one self-contained HTML document. */
export function renderHtml(report: RunReport): string {
  const s = report.summary;
  const rows = report.results.map((r) => `<tr><td><a href="#${htmlEscape(r.id)}">${htmlEscape(r.id)}</a></td><td class="${r.stale ? 'fail' : r.status}">${statusOf(r)}</td><td>${r.level}</td><td>${htmlEscape(r.requirements.join(', '))}</td><td>${htmlEscape(r.title)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baton conformance report</title><style>${STYLE}</style></head><body>
<h1>Baton conformance: ${report.mode} mode</h1>
<p>Target: ${htmlEscape(report.target)}${report.relay ? ` (relay ${htmlEscape(report.relay.relay)}, ${htmlEscape(report.relay.software.name)} ${htmlEscape(report.relay.software.version)})` : ''}<br>
Started ${htmlEscape(report.started_at)}, ${report.duration_ms} ms. <b class="${report.ok ? 'pass' : 'fail'}">${report.ok ? 'Conformant' : 'Not conformant'}</b></p>
<p>${s.total} cases: ${s.pass} pass, ${s.fail} fail (${s.expected_failures} expected), ${s.warn} warn, ${s.skip} skip, ${s.stale} stale</p>
<table><tr><th>case</th><th>status</th><th>level</th><th>requirements</th><th>title</th></tr>
${rows}
</table>
<h2>Cases</h2>
${report.results.map(section).join('\n')}
</body></html>
`;
}
