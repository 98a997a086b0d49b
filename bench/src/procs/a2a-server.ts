/**
 * Peer bench process: an A2A echo agent on the official A2A JavaScript SDK (`@a2a-js/sdk`, protocol v1.0) with
 * its Express integration (JSON-RPC binding), `DefaultRequestHandler` and its default `InMemoryTaskStore`.
 * The executor answers each message with a task that is already completed and carries the input text as an
 * artifact: the shortest path to a finished task the SDK offers (one event), so the peer gets its best case.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { AGENT_CARD_PATH, TaskState, type AgentCard, type Part } from '@a2a-js/sdk';
import {
  AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor, type ExecutionEventBus, type RequestContext,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { exitWithParent, toParent } from '../lib/ipc.ts';

/** The part of Express this process uses (express has no type declarations installed). */
interface ExpressApp {
  use(path: string, handler: unknown): void;
  listen(port: number, host: string, callback: () => void): Server;
}

exitWithParent();
const express = createRequire(import.meta.url)('express') as () => ExpressApp;
const PORT_PLACEHOLDER = 0;

function textPart(text: string): Part {
  return { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' };
}

const executor: AgentExecutor = {
  execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const input = ctx.userMessage.parts[0]?.content;
    const text = input?.$case === 'text' ? input.value : '';
    bus.publish(AgentEvent.task({
      id: ctx.taskId,
      contextId: ctx.contextId,
      status: { state: TaskState.TASK_STATE_COMPLETED, message: undefined, timestamp: new Date().toISOString() },
      artifacts: [{ artifactId: ctx.taskId, name: 'echo', description: '', parts: [textPart(text)], metadata: undefined, extensions: [] }],
      history: [ctx.userMessage],
      metadata: undefined,
    }));
    bus.finished();
    return Promise.resolve();
  },
  cancelTask: () => Promise.resolve(),
};

const app = express();
const server = app.listen(PORT_PLACEHOLDER, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;
  const card: AgentCard = {
    name: 'bench-echo', description: 'Echoes its input (benchmark)', version: '1.0.0', provider: undefined,
    supportedInterfaces: [{ url: `${base}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' }],
    capabilities: { streaming: false, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {}, securityRequirements: [], defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'],
    skills: [{
      id: 'bench.echo', name: 'echo', description: 'Echoes its input', tags: ['bench'], examples: [],
      inputModes: ['text/plain'], outputModes: ['text/plain'], securityRequirements: [],
    }],
    signatures: [],
  };
  const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: requestHandler }));
  app.use('/a2a/jsonrpc', jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication }));
  toParent({ type: 'ready', url: base });
});
