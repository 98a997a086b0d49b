/**
 * Shared start-up of the example's agent processes: read the relay URL (`BATON_URL`) and the key file path
 * (`BATON_KEY`) from the environment, connect, and close cleanly on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { connect } from '@baton/client';
import type { Agent } from '@baton/client';
import { decodeKeyFile } from '@baton/spec';

/**
 * Connects the agent described by the environment.
 * @throws Error when `BATON_URL` or `BATON_KEY` is missing; BatonError from `connect`.
 */
export async function connectFromEnv(name: string): Promise<Agent> {
  const url = process.env['BATON_URL'];
  const keyPath = process.env['BATON_KEY'];
  if (url === undefined || keyPath === undefined) throw new Error(`${name}: BATON_URL and BATON_KEY must be set`);
  const agent = await connect({
    url,
    key: decodeKeyFile(readFileSync(keyPath, 'utf8')),
    logger: { warn: (message, details) => process.stderr.write(`[${name}] ${message} ${JSON.stringify(details ?? {})}\n`) },
  });
  const stop = (): void => {
    agent.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // If the relay goes away, there is nothing left to do.
  void agent.closed.then(() => process.exit(0));
  return agent;
}

/** Tells the parent process this agent is registered (one line on stdout). */
export function announceReady(name: string, did: string): void {
  process.stdout.write(`READY ${name} ${did}\n`);
}
