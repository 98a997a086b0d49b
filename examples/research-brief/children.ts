/**
 * Child-process helpers for run.ts: start an agent script with the current Node, prefix its output, wait
 * for its READY line, and stop it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A running agent process. */
export interface AgentProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the agent's did once it printed `READY <name> <did>`; rejects if it exits first or times out. */
  ready: Promise<string>;
}

/** Starts `script` with `env` added; its stderr is shown prefixed with `[name]`. */
export function startAgentProcess(name: string, script: string, env: Record<string, string>, readyTimeoutMs = 20_000): AgentProcess {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`  [${name}] ${line}\n`));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${readyTimeoutMs} ms`)), readyTimeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^READY (\S+) (\S+)$/.exec(line);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[2]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before it was ready`));
    });
  });
  ready.catch(() => {});
  return { name, child, ready };
}

/** Stops a child (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
export async function stopAgentProcess(p: AgentProcess, graceMs = 2_000): Promise<void> {
  const { child } = p;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
