/**
 * `baton verify-log <file|-> [--relay DID] [--json]`: verifies an audit log (SPEC TSK-20) written by
 * `baton export-log`: line shapes, ascending seq, envelope schemas, strict signatures (SIG-3), relay-signed
 * notices and a replay of the task state machine (TSK-3). Prints one line per problem
 * (`line L seq S env ID task T: CODE: message`, warnings prefixed `warning:`) and a summary; `--json` prints
 * the whole report as one JSON document instead. Exit 0 when no error was found (warnings allowed), 1 when
 * errors were found, 2 on bad arguments or an unreadable file.
 */
import { createReadStream } from 'node:fs';
import { isValidDid } from '@baton/spec';
import { verifyLog, type LogProblem, type LogSummary, type VerifyReport } from '../../audit/verify-log.ts';
import { parseCommandArgs } from '../parse-command-args.ts';

const USAGE = `usage: baton verify-log <file|-> [--relay DID] [--json]
  <file>        a log written by baton export-log; - reads stdin
  --relay DID   the relay's did:key that must sign every notice (default: the signer of the first notice)
  --json        print the report as JSON`;

/** One problem as a line of text. */
export function formatProblem(p: LogProblem): string {
  const where = [`line ${p.line}`, p.seq === undefined ? '' : `seq ${p.seq}`, p.id === undefined ? '' : `env ${p.id}`,
    p.task === undefined ? '' : `task ${p.task}`].filter((s) => s !== '').join(' ');
  return `${p.severity === 'warning' ? 'warning: ' : ''}${where}: ${p.code}: ${p.message}`;
}

const counts = (record: Record<string, number>): string =>
  Object.entries(record).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';

/** The summary as text: envelopes by type, tasks by final state, late results, errors and warnings. */
export function formatSummary(s: LogSummary): string {
  return [
    `envelopes: ${s.envelopes} of ${s.lines} lines (${counts(s.types)})`,
    `relay: ${s.relay ?? 'not named in the log'}`,
    `tasks: ${s.tasks} (${counts(s.states)}), late results: ${s.lateResults}`,
    `${s.errors === 0 ? 'OK' : 'FAILED'}: ${s.errors} errors, ${s.warnings} warnings`,
  ].join('\n');
}

function print(report: VerifyReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines = report.problems.map(formatProblem);
  const { errors, warnings } = report.summary;
  const omitted = errors + warnings - report.problems.length;
  if (omitted > 0) lines.push(`... ${omitted} more problems not shown`);
  lines.push(formatSummary(report.summary));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Runs the command.
 * @returns 0 when the log verifies (warnings allowed), 1 when problems were found, 2 on bad arguments or
 *   when the file cannot be read.
 */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    args,
    options: { relay: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const [file, ...extra] = parsed.positionals;
  const relay = parsed.values.relay;
  const problem = file === undefined ? 'missing <file>' : extra.length > 0 ? `unexpected argument ${extra[0] ?? ''}`
    : relay !== undefined && !isValidDid(relay) ? `--relay must be a did:key, got ${relay}` : undefined;
  if (problem !== undefined || file === undefined) {
    process.stderr.write(`${problem ?? ''}\n${USAGE}\n`);
    return 2;
  }
  let report: VerifyReport;
  try {
    const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
    report = await verifyLog(input, relay === undefined ? {} : { relay });
  } catch (error) {
    process.stderr.write(`baton verify-log: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  print(report, parsed.values.json === true);
  return report.ok ? 0 : 1;
}
