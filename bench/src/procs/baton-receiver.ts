/**
 * Routed bench process: the receiving agent. Answers every `deliver` (ACK-2) with its pre-signed receipt
 * (ACK-3) from the workload file, over a raw authenticated socket. Args: <relay url> <workload file> <count>.
 * It does not verify deliveries itself: the bench measures the relay, not the recipient.
 */
import { exitWithParent, toParent } from '../lib/ipc.ts';
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
ws.on('message', (data) => {
  const frame = JSON.parse(String(data)) as { op: string; env?: { id: string } };
  if (frame.op !== 'deliver' || frame.env === undefined) return;
  const receipt = workload.receipts[frame.env.id];
  if (receipt === undefined) missing++;
  else ws.send(receipt);
  if (++received === expected) toParent({ type: 'done', tLast: nowMs(), received, missing });
});
toParent({ type: 'ready' });
