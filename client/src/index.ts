/**
 * Public entry of `@baton/client`: connect to a Baton relay (reconnecting by itself), register capabilities,
 * discover providers, send verified requests and messages, follow their delivery outcomes (receipt or dead
 * letter), handle requests, and delegate durable tasks (SPEC section 21). Runs in Node 22+ and in browsers
 * (no `node:` imports).
 */
export { connect } from './connect.ts';
export { Agent } from './agent.ts';
export type { WaitForRelayOptions } from './agent.ts';
export { DedupeCache } from './dedupe.ts';
export type { DedupeOptions } from './dedupe.ts';
export { discoveryEntryProblem, verifyDiscoveryEntry, manifestOf } from './discovery.ts';
export { createReceipt, receiptProblem } from './receipts.ts';
export { createResult } from './provider.ts';
export type { CloseInfo } from './transport.ts';
export type {
  CallOutcome, CapabilityHandler, ClientLogger, ConnectOptions, ConnectionState, DeliveryOutcome, HandleOptions, HandlerContext,
  MessageHandler, Provider, ReconnectOptions, RequestOptions, RequestTarget, TraceEvent, WebSocketConstructor, WebSocketLike,
} from './types.ts';
export type {
  DelegateOptions, Question, QuestionHandler, QuestionSpec, TaskContext, TaskEventListener, TaskHandle, TaskInfo, TaskUpdate,
} from './task-types.ts';
/** Errors thrown by the client carry a registry code (SPEC ERR-1); re-exported from `@baton/spec`. */
export { BatonError, isBatonError } from '@baton/spec';
export type {
  ErrorCode, Brief, CapabilityManifest, DiscoveryEntry, DiscoveryQuery, Envelope, KeyPair, TaskEvent, TaskState, TaskSummary,
} from '@baton/spec';
