/**
 * The requester side of a request (SPEC TYP-2, MAN-4, ACK-1..ACK-4, RPL-2, DLV-6): find and verify the
 * provider's manifest, validate the input, send the signed `request` with a deadline, then follow `accepted`,
 * the verified receipt or the relay's dead-letter notice, and the verified `result`, and validate the output.
 */
import { BatonError, capabilityTarget, checkValue, createEnvelope } from '@baton/spec';
import type { AcceptedFrame, Envelope, KeyPair, DeadLetterNoticeBody, ResultBody, TaskNoticeBody } from '@baton/spec';
import type { RecipientCheck } from './outcomes.ts';
import { errorFromNotice, errorFromResult, taskEndingError } from './result-errors.ts';
import type { CallOutcome, ClientLogger, DeliveryOutcome, Provider, RequestOptions, RequestTarget } from './types.ts';
import { withDeadline } from './waiters.ts';
import type { WaitOptions } from './waiters.ts';

/** How long `call` waits for a missing `delivered` after the result arrived, in ms. */
const RECEIPT_GRACE_MS = 1_000;

/** What the request logic needs from its agent. */
export interface CallHost {
  readonly key: KeyPair;
  readonly defaultTimeoutMs: number;
  readonly logger: ClientLogger;
  /** Calls in flight by request id; the agent routes `delivered` and `result` to them. */
  readonly pendingCalls: Map<string, PendingCall>;
  /**
   * Verified providers of `capability` (only `agent` when given; offline ones too for direct routing).
   * `fresh` bypasses the discovery cache.
   */
  findProviders(capability: string, agent: string | undefined, fresh: boolean, wait: WaitOptions): Promise<Provider[]>;
  /** Sends an envelope and waits for its `accepted` (or throws the `error` frame's code). */
  sendEnvelope(env: Envelope, wait: WaitOptions): Promise<AcceptedFrame>;
  /** Follows the envelope's outcome (receipt or dead letter), reported to the pending call and to `onOutcome`. */
  track(env: Envelope, isRecipient: RecipientCheck): void;
}

/** One request in flight: collects its verified result, its receipt, or the notice that dead-lettered it. */
export class PendingCall {
  readonly request: Envelope;
  receipt: Envelope | undefined;
  readonly #lookup: (did: string) => Promise<Provider | undefined>;
  readonly #logger: ClientLogger;
  readonly #result: Promise<{ env: Envelope; provider: Provider }>;
  #resolveResult!: (value: { env: Envelope; provider: Provider }) => void;
  #rejectResult!: (error: unknown) => void;
  readonly #receipt: Promise<Envelope>;
  #resolveReceipt!: (value: Envelope) => void;

  /** @param lookup resolves the did that answers into one of the expected providers, or undefined. */
  constructor(request: Envelope, lookup: (did: string) => Promise<Provider | undefined>, logger: ClientLogger) {
    this.request = request;
    this.#lookup = lookup;
    this.#logger = logger;
    this.#result = new Promise((resolve, reject) => { this.#resolveResult = resolve; this.#rejectResult = reject; });
    this.#result.catch(() => {});
    this.#receipt = new Promise((resolve) => { this.#resolveReceipt = resolve; });
  }

  /**
   * Takes the request's outcome (already verified by the tracker): a receipt (ACK-4) is kept; a dead letter
   * (DLV-6) fails the call with the notice's reason.
   */
  onOutcome(outcome: DeliveryOutcome, notice: DeadLetterNoticeBody | undefined): void {
    if (outcome.status === 'delivered') {
      if (this.receipt === undefined) {
        this.receipt = outcome.receipt;
        this.#resolveReceipt(outcome.receipt);
      }
    } else if (notice !== undefined) {
      this.#rejectResult(errorFromNotice(notice));
    }
  }

  /** Handles a verified `result` whose `parent` is this request; results from unexpected agents are ignored. */
  async onResult(env: Envelope): Promise<void> {
    const provider = await this.#lookup(env.from);
    if (provider === undefined) {
      this.#logger.warn('ignored a result from an agent that does not provide the capability', { request: this.request.id, from: env.from });
      return;
    }
    this.#resolveResult({ env, provider });
  }

  /** A relay task notice about this request's task (TSK-17): one that ends it fails the call with its reason. */
  onTaskNotice(body: TaskNoticeBody): void {
    const error = taskEndingError(body);
    if (error !== undefined) this.#rejectResult(error);
  }

  /** Fails the call (the agent closed). */
  fail(error: unknown): void {
    this.#rejectResult(error);
  }

