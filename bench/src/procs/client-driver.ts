/**
 * Peer bench process: a requester built with `@baton/client` calling `bench.echo` (request -> receipt ->
 * result, every envelope signed by its sender and verified by its recipient) in closed loops the parent asks
 * for (`serveClosedLoops`): Baton's figure for the same work as the A2A driver. Args: <relay url>.
 */
import WebSocket from 'ws';
import { connect, type WebSocketConstructor } from '@baton/client';
import { generateKeyPair } from '@baton/spec';
import { exitWithParent, serveClosedLoops, toParent } from '../lib/ipc.ts';

exitWithParent();
const [url] = process.argv.slice(2);
const agent = await connect({ url: url!, key: generateKeyPair(), WebSocket: WebSocket as unknown as WebSocketConstructor });
const input = { text: 'x'.repeat(256) };
const roundTrip = (): Promise<unknown> => agent.request('bench.echo', input, { timeoutMs: 30_000 });

for (let i = 0; i < 200; i++) await roundTrip();
toParent({ type: 'ready' });
await serveClosedLoops(roundTrip);
