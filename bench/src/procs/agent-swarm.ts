/**
 * Scale bench process: a load generator holding many idle connections. Mode `baton`: each connection is an
 * agent with its own key doing the real handshake (hello -> auth -> welcome) over a raw socket, and on
 * `register` each agent sends its pre-signed `register` envelope (`lib/registry-workload.ts`) and waits for
 * `accepted`. Mode `bare`: plain `ws` connections (the baseline). Keys and envelopes are made at start-up,
 * before `ready`. Args: <url> <baton|bare> <count> <first agent index> <total agents> <relay did or ->.
 */
import WebSocket from 'ws';
import { generateKeyPair } from '@baton/spec';
import { exitWithParent, fromParent, toParent } from '../lib/ipc.ts';
import { runPool } from '../lib/pool.ts';
import { connectRaw } from '../lib/raw-agent.ts';
import { registerFrame } from '../lib/registry-workload.ts';
import { nowMs } from '../lib/stats.ts';

exitWithParent();
const [url, mode, countArg, offsetArg, totalArg, relayDid] = process.argv.slice(2);
const count = Number(countArg);
const offset = Number(offsetArg);
const total = Number(totalArg);
const CONNECT_CONCURRENCY = 64;

const keys = mode === 'baton' ? Array.from({ length: count }, () => generateKeyPair()) : [];
const registers = mode === 'baton' && relayDid !== '-'
  ? keys.map((key, i) => registerFrame(key, offset + i, total, relayDid!))
  : [];
/** Open connections with the index of their key. */
const sockets: { ws: WebSocket; i: number }[] = [];

function openBare(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url!);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends `frame` on `ws` and resolves with the code of the answer: 'accepted' or the error code. */
function sendAndWait(ws: WebSocket, frame: string): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const answer = JSON.parse(String(data)) as { op: string; code?: string };
      if (answer.op !== 'accepted' && answer.op !== 'error') return;
      ws.off('message', onMessage);
      resolve(answer.op === 'accepted' ? 'accepted' : answer.code ?? 'UNKNOWN');
    };
    ws.on('message', onMessage);
    ws.send(frame);
  });
}

toParent({ type: 'ready' });
await fromParent('open');
let t0 = nowMs();
const failedOpen = await runPool(count, CONNECT_CONCURRENCY, async (i) => {
  const ws = mode === 'baton' ? await connectRaw(url!, keys[i]!) : await openBare();
  ws.on('error', () => {});
  sockets.push({ ws, i });
});
toParent({ type: 'opened', opened: sockets.length, failed: failedOpen, ms: nowMs() - t0 });

await fromParent('register');
t0 = nowMs();
const codes: Record<string, number> = {};
await Promise.all(sockets.map(async ({ ws, i }) => {
  const frame = registers[i];
  const code = frame === undefined ? 'NOT_SIGNED' : await sendAndWait(ws, frame);
  codes[code] = (codes[code] ?? 0) + 1;
}));
toParent({ type: 'registered', codes, ms: nowMs() - t0 });
