/**
 * Routed bench process: the sending agent. Sends the workload's pre-signed `message` envelopes to the relay
 * over a raw authenticated socket, keeping at most <window> envelopes waiting for `accepted` (ACK-1), and
 * counts `accepted` and `delivered` (ACK-4) frames. Args: <relay url> <workload file> <count> <window>.
 */
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { connectRaw } from '../lib/raw-agent.ts';
import { nowMs } from '../lib/stats.ts';
import { readWorkload } from '../lib/workload.ts';

exitWithParent();
const [url, file, countArg, windowArg] = process.argv.slice(2);
const workload = readWorkload(file!);
const frames = workload.frames.slice(0, Number(countArg));
const window = Number(windowArg);
const ws = await connectRaw(url!, workload.senderKey);

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
  while (next < frames.length && inFlight < window) {
    ws.send(frames[next++]!);
    inFlight++;
  }
}

function checkDone(): void {
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  if (accepted + failed === frames.length && delivered >= accepted) settle();
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
pump();
await finished;
toParent({ type: 'done', t0, tAccepted, tDelivered, accepted, delivered, errors });
