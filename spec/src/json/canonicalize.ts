/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), via the `canonicalize` package by the RFC's authors' reference
 * design (SPEC CAN-1..CAN-3).
 */
import canonicalizeImpl from 'canonicalize';
import { BatonError } from '../errors/baton-error.ts';

/**
 * Serializes a JSON value canonically (RFC 8785): members sorted by UTF-16 code units, no whitespace,
 * ECMAScript number formatting.
 *
 * @throws BatonError `INVALID_ENVELOPE` for values JCS cannot represent (NaN, Infinity, undefined at top level).
 */
export function canonicalize(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalizeImpl(value);
  } catch (cause) {
    throw new BatonError('INVALID_ENVELOPE', 'value cannot be canonicalized (RFC 8785)', { cause });
  }
  if (text === undefined) throw new BatonError('INVALID_ENVELOPE', 'value cannot be canonicalized (RFC 8785)');
  return text;
}
