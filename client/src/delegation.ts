/**
 * Delegation (SPEC TYP-2, TSK-1, TSK-9, TSK-14..TSK-16): validate the input against the provider's manifest,
 * build the signed task `request` (brief, deadline, idempotency key, parent task, thread, revise_of), send it,
 * and return a {@link TaskHandle} once the relay accepted it - or, for an idempotent duplicate, a handle on
 * the EXISTING task the relay names in its `accepted` frame.
 */
import { BatonError, capabilityTarget, createEnvelope, defaultIdempotencyKey } from '@baton/spec';
import type { Envelope, KeyPair } from '@baton/spec';
import type { RecipientCheck } from './outcomes.ts';
import type { OwnerTasks } from './owner-tasks.ts';
import { providerLookup, providersFor } from './requester.ts';
import type { CallHost } from './requester.ts';
import type { DelegateOptions, TaskHandle } from './task-types.ts';
import type { ClientLogger, RequestTarget } from './types.ts';
import type { WaitOptions } from './waiters.ts';

/** What delegation needs from its agent. */
export interface DelegateHost extends Pick<CallHost, 'findProviders' | 'sendEnvelope'> {
  readonly key: KeyPair;
  readonly defaultTimeoutMs: number;
  readonly logger: ClientLogger;
  readonly tasks: OwnerTasks;
  /** Follows the request's outcome (receipt or dead letter), reported to the tasks registry and `onOutcome`. */
  track(env: Envelope, isRecipient: RecipientCheck): void;
  /** Stops following an envelope that created nothing (an idempotent duplicate). */
  forget(id: string): void;
}

/** The signed request for a delegation (TYP-2): body `{ capability, input, brief?, revise_of? }`. */
function buildRequest(key: KeyPair, to: string, capability: string, input: unknown, options: DelegateOptions): Envelope {
  if (options.reviseOf !== undefined && options.thread === undefined) {
    throw new BatonError('INVALID_ENVELOPE', 'reviseOf requires thread: a revision belongs to the thread of the work it redoes (TSK-16)');
  }
  const refs = options.brief?.context?.refs?.map((ref) => ref.uri) ?? [];
  const idempotencyKey = options.idempotencyKey
    ?? (options.turn === undefined ? undefined : defaultIdempotencyKey({ turn: options.turn, to, capability, input, refs }));
  const now = Date.now();
  const exp = options.deadline ?? (options.timeoutMs === undefined ? undefined : now + options.timeoutMs);
  if (exp !== undefined && exp <= now) throw new BatonError('TIMEOUT', `the deadline of ${capability} has already passed`);
  return createEnvelope(key, {
    type: 'request',
    to,
    ts: now,
    body: {
      capability,
      input: input as never,
      ...(options.brief !== undefined ? { brief: options.brief } : {}),
      ...(options.reviseOf !== undefined ? { revise_of: options.reviseOf } : {}),
    },
    ...(exp !== undefined ? { exp } : {}),
    ...(options.parent !== undefined ? { parent: options.parent } : {}),
    ...(options.thread !== undefined ? { thread: options.thread } : {}),
    ...(idempotencyKey !== undefined ? { idempotency_key: idempotencyKey } : {}),
  });
}

/**
 * Sends one delegation; see `Agent.delegate` for the contract.
 * @throws BatonError `NO_PROVIDER`, `UNSUPPORTED_CAPABILITY`, `INPUT_SCHEMA_VIOLATION` (nothing sent),
 *   `INVALID_ENVELOPE` (reviseOf without thread), `TIMEOUT` (deadline already passed, or no `accepted` in
 *   time), `ABORTED`, the relay's refusal (`IDEMPOTENCY_CONFLICT`, `REVISION_LIMIT`, `UNKNOWN_TASK`,
 *   `NOT_TASK_PARTY`, `TASK_TERMINAL`, `INVALID_TRANSITION`, ...), `CONNECTION_CLOSED`.
 */
export async function performDelegate(host: DelegateHost, target: RequestTarget, input: unknown, options: DelegateOptions): Promise<TaskHandle> {
  const timeoutMs = options.acceptTimeoutMs ?? host.defaultTimeoutMs;
  const until = Date.now() + timeoutMs;
  const wait = (what: string): WaitOptions => ({ timeoutMs: until - Date.now(), signal: options.signal, what });
  const name = typeof target === 'string' ? target : target.capability;
  const { capability, direct, providers } = await providersFor(host, target, input, wait(`discovery of ${name}`));
  const request = buildRequest(host.key, direct ?? capabilityTarget(capability), capability, input, options);
  const lookup = providerLookup(host, capability, direct, providers);
  host.tasks.record(request.id);
  host.track(request, async (did) => (await lookup(did)) !== undefined);
  let accepted;
  try {
    accepted = await host.sendEnvelope(request, wait(`accepted for request ${request.id}`));
  } catch (error) {
    host.tasks.discard(request.id);
    host.forget(request.id);
    throw error;
  }
  let handle: TaskHandle;
  if (accepted.duplicate === true && accepted.task !== undefined && accepted.task.id !== request.id) {
    host.tasks.discard(request.id);
    host.forget(request.id);
    handle = host.tasks.handle(accepted.task.id, { duplicate: true, state: accepted.task.state, capability, lookup });
  } else {
    handle = host.tasks.handle(request.id, { capability, lookup });
  }
  const signal = options.signal;
  if (signal !== undefined) {
    const cancel = (): void => {
      handle.cancel('aborted by the owner').catch((error: unknown) => {
        host.logger.warn('could not cancel an aborted task', { task: handle.id, error: String(error) });
      });
    };
    if (signal.aborted) cancel();
    else signal.addEventListener('abort', cancel, { once: true });
    handle.result.then(() => signal.removeEventListener('abort', cancel), () => signal.removeEventListener('abort', cancel));
  }
  return handle;
}
