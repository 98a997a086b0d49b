/**
 * The `send` pipeline (SPEC RTE-1): checks an envelope in the protocol's order, answers the first failure
 * with an `error` frame carrying the envelope id, and queues accepted envelopes for the group commit.
 *
 * Order: frame schema (done by the session) -> rate (RATE_LIMITED, FLW-3; send-rate.ts) -> size, schema,
 * version, sender (`precheckEnvelope` from @baton/spec), signature (verify-pool.ts, possibly on a worker
 * thread; envelopes continue in arrival order), skew, expiry (`completeEnvelopeCheck`) -> addressing rules that need
 * the relay identity (RTE-4, TYP-2; `notice` is relay-only, TYP-6) -> duplicate id (RPL-3) -> type-specific
 * (INVALID_MANIFEST, HANDLE_TAKEN, INVALID_RECEIPT; task envelopes: task-checks.ts; requests:
 * request-checks.ts) -> sender budget (RATE_LIMITED, FLW-3) -> recipient (UNKNOWN_RECIPIENT, MAILBOX_FULL,
 * NO_PROVIDER; then a request's input, TSK-10). Task changes ride on the envelope's write (ACK-1).
 * Nothing is stored for a rejected envelope (ACK-7).
 */
import type { Logger } from 'pino';
import {
  completeEnvelopeCheck, parseTarget, precheckEnvelope, validateRegisterBody,
  type CheckedEnvelope, type Envelope, type ErrorCode, type KeyPair, type Limits, type Target,
} from '@baton/spec';
import type { BatchWrite, RelayStore } from '../store/store.ts';
import type { AttemptLog } from './attempt-log.ts';
import type { DeliveryEngine } from './delivery.ts';
import { GroupCommit, type Queued } from './group-commit.ts';
import { InOrder } from './in-order.ts';
import type { Ledger } from './ledger.ts';
import type { Presence } from './presence.ts';
import { checkReceipt } from './receipt-check.ts';
import type { ReceiptForwarder } from './receipts.ts';
import { RequestChecks } from './request-checks.ts';
import type { TaskBook } from './task-book.ts';
import { TaskChecks, type Rejection, type TaskPlan } from './task-checks.ts';
import type { TaskEffects, TaskEffectsRunner } from './task-effects.ts';
import type { TaskSupervisor } from './task-supervisor.ts';
import type { Registry } from './registry.ts';
import type { Router } from './router.ts';
import type { SendRate } from './send-rate.ts';
import type { CompileBudget } from './compile-budget.ts';
import type { Clock, Peer } from './types.ts';
import type { VerifyPool } from './verify-pool.ts';

/** Extra members of an `error` frame (ERR-2). */
export interface ErrorExtra {
  id?: string;
  ref?: string;
  retry_after_ms?: number;
}

/** A connection that can be answered: a peer plus error frames. */
export interface Replier extends Peer {
  /** The connection's remote IP address (per-IP rate limit, FLW-3). */
  readonly ip: string;
  /** Sends an `error` frame (and closes the connection when the code is fatal). */
  sendError(code: ErrorCode, message: string, extra?: ErrorExtra): void;
}

/** The envelope a receipt acknowledges. */
interface Acknowledged {
  readonly seq: number;
  readonly sender: string;
  readonly id: string;
  readonly recipient: string;
  readonly wasPending: boolean;
}

/** An accepted envelope waiting for commit, with what must happen after it. */
interface QueuedEnvelope extends Queued {
  readonly envelope: Envelope;
  readonly json: string;
  readonly origin: Replier;
  readonly duplicates: Replier[];
  /** Senders of idempotent duplicates of this request (TSK-14), answered after the commit. */
  readonly sameTask: { readonly peer: Replier; readonly id: string }[];
  /** The agent the envelope is delivered to; null for envelopes that are only stored. */
  readonly recipient: string | null;
  /** For receipts: the acknowledged envelope. */
  readonly acknowledges?: Acknowledged;
  /** Task changes and notices the envelope causes. */
  readonly effects?: TaskEffects;
}

