/**
 * Scale bench process: opens and closes connections in the closed-loop runs the parent asks for
 * (`serveClosedLoops`: N workers for a duration). Mode `baton`: connect, hello, auth, welcome (the full
 * authenticated handshake over a raw socket), then close; mode `bare`: plain `ws` open, then close. A
 * connection counts when its close completed. Keys (a pool, reused round-robin: the relay sees returning
 * agents) are generated, and each used once, before `ready`. Args: <url> <baton|bare> <key pool size>.
 */
import WebSocket from 'ws';
import { generateKeyPair } from '@baton/spec';
import { exitWithParent, serveClosedLoops, toParent } from '../lib/ipc.ts';
import { closedLoop } from '../lib/pool.ts';
import { connectRaw } from '../lib/raw-agent.ts';

exitWithParent();
const [url, mode, poolArg] = process.argv.slice(2);
const keys = mode === 'baton' ? Array.from({ length: Number(poolArg) }, () => generateKeyPair()) : [];
let nextKey = 0;

function openBare(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url!);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function openAndClose(): Promise<void> {
  const ws = mode === 'baton' ? await connectRaw(url!, keys[nextKey++ % keys.length]!) : await openBare();
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.on('error', () => {});
    ws.close(1000);
  });
}

// Warm-up: JIT and the relay's first-seen inserts for the key pool.
await closedLoop(openAndClose, 8, { count: Math.max(100, keys.length) });
toParent({ type: 'ready' });
await serveClosedLoops(openAndClose);
