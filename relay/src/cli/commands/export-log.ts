/**
 * `baton export-log [--data DIR] [--out FILE]`: writes the audit log of a relay data directory (SPEC TSK-20)
 * as JSON Lines `{"seq","accepted_at","env"}` in ascending seq, to stdout or to FILE (written as FILE.partial
 * and renamed when complete). Reads the store read-only: safe while a relay runs on the same directory.
 * Prints `exported N envelopes (seq A..B)` on stderr. Exit 0; 1 with `CODE: message` when the store cannot be
 * read or the output written; 2 on bad arguments.
 */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { isBatonError } from '@baton/spec';
import { exportLog, type ExportSummary } from '../../audit/export-log.ts';
import { parseCommandArgs } from '../parse-command-args.ts';
import { fail } from '../relay-http.ts';

const USAGE = `usage: baton export-log [--data DIR] [--out FILE]
  --data DIR   the relay's data directory (default BATON_DATA or .baton)
  --out FILE   write the log to FILE instead of stdout`;

async function toFile(dataDir: string, out: string): Promise<ExportSummary> {
  const partial = `${out}.partial`;
  const stream = createWriteStream(partial, { mode: 0o600 });
  try {
    const summary = await exportLog(dataDir, stream);
    stream.end();
    await finished(stream);
    renameSync(partial, out);
    return summary;
  } catch (error) {
    stream.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Runs the command.
 * @returns the exit code: 0 after writing the log; 1 with `NOT_FOUND: ...` when the directory holds no
 *   relay store, `INTERNAL_ERROR: ...` when reading or writing fails; 2 on bad arguments.
 */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    args,
    options: { data: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: false,
    strict: true,
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const dataDir = parsed.values.data ?? process.env['BATON_DATA'] ?? '.baton';
  let summary: ExportSummary;
  try {
    summary = parsed.values.out === undefined ? await exportLog(dataDir, process.stdout) : await toFile(dataDir, parsed.values.out);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return fail({ code: isBatonError(error) ? error.code : 'INTERNAL_ERROR', message });
  }
  const range = summary.firstSeq === undefined ? '' : ` (seq ${summary.firstSeq}..${summary.lastSeq ?? summary.firstSeq})`;
  process.stderr.write(`exported ${summary.envelopes} envelopes${range}\n`);
  return 0;
}