/** A task plan or a checked request, between the type-specific step and the recipient step. */
type TaskStep = { plan: TaskPlan } | { request: Exclude<ReturnType<RequestChecks['check']>, Rejection | { kind: 'duplicate' }> } | undefined;

/** What the pipeline needs from the rest of the relay. */
export interface PipelineDeps {
  readonly store: RelayStore;
  readonly registry: Registry;
  readonly router: Router;
  readonly ledger: Ledger;
  readonly engine: DeliveryEngine;
  readonly receipts: ReceiptForwarder;
  readonly presence: Presence;
  readonly rate: SendRate;
  /** The schema compile budget of registrations (MAN-7). */
  readonly compile: CompileBudget;
  readonly attempts: AttemptLog;
  readonly clock: Clock;
  readonly limits: Limits;
  readonly relayDid: string;
  readonly key: KeyPair;
  readonly log: Logger;
  readonly book: TaskBook;
  readonly effects: TaskEffectsRunner;
  readonly supervisor: TaskSupervisor;
  /** Verifies envelope signatures, inline or on worker threads. */
  readonly verifier: VerifyPool;
}

/** Validates, deduplicates, routes and group-commits envelopes. */
export class Pipeline {
  readonly #d: PipelineDeps;
  readonly #commit: GroupCommit<QueuedEnvelope>;
  readonly #tasks: TaskChecks;
  readonly #requests: RequestChecks;
  /** Envelopes whose signature is being verified, in arrival order. */
  readonly #order = new InOrder<boolean>();

