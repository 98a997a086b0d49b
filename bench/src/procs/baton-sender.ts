/**
 * Routed bench process: the sending agent. Sends the workload's pre-signed `message` envelopes to the relay
 * over a raw authenticated socket, keeping at most <window> envelopes waiting for `accepted` (ACK-1), and
 * counts `accepted` and `delivered` (ACK-4) frames. With a duration, no envelope is sent after it has passed
 * since the start. Records each envelope's send time (by workload index, which is the message's `body.seq`).
 * Args: <relay url> <workload file> <count> <window> [duration ms].
 */
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { connectRaw } from '../lib/raw-agent.ts';
import { nowMs } from '../lib/stats.ts';
import { readWorkload } from '../lib/workload.ts';

exitWithParent();
const [url, file, countArg, windowArg, durationArg] = process.argv.slice(2);
const workload = readWorkload(file!);
const frames = workload.frames.slice(0, Number(countArg));
const window = Number(windowArg);
const ws = await connectRaw(url!, workload.senderKey);

const sendTimes: number[] = [];
let deadline = Number.POSITIVE_INFINITY;
let stopped = false;
let next = 0;
let accepted = 0;
let delivered = 0;
let tAccepted = 0;
let tDelivered = 0;
const errors: Record<string, number> = {};
let settle: () => void = () => {};
const finished = new Promise<void>((resolve) => { settle = resolve; });

function pump(): void {
  let inFlight = next - accepted - Object.values(errors).reduce((a, b) => a + b, 0);
  if (!stopped && nowMs() >= deadline) stopped = true;
  while (!stopped && next < frames.length && inFlight < window) {
    sendTimes[next] = nowMs();
    ws.send(frames[next++]!);
    inFlight++;
  }
}

function checkDone(): void {
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  const issued = stopped ? next : frames.length;
  if (accepted + failed === issued && delivered >= accepted) settle();
}

ws.on('message', (data) => {
  const frame = JSON.parse(String(data)) as { op: string; code?: string };
  if (frame.op === 'accepted') {
    accepted++;
    tAccepted = nowMs();
    pump();
  } else if (frame.op === 'delivered') {
    delivered++;
    tDelivered = nowMs();
  } else if (frame.op === 'error') {
    const code = frame.code ?? 'UNKNOWN';
    errors[code] = (errors[code] ?? 0) + 1;
    pump();
  }
  checkDone();
});

toParent({ type: 'ready' });
await fromParent('start');
const t0 = nowMs();
if (durationArg !== undefined) deadline = t0 + Number(durationArg);
pump();
await finished;
toParent({ type: 'done', t0, tAccepted, tDelivered, accepted, delivered, errors, sendTimes });
