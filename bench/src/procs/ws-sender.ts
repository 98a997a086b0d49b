/**
 * Baseline bench process: sends the workload's pre-built `send` frames as fast as the socket drains, over a
 * bare `ws` connection to the forwarder (`/a`). Args: <forwarder url> <workload file> <count>.
 */
import WebSocket from 'ws';
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { sendWithBackpressure } from '../lib/raw-agent.ts';
import { nowMs } from '../lib/stats.ts';
import { readWorkload } from '../lib/workload.ts';

exitWithParent();
const [url, file, countArg] = process.argv.slice(2);
const frames = readWorkload(file!).frames.slice(0, Number(countArg));
const ws = new WebSocket(`${url!}/a`);
await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
toParent({ type: 'ready' });
await fromParent('start');
const t0 = nowMs();
for (const frame of frames) await sendWithBackpressure(ws, frame);
toParent({ type: 'sent', t0, tEnd: nowMs() });
