/**
 * `npm run bench [-- --quick]`: runs the Baton benchmarks (bench/README.md), prints a Markdown table and writes
 * `bench/results/latest.json` with the machine description and every figure. Benchmarks are not tests: they
 * measure, they do not assert.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareForwardRun, bareRoundTrips } from './figures/baseline.ts';
import { cryptoFigures } from './figures/crypto.ts';
import { latencyRun } from './figures/latency.ts';
import { routedRun, type RoutedRun } from './figures/routed.ts';
import { median, round, type LatencySummary } from './lib/stats.ts';
import { buildWorkload, writeWorkload } from './lib/workload.ts';
import { notMeasured, type Figure, type Figures } from './report/figure.ts';
import { describeMachine } from './report/machine.ts';
import { renderTable } from './report/table.ts';

const quick = process.argv.includes('--quick');
const config = quick
  ? { runs: 3, messages: 5_000, window: 512, rtts: 1_000, rate: 200, latencyMs: 5_000, cryptoMs: 300 }
  : { runs: 5, messages: 40_000, window: 512, rtts: 5_000, rate: 1_000, latencyMs: 10_000, cryptoMs: 1_000 };

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function throughput(runs: number[], extra: Partial<Figure> = {}): Figure {
  return { value: round(median(runs), 0), unit: 'msg/s', runs: runs.map((r) => round(r, 0)), ...extra };
}

function ratioTo(value: number, baselineKey: string, baselineValue: number, min: number): Partial<Figure> {
  const ratio = round(value / baselineValue, 3);
  return { ratio, baseline: baselineKey, target: `>= ${min}x`, met: ratio >= min };
}

const started = Date.now();
const machine = describeMachine();
const work = mkdtempSync(join(tmpdir(), 'baton-bench-work-'));
try {
  log(`mode ${quick ? 'quick' : 'full'}: ${JSON.stringify(config)}`);
  log(`signing ${config.messages} messages and their receipts (before any timed phase)`);
  const workloadFile = join(work, 'workload.json');
  writeWorkload(workloadFile, buildWorkload(config.messages));

  const forward: number[] = [];
  const routed: Record<'fsync' | 'normal', RoutedRun[]> = { fsync: [], normal: [] };
  for (let run = 1; run <= config.runs; run++) {
    log(`run ${run}/${config.runs}: bare ws forwarding`);
    forward.push(await bareForwardRun(workloadFile, config.messages));
    for (const durability of ['fsync', 'normal'] as const) {
      log(`run ${run}/${config.runs}: routed through the relay, durability ${durability}`);
      routed[durability].push(await routedRun(workloadFile, config.messages, durability, config.window));
    }
  }
  log('bare ws round trips');
  const bareRtt: LatencySummary = await bareRoundTrips(workloadFile, config.rtts);
  log(`client request round trips at ${config.rate}/s`);
  const latency = await latencyRun(config.rate, config.latencyMs);
  log('crypto micro-figures');
  const crypto = cryptoFigures(config.cryptoMs);

  const figures: Figures = {};
  const base = median(forward);
  figures['baseline.ws_forward'] = throughput(forward, { note: '3 processes: sender -> forwarder -> receiver, same frame bytes' });
  figures['baseline.ws_rtt_p50'] = { value: round(bareRtt.p50), unit: 'ms', note: `sequential, n=${bareRtt.n}` };
  figures['baseline.ws_rtt_p99'] = { value: round(bareRtt.p99), unit: 'ms' };
  for (const durability of ['fsync', 'normal'] as const) {
    const runs = routed[durability];
    const errors = runs.flatMap((r) => Object.entries(r.errors).map(([c, n]) => `${c}x${n}`));
    const accepted = runs.map((r) => r.acceptedPerSec);
    const delivered = runs.map((r) => r.deliveredPerSec);
    figures[`routed.${durability}.accepted`] = throughput(accepted, {
      ...ratioTo(median(accepted), 'baseline.ws_forward', base, 0.5),
      ...(errors.length > 0 ? { note: `rejections: ${errors.join(', ')}` } : {}),
    });
    figures[`routed.${durability}.delivered`] = throughput(delivered, {
      ...ratioTo(median(delivered), 'baseline.ws_forward', base, 0.5),
      note: 'receipt back at the sender (delivered frame)',
    });
  }
  Object.assign(figures, crypto.figures);
  const verifyRate = crypto.figures['crypto.node.verify']?.value ?? Number.NaN;
  const routedAccepted = figures['routed.fsync.accepted']?.value ?? Number.NaN;
  figures['routed.fsync.accepted_vs_verify'] = {
    value: round(routedAccepted / verifyRate, 3), unit: 'ratio', baseline: 'crypto.node.verify',
    ratio: round(routedAccepted / verifyRate, 3), target: '>= 0.8x', met: routedAccepted / verifyRate >= 0.8,
    note: 'each routed message costs the relay 2 verifications (message + receipt): ceiling ~0.5x',
  };
  const lat = latency.summary;
  figures['latency.request_p50'] = {
    value: round(lat.p50), unit: 'ms', ratio: round(lat.p50 / bareRtt.p50, 2), baseline: 'baseline.ws_rtt_p50',
    target: '<= 2x bare', met: lat.p50 <= 2 * bareRtt.p50,
    note: `agent.request at ${config.rate}/s offered for ${config.latencyMs} ms, n=${lat.n}, errors=${latency.errors}`,
  };
  figures['latency.request_p99'] = { value: round(lat.p99), unit: 'ms', target: '< 5 ms', met: lat.p99 < 5 };
  figures['latency.request_p999'] = { value: round(lat.p999), unit: 'ms' };
  const seq = latency.sequential;
  figures['latency.request_sequential_p50'] = {
    value: round(seq.p50), unit: 'ms', ratio: round(seq.p50 / bareRtt.p50, 2), baseline: 'baseline.ws_rtt_p50',
    target: '<= 2x bare', met: seq.p50 <= 2 * bareRtt.p50, note: `one request at a time, n=${seq.n}`,
  };
  figures['latency.request_sequential_p99'] = { value: round(seq.p99), unit: 'ms', target: '< 5 ms', met: seq.p99 < 5 };
  figures['idle_agents_10k.memory'] = notMeasured('bytes', '10k idle agents');
  figures['discovery_10k_manifests'] = notMeasured('ms', '10k manifests discovery');
  figures['handshake.rate'] = notMeasured('handshakes/s', 'handshake rate');
  figures['peers'] = notMeasured('msg/s', 'A2A SDK, NATS comparisons');

  const result = {
    mode: quick ? 'quick' : 'full', date: new Date().toISOString(), duration_ms: Date.now() - started,
    config, machine, figures,
  };
  const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${machine.cpus} x ${machine.model}, Node ${machine.node}, ${Math.round(machine.total_mem_bytes / 2 ** 20)} MiB, load avg ${machine.load_avg_1m_at_start} at start; ${machine.placement}\n`);
  process.stdout.write(`mode ${result.mode}, medians of ${config.runs} runs, ${Math.round(result.duration_ms / 1000)} s\n\n`);
  process.stdout.write(`${renderTable(figures)}\n\nwrote bench/results/latest.json\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
