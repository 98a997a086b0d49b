/**
 * Integration-test helper: runs `baton relay` (relay/src/cli/main.ts) as a real child process on a given data
 * directory and port, waits for its `relay listening` log line, and kills it (SIGKILL for crash tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** A running relay process. */
export interface RelayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly http: string;
  readonly did: string;
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

const MAIN = resolve(import.meta.dirname, '../relay/src/cli/main.ts');

/** A TCP port that was free a moment ago (the relay is restarted on the same port, so 0 will not do). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const address = server.address();
  await new Promise<void>((res) => server.close(() => res()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Starts `baton relay --port <port> --data <dataDir> [...extra]` and resolves once it listens. */
export async function spawnRelay(dataDir: string, port: number, extra: readonly string[] = []): Promise<RelayProcess> {
  const child = spawn(process.execPath, [MAIN, 'relay', '--port', String(port), '--data', dataDir, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BATON_LOG_LEVEL: 'info' },
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  for await (const line of createInterface({ input: child.stdout as NonNullable<typeof child.stdout> })) {
    let rec: { msg?: string; url?: string; http?: string; did?: string };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      continue;
    }
    if (rec.msg === 'relay listening' && rec.url !== undefined && rec.http !== undefined && rec.did !== undefined) {
      // Keep draining stdout so the child never blocks on a full pipe.
      child.stdout?.resume();
      return { child, url: rec.url, http: rec.http, did: rec.did, pid: child.pid ?? 0, exited };
    }
  }
  throw new Error('relay exited before listening');
}

/** Kills the relay with `signal` and waits for the process to be gone. */
export async function killRelay(relay: RelayProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill(signal);
  await relay.exited;
}
