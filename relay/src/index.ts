/**
 * Public entry of @baton/relay: {@link startRelay} starts a Baton relay (SPEC.md, protocol v1) with an
 * embedded SQLite store, a WebSocket endpoint at `/v1/ws` and the HTTP endpoints `/.well-known/baton`,
 * `/v1/agents`, `/v1/dlq` (the dead-letter queue, signed requests or an operator token), `/v1/tasks` (durable
 * tasks, TSK-18) and `/v1/health`.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS, type Limits } from '@baton/spec';
import { listenNode } from './adapter/node-server.ts';
import type { DeadLetterApi } from './core/dead-letter-api.ts';
import type { TaskApi } from './core/task-api.ts';
import { RelayCore } from './core/relay-core.ts';
import { systemClock, type Admission, type Clock } from './core/types.ts';
import { checkLimits, checkOperatorToken } from './config.ts';
import { createApp } from './http/routes.ts';
import { createLogger } from './logger.ts';
import { loadOrCreateRelayKey } from './relay-key.ts';
import { SqliteStore } from './store/sqlite-store.ts';
import pkg from '../package.json' with { type: 'json' };

export type { Clock } from './core/types.ts';
export type { RelayStore } from './store/store.ts';
export type { TaskApi, TaskPage, TaskQuery } from './core/task-api.ts';

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
  /**
   * Operator token for `/v1/dlq` (`Authorization: Bearer <token>`, SPEC HTA-3): sees and changes every
   * sender's entries. At least 16 printable ASCII characters; never logged. Absent = operator access off.
   */
  operatorToken?: string;
  /**
   * Slow-consumer high-water mark (SPEC FLW-2), bytes: no new `deliver` is written to a connection whose
   * WebSocket buffer holds more; delivery resumes below half of it. Relay configuration, not a protocol limit.
   * @default 1_048_576 (1 MiB, applied by the core)
   */
  deliveryHighWaterBytes?: number;
  /** Uniform random numbers in [0, 1) for the redelivery jitter (SPEC DLV-4); tests pin it. @default Math.random */
  random?: () => number;
  /**
   * Worker threads that verify envelope signatures beside the event loop (started on first use; a lone
   * envelope is verified inline). 0 = every signature on the event loop. Relay configuration, not protocol.
   * @default {@link defaultVerifyThreads}() (available cores - 1, at most 4)
   */
  verifyThreads?: number;
}

/** Default verify threads: one per core beyond the event loop's, at most 4 (0 on a single core). */
export function defaultVerifyThreads(): number {
  return Math.max(0, Math.min(4, availableParallelism() - 1));
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
  /** The dead-letter queue (SPEC DLQ-1..DLQ-4), unauthenticated: for embedders and tests. */
  dlq: DeadLetterApi;
  /** Task queries (SPEC TSK-18), unauthenticated: for embedders and tests. */
  tasks: TaskApi;
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

/** Checks the options that are relay configuration, not protocol limits. @returns the problem, or undefined. */
function relayOnlyProblem(options: RelayOptions): string | undefined {
  const highWater = options.deliveryHighWaterBytes;
  if (highWater !== undefined && !(Number.isSafeInteger(highWater) && highWater >= 1)) {
    return `deliveryHighWaterBytes must be a positive integer, got ${String(highWater)}`;
  }
  const threads = options.verifyThreads;
  if (threads !== undefined && !(Number.isSafeInteger(threads) && threads >= 0)) {
    return `verifyThreads must be an integer >= 0, got ${String(threads)}`;
  }
  return options.operatorToken === undefined ? undefined : checkOperatorToken(options.operatorToken);
}

/**
 * Starts a relay and resolves once it listens.
 * @throws Error when `admission` is missing on a non-loopback host (ADM-1); when a limit is not an integer in
 *   range or the limits contradict each other (dedupe window under twice the clock skew, RPL-3; frame limit
 *   not 1024 bytes above the envelope limit; backoff above its cap, DLV-4; see {@link checkLimits}); when the
 *   operator token is too short or `deliveryHighWaterBytes` is not a positive integer; BatonError
 *   INVALID_IDENTITY when `relay-key.json` is corrupt; a Node error when the port cannot be bound or the data
 *   directory cannot be written. Nothing is created on disk before these checks pass.
 */
export async function startRelay(options: RelayOptions = {}): Promise<RunningRelay> {
  const host = options.host ?? '127.0.0.1';
  const admission = options.admission ?? (isLoopbackHost(host) ? 'open' : undefined);
  if (admission === undefined) {
    throw new Error(`host ${host} is not a loopback address: choose an admission policy explicitly (SPEC ADM-1)`);
  }
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const problem = checkLimits(limits) ?? relayOnlyProblem(options);
  if (problem !== undefined) throw new Error(problem);
  const dataDir = resolve(options.dataDir ?? '.baton');
  const log = createLogger(options.logLevel ?? 'info');
  const key = loadOrCreateRelayKey(dataDir);
  const store = new SqliteStore(join(dataDir, 'baton.sqlite'), options.durability ?? 'fsync');
  try {
    const core = new RelayCore({
      store, key, limits, clock: options.clock ?? systemClock, admission,
      allowlist: options.allowlist ?? [], log,
      ...(options.deliveryHighWaterBytes === undefined ? {} : { deliveryHighWaterBytes: options.deliveryHighWaterBytes }),
      ...(options.random === undefined ? {} : { random: options.random }),
      verifyThreads: options.verifyThreads ?? defaultVerifyThreads(),
    });
    const app = createApp(core, { name: '@baton/relay', version: pkg.version }, options.operatorToken === undefined ? {} : { operatorToken: options.operatorToken });
    const server = await listenNode({ core, app, host, port: options.port ?? 8787, log });
    const base = `${urlHost(host)}:${server.port}`;
    let closing: Promise<void> | undefined;
    return {
      url: `ws://${base}/v1/ws`,
      httpUrl: `http://${base}`,
      port: server.port,
      did: key.did,
      dataDir,
      dlq: core.dlq,
      tasks: core.tasks,
      close: () => (closing ??= server.close().finally(() => store.close())),
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
