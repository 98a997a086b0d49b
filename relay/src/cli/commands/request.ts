/**
 * `baton request --key FILE [--url WS_URL] [--agent DID] [--timeout MS] <capability> <json-input>`: connect
 * as the agent in the key file, send one verified request (capability routing, or direct with `--agent`) and
 * print the output JSON. Errors print `CODE: message` and exit 1. `BATON_URL` / `BATON_KEY` are fallbacks.
 */
import { readFileSync } from 'node:fs';
import { parseCommandArgs } from '../parse-command-args.ts';
import { connect } from '@baton/client';
import type { Agent } from '@baton/client';
import { BatonError, decodeKeyFile, isBatonError } from '@baton/spec';

const USAGE = 'usage: baton request --key FILE [--url ws://127.0.0.1:8787/v1/ws] [--agent DID] [--timeout MS] <capability> <json-input>';

/**
 * Runs the command.
 * @returns the exit code: 0 with the output on stdout, 1 with `CODE: message` on stderr when the request
 *   fails (any registry code, e.g. `NO_PROVIDER`, `TIMEOUT`), 2 on bad arguments.
 */
export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({
    args,
    options: { key: { type: 'string' }, url: { type: 'string' }, agent: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  }, USAGE);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const keyPath = values.key ?? process.env['BATON_KEY'];
  const url = values.url ?? process.env['BATON_URL'] ?? 'ws://127.0.0.1:8787/v1/ws';
  const timeoutMs = values.timeout === undefined ? 30_000 : Number(values.timeout);
  const [capability, inputText] = positionals;
  if (keyPath === undefined || capability === undefined || inputText === undefined || positionals.length > 2
    || !Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let agent: Agent | undefined;
  try {
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new BatonError('INPUT_SCHEMA_VIOLATION', `<json-input> is not valid JSON: ${inputText.slice(0, 80)}`);
    }
    let keyText: string;
    try {
      keyText = readFileSync(keyPath, 'utf8');
    } catch (cause) {
      throw new BatonError('INVALID_IDENTITY', `cannot read key file ${keyPath}`, { cause });
    }
    const key = decodeKeyFile(keyText);
    agent = await connect({ url, key, connectTimeoutMs: Math.min(timeoutMs, 10_000), requestTimeoutMs: timeoutMs });
    const target = values.agent === undefined ? capability : { capability, agent: values.agent };
    const output = await agent.request(target, input, { timeoutMs });
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (isBatonError(error)) process.stderr.write(`${error.code}: ${error.message}\n`);
    else process.stderr.write(`HANDLER_ERROR: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await agent?.close();
  }
}
