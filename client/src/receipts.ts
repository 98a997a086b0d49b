/**
 * Receipts (SPEC TYP-4, ACK-3, ACK-4): building the signed receipt a recipient returns for a delivered
 * envelope, and checking a receipt the relay forwards in `delivered` before trusting it.
 */
import { createEnvelope, envelopeDigest, verifyEnvelope } from '@baton/spec';
import type { Envelope, KeyPair } from '@baton/spec';

/**
 * Builds the receipt for `delivered`: type `receipt`, `to` = its `from`, `parent` = its `id`, body
 * `{ for: id, digest: envelopeDigest(delivered) }` (TYP-4), signed with `key`.
 * @param digest the delivered envelope's digest when already computed (saves a second canonicalization)
 */
export function createReceipt(key: KeyPair, delivered: Envelope, digest: string = envelopeDigest(delivered)): Envelope {
  return createEnvelope(key, {
    type: 'receipt',
    to: delivered.from,
    parent: delivered.id,
    body: { for: delivered.id, digest },
  });
}

/**
 * Returns null when `receipt` proves delivery of `sent`, else the reason (ACK-4): it must be a `receipt`
 * whose signature verifies strictly (SIG-4), addressed to the sender, authored by an agent `isExpectedFrom`
 * accepts, with `parent` and `body.for` naming `sent.id` and `body.digest` equal to `envelopeDigest(sent)`.
 */
export function receiptProblem(receipt: Envelope, sent: Envelope, isExpectedFrom: (did: string) => boolean): string | null {
  if (receipt === null || typeof receipt !== 'object') return 'receipt is not an envelope';
  if (receipt.type !== 'receipt') return `receipt has type ${String(receipt.type)}`;
  let valid = false;
  try {
    valid = verifyEnvelope(receipt);
  } catch {
    valid = false;
  }
  if (!valid) return 'receipt signature does not verify';
  if (receipt.to !== sent.from) return 'receipt is addressed to another agent';
  if (!isExpectedFrom(receipt.from)) return `receipt is signed by ${receipt.from}, not the expected recipient`;
  const body = receipt.body as { for?: unknown; digest?: unknown };
  if (body.for !== sent.id || receipt.parent !== sent.id) return 'receipt names another envelope';
  if (body.digest !== envelopeDigest(sent)) return 'receipt digest does not match the envelope sent';
  return null;
}
