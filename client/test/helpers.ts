/**
 * Shared fixtures for the client integration tests: a real relay on a temp SQLite dir that can be stopped and
 * started again on the same port and data dir, agents that are closed after each test, manifests, trace
 * recording, and {@link FaultySockets} - a real `ws` WebSocket wrapper for fault injection (dropped frames,
 * killed sockets, refused reconnections).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket as WsWebSocket } from 'ws';
import { startRelay } from '@baton/relay';
import { generateKeyPair, isBatonError } from '@baton/spec';
import type { CapabilityManifest, KeyPair } from '@baton/spec';
import { connect } from '../src/index.ts';
import type { Agent, ConnectOptions, TraceEvent, WebSocketConstructor } from '../src/index.ts';

type RelayHandle = Awaited<ReturnType<typeof startRelay>>;

/** A relay plus everything to clean up. */
export interface Harness {
  /** The running relay (replaced by {@link Harness.startRelay}). */
  relay: RelayHandle;
  /** Connects a new agent (random key unless given; fast reconnects) that is closed by `stop()`. */
  agent(options?: Partial<ConnectOptions>): Promise<Agent>;
  /** Stops the relay (its connections drop); agents stay alive and start reconnecting. */
  stopRelay(): Promise<void>;
  /** Starts the relay again on the same port and data dir (same relay key, same store). */
  startRelay(): Promise<void>;
  stop(): Promise<void>;
}

/** Logger that keeps warnings instead of printing them. */
export const quietLogger = { warnings: [] as string[], warn(message: string): void { this.warnings.push(message); } };

/** Reconnect quickly in tests. */
export const fastReconnect = { initialDelayMs: 20, maxDelayMs: 200 };

/** Starts a relay in a fresh temp dir. */
export async function startHarness(relayOptions: Record<string, unknown> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-client-test-'));
  const start = (port: number): Promise<RelayHandle> =>
    startRelay({ port, dataDir, logLevel: 'silent', ...relayOptions } as Parameters<typeof startRelay>[0]);
  const agents: Agent[] = [];
  let running = true;
  const harness: Harness = {
    relay: await start(0),
    async agent(options = {}) {
      const agent = await connect({
        url: harness.relay.url, key: options.key ?? generateKeyPair(), logger: quietLogger, reconnect: fastReconnect, ...options,
      });
      agents.push(agent);
      return agent;
    },
    async stopRelay() {
      running = false;
      await harness.relay.close();
    },
    async startRelay() {
      harness.relay = await start(harness.relay.port);
      running = true;
    },
    async stop() {
      await Promise.all(agents.map((a) => a.close()));
      if (running) await harness.relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A manifest with the given name and schemas. */
export function manifest(name: string, input_schema: Record<string, unknown> = {}, output_schema: Record<string, unknown> = {}): CapabilityManifest {
  return { name, version: '1.0.0', description: `test capability ${name}`, input_schema, output_schema, timeout_ms: 5_000 };
}

/** Input/output schema: `{ text: string }`. */
export const textSchema = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false };

/** Collects trace events and lets a test await one. */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  #waiters: { match: (e: TraceEvent) => boolean; resolve: (e: TraceEvent) => void }[] = [];
  readonly onTrace = (event: TraceEvent): void => {
    this.events.push(event);
    this.#waiters = this.#waiters.filter((w) => (w.match(event) ? (w.resolve(event), false) : true));
  };

  /** Resolves with the first (past or future) event matching `match`. */
  next(match: (e: TraceEvent) => boolean): Promise<TraceEvent> {
    const past = this.events.find(match);
    if (past !== undefined) return Promise.resolve(past);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }
}

/** A frame as the client sent it: the parsed object and the exact text. */
export interface SentFrame {
  op?: string;
  sender?: string;
  id?: string;
  code?: string;
  env?: { id?: string; type?: string; body?: unknown };
  text: string;
}

/**
 * Fault injection on real sockets: `WebSocket` is a constructor (over the `ws` package) to pass in
 * `ConnectOptions.WebSocket`. It records every frame sent, drops outgoing / incoming frames matching
 * `dropOut` / `dropIn`, can `kill()` the open sockets abruptly (TCP reset, no close frame), and while
 * `blocked` is true new connections fail (they go to a closed port) so that a reconnecting agent stays away.
 */
export class FaultySockets {
  readonly sent: SentFrame[] = [];
  dropOut: (frame: SentFrame) => boolean = () => false;
  dropIn: (frame: { op?: string; id?: string; env?: { id?: string; type?: string } }) => boolean = () => false;
  blocked = false;
  /** How many sockets were opened (the first connection plus every reconnect attempt that was not blocked). */
  opened = 0;
  readonly #open = new Set<WsWebSocket>();
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const faults = this;
    this.WebSocket = class FaultyWebSocket {
      readonly #inner: WsWebSocket;
      constructor(url: string) {
        this.#inner = new WsWebSocket(faults.blocked ? 'ws://127.0.0.1:1/v1/ws' : url);
        if (!faults.blocked) faults.opened++;
        faults.#open.add(this.#inner);
        this.#inner.on('close', () => faults.#open.delete(this.#inner));
        this.#inner.on('error', () => {});
      }
      get readyState(): number {
        return this.#inner.readyState;
      }
      send(data: string): void {
        const frame = { ...(JSON.parse(data) as Omit<SentFrame, 'text'>), text: data };
        faults.sent.push(frame);
        if (!faults.dropOut(frame)) this.#inner.send(data);
      }
      close(code?: number, reason?: string): void {
        this.#inner.close(code, reason);
      }
      addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void {
        if (type !== 'message') {
          this.#inner.addEventListener(type, listener as () => void);
          return;
        }
        this.#inner.addEventListener('message', (event) => {
          const text = String(event.data);
          if (!faults.dropIn(JSON.parse(text) as { op?: string })) (listener as (e: { data: string }) => void)({ data: text });
        });
      }
    } as unknown as WebSocketConstructor;
  }

  /** The frames sent with this `op` (and envelope type, when given). */
  frames(op: string, type?: string): SentFrame[] {
    return this.sent.filter((f) => f.op === op && (type === undefined || f.env?.type === type));
  }

  /** Terminates every open socket abruptly. */
  kill(): void {
    for (const ws of this.#open) ws.terminate();
  }
}

/** Polls `check` every 10 ms until it returns true; throws after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise with its resolve function exposed (to hold a handler until the test releases it). */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => { open = resolve; });
  return { promise, open };
}

export type { KeyPair };

/** The registry code a promise rejects with; throws when it resolves or rejects with something else. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isBatonError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}
