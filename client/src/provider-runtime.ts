/**
 * The provider side of delivery (design DLV-3, DLV-4; SPEC ACK-3, RPL-4): for each verified `request`
 * delivered to this agent decide between running it, refusing it with a `reject` frame (`BUSY` past the
 * handler's concurrency, `UNSUPPORTED_CAPABILITY` when nothing here handles it - so the relay can retry later
 * or route it to another provider), answering a duplicate (a `working` frame while it still runs, a receipt
 * once finished), and when to send the receipt (`on-complete` with `working` heartbeats, or `on-receive`).
 * Each running handler is a {@link TaskRun} (its task context and lease heartbeat, task-run.ts); answers and
 * task notices are routed to it by task id, and an answer for a task no handler runs here resumes it (TSK-8).
 *
 * Start-up: right after a (re)start the relay delivers pending requests at once, before the application had
 * the chance to call `handle()` and `register()`. A request that cannot run yet - no registration accepted
 * yet in this agent, or a handler whose manifest is not registered yet - is therefore held (for
 * `ack_timeout_ms / 3`), run as soon as a registration makes it runnable, or else refused with the retryable
 * `BUSY`. Only a capability without handler, once registered, is refused with the final `UNSUPPORTED_CAPABILITY`.
 */
import { envelopeDigest } from '@baton/spec';
import type { AnswerBody, CapabilityManifest, DeliverFrame, Envelope, KeyPair, RejectFrame, TaskNoticeBody, WorkingFrame } from '@baton/spec';
import type { DedupeCache } from './dedupe.ts';
import { createResult, runRequest } from './provider.ts';
import type { Capability } from './provider.ts';
import { createReceipt } from './receipts.ts';
import { errorFromTaskNotice } from './result-errors.ts';
import { checkContextEnvelope } from './task-context-check.ts';
import { TaskRun } from './task-run.ts';
import type { TaskRunHost } from './task-run.ts';
import type { CapabilityHandler, ClientLogger, HandleOptions, TraceEvent } from './types.ts';

/** What the provider runtime needs from its agent. */
export interface ProviderHost extends Omit<TaskRunHost, 'key'> {
  /** This agent's did:key (the signer of the questions an answer's context carries, TSK-8). */
  readonly did: string;
  readonly key: KeyPair;
  readonly logger: ClientLogger;
  /** Deduplication memory (RPL-4); a request is remembered once it is receipted. */
  readonly dedupe: DedupeCache;
  /** The manifest registered for a capability, if any. */
  manifest(name: string): CapabilityManifest | undefined;
  /** Sends a result envelope until `accepted` (kept across reconnects); failures are logged by the host. */
  sendResult(env: Envelope): void;
  /** Sends a receipt on the current connection; failures are logged by the host. */
  sendReceipt(env: Envelope): void;
  /** Sends a `reject` or `working` frame now; dropped when not connected (the relay redelivers then). */
  sendControl(frame: RejectFrame | WorkingFrame): void;
  /** Aborted when the agent closes for good: handlers are aborted, nothing more is sent. */
  readonly closeSignal: AbortSignal;
  now(): number;
  trace(event: TraceEvent): void;
}

/** Shortest hold of a request waiting for the first registration, in ms (guards against tiny `ack_timeout_ms`). */
const MIN_HOLD_MS = 20;

/** An answer waiting for a registration before its task can be resumed (TSK-8). */
interface HeldAnswer {
  env: Envelope;
  digest: string;
  context: DeliverFrame['context'];
}

interface Registration {
  readonly handler: CapabilityHandler;
  readonly concurrency: number;
  readonly receipt: 'on-receive' | 'on-complete';
}

/** Handlers by capability, the requests running now, and the per-capability concurrency count. */
export class ProviderRuntime {
  readonly #host: ProviderHost;
  readonly #handlers = new Map<string, Registration>();
  /** (from, id) of requests whose handler runs now. */
  readonly #running = new Set<string>();
  readonly #active = new Map<string, number>();
  /** Requests waiting for the first registration, by (from, id). */
  readonly #held = new Map<string, { env: Envelope; digest: string; timer: ReturnType<typeof setTimeout> }>();
  /** Handlers running now, by task id (= request id): answers and task notices go to them. */
  readonly #tasks = new Map<string, TaskRun>();
  /** Answers waiting for a registration, by (from, id). */
  readonly #heldAnswers = new Map<string, HeldAnswer>();
  readonly #taskHost: TaskRunHost;
  #registered = false;

