/**
 * Shared argument handling for the `baton` CLI commands: `node:util` parseArgs, usage on error (exit 2) and
 * on `--help` (exit 0).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Parses a command's arguments. Returns the parsed values, or the exit code when the command should stop:
 * 2 after printing the error and `usage` to stderr, 0 after printing `usage` for `--help`.
 */
export function parseCommandArgs<const T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 2;
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return parsed;
}
