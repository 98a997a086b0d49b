/**
 * The shape shared by the work-queue comparison's runs (NATS JetStream and Baton routed messages): end-to-end
 * messages/s, per-message latencies, server RSS after the run, CPU time per message.
 */
import type { CpuPerUnit } from '../report/cpu-figures.ts';

/** One work-queue run. */
export interface QueueRun {
  /** Messages per second from the first send to the last arrival at the worker. */
  perSec: number;
  /** Per-message latency, send to arrival at the worker, ms. */
  latencies: number[];
  /** Server (nats-server or relay) RSS after the run, bytes. */
  serverRss: number;
  /** CPU time per message of the server and both clients, from the first publish to the last acknowledgement. */
  cpu: CpuPerUnit;
  /** Counts and errors, for the report. */
  note: string;
}

/** Latencies arrival[i] - send[i] (ms) of every message i that was both sent and received. */
export function latenciesBySeq(sendTimes: readonly (number | null)[], arrivals: readonly (number | null)[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < sendTimes.length; i++) {
    const sent = sendTimes[i];
    const arrived = arrivals[i];
    if (typeof sent === 'number' && typeof arrived === 'number') out.push(arrived - sent);
  }
  return out;
}
