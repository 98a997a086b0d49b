/**
 * Peer figure: NATS JetStream's work-queue flow (issue 6). A fresh `nats-server -js` with a temporary store
 * directory; a producer process publishing with PubAck to a file-backed work-queue stream, <window> publishes
 * in flight, for `durationMs`; a worker process pulling from a durable consumer and acking each message.
 * Messages/s end to end (first publish to last arrival at the worker) and per-message latency (publish to
 * arrival). nats-server 2.9 acknowledges a publish once the message is written to its file store, before any
 * fsync: the same durability as a Baton relay with durability `normal`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkChild, type BenchChild } from '../lib/child.ts';
import { startCpuMeter } from '../lib/cpu-time.ts';
import { findOnPath, freePort, spawnUntilReady, type ExternalServer } from '../lib/external-server.ts';
import { readRssBytes } from '../lib/rss.ts';
import { perUnit } from '../report/cpu-figures.ts';
import { latenciesBySeq, type QueueRun } from './queue-run.ts';

/** Path of nats-server, or undefined when it is not installed (the figures are then skipped). */
export function natsServerPath(): string | undefined {
  return findOnPath('nats-server');
}

/** One JetStream work-queue run against a fresh server. */
export async function natsRun(bin: string, durationMs: number, payloadBytes: number, window: number): Promise<QueueRun> {
  const storeDir = mkdtempSync(join(tmpdir(), 'baton-bench-nats-'));
  const children: BenchChild[] = [];
  let server: ExternalServer | undefined;
  try {
    const port = await freePort();
    server = await spawnUntilReady(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], /Server is ready/);
    const url = `nats://127.0.0.1:${port}`;
    const publisher = forkChild('nats-publisher', [url, String(durationMs), String(payloadBytes), String(window)]);
    children.push(publisher);
    await publisher.next('ready');
    const consumer = forkChild('nats-consumer', [url]);
    children.push(consumer);
    await consumer.next('ready');
    const meter = startCpuMeter({ 'nats-server': server.proc.pid, publisher: publisher.proc.pid, worker: consumer.proc.pid });
    publisher.send({ type: 'start' });
    const sent = await publisher.next('done', durationMs + 60_000) as unknown as {
      t0: number; sent: number; acked: number; errors: number; firstError: string | null; sendTimes: number[];
    };
    consumer.send({ type: 'expect', count: sent.acked });
    const got = await consumer.next('done', 60_000) as unknown as { received: number; tLast: number; arrivals: number[] };
    const cpu = perUnit(meter.read(), got.received);
    return {
      perSec: got.received / ((got.tLast - sent.t0) / 1000),
      latencies: latenciesBySeq(sent.sendTimes, got.arrivals),
      serverRss: readRssBytes(server.proc.pid),
      cpu,
      note: `${sent.acked} messages, ${sent.errors} publish errors${sent.firstError === null ? '' : ` (${sent.firstError})`}`,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await server?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
}
