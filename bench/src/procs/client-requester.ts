/**
 * Latency bench process: a requester agent built with `@baton/client` that calls `bench.echo` with
 * `agent.request` at a fixed offered rate (open loop: request i is due at t0 + i / rate, and its latency is
 * counted from that due time, so a stall is not hidden). Args: <relay url> <rate per s> <duration ms>.
 */
import WebSocket from 'ws';
import { connect, type WebSocketConstructor } from '@baton/client';
import { generateKeyPair } from '@baton/spec';
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { nowMs } from '../lib/stats.ts';

exitWithParent();
const [url, rateArg, durationArg] = process.argv.slice(2);
const rate = Number(rateArg);
const total = Math.round((rate * Number(durationArg)) / 1000);
// Past capacity, requests time out and their late results are ignored with a warning each: not bench output.
const quiet = { warn: () => {} };
const agent = await connect({ url: url!, key: generateKeyPair(), WebSocket: WebSocket as unknown as WebSocketConstructor, logger: quiet });
const input = { text: 'x'.repeat(256) };
/** Sequential round trips (latency.sequential_*, latency.sequential_cpu). */
const SEQUENTIAL = 200;
// Warm-up: discovery cache, JIT, sockets.
for (let i = 0; i < 50; i++) await agent.request('bench.echo', input);
// Unloaded latency: sequential requests, one at a time; the parent reads every process's CPU time around them.
toParent({ type: 'warm' });
await fromParent('measure');
const sequential: number[] = [];
for (let i = 0; i < SEQUENTIAL; i++) {
  const t = nowMs();
  await agent.request('bench.echo', input);
  sequential.push(nowMs() - t);
}
toParent({ type: 'ready', sequential });
await fromParent('start');

const samples: number[] = [];
let errors = 0;
let issued = 0;
let settled = 0;
const t0 = nowMs();
await new Promise<void>((resolve) => {
  const tick = (): void => {
    const now = nowMs();
    while (issued < total && t0 + (issued * 1000) / rate <= now) {
      const due = t0 + (issued * 1000) / rate;
      issued++;
      agent.request('bench.echo', input, { timeoutMs: 10_000 }).then(
        () => { samples.push(nowMs() - due); },
        () => { errors++; },
      ).finally(() => { if (++settled === total) resolve(); });
    }
    if (issued < total) setTimeout(tick, 1);
  };
  tick();
});
toParent({ type: 'done', samples, errors, elapsedMs: nowMs() - t0 });
