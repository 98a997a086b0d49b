/**
 * Test harness for relay integration tests: starts a real relay (real socket, real SQLite file in a temp
 * directory, port 0) with a controllable clock (time and timers: ack timeouts, backoff and sweeps run when
 * the test advances it), and provides a raw test agent over `ws` that performs the handshake with
 * @baton/spec functions, sends raw text or frames, and waits for frames by predicate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterEach } from 'vitest';
import {
  createEnvelope, envelopeDigest, generateKeyPair, signAuth,
  type CapabilityManifest, type Envelope, type EnvelopeFields, type HelloFrame, type KeyPair,
} from '@baton/spec';
import { startRelay, type Clock, type RelayOptions, type RunningRelay } from '../src/index.ts';
import type { Timer } from '../src/core/types.ts';

/** What a test agent needs of a clock: the time its envelopes and auth frames carry. */
export interface TimeSource {
  now(): number;
}

interface FakeTimer {
  readonly at: number;
  readonly order: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** Lets pending I/O callbacks and immediates (group commits) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock tests move by hand, with timers. Starts at the real time so that keys and ids look normal.
 * Timers run only inside {@link FakeClock.advance}, synchronously, in time order (creation order for equal
 * times), each at its own time (the relay's timer callbacks are synchronous).
 */
export class FakeClock implements Clock {
  t = Date.now();
  #timers: FakeTimer[] = [];
  #order = 0;

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const timer: FakeTimer = { at: this.t + Math.max(0, ms), order: this.#order++, fn, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }

  /** Timers scheduled and not yet run or cancelled. */
  get pendingTimers(): number {
    return this.#timers.filter((x) => !x.cancelled).length;
  }

  /**
   * Moves time by `ms` (negative moves it back without running anything), running every timer that falls
   * due on the way before it returns. The promise resolves after pending immediates (group commits the
   * timers caused) ran: await it before looking at the store.
   */
  advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.#timers = this.#timers.filter((x) => !x.cancelled);
      let next: FakeTimer | undefined;
      for (const x of this.#timers) if (x.at <= end && (next === undefined || x.at < next.at || (x.at === next.at && x.order < next.order))) next = x;
      if (next === undefined) break;
      this.#timers.splice(this.#timers.indexOf(next), 1);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    return settle();
  }
}

/** A relay started for one test, with its temp dir and clock. */
export interface TestRelay {
  relay: RunningRelay;
  clock: FakeClock;
  dataDir: string;
  /** Stops the relay (the data dir survives until `cleanup`). */
  stop(): Promise<void>;
  /** Starts a relay again on the same data dir (restart), replacing `relay`. */
  restart(extra?: Partial<RelayOptions>): Promise<void>;
  /** Stops the relay and removes the data dir. */
  cleanup(): Promise<void>;
}

/**
 * One relay per test: returns a starter (same options as {@link startTestRelay}) and registers an `afterEach`
 * that cleans up the relay it started last. Call once at the top of a test file.
 */
export function relayPerTest(): (extra?: Partial<RelayOptions>) => Promise<TestRelay> {
  let current: TestRelay | undefined;
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
  });
  return async (extra = {}) => (current = await startTestRelay(extra));
}

/** Starts a relay on port 0 in a fresh temp dir with a FakeClock. */
export async function startTestRelay(extra: Partial<RelayOptions> = {}): Promise<TestRelay> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-relay-test-'));
  const clock = new FakeClock();
  const options = (more: Partial<RelayOptions>): RelayOptions =>
    ({ port: 0, dataDir, clock, logLevel: 'silent', durability: 'normal', ...extra, ...more });
  const t: TestRelay = {
    relay: await startRelay(options({})),
    clock,
    dataDir,
    stop: () => t.relay.close(),
    restart: async (more = {}) => {
      await t.relay.close();
      t.relay = await startRelay(options(more));
    },
    cleanup: async () => {
      await t.relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** A parsed frame as received (any op). */
export type AnyFrame = { op: string; [key: string]: unknown };

/** A close event of the test agent's socket. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** A raw protocol agent over `ws`. */
export class TestAgent {
  readonly key: KeyPair;
  readonly ws: WebSocket;
  readonly clock: TimeSource;
  hello: HelloFrame | undefined;
  readonly closed: Promise<CloseInfo>;
  #buffer: AnyFrame[] = [];
  #waiters: { pred: (f: AnyFrame) => boolean; resolve: (f: AnyFrame) => void }[] = [];

  private constructor(ws: WebSocket, key: KeyPair, clock: TimeSource) {
    this.ws = ws;
    this.key = key;
    this.clock = clock;
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => this.#push(JSON.parse(String(data)) as AnyFrame));
    ws.on('error', () => { /* surfaced through close */ });
  }

  /** Opens a socket and waits for `hello` (does not authenticate). */
  static async open(url: string, clock: TimeSource, key: KeyPair = generateKeyPair()): Promise<TestAgent> {
    const ws = new WebSocket(url);
    const agent = new TestAgent(ws, key, clock);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    agent.hello = (await agent.next((f) => f.op === 'hello')) as unknown as HelloFrame;
    return agent;
  }

  /** Opens a socket and completes the handshake; resolves after `welcome`. */
  static async connect(t: TestRelay, key?: KeyPair): Promise<TestAgent> {
    const agent = await TestAgent.open(t.relay.url, t.clock, key);
    agent.send(agent.auth());
    await agent.next((f) => f.op === 'welcome');
    return agent;
  }

  get did(): string {
    return this.key.did;
  }

  /** A correctly signed auth frame for this connection's hello (ts = clock). */
  auth(): Record<string, unknown> {
    if (this.hello === undefined) throw new Error('no hello yet');
    return { ...signAuth(this.key, this.hello, this.clock.now()) };
  }

  /** Sends a frame object as JSON text. */
  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends raw text or a binary message. */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  /** Builds a signed envelope from this agent (ts = clock). */
  envelope(fields: Omit<EnvelopeFields, 'ts'> & { ts?: number }, key: KeyPair = this.key): Envelope {
    return createEnvelope(key, { ts: this.clock.now(), ...fields });
  }

  /** Sends an envelope in a `send` frame and returns it. */
  sendEnvelope(env: Envelope): Envelope {
    this.send({ op: 'send', env });
    return env;
  }

  /** Sends an envelope and waits for its `accepted` (throws with the error frame if rejected). */
  async submit(env: Envelope): Promise<AnyFrame> {
    this.sendEnvelope(env);
    const f = await this.next((x) => (x.op === 'accepted' || x.op === 'error') && x.id === env.id);
    if (f.op !== 'accepted') throw new Error(`envelope rejected: ${JSON.stringify(f)}`);
    return f;
  }

  /** Registers manifests (and a handle); waits for `accepted`. */
  async register(relayDid: string, manifests: CapabilityManifest[], handle?: string): Promise<Envelope> {
    const env = this.envelope({ type: 'register', to: relayDid, body: handle === undefined ? { manifests } : { handle, manifests } });
    await this.submit(env);
    return env;
  }

  /** Waits for the error frame answering this test step. */
  async error(timeoutMs = 3000): Promise<AnyFrame> {
    return this.next((f) => f.op === 'error', timeoutMs);
  }

  /**
   * Returns (and removes) the first buffered or future frame matching `pred`.
   * @throws after `timeoutMs` with the frames seen so far.
   */
  next(pred: (f: AnyFrame) => boolean, timeoutMs = 3000): Promise<AnyFrame> {
    const i = this.#buffer.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.#buffer.splice(i, 1)[0] as AnyFrame);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve: (f: AnyFrame) => { clearTimeout(timer); resolve(f); } };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out; buffered frames: ${JSON.stringify(this.#buffer).slice(0, 2000)}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Frames received but not consumed yet. */
  get buffered(): readonly AnyFrame[] {
    return this.#buffer;
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Closes the socket and waits for the close. */
  async close(): Promise<void> {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.close();
    await this.closed;
  }

  #push(frame: AnyFrame): void {
    const i = this.#waiters.findIndex((w) => w.pred(frame));
    if (i >= 0) {
      const [w] = this.#waiters.splice(i, 1);
      w?.resolve(frame);
      return;
    }
    this.#buffer.push(frame);
  }
}

/** A small valid capability manifest (timeout_ms one hour: its task deadline, TSK-11, stays out of the tests' way). */
export function manifest(name: string, tags: string[] = []): CapabilityManifest {
  return {
    name, version: '1.0.0', description: `test capability ${name}`,
    input_schema: { type: 'object' }, output_schema: { type: 'object' }, timeout_ms: 3_600_000, tags,
  };
}

/** Round trip that proves a connection still works: a discover frame answered by `discovered`. */
export async function ping(agent: TestAgent): Promise<void> {
  const ref = `ping-${Math.random()}`;
  agent.send({ op: 'discover', ref, query: {} });
  await agent.next((f) => f.op === 'discovered' && f.ref === ref);
}

/** A receipt from `agent` for a delivered envelope (TYP-4): to its sender, parent and body.for = its id. */
export function receiptFor(agent: TestAgent, env: Envelope, digest = envelopeDigest(env)): Envelope {
  return agent.envelope({ type: 'receipt', to: env.from, parent: env.id, body: { for: env.id, digest } });
}

/** Predicate: a `deliver` frame (of envelope `id` when given). */
export function deliverOf(id?: string): (f: AnyFrame) => boolean {
  return (f) => f.op === 'deliver' && (id === undefined || (f.env as Envelope).id === id);
}

/**
 * True when no frame matching `pred` has arrived: a discover round trip first proves that everything the relay
 * sent before it answered has arrived (frames of one connection stay in order). Does not consume anything.
 */
export async function nothing(agent: TestAgent, pred: (f: AnyFrame) => boolean): Promise<boolean> {
  await ping(agent);
  return !agent.buffered.some(pred);
}

/** Waits until the relay reports `did` offline (it must have registered); polls discovery. */
export async function waitOffline(observer: TestAgent, did: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ref = `off-${Math.random()}`;
    observer.send({ op: 'discover', ref, query: { include_offline: true, limit: 500 } });
    const found = await observer.next((f) => f.op === 'discovered' && f.ref === ref);
    const entry = (found.agents as AnyFrame[]).find((e) => e.agent === did);
    if (entry !== undefined && entry.online === false) return;
    if (Date.now() > until) throw new Error(`${did} still online`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits until one of `agents` has received a frame matching `pred` (without consuming it); returns that agent. */
export async function whichReceives(agents: readonly TestAgent[], pred: (f: AnyFrame) => boolean, timeoutMs = 3000): Promise<TestAgent> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = agents.find((x) => x.buffered.some(pred));
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error('no agent received the frame');
    await new Promise((r) => setTimeout(r, 2));
  }
}
