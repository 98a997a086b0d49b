/**
 * Latency bench process: a provider agent built with `@baton/client` that registers `bench.echo` and answers
 * each request with its input. Args: <relay url>.
 */
import WebSocket from 'ws';
import { connect, type WebSocketConstructor } from '@baton/client';
import { generateKeyPair } from '@baton/spec';
import { exitWithParent, toParent } from '../lib/ipc.ts';

exitWithParent();
const [url] = process.argv.slice(2);
const agent = await connect({ url: url!, key: generateKeyPair(), WebSocket: WebSocket as unknown as WebSocketConstructor });
agent.handle('bench.echo', (input) => input);
await agent.register({
  name: 'bench.echo', version: '1.0.0', description: 'Echoes its input (benchmark)',
  input_schema: { type: 'object' }, output_schema: { type: 'object' }, timeout_ms: 5_000,
});
toParent({ type: 'ready', did: agent.did });
