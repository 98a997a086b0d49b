/**
 * `node bench/src/relay-rss-long.ts [n0] [n1] [steps]`: the literal memory target, outside the timed
 * bench: relay RSS after GC once n0 (default 100,000) and n1 (default 1,000,000) request round trips completed
 * (`@baton/client` requester and echo provider, 32 in flight, durability normal, young generation pinned and
 * MALLOC_ARENA_MAX=2 as in `peers.baton.relay_rss_after_*`), with `steps` - 1 (default 5) equally spaced
 * readings in between, so that the shape of any growth shows (a leak climbs at every step; allocator steps
 * do not). About half an hour on the 2-core machine, so `npm run bench -- --peers` measures 10,000 -> 100,000
 * instead. Prints the figures and writes `bench/results/relay-rss-long.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDefaultBackend } from '@baton/spec';
import { batonRssGrowth } from './figures/peers-rtt.ts';
import { describeMachine } from './report/machine.ts';

const n0 = Number(process.argv[2] ?? 100_000);
const n1 = Number(process.argv[3] ?? 1_000_000);
const steps = Math.max(1, Number(process.argv[4] ?? 5));
const checkpoints = [n0, ...Array.from({ length: steps }, (_, i) => Math.round(n0 + ((n1 - n0) * (i + 1)) / steps))];
const started = Date.now();
const growth = await batonRssGrowth(checkpoints, 32, 'normal');
const rss0 = growth.rss[0] ?? Number.NaN;
const rss1 = growth.rss.at(-1) ?? Number.NaN;
const result = {
  checkpoints, rss_bytes: growth.rss, heap_used_bytes: growth.heap,
  // where RSS sits at each reading: V8 heap committed, ArrayBuffers (outside the heap), anonymous vs file-backed
  heap_total_bytes: growth.memory.map((m) => m.heapTotal), array_buffers_bytes: growth.memory.map((m) => m.arrayBuffers),
  anonymous_bytes: growth.memory.map((m) => m.anonymous), file_bytes: growth.memory.map((m) => m.file), ratio: rss1 / rss0, target: '<= 1.1x', met: rss1 / rss0 <= 1.1,
  round_trips_per_sec: growth.perSec, errors: growth.errors, duration_ms: Date.now() - started,
  ed25519_backend: getDefaultBackend().name, machine: describeMachine(),
};
const dir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'relay-rss-long.json'), `${JSON.stringify(result, null, 2)}\n`);
const mib = (b: number | undefined): string => ((b ?? Number.NaN) / 2 ** 20).toFixed(1);
const readings = checkpoints.map((n, i) => `${n}: ${mib(growth.rss[i])}`).join(', ');
process.stdout.write(`relay RSS (MiB) after n round trips - ${readings}: ${result.ratio.toFixed(4)}x from ${n0} to ${n1} `
  + `(target <= 1.1x: ${result.met ? 'met' : 'missed'}); JS heap ${mib(growth.heap[0])} -> ${mib(growth.heap.at(-1))} MiB; `
  + `${Math.round(growth.perSec)} round trips/s, errors ${growth.errors}, ${Math.round(result.duration_ms / 1000)} s, Ed25519 ${result.ed25519_backend}\n`);
const parts = growth.memory.map((m, i) => `${checkpoints[i]}: V8 heap ${mib(m.heapTotal)} committed, ArrayBuffers ${mib(m.arrayBuffers)}, `
  + `anonymous ${mib(m.anonymous)}, file-backed ${mib(m.file)}`).join('\n  ');
process.stdout.write(`breakdown (MiB):\n  ${parts}\n`);
process.exit(0);
