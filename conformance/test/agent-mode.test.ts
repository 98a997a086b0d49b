// Agent mode end to end, with real adapter processes, real sockets and the suite's fake relay:
// - the example adapter built on @baton/client passes every case through the CLI, except the ones its
//   expected-failures file lists with a reason; the reports are written and parse;
// - a deliberately broken adapter (test/fixtures/broken-adapter.ts) fails exactly the cases that check the rules
//   it breaks, with readable expected vs received, and a readable report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { agentCases } from '../src/agent-mode/cases/index.ts';
import { runAgentSuite } from '../src/agent-mode/runner.ts';
import { main } from '../src/cli.ts';
import { writeReports } from '../src/report/write.ts';
import { parseExpectedFailures, type RunReport } from '../src/run-cases.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const node = process.execPath;
const clientAdapter = `"${node}" "${here('../adapters/client-adapter.ts')}"`;
const brokenAdapter = `"${node}" "${here('./fixtures/broken-adapter.ts')}"`;
const baselineFile = here('../adapters/client-adapter.expected-failures.txt');
const dir = mkdtempSync(join(tmpdir(), 'baton-agent-conf-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * What the broken adapter breaks: no verification (of envelopes, and of an answer's context: AG-072), no audience
 * check, no dedupe, no expiry, no input validation.
 */
const BROKEN_FAILS = ['AG-015', 'AG-020', 'AG-021', 'AG-022', 'AG-023', 'AG-024', 'AG-025', 'AG-026', 'AG-030', 'AG-031', 'AG-051', 'AG-072'];
/** It also ignores RATE_LIMITED (a SHOULD: warn, not fail). */
const BROKEN_WARNS = ['AG-042'];

describe('agent mode', () => {
  it.concurrent('the @baton/client adapter passes every case but its listed expected failures (CLI, reports)', async () => {
    const lines: string[] = [];
    const reportDir = join(dir, 'client');
    const code = await main(['agent', '--cmd', clientAdapter, '--report-dir', reportDir, '--expected-failures', baselineFile], (l) => lines.push(l));
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as RunReport;
    const baseline = parseExpectedFailures(readFileSync(baselineFile, 'utf8'), 'agent');
    const unexpected = report.results.filter((r) => r.status !== 'pass' && !(r.expected_failure && r.status === 'fail')).map((r) => r.id);
    expect(unexpected, lines.join('\n')).toEqual([]);
    expect(report.results.filter((r) => r.stale).map((r) => r.id), 'stale baseline entries: the client was fixed, update the file').toEqual([]);
    expect(code).toBe(0);
    expect(report.mode).toBe('agent');
    expect(report.results.map((r) => r.id)).toEqual(agentCases.map((c) => c.id));
    expect(report.results.filter((r) => r.expected_failure).map((r) => r.id)).toEqual(baseline);
    for (const r of report.results) {
      expect(r.frames.length, r.id).toBeGreaterThan(0);
      expect(r.adapter?.length, r.id).toBeGreaterThan(0);
    }
    // One adapter process per scenario: the first echo case saw the handshake, the next ones reuse it.
    const sawAuth = (id: string) => report.results.find((r) => r.id === id)?.frames.some((f) => f.data.includes('"op":"auth"'));
    expect([sawAuth('AG-001'), sawAuth('AG-003'), sawAuth('AG-002'), sawAuth('AG-014')]).toEqual([true, true, false, false]);
    const crash = report.results.find((r) => r.id === 'AG-060');
    expect(crash?.adapter?.map((a) => [a.scenario, a.exit_code])).toEqual([['crash', 3], ['echo', null]]);
    const junit = readFileSync(join(reportDir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)?.length).toBe(agentCases.length);
    expect(junit).toContain('classname="baton.agent.agent-session"');
    const html = readFileSync(join(reportDir, 'report.html'), 'utf8');
    for (const c of agentCases) expect(html).toContain(`id="${c.id}"`);
    expect(html).toContain('BATON_SCENARIO=crash');
  }, 240_000);

  it.concurrent('a broken adapter fails exactly the verification, dedupe, expiry and schema cases', async () => {
    const report = await runAgentSuite({ cmd: brokenAdapter });
    const failed = report.results.filter((r) => r.status === 'fail').map((r) => r.id);
    const warned = report.results.filter((r) => r.status === 'warn').map((r) => r.id);
    const why = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.expected} / ${r.received}`).join('\n');
    expect(failed, why).toEqual(BROKEN_FAILS);
    expect(warned, why).toEqual(BROKEN_WARNS);
    expect(report.ok).toBe(false);
    const byId = (id: string) => report.results.find((r) => r.id === id);
    expect(byId('AG-015')?.expected).toContain('INPUT_SCHEMA_VIOLATION');
    expect(byId('AG-015')?.received).toContain('"status":"ok"');
    expect(byId('AG-020')?.expected).toContain('RPL-5');
    expect(byId('AG-020')?.received).toContain('"type":"receipt"');
    expect(byId('AG-030')?.received).toBe('2 results');
    expect(byId('AG-031')?.expected).toContain('EXPIRED');
    const paths = writeReports(report, join(dir, 'broken'));
    const html = readFileSync(paths.html, 'utf8');
    expect(html).toContain('Not conformant');
    expect(html).toContain('<b>expected:</b> result {status: &quot;error&quot;, error.code: &quot;INPUT_SCHEMA_VIOLATION&quot;}');
    const junit = readFileSync(paths.junit, 'utf8');
    expect(junit.match(/<failure /g)?.length).toBe(BROKEN_FAILS.length);
  }, 240_000);

  it.concurrent('expected failures: a listed failure does not fail the run, a listed case that passes is stale', async () => {
    const report = await runAgentSuite({ cmd: brokenAdapter, only: ['AG-010', 'AG-015'], expectedFailures: ['AG-010', 'AG-015'] });
    expect(report.results.map((r) => [r.id, r.status, r.expected_failure, r.stale])).toEqual([['AG-010', 'pass', true, true], ['AG-015', 'fail', true, false]]);
    expect(report.ok).toBe(false);
    const clean = await runAgentSuite({ cmd: brokenAdapter, only: ['AG-015'], expectedFailures: ['AG-015'] });
    expect(clean.ok).toBe(true);
  }, 60_000);

  it.concurrent('a handshake signed for another relay, and an adapter that ignores SIGTERM, fail with the reason', async () => {
    const auth = await runAgentSuite({ cmd: `BROKEN_AUTH=1 ${brokenAdapter}`, only: ['AG-001'], startTimeoutMs: 5000 });
    expect(auth.results[0]?.status).toBe('fail');
    expect(auth.results[0]?.expected).toContain('completed handshake');
    expect(auth.results[0]?.received).toContain('AUTH_FAILED');
    const term = await runAgentSuite({ cmd: `BROKEN_SIGTERM=1 ${brokenAdapter}`, only: ['AG-010'], timeoutMs: 500 });
    expect(term.results[0]?.status).toBe('fail');
    expect(term.results[0]?.expected).toContain('SIGTERM');
    expect(term.results[0]?.adapter?.[0]?.stdout).toContain('ignoring SIGTERM');
  }, 60_000);
});
