/**
 * Parent side of the benchmark process model: forks a bench process (same Node binary, same flags) and talks
 * to it over the IPC channel with `{ type, ... }` messages.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A message exchanged with a bench child process. */
export type IpcMessage = { type: string; [key: string]: unknown };

/** A forked bench process. */
export interface BenchChild {
  readonly proc: ChildProcess;
  /** Resolves with the next message of `type` (rejects when the child exits first or after `timeoutMs`). */
  next(type: string, timeoutMs?: number): Promise<IpcMessage>;
  send(message: IpcMessage): void;
  /** Asks the child to exit (SIGTERM) and waits for it. */
  stop(): Promise<void>;
}

const procsDir = fileURLToPath(new URL('../procs/', import.meta.url));

/** Options of {@link forkChild}. */
export interface ForkOptions {
  /** Node flags added to this process's own (e.g. `--expose-gc` for processes whose memory is measured). */
  extraNodeFlags?: readonly string[];
  /** Environment variables added to this process's own. */
  env?: Readonly<Record<string, string>>;
}

/** Forks `bench/src/procs/<name>.ts` with `args`. */
export function forkChild(name: string, args: readonly string[] = [], options: ForkOptions = {}): BenchChild {
  const proc = fork(`${procsDir}${name}.ts`, [...args], {
    execPath: process.execPath,
    execArgv: [...process.execArgv, ...(options.extraNodeFlags ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
  });
  const inbox: IpcMessage[] = [];
  const waiters: { type: string; resolve: (m: IpcMessage) => void; reject: (e: Error) => void }[] = [];
  let exited: Error | undefined;
  const exitPromise = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.on('message', (raw) => {
    const msg = raw as IpcMessage;
    const i = waiters.findIndex((w) => w.type === msg.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(msg);
    else inbox.push(msg);
  });
  proc.once('exit', (code, signal) => {
    exited = new Error(`bench process ${name} exited (code ${String(code)}, signal ${String(signal)})`);
    for (const w of waiters.splice(0)) w.reject(exited);
  });
  return {
    proc,
    next(type, timeoutMs = 120_000) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]!);
      if (exited !== undefined) return Promise.reject(exited);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timeout waiting for '${type}' from ${name}`)), timeoutMs);
        waiters.push({
          type,
          resolve: (m) => { clearTimeout(timer); resolve(m); },
          reject: (e) => { clearTimeout(timer); reject(e); },
        });
      });
    },
    send(message) {
      if (proc.connected) proc.send(message);
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exitPromise;
    },
  };
}

/**
 * Runs `body` with a list to register forked children in and a fresh temporary directory (named after
 * `prefix`); afterwards stops every registered child and removes the directory, whether `body` succeeded or not.
 */
export async function withBenchChildren<T>(prefix: string, body: (children: BenchChild[], dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const children: BenchChild[] = [];
  try {
    return await body(children, dataDir);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
