/**
 * Public entry of @baton/relay: {@link startRelay} starts a Baton relay (SPEC.md, protocol v1) with an
 * embedded SQLite store, a WebSocket endpoint at `/v1/ws` and the HTTP endpoints `/.well-known/baton`,
 * `/v1/agents` and `/v1/health`.
 */
import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS, type Limits } from '@baton/spec';
import { listenNode } from './adapter/node-server.ts';
import { RelayCore } from './core/relay-core.ts';
import { systemClock, type Admission, type Clock } from './core/types.ts';
import { createApp } from './http/routes.ts';
import { createLogger } from './logger.ts';
import { loadOrCreateRelayKey } from './relay-key.ts';
import { SqliteStore } from './store/sqlite-store.ts';
import pkg from '../package.json' with { type: 'json' };

export type { Clock } from './core/types.ts';
export type { RelayStore } from './store/store.ts';

/** Options of {@link startRelay}. */
export interface RelayOptions {
  /** TCP port; 0 = ephemeral. @default 8787 */
  port?: number;
  /** Listen address. @default '127.0.0.1' */
  host?: string;
  /** Directory holding `baton.sqlite` (+ WAL) and `relay-key.json`; created if missing. @default '.baton' */
  dataDir?: string;
  /**
   * Admission policy (SPEC ADM-1). Defaults to 'open' on loopback hosts; on any other host it MUST be given.
   */
  admission?: Admission;
  /** did:keys admitted when `admission` is 'allowlist' (ADM-2). */
  allowlist?: readonly string[];
  /** 'fsync' = SQLite synchronous=FULL (every commit on disk before `accepted`), 'normal' = NORMAL. @default 'fsync' */
  durability?: 'fsync' | 'normal';
  /** Overrides of DEFAULT_LIMITS (ms and bytes, LIM-1). */
  limits?: Partial<Limits>;
  /** Time source for skew and expiry checks. @default Date.now */
  clock?: Clock;
  /** pino level. @default 'info' */
  logLevel?: string;
}

/** A started relay. */
export interface RunningRelay {
  /** WebSocket URL, `ws://host:port/v1/ws`. */
  url: string;
  /** HTTP base URL, `http://host:port`. */
  httpUrl: string;
  port: number;
  /** The relay's did:key. */
  did: string;
  /** Absolute data directory. */
  dataDir: string;
  /** Commits queued envelopes, closes all connections, the server and the store. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);

/** True for hosts that only accept local connections. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * Starts a relay and resolves once it listens.
 * @throws Error when `admission` is missing on a non-loopback host (ADM-1), or when the limits contradict each
 *   other (dedupe window under twice the clock skew, RPL-3; frame limit not above the envelope limit); BatonError INVALID_IDENTITY when `relay-key.json` is corrupt; a Node error when the
 *   port cannot be bound or the data directory cannot be written.
 */
export async function startRelay(options: RelayOptions = {}): Promise<RunningRelay> {
  const host = options.host ?? '127.0.0.1';
  const admission = options.admission ?? (isLoopbackHost(host) ? 'open' : undefined);
  if (admission === undefined) {
    throw new Error(`host ${host} is not a loopback address: choose an admission policy explicitly (SPEC ADM-1)`);
  }
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  if (limits.dedupe_window_ms < 2 * limits.max_clock_skew_ms) {
    throw new Error('dedupe_window_ms must be at least twice max_clock_skew_ms (SPEC RPL-3)');
  }
  if (limits.max_envelope_bytes + 1024 > limits.max_frame_bytes) {
    throw new Error('max_frame_bytes must exceed max_envelope_bytes by at least 1024 bytes for the frame wrapper');
  }
  const dataDir = resolve(options.dataDir ?? '.baton');
  const log = createLogger(options.logLevel ?? 'info');
  const key = loadOrCreateRelayKey(dataDir);
  const store = new SqliteStore(join(dataDir, 'baton.sqlite'), options.durability ?? 'fsync');
  try {
    const core = new RelayCore({
      store, key, limits, clock: options.clock ?? systemClock, admission,
      allowlist: options.allowlist ?? [], log,
    });
    const app = createApp(core, { name: '@baton/relay', version: pkg.version });
    const server = await listenNode({ core, app, host, port: options.port ?? 8787, log });
    const base = `${urlHost(host)}:${server.port}`;
    let closing: Promise<void> | undefined;
    return {
      url: `ws://${base}/v1/ws`,
      httpUrl: `http://${base}`,
      port: server.port,
      did: key.did,
      dataDir,
      close: () => (closing ??= server.close().finally(() => store.close())),
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
