/**
 * `node bench/src/relay-rss-long.ts [n0] [n1]`: the literal memory target, outside the timed bench:
 * relay RSS after GC once n0 (default 100,000) and n1 (default 1,000,000) request round trips completed
 * (`@baton/client` requester and echo provider, 32 in flight, durability normal, young generation pinned and
 * MALLOC_ARENA_MAX=2 as in `peers.baton.relay_rss_after_*`). About half an hour on the 2-core machine, so
 * `npm run bench -- --peers` measures 10,000 -> 100,000 instead. Prints the figures and writes
 * `bench/results/relay-rss-long.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { batonRssGrowth } from './figures/peers-rtt.ts';
import { describeMachine } from './report/machine.ts';

const n0 = Number(process.argv[2] ?? 100_000);
const n1 = Number(process.argv[3] ?? 1_000_000);
const started = Date.now();
const growth = await batonRssGrowth([n0, n1], 32, 'normal');
const [rss0, rss1] = growth.rss;
const result = {
  checkpoints: [n0, n1], rss_bytes: growth.rss, heap_used_bytes: growth.heap, ratio: rss1 / rss0, target: '<= 1.1x', met: rss1 / rss0 <= 1.1,
  round_trips_per_sec: growth.perSec, errors: growth.errors, duration_ms: Date.now() - started, machine: describeMachine(),
};
const dir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'relay-rss-long.json'), `${JSON.stringify(result, null, 2)}\n`);
const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
process.stdout.write(`relay RSS after ${n0} round trips ${mib(rss0)} MiB, after ${n1} ${mib(rss1)} MiB: ${result.ratio.toFixed(4)}x (target <= 1.1x: ${result.met ? 'met' : 'missed'}); `
  + `JS heap ${mib(growth.heap[0])} -> ${mib(growth.heap[1])} MiB; ${Math.round(growth.perSec)} round trips/s, errors ${growth.errors}, ${Math.round(result.duration_ms / 1000)} s\n`);
process.exit(0);
