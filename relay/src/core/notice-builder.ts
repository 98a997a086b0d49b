/**
 * Builds relay-signed `notice` envelopes (SPEC TYP-6) and their store writes: dead-letter notices (DLV-6) and
 * task notices (TSK-17) share this. `from` = the relay did, signed with the relay key, `parent` = `body.for`,
 * `thread` copied when known, no `exp`; stored pending for its recipient and delivered like any envelope.
 */
import { createEnvelope, envelopeDigest, type Envelope, type KeyPair } from '@baton/spec';
import type { BatchWrite, TaskWrite } from '../store/store.ts';

/** What a notice says and to whom. */
export interface NoticeSpec {
  /** The recipient agent. */
  readonly to: string;
  /** `body.for`, also the envelope's `parent`. */
  readonly about: string;
  readonly thread: string | null | undefined;
  /** The notice body (body-notice.schema.json). */
  readonly body: object;
  /** ms since epoch. */
  readonly now: number;
  /** The task the notice belongs to (TSK-21 retention) and the change it causes, if any. */
  readonly taskId?: string;
  readonly tasks?: readonly TaskWrite[];
}

/** A signed notice and the write that stores it pending for its recipient. */
export interface BuiltNotice {
  readonly envelope: Envelope;
  readonly write: BatchWrite;
}

/** Signs a notice with the relay key and prepares its store write. */
export function buildNotice(key: KeyPair, n: NoticeSpec): BuiltNotice {
  const envelope = createEnvelope(key, {
    type: 'notice', to: n.to, ts: n.now, parent: n.about,
    ...(typeof n.thread === 'string' ? { thread: n.thread } : {}),
    body: n.body as Record<string, unknown>,
  });
  const write: BatchWrite = {
    sender: envelope.from, id: envelope.id, type: 'notice', to: n.to, recipient: n.to,
    digest: envelopeDigest(envelope), json: JSON.stringify(envelope), acceptedAt: n.now, exp: null,
    ...(n.taskId === undefined ? {} : { taskId: n.taskId }),
    ...(n.tasks === undefined ? {} : { tasks: n.tasks }),
  };
  return { envelope, write };
}
