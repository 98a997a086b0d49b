// Command line of the conformance suite:
//   baton-conformance relay --url ws://host:port/v1/ws [--operator-token T] [options]
//   baton-conformance agent --cmd "<command that starts the adapter>" [--start-timeout-ms N] [options]
//   baton-conformance profile   (prints the conformance profile: the limits to start a relay under test with)
// options: [--report-dir D] [--expected-failures F] [--only ID,ID] [--timeout-ms N]
// Exit codes: 0 conformant, 1 a MUST case failed (or a stale baseline entry), 2 usage or setup error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runAgentSuite } from './agent-mode/runner.ts';
import { formatCaseLine, formatSummary } from './report/terminal.ts';
import { writeReports } from './report/write.ts';
import { CONFORMANCE_PROFILE, profileFlags } from './profile.ts';
import { parseExpectedFailures, type CaseResult, type RunReport } from './run-cases.ts';
import { runRelaySuite } from './runner.ts';

const USAGE = `usage: baton-conformance relay --url ws://host:port/v1/ws [--operator-token TOKEN] [options]
       baton-conformance agent --cmd "<command that starts the adapter>" [--start-timeout-ms 15000] [options]
       baton-conformance profile
options: [--report-dir DIR] [--expected-failures FILE] [--only ID,ID] [--timeout-ms 2000]
         [--features NAME,NAME]  optional (MAY) features the target declares; their cases become mandatory`;

class UsageError extends Error {}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let values;
  let mode: string | undefined;
  let timeoutMs: number;
  let startTimeoutMs: number;
  try {
    const parsed = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        url: { type: 'string' }, cmd: { type: 'string' }, 'report-dir': { type: 'string' }, 'expected-failures': { type: 'string' },
        only: { type: 'string' }, 'timeout-ms': { type: 'string' }, 'start-timeout-ms': { type: 'string' }, 'operator-token': { type: 'string' },
        features: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values;
    mode = parsed.positionals[0];
    timeoutMs = positiveInt(values['timeout-ms'], 'timeout-ms', 2000);
    startTimeoutMs = positiveInt(values['start-timeout-ms'], 'start-timeout-ms', 15_000);
  } catch (e) {
    out(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (mode === 'profile') {
    out(JSON.stringify(CONFORMANCE_PROFILE, null, 2));
    out(`baton relay ${profileFlags()}`);
    return 0;
  }
  if (!((mode === 'relay' && values.url) || (mode === 'agent' && values.cmd))) {
    out(USAGE);
    return 2;
  }
  let expectedFailures: string[] = [];
  try {
    if (values['expected-failures']) expectedFailures = parseExpectedFailures(readFileSync(values['expected-failures'], 'utf8'), mode);
  } catch (e) {
    out(`cannot read --expected-failures: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const common = {
    timeoutMs, expectedFailures, only: values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : [],
    features: values.features ? values.features.split(',').map((s) => s.trim()).filter(Boolean) : [],
    onResult: (r: CaseResult) => out(formatCaseLine(r)),
  };
  let report: RunReport;
  try {
    report = mode === 'agent'
      ? await runAgentSuite({ ...common, cmd: values.cmd ?? '', startTimeoutMs })
      : await runRelaySuite({ ...common, url: values.url ?? '', operatorToken: values['operator-token'] });
  } catch (e) {
    out(`cannot run against ${values.url ?? values.cmd}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  out(formatSummary(report));
  if (values['report-dir']) {
    const p = writeReports(report, values['report-dir']);
    out(`reports: ${p.json}, ${p.junit}, ${p.html}`);
  }
  return report.ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