  constructor(host: ProviderHost) {
    this.#host = host;
    this.#taskHost = host;
    host.closeSignal.addEventListener('abort', () => {
      for (const held of this.#held.values()) clearTimeout(held.timer);
      this.#held.clear();
      this.#heldAnswers.clear();
    }, { once: true });
  }

  /** A registration of this agent was accepted: held requests are looked at again (run, held, or refused). */
  onRegistered(): void {
    this.#registered = true;
    const held = [...this.#held.values()];
    this.#held.clear();
    for (const { env, digest, timer } of held) {
      clearTimeout(timer);
      this.onRequest(env, digest);
    }
    const answers = [...this.#heldAnswers.values()];
    this.#heldAnswers.clear();
    for (const { env, digest, context } of answers) this.onAnswer(env, digest, context);
  }

  /**
   * Handles a verified `answer` delivered to this agent (TSK-6, TSK-8; `digest` = its TYP-4 digest). A
   * handler waiting for it gets the value. When no handler runs the task here (this process restarted), the
   * handler runs again for the request in the deliver frame's verified `context` - its first
   * `askClarification()` resolves at once with the answer - never as a new instruction. Until a registration
   * makes the capability runnable the answer is held without a receipt (the relay redelivers it).
   */
  onAnswer(env: Envelope, digest: string, context: DeliverFrame['context']): void {
    const host = this.#host;
    const ack = (): void => {
      host.dedupe.checkAndRemember(env.from, env.id);
      host.sendReceipt(createReceipt(host.key, env, digest));
    };
    if (host.dedupe.has(env.from, env.id)) {
      host.trace({ kind: 'duplicate', env });
      ack();
      return;
    }
    const body = env.body as unknown as AnswerBody;
    const run = this.#tasks.get(body.task);
    if (run !== undefined && run.request.from === env.from) {
      ack();
      if (!run.onAnswer(body.answer)) host.logger.warn('dropped an answer the running handler is not waiting for', { task: body.task });
      return;
    }
    const request = checkContextEnvelope(context?.request, { type: 'request', task: body.task, from: env.from });
    const question = checkContextEnvelope(context?.question, { type: 'update', task: body.task, from: host.did });
    if (!request.ok || !question.ok) {
      ack();
      const reason = request.ok ? (question as { reason: string }).reason : request.reason;
      host.logger.warn('dropped an answer whose task context cannot be trusted (TSK-8)', { task: body.task, reason });
      return;
    }
    const name = String((request.env.body as { capability?: unknown }).capability);
    const manifest = host.manifest(name);
    const registration = this.#handlers.get(name);
    if (manifest === undefined || registration === undefined) {
      if (!this.#registered || registration !== undefined) {
        this.#heldAnswers.set(runKey(env), { env, digest, context });
        return;
      }
      ack();
      host.logger.warn(`dropped an answer: this agent no longer handles ${JSON.stringify(name)}`, { task: body.task });
      return;
    }
    ack();
    if (this.#running.has(runKey(request.env))) return;
    const capability = { manifest, handler: registration.handler };
    void this.#run(request.env, envelopeDigest(request.env), name, capability, registration.receipt, { answer: body.answer });
  }

  /** A verified task notice (TSK-17): a task-cancelled / task-failed one aborts the handler running that task. */
  onTaskNotice(body: TaskNoticeBody): void {
    if (body.event !== 'task-cancelled' && body.event !== 'task-failed') return;
    this.#tasks.get(body.for)?.end(errorFromTaskNotice(body));
  }

  /**
   * Sets the handler of `capability` and its options (see {@link HandleOptions}).
   * @throws RangeError when `concurrency` is not a positive integer (or Infinity).
   */
  setHandler(capability: string, handler: CapabilityHandler, options: HandleOptions = {}): void {
    const concurrency = options.concurrency ?? Infinity;
    if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.#handlers.set(capability, { handler, concurrency, receipt: options.receipt ?? 'on-complete' });
  }

  /** Handles one verified `request` delivered to this agent (`digest` = its TYP-4 digest). */
  onRequest(env: Envelope, digest: string): void {
    const host = this.#host;
    if (host.dedupe.has(env.from, env.id)) {
      host.trace({ kind: 'duplicate', env });
      host.sendReceipt(createReceipt(host.key, env, digest));
      return;
    }
    if (this.#running.has(runKey(env)) || this.#held.has(runKey(env))) {
      host.trace({ kind: 'duplicate', env });
      host.sendControl({ op: 'working', sender: env.from, id: env.id });
      return;
    }
    const name = String((env.body as { capability?: unknown }).capability);
    const manifest = host.manifest(name);
    const registration = this.#handlers.get(name);
    if (manifest === undefined || registration === undefined) {
      if (!this.#registered || registration !== undefined) {
        this.#hold(env, digest);
        return;
      }
      this.#reject(env, 'UNSUPPORTED_CAPABILITY', `this agent does not provide ${JSON.stringify(name)}`);
      return;
    }
    if ((this.#active.get(name) ?? 0) >= registration.concurrency) {
      this.#reject(env, 'BUSY', `${registration.concurrency} ${name} request(s) already running`);
      return;
    }
    void this.#run(env, digest, name, { manifest, handler: registration.handler }, registration.receipt);
  }

  /** Keeps `env` until a registration makes it runnable; past `ack_timeout_ms / 3` refuses it with BUSY (the relay retries). */
  #hold(env: Envelope, digest: string): void {
    const key = runKey(env);
    const grace = Math.max(MIN_HOLD_MS, Math.floor(this.#host.ackTimeoutMs() / 3));
    const timer = setTimeout(() => {
      if (!this.#held.delete(key)) return;
      this.#reject(env, 'BUSY', 'this agent has not registered this capability yet');
    }, grace);
    this.#held.set(key, { env, digest, timer });
  }

  #reject(env: Envelope, code: 'BUSY' | 'UNSUPPORTED_CAPABILITY', message: string): void {
    this.#host.sendControl({ op: 'reject', sender: env.from, id: env.id, code, message });
    this.#host.trace({ kind: 'rejected', env, code });
  }

  async #run(
    env: Envelope, digest: string, name: string, capability: Capability, mode: Registration['receipt'], resumeWith?: { answer: unknown },
  ): Promise<void> {
    const host = this.#host;
    const key = runKey(env);
    const receipt = (): Envelope => {
      host.dedupe.checkAndRemember(env.from, env.id);
      return createReceipt(host.key, env, digest);
    };
    // on-receive: acknowledged at once (at most once); on-complete: before the first update or right before the result.
    if (mode === 'on-receive' && resumeWith === undefined) host.sendReceipt(receipt());
    const run = new TaskRun(this.#taskHost, env, {
      receipted: mode === 'on-receive' || resumeWith !== undefined,
      sendReceipt: () => host.sendAwaited(receipt()),
      ...(resumeWith !== undefined ? { resumeWith } : {}),
    });
    this.#running.add(key);
    this.#tasks.set(env.id, run);
    this.#active.set(name, (this.#active.get(name) ?? 0) + 1);
    let body;
    try {
      body = await runRequest(env, capability, host.now(), host.closeSignal, run);
    } finally {
      run.stop();
      this.#running.delete(key);
      if (this.#tasks.get(env.id) === run) this.#tasks.delete(env.id);
      this.#active.set(name, (this.#active.get(name) ?? 1) - 1);
    }
    if (host.closeSignal.aborted) return;
    if (run.endedBy !== undefined) {
      host.dedupe.checkAndRemember(env.from, env.id);
      host.trace({ kind: 'dropped', reason: `task ${env.id} ended (${run.endedBy.code}): its result is not sent`, env });
      return;
    }
    // on-complete: the receipt leaves right before the result, in the same tick (see HandleOptions.receipt).
    if (!run.receipted) host.sendReceipt(receipt());
    host.sendResult(createResult(host.key, env, body));
    host.trace(body.status === 'ok'
      ? { kind: 'handled', env, status: 'ok' }
      : { kind: 'handled', env, status: 'error', code: body.error.code });
  }
}

function runKey(env: Envelope): string {
  return `${env.from} ${env.id}`;
}
