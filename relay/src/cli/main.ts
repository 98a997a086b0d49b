/**
 * The `baton` command line. `baton relay [opts]` runs a relay until SIGINT/SIGTERM; `keygen`, `agents`,
 * `request`, `dlq` and `tasks` are client-side commands; `export-log` and `verify-log` are the audit tools
 * (TSK-20). Each module exports `run(args): Promise<number>`, the exit status: 0 success, 1 failure (with
 * `CODE: message` on stderr, or problems found), 2 bad arguments.
 * Run directly with Node 24 (type stripping): `node relay/src/cli/main.ts relay --port 9000`.
 */
import { RELAY_USAGE, UsageError, parseRelayArgs } from '../config.ts';

type Command = { summary: string; run: (args: string[]) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  relay: { summary: 'run a relay (baton relay --help for options)', run: runRelay },
  keygen: { summary: 'create an agent key file', run: async (a) => (await import('./commands/keygen.ts')).run(a) },
  agents: { summary: 'list agents registered on a relay', run: async (a) => (await import('./commands/agents.ts')).run(a) },
  request: { summary: 'send a request to a capability and print the result', run: async (a) => (await import('./commands/request.ts')).run(a) },
  dlq: { summary: 'list, show, redrive or purge dead letters (baton dlq --help)', run: async (a) => (await import('./commands/dlq.ts')).run(a) },
  tasks: { summary: 'list tasks or show one with its history (baton tasks --help)', run: async (a) => (await import('./commands/tasks.ts')).run(a) },
  'export-log': { summary: 'write a data directory\'s audit log as JSON Lines', run: async (a) => (await import('./commands/export-log.ts')).run(a) },
  'verify-log': { summary: 'check an audit log: signatures and task transitions', run: async (a) => (await import('./commands/verify-log.ts')).run(a) },
  help: { summary: 'show this help', run: async () => { printHelp(); return 0; } },
};

const EXAMPLES = `examples:
  BATON_OPERATOR_TOKEN=<secret, 16+ chars> baton relay --port 8787   (the env keeps the token out of ps)
  baton dlq list --relay http://127.0.0.1:8787 --key agent.json --table
  BATON_OPERATOR_TOKEN=<secret> baton dlq redrive 42 --relay http://127.0.0.1:8787
  baton tasks --state in-flight --relay http://127.0.0.1:8787 --key agent.json --table
  baton export-log --data .baton --out audit.jsonl && baton verify-log audit.jsonl`;

function printHelp(): void {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  process.stdout.write(`usage: baton <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n${EXAMPLES}\n`);
}

/** `baton relay`: starts the relay and keeps it running until SIGINT or SIGTERM. */
async function runRelay(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`usage: ${RELAY_USAGE}\n`);
    return 0;
  }
  const options = parseRelayArgs(args);
  // Loaded here, not at the top: client-side commands start faster without the relay (SQLite, ws, hono, pino).
  const [{ startRelay }, { createLogger }] = await Promise.all([import('../index.ts'), import('../logger.ts')]);
  const log = createLogger(options.logLevel ?? 'info');
  const relay = await startRelay(options);
  log.info({
    url: relay.url, http: relay.httpUrl, port: relay.port, did: relay.did, data: relay.dataDir,
    operatorAccess: options.operatorToken !== undefined, // never the token itself
  }, 'relay listening');
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
