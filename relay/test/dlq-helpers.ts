/**
 * Shared helpers of the HTTP API tests (dlq-http, cli-dlq, task-http): produce a dead letter through the
 * protocol (the recipient rejects a direct envelope with a final code, DLV-4), sign HTTP requests (HTA-1),
 * and validate answers against the protocol's schemas (dlq-entry, task).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  PROTOCOL_SCHEMAS, envelopeDigest, signHttpRequest,
  type Envelope, type EnvelopeFields, type ProtocolSchemaName,
} from '@baton/spec';
import type { AnyFrame, TestAgent, TestRelay } from './harness.ts';

const ajv = new Ajv2020({ strict: true, allErrors: true });
for (const schema of Object.values(PROTOCOL_SCHEMAS)) ajv.addSchema(schema as object);

/** Null when `value` is valid against the protocol schema `name`, else the ajv errors as text. */
export function schemaProblem(name: ProtocolSchemaName, value: unknown): string | null {
  const validate = ajv.getSchema(PROTOCOL_SCHEMAS[name].$id);
  if (validate === undefined) throw new Error(`${name} schema not registered`);
  return validate(value) ? null : ajv.errorsText(validate.errors);
}

/** Null when `value` is a valid DeadLetterEntry (dlq-entry.schema.json), else the ajv errors as text. */
export function dlqEntryProblem(value: unknown): string | null {
  return schemaProblem('dlq-entry', value);
}

/** A receipt from `agent` for a delivered envelope (ACK-3). */
export function receiptFor(agent: TestAgent, env: Envelope): Envelope {
  return agent.envelope({ type: 'receipt', to: env.from, parent: env.id, body: { for: env.id, digest: envelopeDigest(env) } });
}

/** The next `deliver` frame of `env` to `agent`. */
export function deliveryOf(agent: TestAgent, env: Envelope, pred: (f: AnyFrame) => boolean = () => true): Promise<AnyFrame> {
  return agent.next((f) => f.op === 'deliver' && (f.env as Envelope | undefined)?.id === env.id && pred(f));
}

/** A dead letter made through the protocol: the envelope as sent and its DLQ entry number (its seq). */
export interface DeadLetter {
  readonly env: Envelope;
  readonly entry: number;
}

/**
 * `sender` sends a `message` directly to `recipient`, which refuses it with the final code
 * UNSUPPORTED_CAPABILITY; the relay dead-letters it at once and notifies the sender with a relay-signed
 * notice (DLV-6), which the sender acknowledges with a receipt addressed to the relay.
 */
export async function deadLetter(
  t: TestRelay, sender: TestAgent, recipient: TestAgent, extra: Partial<Pick<EnvelopeFields, 'exp' | 'body'>> = {},
): Promise<DeadLetter> {
  const env = sender.envelope({ type: 'message', to: recipient.did, body: { note: 'please' }, ...extra });
  await sender.submit(env);
  const deliver = await deliveryOf(recipient, env);
  recipient.send({ op: 'reject', sender: sender.did, id: env.id, code: 'UNSUPPORTED_CAPABILITY', message: 'not for me' });
  const noticeFrame = await sender.next((f) => {
    const n = f.env as Envelope | undefined;
    return f.op === 'deliver' && n?.type === 'notice' && (n.body as { for?: string }).for === env.id;
  });
  const notice = noticeFrame.env as Envelope;
  if (notice.from !== t.relay.did || (notice.body as { entry?: unknown }).entry !== deliver.seq) {
    throw new Error(`unexpected notice ${JSON.stringify(notice)} for deliver seq ${String(deliver.seq)}`);
  }
  await sender.submit(receiptFor(sender, notice));
  return { env, entry: deliver.seq as number };
}

/** `Authorization: Baton ...` for `agent` on this relay (ts = the relay's fake clock unless given). */
export function signedBy(t: TestRelay, agent: TestAgent, method: string, path: string, ts = t.clock.now()): string {
  return signHttpRequest(agent.key, { method, path, relay: t.relay.did, ts });
}
