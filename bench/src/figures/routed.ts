/**
 * Figure 2 (and 5): routed throughput through a Baton relay process. A sender process sends pre-signed
 * `message` envelopes to a receiver process that answers each `deliver` with a pre-signed receipt; the relay
 * verifies both signatures, group-commits both to SQLite and forwards `delivered` to the sender.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkChild, type BenchChild } from '../lib/child.ts';

/** One routed run's outcome. */
export interface RoutedRun {
  /** Envelopes accepted per second (first send to last `accepted`). */
  acceptedPerSec: number;
  /** Envelopes whose receipt reached the sender per second (first send to last `delivered`). */
  deliveredPerSec: number;
  /** Rejections by code (should be empty). */
  errors: Record<string, number>;
}

/** Runs one routed measurement against a fresh relay (fresh data directory) with `durability`. */
export async function routedRun(
  workloadFile: string, count: number, durability: 'fsync' | 'normal', window: number,
): Promise<RoutedRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-bench-'));
  const children: BenchChild[] = [];
  try {
    const relay = forkChild('relay', [dataDir, durability]);
    children.push(relay);
    const { url } = await relay.next('ready') as unknown as { url: string };
    const receiver = forkChild('baton-receiver', [url, workloadFile, String(count)]);
    children.push(receiver);
    await receiver.next('ready');
    const sender = forkChild('baton-sender', [url, workloadFile, String(count), String(window)]);
    children.push(sender);
    await sender.next('ready');
    sender.send({ type: 'start' });
    const done = await sender.next('done') as unknown as {
      t0: number; tAccepted: number; tDelivered: number; accepted: number; delivered: number; errors: Record<string, number>;
    };
    return {
      acceptedPerSec: done.accepted / ((done.tAccepted - done.t0) / 1000),
      deliveredPerSec: done.delivered / ((done.tDelivered - done.t0) / 1000),
      errors: done.errors,
    };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