  constructor(deps: PipelineDeps) {
    this.#d = deps;
    const common = { book: deps.book, agents: deps.registry, clock: deps.clock, limits: deps.limits };
    this.#tasks = new TaskChecks({
      ...common, store: deps.store,
      envelopeJson: (sender, id) => this.#commit.find(sender, id)?.json ?? deps.store.findEnvelope(sender, id)?.json,
      cancel: (task, env) => deps.supervisor.cancel(task, env),
    });
    this.#requests = new RequestChecks({ ...common, needsHuman: (sender, revised, thread) => deps.supervisor.needsHuman(sender, revised, thread) });
    this.#commit = new GroupCommit<QueuedEnvelope>(deps.store, {
      committed: (items, seqs, followups) => this.#committed(items, seqs, followups),
      failed: (items, error) => this.#failed(items, error),
    }, deps.attempts, (err) => deps.log.error({ err }, 'could not write delivery counters; retrying'));
  }

  /** Commits whatever is queued now, delivery counters included (shutdown). */
  flush(): void {
    this.#commit.flush();
  }

  /** Shutdown: drops envelopes still waiting for their signature verdict (never accepted) and commits the rest. */
  stop(): void {
    this.#order.clear();
    this.#commit.flush();
  }

  /**
   * Handles the envelope of a `send` frame from an authenticated connection.
   * @param env - the frame's `env` member, not yet validated.
   * @param version - the protocol version chosen in `auth` (ENV-6).
   */
  handleSend(from: Replier, env: unknown, version: number): void {
    const d = this.#d;
    const limited = d.rate.checkRate(env, from.agent, from.ip);
    if (limited !== undefined) {
      const id = typeof env === 'object' && env !== null ? (env as { id?: unknown }).id : undefined;
      from.sendError('RATE_LIMITED', limited.message, {
        ...(typeof id === 'string' && id.length <= 64 ? { id } : {}), retry_after_ms: limited.retryAfterMs,
      });
      return;
    }
    const ctx = { now: d.clock.now(), limits: d.limits, authenticated: from.agent, versions: [version] };
    const pre = precheckEnvelope(env, ctx);
    if (!pre.ok) {
      from.sendError(pre.code, pre.message, pre.id === undefined ? {} : { id: pre.id });
      return;
    }
    // The signature may be verified on a worker thread; what follows runs in arrival order (in-order.ts).
    const { publicKey, signingInput, signature } = pre.value;
    d.verifier.verify(publicKey, signingInput, signature, this.#order.open((valid) => {
      const checked = completeEnvelopeCheck(pre.value, valid, ctx);
      if (!checked.ok) {
        from.sendError(checked.code, checked.message, checked.id === undefined ? {} : { id: checked.id });
        return;
      }
      this.#accept(from, checked.value);
    }));
  }

  /** The steps of RTE-1 after the stateless checks, for an envelope whose signature verified. */
  #accept(from: Replier, checked: CheckedEnvelope): void {
    const d = this.#d;
    const { envelope, digest } = checked;
    const reject = (r: Rejection): void => from.sendError(r.code, r.message, {
      id: envelope.id, ...(r.retryAfterMs === undefined ? {} : { retry_after_ms: r.retryAfterMs }),
    });
    const target = parseTarget(envelope.to);
    const addressing = this.#checkAddressing(envelope, target);
    if (addressing !== undefined) return reject(addressing);

    // RPL-3: deduplicate against the current batch, then the store.
    const queued = this.#commit.find(envelope.from, envelope.id);
    if (queued !== undefined) {
      if (queued.digest === digest) queued.duplicates.push(from);
      else reject({ code: 'DUPLICATE_ID', message: `envelope id ${envelope.id} was already used for different content` });
      return;
    }
    try {
      const stored = d.store.findEnvelope(envelope.from, envelope.id);
      if (stored !== undefined) {
        if (stored.digest === digest) from.sendText(JSON.stringify({ op: 'accepted', id: envelope.id, duplicate: true }));
        else reject({ code: 'DUPLICATE_ID', message: `envelope id ${envelope.id} was already used for different content` });
        return;
      }
      // Type-specific task checks (register and receipt are checked in #route: they are exempt from the budget).
      let step: TaskStep;
      if (envelope.type === 'request') {
        const r = this.#requests.check(envelope);
        if ('code' in r) return reject(r);
        if (r.kind === 'duplicate') return this.#sameTask(from, envelope, r.task.id);
        step = { request: r };
      } else {
        const plan = this.#tasks.check(envelope);
        if (plan !== undefined && 'code' in plan) return reject(plan);
        step = plan === undefined ? undefined : { plan };
      }
      // FLW-3 sender budget: after the type-specific checks and before the recipient step, as RTE-1 orders them.
      const overBudget = d.rate.checkBudget(envelope.from, envelope.type);
      if (overBudget !== undefined) return reject({ code: 'RATE_LIMITED', ...overBudget });
      const item = this.#route(from, envelope, digest, target, step);
      if ('code' in item) return reject(item);
      if (item.recipient !== null) d.ledger.add(envelope.from, item.recipient);
      const a = item.acknowledges;
      if (a !== undefined && a.wasPending && !d.engine.beginSettle(a.sender, a.id, a.recipient)) {
        // another receipt for the same envelope is being committed: this one settles nothing new
        this.#commit.enqueue({ ...item, acknowledges: { ...a, wasPending: false } });
        return;
      }
      this.#commit.enqueue(item);
    } catch (err) {
      d.log.error({ err }, 'send pipeline failed');
      reject({ code: 'INTERNAL_ERROR', message: 'the relay failed to process the envelope; it was not accepted' });
    }
  }

  /**
   * RTE-4 and the addressing step of RTE-1: rules that need the relay's identity or the target kind. (TYP-2's
   * body.capability = cap name is already enforced by `checkEnvelope`.) Only the relay sends notices (DLV-6).
   */
  #checkAddressing(env: Envelope, target: Target): Rejection | undefined {
    if (env.type === 'notice') return { code: 'INVALID_ENVELOPE', message: 'notice envelopes are sent only by the relay (TYP-6)' };
    if (env.type === 'register' || env.type === 'cancel') {
      return env.to === this.#d.relayDid ? undefined
        : { code: 'INVALID_ENVELOPE', message: `${env.type} envelopes must be addressed to the relay did:key (RTE-4)` };
    }
    if (env.to === this.#d.relayDid && env.type !== 'receipt') {
      return { code: 'INVALID_ENVELOPE', message: `${env.type} envelopes must not be addressed to the relay (RTE-4)` };
    }
    if (target.kind === 'invalid') return { code: 'INVALID_ENVELOPE', message: `invalid target ${JSON.stringify(env.to)}` };
    if (target.kind === 'capability' && env.type !== 'request') {
      return { code: 'INVALID_ENVELOPE', message: `${env.type} envelopes must be addressed to an agent did:key` };
    }
    return undefined;
  }

  /** TSK-14: an idempotent duplicate gets `accepted` with the existing task, after that task's commit. */
  #sameTask(from: Replier, env: Envelope, taskId: string): void {
    const queued = this.#commit.find(env.from, taskId);
    if (queued !== undefined) {
      queued.sameTask.push({ peer: from, id: env.id });
      return;
    }
    const task = this.#d.book.registry.get(taskId);
    from.sendText(JSON.stringify({ op: 'accepted', id: env.id, duplicate: true, task: { id: taskId, state: task?.state ?? 'queued' } }));
  }

  /**
   * Register and receipt checks, recipient resolution and a request's input check; returns the queue item
   * or the rejection. `target` has passed `#checkAddressing`, so it is never `invalid` here.
   */
  #route(from: Replier, env: Envelope, digest: string, target: Target, step: TaskStep): QueuedEnvelope | Rejection {
    const d = this.#d;
    const json = JSON.stringify(env);
    const base = { sender: env.from, id: env.id, digest, envelope: env, json, origin: from, duplicates: [] as Replier[], sameTask: [] as QueuedEnvelope['sameTask'] };
    const item = (recipient: string | null, extra: Partial<BatchWrite>, effects?: TaskEffects, more: Partial<QueuedEnvelope> = {}): QueuedEnvelope => {
      const followups = effects === undefined || effects.notices.length === 0 ? undefined : d.effects.noticeWrites(effects);
      return {
        ...base, recipient, ...more, ...(effects === undefined ? {} : { effects }), ...(followups === undefined ? {} : { followups }),
        toWrite: () => ({
          sender: env.from, id: env.id, type: env.type, to: env.to, recipient, digest, json, acceptedAt: d.clock.now(), exp: env.exp ?? null,
          ...extra, ...(effects === undefined ? {} : {
            taskId: effects.taskId, tasks: effects.own.map((t) => t.write), ...(effects.context === undefined ? {} : { context: effects.context }),
          }),
        }),
      };
    };

    if (env.type === 'register') {
      const body = validateRegisterBody(env.body, d.limits.max_manifests, (units) => {
        const taken = d.compile.take(from.ip, units);
        if (taken.ok) return undefined;
        const message = `compiling this registration's new schemas costs ${units.toLocaleString('en-US')} units, more than the relay's compile budget holds now (compile_rate_per_ip / compile_rate_relay, SPEC MAN-7)`;
        return { message, retryAfterMs: taken.retryAfterMs };
      });
      if (!body.ok) return { code: body.code, message: body.message, ...('retryAfterMs' in body ? { retryAfterMs: body.retryAfterMs } : {}) };
      const handle = body.value.handle;
      if (handle !== undefined) {
        const owner = this.#commit.handleClaim(handle) ?? d.store.handleOwner(handle);
        if (owner !== undefined && owner !== env.from) return { code: 'HANDLE_TAKEN', message: `handle ${handle} is bound to another key` };
      }
      return item(null, { register: { handle: handle ?? null } }, undefined, handle === undefined ? {} : { handle });
    }
    if (env.type === 'receipt') return this.#receipt(env, item);

    if (step !== undefined && 'plan' in step) {
      const recipient = step.plan.recipient;
      if (recipient !== null && d.router.isFull(recipient)) return this.#full(recipient);
      return item(recipient, {}, step.plan.apply());
    }
    let recipient: string;
    if (target.kind === 'agent') {
      if (!d.registry.isKnown(target.did)) return { code: 'UNKNOWN_RECIPIENT', message: `agent ${env.to} is not known to this relay` };
      if (d.router.isFull(target.did)) return this.#full(target.did);
      recipient = target.did;
    } else {
      const chosen = target.kind === 'capability' ? d.router.choose(target.name) : undefined;
      if (chosen === undefined) return { code: 'NO_PROVIDER', message: `no connected agent with room in its mailbox provides ${env.to.slice(4)}` };
      recipient = chosen;
    }
    if (step === undefined) return item(recipient, {});
    const invalid = this.#requests.checkInput(env, recipient);
    if (invalid !== undefined) return invalid;
    const created = this.#requests.create(env, step.request, recipient);
    return item(recipient, {}, { taskId: env.id, own: [created], notices: [], withdrawn: [] });
  }

  #full(agent: string): Rejection {
    return { code: 'MAILBOX_FULL', message: `the mailbox of ${agent} holds mailbox_max_envelopes (${this.#d.limits.mailbox_max_envelopes}) pending envelopes` };
  }

  #receipt(env: Envelope, item: (r: null, extra: Partial<BatchWrite>, e?: TaskEffects, more?: Partial<QueuedEnvelope>) => QueuedEnvelope): QueuedEnvelope | Rejection {
    const d = this.#d;
    // ACK-3: a delivery in flight is checked from the engine's memory; anything else (a late or repeated
    // receipt, a notice) from the store.
    const target = checkReceipt((sender, id) => d.engine.receiptTarget(env.from, sender, id) ?? d.store.findEnvelope(sender, id), env);
    if ('code' in target) return target;
    const acknowledges = { seq: target.seq, sender: target.sender, id: target.id, recipient: target.recipient ?? '', wasPending: target.status === 'pending' };
    const toRelay = target.sender === d.relayDid;
    const plan = this.#tasks.receipt(env, target);
    return item(null, {
      receipt: { forSender: target.sender, forId: target.id, forwarded: toRelay || d.presence.isOnline(target.sender) },
    }, plan?.apply(), { acknowledges });
  }

  #committed(items: readonly QueuedEnvelope[], seqs: readonly number[], followupSeqs: readonly (readonly number[])[]): void {
    const d = this.#d;
    for (const [i, item] of items.entries()) {
      item.origin.sendText(JSON.stringify({ op: 'accepted', id: item.id }));
      for (const dup of item.duplicates) dup.sendText(JSON.stringify({ op: 'accepted', id: item.id, duplicate: true }));
      const env = item.envelope;
      const seq = seqs[i] ?? 0;
      if (item.effects !== undefined) d.effects.committed(item.effects, { type: env.type, sender: env.from, id: env.id, seq }, followupSeqs[i] ?? []);
      for (const same of item.sameTask) {
        const state = d.book.registry.get(item.id)?.state ?? 'queued';
        same.peer.sendText(JSON.stringify({ op: 'accepted', id: same.id, duplicate: true, task: { id: item.id, state } }));
      }
      if (env.type === 'register') {
        d.registry.setRegistration(env, item.json);
      } else if (item.acknowledges !== undefined) {
        const a = item.acknowledges;
        d.engine.settled(a);
        if (a.sender !== d.relayDid) d.receipts.forward(a.sender, a.id, item.json);
      } else if (item.recipient !== null) {
        d.engine.accepted({
          seq, sender: env.from, id: env.id, to: env.to, recipient: item.recipient, json: item.json, exp: env.exp ?? null,
          context: item.effects?.context ?? null, digest: item.digest, type: env.type,
        });
      }
    }
  }

  #failed(items: readonly QueuedEnvelope[], error: unknown): void {
    this.#d.log.error({ err: error, count: items.length }, 'group commit failed');
    for (const item of items) {
      if (item.recipient !== null) this.#d.ledger.settle(item.sender, item.recipient);
      const a = item.acknowledges;
      if (a !== undefined && a.wasPending) this.#d.engine.settleFailed(a.sender, a.id, a.recipient);
      if (item.effects !== undefined) this.#d.effects.failed(item.effects);
      const message = 'the relay could not commit the envelope; it was not accepted and may be resent';
      item.origin.sendError('INTERNAL_ERROR', message, { id: item.id });
      for (const dup of item.duplicates) dup.sendError('INTERNAL_ERROR', message, { id: item.id });
      for (const same of item.sameTask) same.peer.sendError('INTERNAL_ERROR', message, { id: same.id });
    }
  }
}
