// One adapter session: a fake relay, the adapter key, and the adapter process(es) started against it. The
// agent runner starts the adapter once per scenario and runs the consecutive cases of that scenario in the
// same session (cases marked `isolated`, or with their own relay options, get a session of their own); each
// case gets its own wire log, violation list and frame queue view (beginCase). Ending a session stops the
// adapter with SIGTERM, which it must obey.
import { base64urlEncode, generateKeyPair, type KeyPair } from '@baton/spec';
import { CaseFailure, check } from '../assert.ts';
import type { AdapterRun } from '../run-cases.ts';
import type { WireRecorder } from '../wire/recorder.ts';
import { AdapterProcess } from './adapter-process.ts';
import { sent } from './envelopes.ts';
import { FakeRelay, type FakeRelayOptions } from './fake-relay.ts';
import type { RelaySideConnection } from './relay-side.ts';
import { CAPABILITY, ENV, type Scenario } from './scenarios.ts';

/** Options shared by every case of a run. */
export interface AgentRunOptions {
  /** Shell command that starts the adapter. */
  cmd: string;
  /** Default wait for one frame, ms. */
  timeoutMs: number;
  /** Wait for the adapter to start, connect and register, ms. */
  startTimeoutMs: number;
}

/** A fake relay with the adapter (re)started against it under one key. */
export class AgentSession {
  readonly options: AgentRunOptions;
  /** The adapter's key: its seed is BATON_AGENT_SECRET. */
  readonly adapterKey: KeyPair;
  readonly relay: FakeRelay;
  /** Every adapter process started in this session, in order. */
  readonly runs: AdapterProcess[] = [];
  #conn: RelaySideConnection | undefined;
  #capability: string = CAPABILITY.echo;
  /** Output offsets of each run when the current case began. */
  #marks: Array<{ out: number; err: number }> = [];

  private constructor(options: AgentRunOptions, relay: FakeRelay, adapterKey: KeyPair) {
    this.options = options;
    this.relay = relay;
    this.adapterKey = adapterKey;
  }

  /** Starts the fake relay of a new session (the adapter is started by {@link start}). */
  static async create(options: AgentRunOptions, recorder: WireRecorder, relayOptions: Partial<FakeRelayOptions> = {}): Promise<AgentSession> {
    const adapterKey = generateKeyPair();
    const relay = await FakeRelay.start({
      agentDid: adapterKey.did, timeoutMs: options.timeoutMs, handshakeTimeoutMs: options.startTimeoutMs, recorder, ...relayOptions,
    });
    return new AgentSession(options, relay, adapterKey);
  }

  /** The capability registered by the adapter last started. */
  get capability(): string {
    return this.#capability;
  }

  /** The adapter's current connection. @throws Error before {@link start}. */
  get conn(): RelaySideConnection {
    if (!this.#conn) throw new Error('the adapter has not been started');
    return this.#conn;
  }

  /** True when the adapter is running, connected, and may serve another case. */
  get healthy(): boolean {
    const proc = this.runs.at(-1);
    return proc !== undefined && proc.exit === null && this.#conn !== undefined && this.#conn.open && this.#conn.agent !== undefined;
  }

  /** Gives the next case its own wire log, violation list, frame queue view and output window. */
  beginCase(recorder: WireRecorder): void {
    this.relay.recorder = recorder;
    const label = this.#conn?.label ?? 'adapter';
    recorder.record('open', label, `reusing ${label} of this scenario (its handshake and register are in the log of the case that started it)`);
    this.relay.violations.length = 0;
    this.#conn?.frames.clear();
    this.#marks = this.runs.map((p) => p.outputLength());
  }

  /** What the report shows about the adapter during the current case. */
  caseRuns(): AdapterRun[] {
    return this.runs.map((p, i) => p.report(this.#marks[i]));
  }

  /**
   * Starts the adapter with `scenario` (and `BATON_CAPABILITY` of `capability`, default the scenario's) and
   * waits until it authenticated and registered that capability, within the start timeout.
   * @throws CaseFailure with the adapter's output when it does not (also at once when it exits first).
   */
  async start(scenario: Scenario, options: { capability?: Scenario } = {}): Promise<RelaySideConnection> {
    const cap = CAPABILITY[options.capability ?? scenario];
    this.#capability = cap;
    const proc = AdapterProcess.start(this.options.cmd, scenario, {
      [ENV.url]: this.relay.url, [ENV.scenario]: scenario, [ENV.secret]: base64urlEncode(this.adapterKey.secretKey), [ENV.capability]: cap,
    });
    this.runs.push(proc);
    const why = (): string => this.#whyNot(proc);
    const deadline = Date.now() + this.options.startTimeoutMs;
    const left = (): number => Math.max(1, deadline - Date.now());
    const exited = proc.waitExit(this.options.startTimeoutMs).then((exit) => {
      throw new CaseFailure(`the adapter to connect to ${this.relay.url}`, exit ? why() : `no connection within ${this.options.startTimeoutMs} ms; ${why()}`);
    });
    const conn = await Promise.race([this.relay.connection(this.runs.length, this.options.startTimeoutMs, why), exited]);
    this.#conn = conn;
    await Promise.race([conn.ready(), conn.frames.waitClose('the handshake to complete', left())]).catch(() => undefined);
    if (conn.agent === undefined) throw new CaseFailure('a completed handshake (auth verified, welcome sent; CON-3)', why());
    await conn.frames.expect(`register envelope listing ${cap} (TYP-1)`, (f) => {
      const env = sent(f);
      const manifests = env?.type === 'register' ? (env.body as { manifests?: unknown }).manifests : undefined;
      return Array.isArray(manifests) && manifests.some((m: { name?: unknown } | null) => m?.name === cap);
    }, left()).catch((e: unknown) => {
      throw e instanceof CaseFailure ? new CaseFailure(e.expected, `${e.received}; ${why()}`) : e;
    });
    check(conn.registration !== undefined, 'register envelope accepted by the relay (TYP-1, MAN-1)', why());
    return conn;
  }

  #whyNot(proc: AdapterProcess): string {
    const exit = proc.exit ? `adapter exited (code ${proc.exit.code}, signal ${proc.exit.signal})` : 'adapter still running';
    const v = this.relay.violations.length ? `; relay saw: ${this.relay.violations.join(' | ')}` : '';
    return `${exit}${v}; output: ${proc.tail() || '(none)'}`;
  }

  /** A failure when the adapter provoked relay errors during the current case, else undefined. */
  violationFailure(): CaseFailure | undefined {
    const v = this.relay.violations;
    return v.length > 0 ? new CaseFailure('no frame or envelope from the adapter that a relay rejects', v.join(' | ')) : undefined;
  }

  /**
   * Ends the session: stops every adapter process still running (SIGTERM, then SIGKILL) and closes the relay.
   * @returns a failure when an adapter ignored SIGTERM, else undefined.
   */
  async end(): Promise<CaseFailure | undefined> {
    const stopped = await Promise.all(this.runs.map((p) => p.stop(this.options.timeoutMs)));
    await this.relay.close();
    return stopped.includes(false)
      ? new CaseFailure(`the adapter exits within ${this.options.timeoutMs} ms of SIGTERM (adapter contract)`, 'it had to be killed with SIGKILL')
      : undefined;
  }
}