  /** Waits for the result. */
  result(wait: WaitOptions): Promise<{ env: Envelope; provider: Provider }> {
    return withDeadline(this.#result, wait);
  }

  /** Waits for the receipt; resolves undefined past the wait instead of throwing. */
  async waitReceipt(wait: WaitOptions): Promise<Envelope | undefined> {
    if (this.receipt !== undefined) return this.receipt;
    try {
      return await withDeadline(this.#receipt, wait);
    } catch {
      return undefined;
    }
  }
}

/**
 * Resolves the did that answers (receipt or result) into one of the expected providers, or undefined: for
 * direct routing only `direct`; for capability routing a discovered provider, or one registered since whose
 * signed registration offers `capability` (checked by a fresh discovery).
 */
export function providerLookup(
  host: Pick<CallHost, 'findProviders'>, capability: string, direct: string | undefined, providers: readonly Provider[],
): (did: string) => Promise<Provider | undefined> {
  const known = new Map(providers.map((p) => [p.agent, p]));
  return async (did) => {
    if (direct !== undefined) return did === direct ? known.get(did) : undefined;
    const hit = known.get(did);
    if (hit !== undefined) return hit;
    // A provider registered after our discovery: check its signed registration before trusting it.
    try {
      const fresh = await host.findProviders(capability, did, true, { timeoutMs: 5_000, what: `discovery of ${did}` });
      return fresh.find((p) => p.agent === did);
    } catch {
      return undefined;
    }
  };
}

/**
 * Finds the providers `target` may reach and checks `input` against every one's input_schema (any of them
 * may be chosen; MAN-4). Returns the capability, the direct agent (if any) and the providers.
 * @throws BatonError `NO_PROVIDER`, `UNSUPPORTED_CAPABILITY`, `INPUT_SCHEMA_VIOLATION`, `TIMEOUT`, `ABORTED`.
 */
export async function providersFor(
  host: Pick<CallHost, 'findProviders'>, target: RequestTarget, input: unknown, wait: WaitOptions,
): Promise<{ capability: string; direct: string | undefined; providers: Provider[] }> {
  const capability = typeof target === 'string' ? target : target.capability;
  const direct = typeof target === 'string' ? undefined : target.agent;
  const providers = await host.findProviders(capability, direct, false, wait);
  if (providers.length === 0) {
    if (direct !== undefined) throw new BatonError('UNSUPPORTED_CAPABILITY', `${direct} does not offer ${capability}`);
    throw new BatonError('NO_PROVIDER', `no connected agent offers ${capability}`);
  }
  checkInput(capability, providers, input);
  return { capability, direct, providers };
}

/** Checks the input against every candidate provider's input_schema (any of them may be chosen). */
function checkInput(capability: string, providers: Provider[], input: unknown): void {
  for (const provider of providers) {
    const problem = checkValue(provider.manifest.input_schema, input, 'INPUT_SCHEMA_VIOLATION');
    if (problem !== null) {
      throw new BatonError(problem.code, `input does not match ${capability} input_schema of ${provider.agent}: ${problem.message}`, {
        details: { provider: provider.agent },
      });
    }
  }
}

/**
 * Sends one request and returns its verified outcome. See `Agent.call` for the contract.
 * @throws BatonError `NO_PROVIDER`, `UNSUPPORTED_CAPABILITY`, `INPUT_SCHEMA_VIOLATION` (not sent), the relay's
 *   rejection code, a dead-letter reason (`MAX_ATTEMPTS_EXCEEDED`, `EXPIRED`, `MAILBOX_EXPIRED`, a provider's
 *   rejection code; `details` = the notice body), the result's error code, `OUTPUT_SCHEMA_VIOLATION`,
 *   `TIMEOUT`, `ABORTED`, `CONNECTION_CLOSED`.
 */
export async function performCall(host: CallHost, target: RequestTarget, input: unknown, options: RequestOptions, wantReceipt: boolean): Promise<CallOutcome> {
  const timeoutMs = options.timeoutMs ?? host.defaultTimeoutMs;
  const deadline = Date.now() + timeoutMs;
  const wait = (what: string): WaitOptions => ({ timeoutMs: deadline - Date.now(), signal: options.signal, what });

  const name = typeof target === 'string' ? target : target.capability;
  const { capability, direct, providers } = await providersFor(host, target, input, wait(`discovery of ${name}`));

  const now = Date.now();
  if (deadline <= now) throw new BatonError('TIMEOUT', `no time left to send ${capability} within ${timeoutMs} ms`);
  const request = createEnvelope(host.key, {
    type: 'request',
    to: direct ?? capabilityTarget(capability),
    body: { capability, input: input as never },
    ts: now,
    exp: deadline,
    ...(options.thread !== undefined ? { thread: options.thread } : {}),
    ...(options.idempotencyKey !== undefined ? { idempotency_key: options.idempotencyKey } : {}),
  });
  const lookup = providerLookup(host, capability, direct, providers);
  const pending = new PendingCall(request, lookup, host.logger);
  host.pendingCalls.set(request.id, pending);
  host.track(request, async (did) => (await lookup(did)) !== undefined);
  try {
    const accepted = await host.sendEnvelope(request, wait(`accepted for request ${request.id}`));
    const { env: result, provider } = await pending.result(wait(`result for request ${request.id}`));
    const body = result.body as ResultBody;
    if (body.status !== 'ok') throw errorFromResult(body.error, provider.agent);
    const problem = checkValue(provider.manifest.output_schema, body.output, 'OUTPUT_SCHEMA_VIOLATION');
    if (problem !== null) {
      throw new BatonError(problem.code, `output of ${provider.agent} does not match ${capability} output_schema: ${problem.message}`, {
        details: { provider: provider.agent, output: body.output },
      });
    }
    const receipt = wantReceipt
      ? await pending.waitReceipt({ timeoutMs: Math.min(RECEIPT_GRACE_MS, Math.max(0, deadline - Date.now())), what: 'delivered' })
      : pending.receipt;
    return { output: body.output, provider: provider.agent, request, accepted, receipt, result, manifest: provider.manifest };
  } finally {
    host.pendingCalls.delete(request.id);
  }
}
