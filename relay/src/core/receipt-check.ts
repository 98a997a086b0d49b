/**
 * The receipt checks of SPEC ACK-3 (type-specific step of RTE-1): the acknowledged envelope (sender = the
 * receipt's `to`, id = `body.for`) exists, was delivered to the receipt's author (its current recipient),
 * is not dead-lettered, its digest matches and `parent` equals `body.for`; otherwise INVALID_RECEIPT.
 */
import type { Envelope, ReceiptBody } from '@baton/spec';
import type { StoredEnvelope } from '../store/store.ts';
import type { Rejection } from './task-checks.ts';

/** What ACK-3 needs of the acknowledged envelope (a stored row, or a delivery in flight). */
export type ReceiptTarget = Pick<StoredEnvelope, 'seq' | 'sender' | 'id' | 'recipient' | 'status' | 'digest' | 'type'>;

/**
 * The envelope a valid receipt acknowledges.
 * @param find - the envelope (sender, id) if the relay has it: `find(env.to, body.for)`.
 */
export function checkReceipt(find: (sender: string, id: string) => ReceiptTarget | undefined, env: Envelope): Rejection | ReceiptTarget {
  const body = env.body as unknown as ReceiptBody;
  const target = find(env.to, body.for);
  const invalid = (message: string): Rejection => ({ code: 'INVALID_RECEIPT', message });
  if (target === undefined || target.recipient !== env.from) return invalid(`no envelope ${body.for} from ${env.to} was delivered to you`);
  if (target.status !== 'pending' && target.status !== 'delivered') return invalid(`envelope ${body.for} was dead-lettered; it is not awaiting a receipt`);
  if (target.digest !== body.digest) return invalid('body.digest does not match the delivered envelope');
  if (env.parent !== undefined && env.parent !== body.for) return invalid('parent must equal body.for (TYP-4)');
  return target;
}
