/**
 * Baseline bench process for the scale figures: a bare `ws` server that accepts connections and holds them,
 * with no protocol at all. Its RSS per idle connection is the baseline of the relay's RSS per idle agent, and
 * its open+close rate the baseline of the handshake rate. Answers `gc` (fork it with `--expose-gc`).
 */
import { DEFAULT_LIMITS } from '@baton/spec';
import { WebSocketServer } from 'ws';
import { exitWithParent, serveGc, toParent } from '../lib/ipc.ts';

exitWithParent();
serveGc();
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: DEFAULT_LIMITS.max_frame_bytes });
wss.on('connection', (ws) => {
  ws.on('error', () => {});
});
wss.on('listening', () => {
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  toParent({ type: 'ready', url: `ws://127.0.0.1:${port}/v1/ws` });
});
