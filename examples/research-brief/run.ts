/**
 * `npm run example`: the research -> write -> review pipeline in one command. Starts a relay in-process (temp
 * data dir, free port), spawns a researcher, a writer and a reviewer as separate processes, then acts as the
 * orchestrator (pipeline.ts): three stages as durable tasks on one thread, one clarification (answered after a
 * relay restart), one revision. Prints the trail, the tasks as the relay recorded them, the audit log check
 * (`baton export-log` + `baton verify-log`), and the approved brief (also written to out/brief.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@baton/client';
import type { Agent } from '@baton/client';
import { startRelay, type RunningRelay } from '@baton/relay';
import { encodeKeyFile, generateKeyPair, isBatonError, type Task } from '@baton/spec';
import { startAgentProcess, stopAgentProcess } from './children.ts';
import type { AgentProcess } from './children.ts';
import { runPipeline } from './pipeline.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO_ROOT, 'relay', 'src', 'cli', 'main.ts');
const TOPIC = 'how Baton signs and acknowledges envelopes with receipts';
const PATHS = ['spec/SPEC.md', 'README.md', 'spec/ERRORS.md'].filter((p) => existsSync(join(REPO_ROOT, p)));
const AGENTS = { researcher: 'researcher.ts', writer: 'writer-agent.ts', reviewer: 'reviewer.ts' };

const short = (did: string | null): string => (did === null ? '-' : `${did.slice(0, 16)}…${did.slice(-6)}`);
const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

/** Runs the CLI with `args`; returns its exit code and output. */
function cli(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

function describeTask(t: Task): string {
  return `${t.id}  ${t.capability.padEnd(14)} ${t.state.padEnd(9)} revision ${t.revision}  attempts ${t.attempts}  handler ${short(t.handler)}${t.revise_of !== null ? `  revises ${t.revise_of}` : ''}`;
}

/** Waits (up to 20 s) until every agent in `dids` has reconnected to `relay` after a restart. */
async function agentsBack(relay: RunningRelay, dids: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${relay.httpUrl}/v1/agents`);
    const online = new Set(((await res.json()) as { agents: { agent: string }[] }).agents.map((a) => a.agent));
    if (dids.every((d) => online.has(d))) return;
    if (Date.now() > deadline) throw new Error('the agents did not reconnect within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'baton-example-'));
  const dataDir = join(work, 'relay');
  const children: AgentProcess[] = [];
  let user: Agent | undefined;
  let relay: RunningRelay = await startRelay({ port: 0, dataDir, logLevel: 'silent' });
  const port = relay.port;
  try {
    log(`relay ${short(relay.did)} listening at ${relay.url} (data ${dataDir})`);
    for (const [name, script] of Object.entries(AGENTS)) {
      const keyFile = join(work, `${name}.key.json`);
      writeFileSync(keyFile, encodeKeyFile(generateKeyPair()), { mode: 0o600 });
      children.push(startAgentProcess(name, join(HERE, script), { BATON_URL: relay.url, BATON_KEY: keyFile }));
    }
    const dids = await Promise.all(children.map((c) => c.ready));
    children.forEach((c, i) => log(`${c.name} process ${c.child.pid} registered as ${short(dids[i]!)}`));
    user = await connect({ url: relay.url, key: generateKeyPair() });
    await user.watch();
    log(`orchestrator connected as ${short(user.did)}, watching its tasks`);
    log();

    const result = await runPipeline({
      user, topic: TOPIC, paths: PATHS, log,
      restartRelay: async () => {
        await relay.close();
        relay = await startRelay({ port, dataDir, logLevel: 'silent' });
        await agentsBack(relay, dids);
      },
      taskState: (id) => relay.tasks.get(id)?.state,
    });

    log();
    log(`== tasks on thread ${result.thread}, as the relay recorded them`);
    const tasks = relay.tasks.list({ thread: result.thread, limit: 100 }).tasks;
    for (const t of tasks) log(`   ${describeTask(t)}`);
    const firstWrite = relay.tasks.get(result.tasks[1]!.id);
    log();
    log(`== history of the first write task ${firstWrite?.id}`);
    for (const e of firstWrite?.events ?? []) log(`   ${e.n}. ${e.from ?? '-'} -> ${e.to}  by ${e.cause.type} ${e.cause.id} from ${short(e.cause.sender)}`);

    log();
    log('== audit log');
    const logFile = join(work, 'audit.jsonl');
    const exported = cli(['export-log', '--data', dataDir, '--out', logFile]);
    log(`   baton export-log: ${exported.out.split('\n').at(-1)}`);
    const verified = cli(['verify-log', logFile, '--relay', relay.did]);
    log(`   baton verify-log: ${verified.status === 0 ? 'ok' : `FAILED (${verified.status})`}`);
    for (const line of verified.out.split('\n')) log(`     ${line}`);
    if (verified.status !== 0) return 1;

    const outDir = join(HERE, 'out');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'brief.md'), result.final.markdown);
    log();
    log('== approved brief (also written to examples/research-brief/out/brief.md)');
    log();
    log(result.final.markdown);
    return 0;
  } catch (error) {
    process.stderr.write(`example failed: ${isBatonError(error) ? `${error.code}: ${error.message}` : String(error)}\n`);
    return 1;
  } finally {
    await user?.close();
    await Promise.all(children.map((c) => stopAgentProcess(c)));
    await relay.close();
    rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
