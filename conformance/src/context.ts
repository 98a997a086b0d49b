// What a case runs with: the relay under test (URL, info document, limits), recorded connections,
// authenticated test agents with their own keys, and helpers to build and send envelopes.
import {
  createEnvelope, generateKeyPair, signAuth, type Envelope, type EnvelopeFields, type HelloFrame, type KeyPair,
  type Limits, type RelayInfo,
} from '@baton/spec';
import { CaseFailure, show } from './assert.ts';
import { WireConnection, type ReceivedFrame } from './wire/connection.ts';
import type { WireRecorder } from './wire/recorder.ts';

/** An authenticated test agent: its key, its connection and the `hello` it got. */
export interface TestAgent {
  key: KeyPair;
  did: string;
  conn: WireConnection;
  hello: HelloFrame;
}

/** Per-case context handed to {@link ConformanceCase.run}. */
export class CaseContext {
  /** WebSocket URL of the relay under test, e.g. `ws://127.0.0.1:8787/v1/ws`. */
  readonly url: string;
  /** HTTP base URL derived from `url`, e.g. `http://127.0.0.1:8787`. */
  readonly httpUrl: string;
  /** The relay information document (LIM-1) read before the run. */
  readonly info: RelayInfo;
  /** Default wait for one frame or close, in ms. */
  readonly timeoutMs: number;
  readonly recorder: WireRecorder;
  /** The relay's operator token for `/v1/dlq` (DLQ-1), when the run was given one; operator cases skip without it. */
  readonly operatorToken: string | undefined;
  readonly #conns: WireConnection[] = [];
  /** Relay clock minus local clock (ms), estimated from the last `hello.ts`. */
  #offset = 0;

  constructor(o: { url: string; httpUrl: string; info: RelayInfo; timeoutMs: number; recorder: WireRecorder; operatorToken?: string | undefined }) {
    this.url = o.url;
    this.httpUrl = o.httpUrl;
    this.info = o.info;
    this.timeoutMs = o.timeoutMs;
    this.recorder = o.recorder;
    this.operatorToken = o.operatorToken;
  }

  /** Limits announced in the relay information document. */
  get limits(): Limits {
    return this.info.limits;
  }

  /** The relay's did:key. */
  get relayDid(): string {
    return this.info.relay;
  }

  /** Best estimate of the relay's clock, ms since epoch. */
  now(): number {
    return Date.now() + this.#offset;
  }

  /** Opens a raw, unauthenticated, recorded connection. */
  async connect(label: string, options: { autoPong?: boolean } = {}): Promise<WireConnection> {
    const conn = await WireConnection.open(this.url, label, this.recorder, this.timeoutMs, options);
    this.#conns.push(conn);
    return conn;
  }

  /** Waits for `hello` on a fresh connection and checks its shape enough to answer it. */
  async hello(conn: WireConnection): Promise<HelloFrame> {
    const f = await conn.expectOp('hello');
    if (typeof f.challenge !== 'string' || typeof f.relay !== 'string' || typeof f.ts !== 'number' || !Array.isArray(f.versions)) {
      throw new CaseFailure('hello frame with challenge, relay, ts, versions (CON-2)', show(f));
    }
    this.#offset = f.ts - Date.now();
    return f as unknown as HelloFrame;
  }

  /**
   * Connects and authenticates an agent (a fresh key unless `key` is given), waiting for `welcome`.
   * @throws CaseFailure when the handshake does not end in `welcome`.
   */
  async agent(label: string, key: KeyPair = generateKeyPair(), options: { autoPong?: boolean } = {}): Promise<TestAgent> {
    const conn = await this.connect(label, options);
    const hello = await this.hello(conn);
    conn.send(signAuth(key, hello, this.now()));
    const welcome = await conn.expect('welcome frame after a valid auth (CON-5)', (f) => f.op === 'welcome' || f.op === 'error');
    if (welcome.op !== 'welcome' || welcome.agent !== key.did) {
      throw new CaseFailure(`welcome for ${key.did} (CON-5)`, show(welcome));
    }
    return { key, did: key.did, conn, hello };
  }

  /** Builds an envelope signed by `agent` with `ts` on the relay's clock. */
  envelope(agent: TestAgent | KeyPair, fields: EnvelopeFields): Envelope {
    const key = 'key' in agent ? agent.key : agent;
    return createEnvelope(key, { ts: this.now(), ...fields });
  }

  /**
   * Sends `env` (any value) in a `send` frame and resolves with the relay's answer: the `accepted` frame for
   * its id, or an `error` frame carrying its id or no id.
   */
  async send(agent: TestAgent, env: unknown, what = 'accepted or error for the envelope'): Promise<ReceivedFrame> {
    const id = env !== null && typeof env === 'object' ? (env as { id?: unknown }).id : undefined;
    agent.conn.send({ op: 'send', env });
    return agent.conn.expect(what, (f) => (f.op === 'accepted' && f.id === id) || (f.op === 'error' && (f.id === id || f.id === undefined)));
  }

  /** Sends `env` and fails unless it is accepted (not as a duplicate unless `duplicate`). */
  async sendAccepted(agent: TestAgent, env: Envelope): Promise<ReceivedFrame> {
    const f = await this.send(agent, env, `accepted for ${env.id}`);
    if (f.op !== 'accepted') throw new CaseFailure(`accepted frame for ${env.type} ${env.id}`, show(f));
    return f;
  }

  /** Sends `env` and fails unless the answer is an `error` with exactly `code` (and the connection stays open). */
  async sendRejected(agent: TestAgent, env: unknown, code: string): Promise<ReceivedFrame> {
    const f = await this.send(agent, env, `error ${code}`);
    if (f.op !== 'error' || f.code !== code) throw new CaseFailure(`error frame with code ${code}`, `${String(f.op)} frame ${show(f)}`);
    // ERR-1, ERR-2: a string message for people, and the envelope id when it could be read.
    if (typeof f.message !== 'string') throw new CaseFailure('error frame with a string message (ERR-2)', show(f));
    const id = typeof env === 'object' && env !== null ? (env as { id?: unknown }).id : undefined;
    if (typeof id === 'string' && f.id !== id) throw new CaseFailure(`error frame carrying id ${id} (RTE-1, ERR-2)`, show(f));
    return f;
  }

  /** GET a path on the relay's HTTP base; resolves status and parsed JSON (or null). */
  getJson(path: string): Promise<{ status: number; body: unknown }> {
    return this.http('GET', path);
  }

  /**
   * Sends an HTTP request to `path` (path and query string, sent exactly as given) on the relay's HTTP base and
   * records it in the wire log (the Authorization header is logged by scheme only).
   * @returns the status and the parsed JSON body (null when the body is not JSON).
   * @throws Error (fetch) when the relay cannot be reached within the context timeout.
   */
  async http(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const auth = headers.authorization ?? headers.Authorization;
    this.recorder.record('out', 'http', `${method} ${path}${auth === undefined ? '' : ` (Authorization: ${auth.split(' ')[0] ?? ''} ...)`}`);
    const res = await fetch(new URL(path, this.httpUrl), { method, headers, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    this.recorder.record('in', 'http', `${method} ${path} -> ${res.status} ${text}`);
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
    return { status: res.status, body };
  }

  /** Closes every connection the case opened. */
  closeAll(): void {
    for (const c of this.#conns) c.close();
  }
}
