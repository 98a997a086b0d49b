/**
 * Peer bench process: drives the A2A echo agent with the SDK's own client (`ClientFactory` from the agent
 * card, JSON-RPC transport, blocking `sendMessage`: each call returns when the task is completed), in closed
 * loops the parent asks for (`serveClosedLoops`). Args: <agent base url>.
 */
import { randomUUID } from 'node:crypto';
import { Role, type Message } from '@a2a-js/sdk';
import { ClientFactory } from '@a2a-js/sdk/client';
import { exitWithParent, serveClosedLoops, toParent } from '../lib/ipc.ts';

exitWithParent();
const [url] = process.argv.slice(2);
const client = await new ClientFactory().createFromUrl(url!);
const text = 'x'.repeat(256);

function message(): Message {
  return {
    messageId: randomUUID(), contextId: '', taskId: '', role: Role.ROLE_USER,
    parts: [{ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' }],
    metadata: undefined, extensions: [], referenceTaskIds: [],
  };
}

async function roundTrip(): Promise<void> {
  const result = await client.sendMessage({ tenant: '', message: message(), configuration: undefined, metadata: undefined });
  if (!('artifacts' in result) || result.artifacts.length !== 1) throw new Error('unexpected A2A answer (no echo artifact)');
}

for (let i = 0; i < 200; i++) await roundTrip();
toParent({ type: 'ready' });
await serveClosedLoops(roundTrip);
