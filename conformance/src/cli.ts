// Command line of the conformance suite:
//   node conformance/src/cli.ts relay --url ws://host:port/v1/ws [--report-dir D] [--expected-failures F]
//                                     [--only ID,ID] [--timeout-ms N]
// Exit codes: 0 conformant, 1 a MUST case failed (or a stale baseline entry), 2 usage or setup error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatCaseLine, formatSummary } from './report/terminal.ts';
import { writeReports } from './report/write.ts';
import { parseExpectedFailures, runRelaySuite } from './runner.ts';

const USAGE = `usage: baton-conformance relay --url ws://host:port/v1/ws [--report-dir DIR] [--expected-failures FILE] [--only ID,ID] [--timeout-ms 2000]`;

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        url: { type: 'string' }, 'report-dir': { type: 'string' }, 'expected-failures': { type: 'string' },
        only: { type: 'string' }, 'timeout-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    out(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (positionals[0] !== 'relay' || !values.url) {
    out(positionals[0] === 'agent' ? 'agent mode is not implemented yet' : USAGE);
    return 2;
  }
  const timeoutMs = values['timeout-ms'] ? Number(values['timeout-ms']) : 2000;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    out(`--timeout-ms must be a positive integer\n${USAGE}`);
    return 2;
  }
  let expectedFailures: string[] = [];
  try {
    if (values['expected-failures']) expectedFailures = parseExpectedFailures(readFileSync(values['expected-failures'], 'utf8'));
  } catch (e) {
    out(`cannot read --expected-failures: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : [];
  try {
    const report = await runRelaySuite({ url: values.url, timeoutMs, only, expectedFailures, onResult: (r) => out(formatCaseLine(r)) });
    out(formatSummary(report));
    if (values['report-dir']) {
      const p = writeReports(report, values['report-dir']);
      out(`reports: ${p.json}, ${p.junit}, ${p.html}`);
    }
    return report.ok ? 0 : 1;
  } catch (e) {
    out(`cannot run against ${values.url}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
