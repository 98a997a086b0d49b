/**
 * `npm run bench [-- --quick] [-- --peers] [-- --only=<sections>]`: runs the Baton benchmarks
 * (bench/README.md), prints a Markdown table and writes `bench/results/latest.json` with the machine
 * description and every figure. Sections: throughput, crypto, latency, scale (default), peers (with --peers).
 * Benchmarks are not tests: they measure, they do not assert.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cryptoFigures } from './figures/crypto.ts';
import { benchConfig } from './lib/config.ts';
import { buildWorkload, writeWorkload } from './lib/workload.ts';
import type { Figures } from './report/figure.ts';
import { describeMachine } from './report/machine.ts';
import { renderTable } from './report/table.ts';
import { latencySection } from './sections/latency.ts';
import { peersSection } from './sections/peers.ts';
import { scaleSection } from './sections/scale.ts';
import { throughputSection } from './sections/throughput.ts';

const SECTIONS = ['throughput', 'crypto', 'latency', 'scale', 'peers'] as const;
type Section = (typeof SECTIONS)[number];

function selectedSections(argv: readonly string[]): Set<Section> {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i >= 0) {
    const arg = argv[i]!.startsWith('--only=') ? argv[i]!.slice('--only='.length) : argv[i + 1] ?? '';
    const names = arg.split(',').filter((n) => n !== '');
    const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
    if (unknown.length > 0 || names.length === 0) {
      process.stderr.write(`--only takes a comma-separated list of: ${SECTIONS.join(', ')}\n`);
      process.exit(2);
    }
    return new Set(names as Section[]);
  }
  return new Set(SECTIONS.filter((s) => s !== 'peers' || argv.includes('--peers')));
}

const started = Date.now();

function log(message: string): void {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

/**
 * Runs one section; a section that fails (a relay under change, a peer that does not start) becomes one row
 * saying why instead of ending the whole bench.
 */
async function runSection(name: Section, figures: Figures, body: () => Promise<Figures> | Figures): Promise<void> {
  try {
    Object.assign(figures, await body());
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`section ${name} failed: ${message}`);
    figures[`${name}.failed`] = { value: null, unit: '-', note: `section failed: ${message}` };
  }
}

const quick = process.argv.includes('--quick');
const sections = selectedSections(process.argv);
const config = benchConfig(quick);
const machine = describeMachine();
const work = mkdtempSync(join(tmpdir(), 'baton-bench-work-'));
try {
  log(`mode ${quick ? 'quick' : 'full'}, sections ${[...sections].join(', ')}`);
  const figures: Figures = {};
  const workloadFile = join(work, 'workload.json');
  if (sections.has('throughput') || sections.has('latency')) {
    log(`signing ${config.messages} messages and their receipts (before any timed phase)`);
    writeWorkload(workloadFile, buildWorkload(config.messages));
  }
  if (sections.has('throughput')) await runSection('throughput', figures, () => throughputSection(workloadFile, config, log));
  if (sections.has('crypto')) {
    log('crypto micro-figures');
    await runSection('crypto', figures, () => cryptoFigures(config.cryptoMs).figures);
  }
  if (sections.has('latency')) await runSection('latency', figures, () => latencySection(workloadFile, config, log));
  if (sections.has('scale')) await runSection('scale', figures, () => scaleSection(config.scale, log));
  if (sections.has('peers')) await runSection('peers', figures, () => peersSection(config.peers, work, log));
  else figures['peers'] = { value: null, unit: '-', note: 'not run: add --peers (A2A JS SDK, NATS JetStream; own time budget)' };

  const result = {
    mode: quick ? 'quick' : 'full', sections: [...sections], date: new Date().toISOString(),
    duration_ms: Date.now() - started, config, machine, figures,
  };
  const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${machine.cpus} x ${machine.model}, Node ${machine.node}, ${Math.round(machine.total_mem_bytes / 2 ** 20)} MiB, load avg ${machine.load_avg_1m_at_start} at start\n${machine.placement}\n`);
  process.stdout.write(`mode ${result.mode}, medians of ${config.runs} runs (peers: ${config.peers.runs}), ${Math.round(result.duration_ms / 1000)} s\n\n`);
  process.stdout.write(`${renderTable(figures)}\n\nwrote bench/results/latest.json\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
