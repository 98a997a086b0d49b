/**
 * `baton keygen [--out FILE]`: create an Ed25519 agent key (SPEC ID-1, ID-4). With `--out` the key file is
 * written with mode 0600 (never over an existing file) and the did:key printed; without it the key file JSON goes to stdout.
 */
import { writeFileSync } from 'node:fs';
import { parseCommandArgs } from '../parse-command-args.ts';
import { encodeKeyFile, generateKeyPair } from '@baton/spec';

const USAGE = 'usage: baton keygen [--out FILE]';

/**
 * Runs the command.
 * @param args the arguments after `keygen`.
 * @returns the process exit code: 0 on success, 1 when the file cannot be written, 2 on bad arguments.
 */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ args, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const key = generateKeyPair();
  const text = encodeKeyFile(key);
  if (values.out === undefined) {
    process.stdout.write(text);
    return 0;
  }
  try {
    // 'wx' refuses to overwrite an existing key; mode 0600 keeps the secret private to its owner.
    writeFileSync(values.out, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    process.stderr.write(`cannot write ${values.out}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  process.stdout.write(`${key.did}\n`);
  return 0;
}
