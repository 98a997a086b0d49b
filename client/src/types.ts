/**
 * Public types of the Baton client: the WebSocket it needs, connection options, handler and request
 * signatures, the outcome of a call and the trace events an agent reports.
 *
 * Kept free of runtime code so that both the browser and the Node entry can share it.
 */
import type { CapabilityManifest, DiscoveryEntry, Envelope, KeyPair } from '@baton/spec';
import type { DedupeCache } from './dedupe.ts';

/** The event shapes the client reads from a WebSocket (a subset of the WHATWG `MessageEvent`/`CloseEvent`). */
export interface WebSocketMessageEventLike { readonly data: unknown }
/** Close event subset: `code` and `reason` (SPEC ERR-3 puts the error code in `reason`). */
export interface WebSocketCloseEventLike { readonly code: number; readonly reason: string }

/**
 * The WebSocket surface the client uses: the WHATWG API (browsers, Node 22+ `globalThis.WebSocket`, and the
 * `ws` package all provide it).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: WebSocketMessageEventLike) => void): void;
  addEventListener(type: 'close', listener: (event: WebSocketCloseEventLike) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
}

/** A WebSocket constructor, e.g. `globalThis.WebSocket` or `import { WebSocket } from 'ws'`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Where the client reports problems it handled itself (dropped envelopes, failed receipts). */
export interface ClientLogger {
  warn(message: string, details?: Record<string, unknown>): void;
}

/** Something the agent did with a received envelope, reported to `ConnectOptions.onTrace` (for tests and audit). */
export type TraceEvent =
  | { kind: 'received'; env: Envelope }
  | { kind: 'duplicate'; env: Envelope }
  | { kind: 'dropped'; reason: string; env?: unknown }
  | { kind: 'handled'; env: Envelope; status: 'ok' | 'error'; code?: string };

/** Options of `connect()`. */
export interface ConnectOptions {
  /** The relay WebSocket URL, e.g. `ws://127.0.0.1:8787/v1/ws` (SPEC CON-1). */
  url: string;
  /** This agent's key pair; the secret never leaves the process (ID-4). */
  key: KeyPair;
  /** WebSocket constructor to use. @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** How long to wait for `hello` and `welcome`, in ms; past it `connect` rejects with `TIMEOUT`. @default 10_000 */
  connectTimeoutMs?: number;
  /** Default deadline of `request`/`call`/`discover`/`register`/`send`, in ms. @default 30_000 */
  requestTimeoutMs?: number;
  /** How long discovery answers used to validate requests are reused, in ms. @default 5_000 */
  discoveryCacheMs?: number;
  /** Deduplication memory (RPL-4); pass the same instance to successive connections of one agent. */
  dedupe?: DedupeCache;
  /** Where handled problems are reported. @default console.warn */
  logger?: ClientLogger;
  /** Called for every received envelope and what the agent did with it. */
  onTrace?: (event: TraceEvent) => void;
}

/** What a capability handler receives besides the input. */
export interface HandlerContext {
  /** The verified request envelope. */
  request: Envelope;
  /** The requester's did:key (`request.from`). */
  from: string;
  /** Aborted when the request's `exp` passes or the agent closes. */
  signal: AbortSignal;
}

/**
 * A capability handler: returns the output (validated against the manifest's `output_schema`). Throw a
 * `BatonError` to answer with its code; any other exception is answered with `HANDLER_ERROR`.
 */
export type CapabilityHandler = (input: unknown, ctx: HandlerContext) => Promise<unknown> | unknown;

/** Handler of one-way `message` envelopes (TYP-5); the envelope is already verified. */
export type MessageHandler = (body: Record<string, unknown>, env: Envelope) => void | Promise<void>;

/** Where a request goes: a capability name (capability routing) or a given agent (direct routing). */
export type RequestTarget = string | { capability: string; agent: string };

/** Options of `Agent.request` / `Agent.call`. */
export interface RequestOptions {
  /** Deadline in ms; also sets the signed `exp = now + timeoutMs` (TYP-2). @default ConnectOptions.requestTimeoutMs */
  timeoutMs?: number;
  /** Aborts the wait with `ABORTED`. */
  signal?: AbortSignal;
  /** Conversation id to put in `thread`. */
  thread?: string;
  /** Idempotency key to sign into the request. */
  idempotencyKey?: string;
}

/** The full trail of one request: every envelope is verified. */
export interface CallOutcome {
  /** The output, validated against the provider's `output_schema`. */
  output: unknown;
  /** The answering agent's did:key. */
  provider: string;
  /** The request as sent. */
  request: Envelope;
  /** The relay's `accepted` frame for the request (ACK-1: it is durably stored). */
  accepted: { id: string; duplicate?: boolean };
  /** The provider's signed receipt (from the relay's `delivered`), when it arrived. */
  receipt: Envelope | undefined;
  /** The provider's signed result envelope. */
  result: Envelope;
  /** The provider's manifest used for validation. */
  manifest: CapabilityManifest;
}

/** A verified provider of a capability, as found by discovery. */
export interface Provider {
  agent: string;
  manifest: CapabilityManifest;
  entry: DiscoveryEntry;
}
