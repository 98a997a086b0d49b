/**
 * Dispatch of `deliver` frames (SPEC ACK-3, RPL-4, DLV-2, DLV-6): admit the envelope (verified, addressed
 * here, notices only from the relay), report it with its `seq` and `attempt`, hand requests to the provider
 * runtime (answers too: it resumes tasks, TSK-8), and for everything else send the receipt, deduplicate, then
 * act once: results to the waiting call or task, notices to the outcome tracker and tasks, updates to the
 * tasks, messages to the `onMessage` handlers.
 */
import type { DeliverFrame, Envelope, KeyPair, NoticeBody, TaskNoticeBody } from '@baton/spec';
import type { DedupeCache } from './dedupe.ts';
import { admitDelivered } from './inbound.ts';
import type { ProviderRuntime } from './provider-runtime.ts';
import { createReceipt } from './receipts.ts';
import type { ClientLogger, MessageHandler, TraceEvent } from './types.ts';

/** What delivery dispatch needs from its agent. */
export interface InboxHost {
  readonly did: string;
  /** The relay did from `hello`: the only signer of notices. */
  readonly relay: string;
  readonly key: KeyPair;
  /** Spans reconnections, so a redelivery on a new connection is still recognised. */
  readonly dedupe: DedupeCache;
  readonly logger: ClientLogger;
  readonly provider: ProviderRuntime;
  readonly messageHandlers: ReadonlySet<MessageHandler>;
  /** Sends a receipt on the current connection. */
  sendReceipt(env: Envelope): void;
  /** A verified, first-seen result (for the call waiting on `parent`). */
  onResult(env: Envelope): void;
  /** A verified, first-seen relay `dead-lettered` notice (DLV-6). */
  onNotice(env: Envelope): void;
  /** A verified, first-seen relay task notice (TSK-17). */
  onTaskNotice(body: TaskNoticeBody): void;
  /** A verified, first-seen task `update` (TSK-5) with the deliver frame's context (TSK-8). */
  onUpdate(env: Envelope, context: DeliverFrame['context']): void;
  trace(event: TraceEvent): void;
  now(): number;
}

function drop(host: InboxHost, reason: string, env: unknown): void {
  host.logger.warn(`dropped a delivered envelope: ${reason}`, { id: (env as { id?: unknown } | null)?.id });
  host.trace({ kind: 'dropped', reason, env });
}

/** Handles one `deliver` frame; never throws. Envelopes that fail intake get no receipt (RPL-5, SIG-4). */
export function handleDeliver(host: InboxHost, frame: DeliverFrame): void {
  const intake = admitDelivered(frame.env, host.did, host.relay);
  if (!intake.ok) return drop(host, intake.reason, frame.env);
  const { env, digest } = intake;
  host.trace({ kind: 'received', env, seq: frame.seq, attempt: frame.attempt });
  if (env.type === 'request') {
    host.provider.onRequest(env, digest);
    return;
  }
  if (env.type === 'answer') {
    host.provider.onAnswer(env, digest, frame.context); // the provider decides when to receipt (TSK-8)
    return;
  }
  const duplicate = host.dedupe.checkAndRemember(env.from, env.id);
  host.sendReceipt(createReceipt(host.key, env, digest));
  if (duplicate) {
    host.trace({ kind: 'duplicate', env });
    return;
  }
  if (env.type === 'notice') {
    const body = env.body as unknown as NoticeBody;
    if (body.event === 'dead-lettered') host.onNotice(env);
    else host.onTaskNotice(body);
    return;
  }
  if (env.exp !== undefined && env.exp <= host.now()) return drop(host, 'EXPIRED: exp passed (RPL-2)', env);
  if (env.type === 'result') {
    host.onResult(env);
    return;
  }
  if (env.type === 'update') {
    host.onUpdate(env, frame.context);
    return;
  }
  for (const handler of [...host.messageHandlers]) {
    Promise.resolve()
      .then(() => handler(env.body, env))
      .catch((error: unknown) => host.logger.warn('message handler failed', { id: env.id, error: String(error) }));
  }
}
