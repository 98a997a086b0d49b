/**
 * `npm run example`: the research-brief demo in one command. Starts a relay in-process (temp data dir, free
 * port), spawns a researcher and a writer agent as separate processes, then acts as the user: discovers
 * `write.brief`, calls it about this repository, prints the verified trail and the brief, and writes the
 * brief to examples/research-brief/out/brief.md. Children are always stopped.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@baton/client';
import type { Agent, DiscoveryEntry } from '@baton/client';
import { startRelay } from '@baton/relay';
import { encodeKeyFile, generateKeyPair, isBatonError } from '@baton/spec';
import { startAgentProcess, stopAgentProcess } from './children.ts';
import type { AgentProcess } from './children.ts';
import type { WriteOutput } from './writer-agent.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOPIC = 'how Baton signs and acknowledges envelopes with receipts';
const PATHS = ['spec/SPEC.md', 'README.md', 'spec/ERRORS.md'].filter((p) => existsSync(join(REPO_ROOT, p)));

const short = (did: string): string => `${did.slice(0, 16)}…${did.slice(-6)}`;
const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function describeEntry(e: DiscoveryEntry): string {
  const manifests = (e.registration.body as { manifests: { name: string; version: string }[] }).manifests;
  const versions = manifests.filter((m) => e.capabilities.includes(m.name)).map((m) => `${m.name}@${m.version}`).join(', ');
  return `${short(e.agent)}${e.handle !== undefined ? ` (@${e.handle})` : ''} offers ${versions}; registration signature verified`;
}

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'baton-example-'));
  const children: AgentProcess[] = [];
  let user: Agent | undefined;
  const relay = await startRelay({ port: 0, dataDir: join(work, 'relay'), logLevel: 'silent' });
  try {
    log(`relay ${short(relay.did)} listening at ${relay.url}`);
    const keyFile = (name: string): string => {
      const path = join(work, `${name}.key.json`);
      writeFileSync(path, encodeKeyFile(generateKeyPair()), { mode: 0o600 });
      return path;
    };
    for (const name of ['researcher', 'writer']) {
      children.push(startAgentProcess(name, join(HERE, name === 'writer' ? 'writer-agent.ts' : 'researcher.ts'), {
        BATON_URL: relay.url, BATON_KEY: keyFile(name),
      }));
    }
    const dids = await Promise.all(children.map((c) => c.ready));
    children.forEach((c, i) => log(`${c.name} process ${c.child.pid} registered as ${short(dids[i]!)}`));

    user = await connect({ url: relay.url, key: generateKeyPair() });
    log(`user connected as ${short(user.did)}`);
    log();
    log('== discovery by capability: write.brief, research.files');
    const writers = await user.discover({ capability: 'write.brief' });
    for (const e of writers) log(`   ${describeEntry(e)}`);
    const researchers = await user.discover({ capability: 'research.files' });
    for (const e of researchers) log(`   ${describeEntry(e)}`);
    if (writers.length === 0) throw new Error('no writer registered');

    log();
    log(`== request write.brief: "${TOPIC}" over ${PATHS.join(', ')}`);
    const outcome = await user.call('write.brief', { topic: TOPIC, paths: PATHS }, { timeoutMs: 30_000 });
    const output = outcome.output as WriteOutput;
    log(`   request   ${outcome.request.id} -> ${outcome.request.to} (signed by ${short(outcome.request.from)}, exp in ${outcome.request.exp! - outcome.request.ts} ms)`);
    log(`   accepted  ${outcome.accepted.id} by relay ${short(relay.did)} (stored durably)`);
    log(outcome.receipt !== undefined
      ? `   delivered receipt ${outcome.receipt.id} from ${short(outcome.receipt.from)} (signature and digest ${(outcome.receipt.body as { digest: string }).digest.slice(0, 16)}… verified)`
      : '   delivered (no receipt arrived)');
    log(`   result    ${outcome.result.id} from ${short(outcome.provider)}: ok, parent ${outcome.result.parent}`);
    log(`   nested    writer -> research.files: request ${output.research.request_id} accepted=${output.research.accepted}, `
      + `delivered receipt from ${output.research.receipt_from === null ? 'none' : short(output.research.receipt_from)}, `
      + `result ${output.research.result_id} from ${short(output.research.provider)}`);

    const outDir = join(HERE, 'out');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'brief.md'), output.markdown);
    log();
    log('== brief (also written to examples/research-brief/out/brief.md)');
    log();
    log(output.markdown);
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
