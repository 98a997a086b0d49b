// The project's relay, started for real (SQLite in a temp dir, real sockets) with the conformance profile's
// limits and an operator token, passes every relay-mode case (none skipped) but those listed, with reasons,
// in project-relay.expected-failures.txt; the CLI writes report.json, junit.xml and report.html that parse.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRelay, type RunningRelay } from '@baton/relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.ts';
import { runRelaySuite } from '../src/runner.ts';
import { parseExpectedFailures } from '../src/run-cases.ts';
import { relayCases } from '../src/cases/index.ts';
import { CONFORMANCE_PROFILE } from '../src/profile.ts';

const OPERATOR_TOKEN = 'conformance-operator-token-0123456789';
/** A whole relay-mode run waits for the relay's timers (about 35 s with the profile); leave room on a busy machine. */
const RUN_TIMEOUT_MS = 120_000;
const BASELINE = fileURLToPath(new URL('./project-relay.expected-failures.txt', import.meta.url));

let relay: RunningRelay;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'baton-conf-'));
  relay = await startRelay({ port: 0, dataDir: join(dir, 'data'), logLevel: 'silent', durability: 'normal', limits: CONFORMANCE_PROFILE, operatorToken: OPERATOR_TOKEN });
});

afterAll(async () => {
  await relay.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('relay mode against the project relay', () => {
  it('passes every case but the listed expected failures and writes parseable reports', async () => {
    const lines: string[] = [];
    const reportDir = join(dir, 'report');
    // The project relay declares its optional (MAY) features, so their cases run and count as MUST.
    const code = await main(['relay', '--url', relay.url, '--operator-token', OPERATOR_TOKEN, '--features', 'multi-connection',
      '--expected-failures', BASELINE, '--report-dir', reportDir], (l) => lines.push(l));
    const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as {
      ok: boolean; results: Array<{ id: string; status: string; requirements: string[]; frames: unknown[]; level: string; duration_ms: number }>;
    };
    const notPassed = report.results.filter((r) => r.status !== 'pass').map((r) => r.id);
    expect(notPassed, lines.join('\n')).toEqual(parseExpectedFailures(readFileSync(BASELINE, 'utf8')));
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.results.map((r) => r.id)).toEqual(relayCases.map((c) => c.id));
    for (const r of report.results) {
      expect(r.requirements.length).toBeGreaterThan(0);
      expect(r.frames.length).toBeGreaterThan(0);
    }
    const junit = readFileSync(join(reportDir, 'junit.xml'), 'utf8');
    expect(junit.startsWith('<?xml')).toBe(true);
    expect(junit.match(/<testcase /g)?.length).toBe(relayCases.length);
    expect(junit).not.toContain('<failure');
    const html = readFileSync(join(reportDir, 'report.html'), 'utf8');
    for (const c of relayCases) expect(html).toContain(`id="${c.id}"`);
    expect(html).not.toMatch(/<script|<link|src="http/);
  }, RUN_TIMEOUT_MS);

  it('skips a MAY case whose feature the target does not declare, and makes it mandatory when declared', async () => {
    const skipped = await runRelaySuite({ url: relay.url, only: ['RTE-008'] });
    expect(skipped.results.map((r) => [r.id, r.level, r.status])).toEqual([['RTE-008', 'MAY', 'skip']]);
    expect(skipped.results[0]?.message).toContain("optional feature 'multi-connection' not declared");
    const declared = await runRelaySuite({ url: relay.url, only: ['RTE-008'], features: ['multi-connection'] });
    expect(declared.results.map((r) => [r.id, r.level, r.status])).toEqual([['RTE-008', 'MUST', 'pass']]);
  });
});
