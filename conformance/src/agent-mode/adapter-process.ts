// The adapter under test as a child process: started through a shell with the contract's environment
// (scenarios.ts), its stdout/stderr captured for the report, stopped with SIGTERM (the whole process group,
// so that `sh -c` wrappers do not leave the real adapter behind) and SIGKILL only as a last resort.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { AdapterRun } from '../run-cases.ts';

const MAX_OUTPUT = 20_000;

/** Number of processes in group `pgid` that are not zombies (from /proc/<pid>/stat: state, ppid, pgrp). */
function liveMembers(pgid: number): number {
  let n = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') n++;
    } catch {
      // The process ended while we looked.
    }
  }
  return n;
}

/** How the adapter process ended. */
export interface AdapterExit {
  code: number | null;
  signal: string | null;
}

/** One running adapter process. Start with {@link AdapterProcess.start}. */
export class AdapterProcess {
  readonly scenario: string;
  readonly #child: ChildProcess;
  #stdout = '';
  #stderr = '';
  #stdoutTotal = 0;
  #stderrTotal = 0;
  #exit: AdapterExit | null = null;
  readonly #exited: Promise<AdapterExit>;

  private constructor(child: ChildProcess, scenario: string) {
    this.#child = child;
    this.scenario = scenario;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.#stdout = (this.#stdout + d).slice(-MAX_OUTPUT);
      this.#stdoutTotal += d.length;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.#stderr = (this.#stderr + d).slice(-MAX_OUTPUT);
      this.#stderrTotal += d.length;
    });
    this.#exited = new Promise((resolve) => {
      child.once('error', (err) => {
        const note = `\n[conformance] cannot start the adapter: ${err.message}`;
        this.#stderr += note;
        this.#stderrTotal += note.length;
        this.#exit ??= { code: null, signal: 'SPAWN_ERROR' };
        resolve(this.#exit);
      });
      // 'close' (not 'exit'): the shell has exited AND every holder of its stdout/stderr (the adapter it
      // started) has closed them, so the captured output is complete.
      child.once('close', (code, signal) => {
        this.#exit ??= { code, signal };
        resolve(this.#exit);
      });
    });
  }

  /**
   * Starts `command` through `/bin/sh -c` in its own process group with `env` added to this process's
   * environment. Never throws: a command that cannot start shows up as an exit and in stderr.
   */
  static start(command: string, scenario: string, env: Record<string, string>): AdapterProcess {
    const child = spawn('/bin/sh', ['-c', command], {
      env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
    });
    return new AdapterProcess(child, scenario);
  }

  /** The exit once the process ended, else null. */
  get exit(): AdapterExit | null {
    return this.#exit;
  }

  /** Resolves when the process ends, or with null after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<AdapterExit | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
    try {
      return await Promise.race([this.#exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends SIGTERM to the process group and waits up to `timeoutMs`; then SIGKILL.
   * @returns true when the adapter exited on SIGTERM (or had already exited), false when it had to be killed.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    if (!this.#exit) this.#signal('SIGTERM');
    const exited = (this.#exit ?? await this.waitExit(timeoutMs)) !== null && await this.#groupGone(deadline);
    this.#signal('SIGKILL'); // whatever is left of the group
    if (!this.#exit) await this.waitExit(timeoutMs);
    return exited;
  }

  /** Characters of output captured so far (a mark for {@link report}). */
  outputLength(): { out: number; err: number } {
    return { out: this.#stdoutTotal, err: this.#stderrTotal };
  }

  /** What the report shows about this run: its exit, and its output since `since` (default: all kept). */
  report(since: { out: number; err: number } = { out: 0, err: 0 }): AdapterRun {
    const tail = (text: string, total: number, from: number): string => text.slice(Math.max(0, text.length - (total - from)));
    return {
      scenario: this.scenario, exit_code: this.#exit?.code ?? null, signal: this.#exit?.signal ?? null,
      stdout: tail(this.#stdout, this.#stdoutTotal, since.out), stderr: tail(this.#stderr, this.#stderrTotal, since.err),
    };
  }

  /** The last `n` characters of stderr and stdout, for failure messages. */
  tail(n = 600): string {
    const text = `${this.#stderr}${this.#stdout}`.trim();
    return text.length > n ? `...${text.slice(-n)}` : text;
  }

  /**
   * Waits (polling every 20 ms until `deadline`) until no live process is left in the adapter's process
   * group: `sh -c` may have died on SIGTERM while the adapter it started is still running. Linux only
   * (reads /proc); elsewhere it trusts the shell's exit.
   */
  async #groupGone(deadline: number): Promise<boolean> {
    const pgid = this.#child.pid;
    if (pgid === undefined || !existsSync('/proc/self/stat')) return true;
    for (;;) {
      if (liveMembers(pgid) === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }
}
