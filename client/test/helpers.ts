/**
 * Shared fixtures for the client integration tests: a real relay on a temp SQLite dir, agents that are
 * closed after each test, manifests, and a WebSocket wrapper that can drop outgoing frames (fault injection).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelay } from '@baton/relay';
import { generateKeyPair, isBatonError } from '@baton/spec';
import type { CapabilityManifest, KeyPair } from '@baton/spec';
import { connect } from '../src/index.ts';
import type { Agent, ConnectOptions, TraceEvent, WebSocketConstructor, WebSocketLike } from '../src/index.ts';

type RelayHandle = Awaited<ReturnType<typeof startRelay>>;

/** A relay plus everything to clean up. */
export interface Harness {
  relay: RelayHandle;
  /** Connects a new agent (random key unless given) that is closed by `stop()`. */
  agent(options?: Partial<ConnectOptions>): Promise<Agent>;
  stop(): Promise<void>;
}

/** Logger that keeps warnings instead of printing them. */
export const quietLogger = { warnings: [] as string[], warn(message: string): void { this.warnings.push(message); } };

/** Starts a relay in a fresh temp dir. */
export async function startHarness(relayOptions: Record<string, unknown> = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-client-test-'));
  const relay = await startRelay({ port: 0, dataDir, logLevel: 'silent', ...relayOptions } as Parameters<typeof startRelay>[0]);
  const agents: Agent[] = [];
  return {
    relay,
    async agent(options = {}) {
      const agent = await connect({ url: relay.url, key: options.key ?? generateKeyPair(), logger: quietLogger, ...options });
      agents.push(agent);
      return agent;
    },
    async stop() {
      await Promise.all(agents.map((a) => a.close()));
      await relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
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

/**
 * A WebSocket constructor (wrapping the global one) whose `send` drops frames for which `drop` returns true
 * while `enabled.value` is true: simulates a lost frame on a real socket.
 */
export function droppingWebSocket(drop: (frame: { op?: string; env?: { type?: string } }) => boolean): WebSocketConstructor {
  const Base = (globalThis as unknown as { WebSocket: WebSocketConstructor }).WebSocket;
  return class DroppingWebSocket {
    readonly #inner: WebSocketLike;
    constructor(url: string) {
      this.#inner = new Base(url);
    }
    get readyState(): number {
      return this.#inner.readyState;
    }
    send(data: string): void {
      if (!drop(JSON.parse(data) as { op?: string; env?: { type?: string } })) this.#inner.send(data);
    }
    close(code?: number, reason?: string): void {
      this.#inner.close(code, reason);
    }
    addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void {
      this.#inner.addEventListener(type as 'error', listener as (event: unknown) => void);
    }
  } as unknown as WebSocketConstructor;
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
