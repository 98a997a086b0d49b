// What an agent-mode case runs with: the adapter session (fake relay, adapter process, its connection), peer
// agents whose keys the suite owns, and the checks every case shares (a receipt is exactly right per
// TYP-4/ACK-3, a result per TYP-3, nothing answers an envelope that must be dropped).
import {
  createEnvelope, envelopeDigest, generateKeyPair, newEnvelopeId, validateEnvelope, verifyEnvelope,
  type Envelope, type EnvelopeFields, type KeyPair,
} from '@baton/spec';
import { CaseFailure, check, show } from '../assert.ts';
import type { ReceivedFrame } from '../wire/frame-queue.ts';
import type { AdapterProcess } from './adapter-process.ts';
import { answers, sent } from './envelopes.ts';
import type { FakeRelay } from './fake-relay.ts';
import type { Delivery } from './intake.ts';
import type { RelaySideConnection } from './relay-side.ts';
import type { Scenario } from './scenarios.ts';
import type { AgentRunOptions, AgentSession } from './session.ts';


/** Per-case context of agent mode, over the session the runner assigned to the case. */
export class AgentContext {
  readonly session: AgentSession;

  constructor(session: AgentSession) {
    this.session = session;
  }

  get options(): AgentRunOptions {
    return this.session.options;
  }

  get relay(): FakeRelay {
    return this.session.relay;
  }

  /** The adapter's did:key (derived from BATON_AGENT_SECRET). */
  get did(): string {
    return this.session.adapterKey.did;
  }

  /** The capability the running adapter registered. */
  get capability(): string {
    return this.session.capability;
  }

  /** The adapter's current connection. */
  get conn(): RelaySideConnection {
    return this.session.conn;
  }

  /** The adapter process started last. */
  get adapter(): AdapterProcess | undefined {
    return this.session.runs.at(-1);
  }

  /** (Re)starts the adapter in this session, same key (see {@link AgentSession.start}). */
  start(scenario: Scenario, options: { capability?: Scenario } = {}): Promise<RelaySideConnection> {
    return this.session.start(scenario, options);
  }

  /** A peer agent (the suite owns its key), known to the relay. */
  peer(): KeyPair {
    const k = generateKeyPair();
    this.relay.know(k.did);
    return k;
  }

  /** A request from `peer` to the adapter (direct routing, exp in 60 s, a thread), signed; `over` replaces fields. */
  request(peer: KeyPair, input: unknown, over: Partial<EnvelopeFields> = {}): Envelope {
    return createEnvelope(peer, {
      type: 'request', to: this.did, thread: newEnvelopeId(), exp: Date.now() + 60_000,
      body: { capability: this.capability, input }, ...over,
    });
  }

  /** Delivers `env` on the current connection (next attempt, same seq). */
  deliver(env: Envelope, extra?: Record<string, unknown>): Delivery {
    return this.conn.deliver(env, extra);
  }

  /**
   * Waits for the adapter's receipt for `delivered` and checks it exactly: schema, strict signature by the
   * adapter, `to` = the delivered envelope's `from`, `parent` = its id, `body.for`, `body.digest` (TYP-4, ACK-3).
   */
  async expectReceipt(delivered: Envelope, what = 'receipt'): Promise<Envelope> {
    const f = await this.conn.frames.expect(`${what} for ${delivered.type} ${delivered.id} (ACK-3)`, (x) => sent(x)?.type === 'receipt' && (sent(x)?.body as { for?: unknown }).for === delivered.id);
    return this.checkReceipt(sent(f) as Envelope, delivered);
  }

  /** Checks a receipt from the adapter for `delivered` (schema, signature, to, parent, digest; TYP-4). */
  checkReceipt(r: Envelope, delivered: Envelope): Envelope {
    this.#checkSigned(r, 'receipt');
    check(r.to === delivered.from, `receipt to = ${delivered.from} (the delivered envelope's from, TYP-4)`, `to = ${r.to}`);
    check(r.parent === delivered.id, `receipt parent = ${delivered.id} (TYP-4)`, `parent = ${String(r.parent)}`);
    const digest = envelopeDigest(delivered);
    check((r.body as { digest?: unknown }).digest === digest, `receipt digest ${digest}: SHA-256 of the signing input (TYP-4)`, `digest ${show((r.body as { digest?: unknown }).digest)}`);
    return r;
  }

  /** Waits for the adapter's result for `request` and checks `to`, `parent`, schema and signature (TYP-3). */
  async expectResult(request: Envelope): Promise<Envelope> {
    const f = await this.conn.frames.expect(`result with parent ${request.id} (TYP-3)`, (x) => sent(x)?.type === 'result' && sent(x)?.parent === request.id);
    const r = sent(f) as Envelope;
    this.#checkSigned(r, 'result');
    check(r.to === request.from, `result to = ${request.from} (the requester, TYP-3)`, `to = ${r.to}`);
    return r;
  }

  /** Expects a result of status `error` with `code` for `request` (after its receipt). */
  async expectErrorResult(request: Envelope, code: string): Promise<void> {
    await this.expectReceipt(request);
    const r = await this.expectResult(request);
    const body = r.body as { status?: unknown; error?: { code?: unknown } };
    check(body.status === 'error' && body.error?.code === code, `result {status: "error", error.code: "${code}"}`, show(r.body));
  }

  /**
   * Delivers a valid echo request from a new peer and waits for its receipt and ok result: proves the adapter
   * is alive and, since it handles deliveries in order, that it has dealt with everything delivered before.
   */
  async roundTrip(text = 'canary'): Promise<{ request: Envelope; receipt: Envelope; result: Envelope }> {
    const request = this.request(this.peer(), { text });
    this.deliver(request);
    const receipt = await this.expectReceipt(request);
    const result = await this.expectResult(request);
    const body = result.body as { status?: unknown; output?: unknown };
    check(body.status === 'ok' && show(body.output) === show({ text }), `result {status: "ok", output: {"text": ${show(text)}}}`, show(result.body));
    return { request, receipt, result };
  }

  /**
   * Fails when the adapter answered any of `ids` (receipt, result, `working`, and `reject` unless
   * `tolerateReject`) within `ms` (default min(300, timeout)). Call it after {@link roundTrip}: the adapter has
   * then handled everything delivered before, so the short wait only catches stragglers.
   */
  async expectNoAnswer(ids: string[], why: string, options: { ms?: number; tolerateReject?: boolean } = {}): Promise<void> {
    const ms = options.ms ?? Math.min(300, this.options.timeoutMs);
    const match = (id: string) => (f: ReceivedFrame): boolean => answers(f, id) && !(options.tolerateReject === true && f.op === 'reject');
    for (const id of ids) {
      if (!(await this.conn.frames.absent(match(id), ms))) {
        const f = this.conn.frames.seen.find(match(id));
        throw new CaseFailure(`no receipt, result or other answer for ${id} (${why})`, `${String(f?.op)} ${show(f ? sent(f) ?? f : f)}`);
      }
    }
  }

  #checkSigned(env: Envelope, type: string): void {
    const v = validateEnvelope(env);
    check(v.ok, `${type} envelope valid against the schema (ENV-1)`, v.ok ? '' : `${v.code}: ${v.message}`);
    check(env.from === this.did, `${type} from = the adapter (${this.did})`, `from = ${env.from}`);
    check(verifyEnvelope(env), `${type} signature verifies strictly (SIG-2)`, `sig ${env.sig} does not verify`);
  }
}
