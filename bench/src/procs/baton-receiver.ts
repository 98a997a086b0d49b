/**
 * Routed bench process: the receiving agent. Answers every `deliver` (ACK-2) with its pre-signed receipt
 * (ACK-3) from the workload file, over a raw authenticated socket. Args: <relay url> <workload file> <count>.
 * It does not verify deliveries itself: the bench measures the relay, not the recipient. Records the arrival
 * time of each message by its `body.seq` (the first arrival, redeliveries aside) and sends them on `report`
 * (`deliver` frames also carry the relay's `seq` and `attempt`, which it ignores).
 */
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { connectRaw } from '../lib/raw-agent.ts';
import { nowMs } from '../lib/stats.ts';
import { readWorkload } from '../lib/workload.ts';

exitWithParent();
const [url, file, countArg] = process.argv.slice(2);
const workload = readWorkload(file!);
const expected = Number(countArg);
const ws = await connectRaw(url!, workload.receiverKey);
let received = 0;
let missing = 0;
let unique = 0;
let tLast = 0;
const arrivals: number[] = [];
ws.on('message', (data) => {
  const frame = JSON.parse(String(data)) as { op: string; env?: { id: string; body?: { seq?: number } } };
  if (frame.op !== 'deliver' || frame.env === undefined) return;
  tLast = nowMs();
  const seq = frame.env.body?.seq;
  if (typeof seq === 'number' && arrivals[seq] === undefined) {
    arrivals[seq] = tLast;
    unique++;
  }
  const receipt = workload.receipts[frame.env.id];
  if (receipt === undefined) missing++;
  else ws.send(receipt);
  if (++received === expected) toParent({ type: 'done', tLast, received, missing });
});
toParent({ type: 'ready' });
await fromParent('report');
toParent({ type: 'arrivals', arrivals, received, unique, tLast });
