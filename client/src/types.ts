/**
 * Public types of the Baton client: the WebSocket it needs, connection options, handler and request
 * signatures, the outcome of a call and the trace events an agent reports.
 *
 * Kept free of runtime code so that both the browser and the Node entry can share it.
 */
import type { CapabilityManifest, DiscoveryEntry, Envelope, KeyPair } from '@baton/spec';
import type { DedupeCache } from './dedupe.ts';
import type { TaskContext } from './task-types.ts';

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

/**
 * Something the agent did with a received envelope or its connection, reported to `ConnectOptions.onTrace`
 * (for tests and audit). `seq` and `attempt` come from the relay's `deliver` frame (DLV-2, DLV-3).
 * - `received`: a delivered envelope passed verification (before deduplication).
 * - `duplicate`: it was seen before (RPL-4): receipted again (or, for a request still running, answered with
 *   a `working` frame), not acted on.
 * - `rejected`: a request refused with a `reject` frame (`BUSY`, `UNSUPPORTED_CAPABILITY`).
 * - `dropped`: not acted on and not receipted (failed verification, misaddressed, expired).
 * - `handled`: a request's handler finished and its result was sent.
 * - `disconnected` / `reconnected`: the connection was lost / re-established (same key, new session).
 */
export type TraceEvent =
  | { kind: 'received'; env: Envelope; seq: number; attempt: number }
  | { kind: 'duplicate'; env: Envelope }
  | { kind: 'rejected'; env: Envelope; code: 'BUSY' | 'UNSUPPORTED_CAPABILITY' }
  | { kind: 'dropped'; reason: string; env?: unknown }
  | { kind: 'handled'; env: Envelope; status: 'ok' | 'error'; code?: string }
  | { kind: 'disconnected'; code: number; reason: string }
  | { kind: 'reconnected'; session: string; attempts: number };

/** Where the agent's connection is: authenticated, between sockets (backoff or handshake), or closed for good. */
export type ConnectionState = 'open' | 'reconnecting' | 'closed';

/**
 * Automatic reconnection after a connection loss that `close()` did not request. Delays grow exponentially
 * from `initialDelayMs` to `maxDelayMs` with "equal jitter" (uniform in [d/2, d]).
 */
export interface ReconnectOptions {
  /** Delay before the first attempt, in ms. @default 250 */
  initialDelayMs?: number;
  /** Largest delay between attempts, in ms. @default 30_000 */
  maxDelayMs?: number;
  /** Consecutive failed attempts before giving up (the agent then closes). @default Infinity */
  maxAttempts?: number;
}

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
  /** Called for every received envelope and what the agent did with it, and for connection changes. */
  onTrace?: (event: TraceEvent) => void;
  /**
   * Reconnect automatically (same key, new handshake) when the connection is lost; `false` turns it off (the
   * agent closes at the first loss). Never retried: a close for `NOT_ADMITTED` or `AUTH_FAILED`.
   * @default {} (on, with the defaults of {@link ReconnectOptions})
   */
  reconnect?: false | ReconnectOptions;
}

/** Options of `Agent.handle`. */
export interface HandleOptions {
  /**
   * Most handlers of this capability running at once; a request arriving beyond it is refused with a `reject`
   * frame `BUSY` and the relay delivers it again later, or to another provider (DLV-4). @default Infinity
   */
  concurrency?: number;
  /**
   * When the receipt for a request is sent (ACK-3):
   * - `'on-complete'` (default): after the handler finished, right before the result (same tick). While the
   *   handler runs the agent sends a `working` frame every `ack_timeout_ms / 3` (DLV-3), so a provider that
   *   crashes mid-request has the request redelivered (to itself after a restart, or to another provider)
   *   instead of losing it. Trade-off: execution is at least once - a crash after the handler finished but
   *   before the receipt left runs the request again; make handlers idempotent (see `idempotency_key`).
   * - `'on-receive'`: at once, before the handler runs (at most once: a crash mid-handler loses the request,
   *   and the requester sees `TIMEOUT`).
   * Messages, results and notices are always receipted on receive.
   */
  receipt?: 'on-receive' | 'on-complete';
}

/**
 * The terminal outcome of an envelope this agent sent to someone (request, message, result), reported by
 * `Agent.onOutcome`: `delivered` with the recipient's verified receipt (ACK-4), or `dead-lettered` from the
 * relay-signed `notice` (DLV-6) with its reason (`MAX_ATTEMPTS_EXCEEDED`, `EXPIRED`, `MAILBOX_EXPIRED`, or the
 * recipient's rejection code such as `UNSUPPORTED_CAPABILITY`), the attempts made, the DLQ entry id and the
 * error of the last attempt.
 */
export type DeliveryOutcome =
  | { id: string; status: 'delivered'; receipt: Envelope }
  | {
    id: string;
    status: 'dead-lettered';
    reason: string;
    attempts: number;
    entry: number;
    lastError?: { code: string; message: string };
  };

/**
 * What a capability handler receives besides the input: the request, and the task it runs (SPEC section 21)
 * with `progress`, `askClarification`, `fail` and `delegate` (see {@link TaskContext}).
 */
export interface HandlerContext extends TaskContext {
  /** The verified request envelope. */
  request: Envelope;
  /** The requester's did:key (`request.from`, the task's owner). */
  from: string;
  /**
   * Aborted when the request's `exp` passes (`EXPIRED`), the agent closes (`CONNECTION_CLOSED`), or a relay
   * notice ends the task (`CANCELLED`, `DEADLINE_EXCEEDED`, `HANDLER_LOST`; TSK-11..TSK-13).
   */
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
