/**
 * The `baton` command line. `baton relay [opts]` runs a relay until SIGINT/SIGTERM; `keygen`, `agents` and
 * `request` are client-side commands (each module exports `run(args): Promise<number>`, the exit status).
 * Run directly with Node 24 (type stripping): `node relay/src/cli/main.ts relay --port 9000`.
 */
import { RELAY_USAGE, UsageError, parseRelayArgs } from '../config.ts';
import { startRelay } from '../index.ts';
import { createLogger } from '../logger.ts';

type Command = { summary: string; run: (args: string[]) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  relay: { summary: 'run a relay (baton relay --help for options)', run: runRelay },
  keygen: { summary: 'create an agent key file', run: async (a) => (await import('./commands/keygen.ts')).run(a) },
  agents: { summary: 'list agents registered on a relay', run: async (a) => (await import('./commands/agents.ts')).run(a) },
  request: { summary: 'send a request to a capability and print the result', run: async (a) => (await import('./commands/request.ts')).run(a) },
  help: { summary: 'show this help', run: async () => { printHelp(); return 0; } },
};

function printHelp(): void {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`);
  process.stdout.write(`usage: baton <command> [options]\n\ncommands:\n${lines.join('\n')}\n`);
}

/** `baton relay`: starts the relay and keeps it running until SIGINT or SIGTERM. */
async function runRelay(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: ${RELAY_USAGE}\n`);
    return 0;
  }
  const options = parseRelayArgs(args);
  const log = createLogger(options.logLevel ?? 'info');
  const relay = await startRelay(options);
  log.info({ url: relay.url, http: relay.httpUrl, port: relay.port, did: relay.did, data: relay.dataDir }, 'relay listening');
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info({ signal }, 'relay shutting down');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await relay.close();
  log.info('relay stopped');
  return 0;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [name = 'help', ...rest] = argv;
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`baton: unknown command ${name}\n`);
    printHelp();
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`baton ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`baton ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
