/**
 * Baseline bench process: sequential round trips over bare `ws` through the forwarder to an echoing peer
 * (requester -> forwarder -> responder -> forwarder -> requester, the same hops as a Baton request/result).
 * Args: <forwarder url> <workload file> <count>. Reports the samples in ms.
 */
import WebSocket from 'ws';
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { nowMs } from '../lib/stats.ts';
import { readWorkload } from '../lib/workload.ts';

exitWithParent();
const [url, file, countArg] = process.argv.slice(2);
const count = Number(countArg);
const frames = readWorkload(file!).frames;
const ws = new WebSocket(`${url!}/a`);
await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
toParent({ type: 'ready' });
await fromParent('start');
const samples: number[] = [];
for (let i = 0; i < count; i++) {
  const t = nowMs();
  await new Promise<void>((resolve) => {
    ws.once('message', () => resolve());
    ws.send(frames[i % frames.length]!);
  });
  samples.push(nowMs() - t);
}
toParent({ type: 'done', samples });
