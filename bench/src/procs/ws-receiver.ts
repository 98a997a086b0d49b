/**
 * Baseline bench process: connects to the forwarder (`/b`) and either counts messages (mode `count`, reports
 * `done` with the arrival time of the last one) or echoes every message back (mode `echo`, the responder for
 * bare round trips). Args: <forwarder url> <mode> <count>.
 */
import WebSocket from 'ws';
import { exitWithParent, toParent } from '../lib/ipc.ts';
import { nowMs } from '../lib/stats.ts';

exitWithParent();
const [url, mode, countArg] = process.argv.slice(2);
const expected = Number(countArg);
const ws = new WebSocket(`${url!}/b`);
let received = 0;
ws.on('message', (data, isBinary) => {
  if (mode === 'echo') {
    ws.send(data, { binary: isBinary });
    return;
  }
  if (++received === expected) toParent({ type: 'done', tLast: nowMs(), received });
});
await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
toParent({ type: 'ready' });
