/**
 * Figure 1, the baseline: bare `ws` forwarding of the same frame bytes the routed bench sends, between two
 * separate processes through a forwarding `ws` server (a third process), and bare sequential round trips.
 */
import { forkChild } from '../lib/child.ts';
import { startCpuMeter } from '../lib/cpu-time.ts';
import { perUnit, type CpuPerUnit } from '../report/cpu-figures.ts';
import { summarize, type LatencySummary } from '../lib/stats.ts';

/**
 * One forwarding run: messages per second from the sender's first send to the receiver's last arrival, and the
 * CPU time per message of the forwarder, the sender and the receiver over the same span.
 */
export async function bareForwardRun(workloadFile: string, count: number): Promise<{ perSec: number; cpu: CpuPerUnit }> {
  const forwarder = forkChild('forwarder');
  const children = [forwarder];
  try {
    const { url } = await forwarder.next('ready') as unknown as { url: string };
    const receiver = forkChild('ws-receiver', [url, 'count', String(count)]);
    children.push(receiver);
    await receiver.next('ready');
    const sender = forkChild('ws-sender', [url, workloadFile, String(count)]);
    children.push(sender);
    await sender.next('ready');
    const meter = startCpuMeter({ forwarder: forwarder.proc.pid, sender: sender.proc.pid, receiver: receiver.proc.pid });
    sender.send({ type: 'start' });
    const sent = await sender.next('sent') as unknown as { t0: number };
    const done = await receiver.next('done') as unknown as { tLast: number };
    return { perSec: count / ((done.tLast - sent.t0) / 1000), cpu: perUnit(meter.read(), count) };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

/** Sequential bare round trips through the forwarder to an echoing peer; latency in ms. */
export async function bareRoundTrips(workloadFile: string, count: number): Promise<LatencySummary> {
  const forwarder = forkChild('forwarder');
  const children = [forwarder];
  try {
    const { url } = await forwarder.next('ready') as unknown as { url: string };
    const echo = forkChild('ws-receiver', [url, 'echo', '0']);
    children.push(echo);
    await echo.next('ready');
    const requester = forkChild('bare-rtt', [url, workloadFile, String(count)]);
    children.push(requester);
    await requester.next('ready');
    requester.send({ type: 'start' });
    const done = await requester.next('done') as unknown as { samples: number[] };
    // The first 10% warm up the JIT and the sockets.
    return summarize(done.samples.slice(Math.floor(count / 10)));
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}
