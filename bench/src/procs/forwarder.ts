/**
 * Baseline bench process: a tiny forwarding `ws` server. Every message arriving on a connection to `/a` is sent
 * unchanged to the connection on `/b`, and the other way round. No parsing, no storage, no verification: the
 * floor any relay over WebSocket pays for one hop in and one hop out.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { exitWithParent, toParent } from '../lib/ipc.ts';

exitWithParent();
const peers: { a?: WebSocket; b?: WebSocket } = {};
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1024 * 1024 });
wss.on('connection', (ws, req) => {
  const side = req.url === '/a' ? 'a' : 'b';
  const other = side === 'a' ? 'b' : 'a';
  peers[side] = ws;
  ws.on('message', (data, isBinary) => {
    peers[other]?.send(data, { binary: isBinary });
  });
});
wss.on('listening', () => {
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  toParent({ type: 'ready', url: `ws://127.0.0.1:${port}` });
});
