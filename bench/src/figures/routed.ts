/**
 * Figures 1, 2 and 5: routed throughput through a Baton relay process. A sender process sends pre-signed
 * `message` envelopes to a receiver process that answers each `deliver` with a pre-signed receipt; the relay
 * verifies both signatures (on worker threads, on the event loop, or not at all: `VerifyMode`), group-commits
 * both to SQLite and forwards `delivered` to the sender. The same run,
 * with a small window and a duration, is Baton's side of the work-queue comparison with NATS JetStream
 * (`queueRun`).
 */
import { forkChild, withBenchChildren } from '../lib/child.ts';
import { startCpuMeter } from '../lib/cpu-time.ts';
import { readRssBytes } from '../lib/rss.ts';
import { perUnit, type CpuPerUnit } from '../report/cpu-figures.ts';
import { latenciesBySeq, type QueueRun } from './queue-run.ts';

/** One routed run's outcome. */
export interface RoutedRun {
  /** Envelopes accepted per second (first send to last `accepted`). */
  acceptedPerSec: number;
  /** Envelopes whose receipt reached the sender per second (first send to last `delivered`). */
  deliveredPerSec: number;
  /** Rejections by code (should be empty). */
  errors: Record<string, number>;
  /** Envelopes accepted. */
  accepted: number;
  /** CPU time per accepted message of the relay, the sender and the receiver, from `start` to the last `delivered`. */
  cpu: CpuPerUnit;
}

interface SenderDone {
  t0: number; tAccepted: number; tDelivered: number; accepted: number; delivered: number;
  errors: Record<string, number>; sendTimes: (number | null)[];
}

interface ReceiverReport {
  arrivals: (number | null)[];
  /** Deliveries received, redeliveries included, and distinct messages received. */
  received: number;
  unique: number;
  tLast: number;
}

/**
 * How the relay verifies signatures: `default` (worker threads, `defaultVerifyThreads()`), `inline` (on the
 * event loop, verifyThreads 0) or `off` (no signature checks; see procs/relay.ts).
 */
export type VerifyMode = 'default' | 'inline' | 'off';

/** Runs sender and receiver against a fresh relay; `durationMs` stops sending early. */
async function runRouted(
  workloadFile: string, count: number, durability: 'fsync' | 'normal', window: number, durationMs?: number,
  verify: VerifyMode = 'default',
): Promise<{ done: SenderDone; report: ReceiverReport; relayRss: number; cpu: CpuPerUnit }> {
  return withBenchChildren('baton-bench-', async (children, dataDir) => {
    const relay = forkChild('relay', [dataDir, durability, verify]);
    children.push(relay);
    const { url } = await relay.next('ready') as unknown as { url: string };
    const senderArgs = [url, workloadFile, String(count), String(window)];
    if (durationMs !== undefined) senderArgs.push(String(durationMs));
    // both start at once (each loads the workload and authenticates: ~0.4 s); the sender sends only on `start`
    const receiver = forkChild('baton-receiver', [url, workloadFile, String(count)]);
    children.push(receiver);
    const sender = forkChild('baton-sender', senderArgs);
    children.push(sender);
    await Promise.all([receiver.next('ready'), sender.next('ready')]);
    const meter = startCpuMeter({ relay: relay.proc.pid, sender: sender.proc.pid, receiver: receiver.proc.pid });
    sender.send({ type: 'start' });
    const done = await sender.next('done') as unknown as SenderDone;
    const cpu = perUnit(meter.read(), done.accepted);
    receiver.send({ type: 'report' });
    const report = await receiver.next('arrivals') as unknown as ReceiverReport;
    return { done, report, relayRss: readRssBytes(relay.proc.pid), cpu };
  });
}

/** Runs one routed measurement against a fresh relay (fresh data directory) with `durability`. */
export async function routedRun(
  workloadFile: string, count: number, durability: 'fsync' | 'normal', window: number, verify: VerifyMode = 'default',
): Promise<RoutedRun> {
  const { done, cpu } = await runRouted(workloadFile, count, durability, window, undefined, verify);
  return {
    acceptedPerSec: done.accepted / ((done.tAccepted - done.t0) / 1000),
    deliveredPerSec: done.delivered / ((done.tDelivered - done.t0) / 1000),
    errors: done.errors,
    accepted: done.accepted,
    cpu,
  };
}

/**
 * Baton's side of the work-queue comparison: messages from the sender to the receiver (which answers each
 * with a receipt, as a JetStream worker acks), `window` unaccepted in flight, for `durationMs` (or until the
 * workload's `count` messages are used up). Rate and latencies are taken at the receiver.
 */
export async function queueRun(
  workloadFile: string, count: number, durability: 'fsync' | 'normal', window: number, durationMs: number,
): Promise<QueueRun> {
  const { done, report, relayRss, cpu } = await runRouted(workloadFile, count, durability, window, durationMs);
  const rejected = Object.entries(done.errors).map(([code, n]) => `${code}x${n}`);
  return {
    perSec: report.unique / ((report.tLast - done.t0) / 1000),
    latencies: latenciesBySeq(done.sendTimes, report.arrivals),
    serverRss: relayRss,
    cpu,
    note: `${done.accepted} messages (${report.received - report.unique} redeliveries), ${Math.round(done.delivered / ((done.tDelivered - done.t0) / 1000))} receipts/s back at the sender` +
      (rejected.length > 0 ? `, rejections ${rejected.join(', ')}` : ''),
  };
}
