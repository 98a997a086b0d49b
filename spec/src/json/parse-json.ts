/**
 * Safe parsing of untrusted JSON text (SPEC ENC-1, ENC-4): one object per message, no prototype-poisoning
 * member names. Uses `secure-json-parse` (fastify's parser), which costs one regex scan over plain JSON.parse.
 */
import secureJson from 'secure-json-parse';
import { BatonError } from '../errors/baton-error.ts';

/**
 * Parses JSON text, rejecting `__proto__` members and `constructor.prototype` members at any depth.
 *
 * @throws BatonError `MALFORMED_FRAME` when the text is not JSON or carries a forbidden member name.
 */
export function parseJson(text: string): unknown {
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (cause) {
    const forbidden = cause instanceof Error && /forbidden/.test(cause.message);
    const reason = forbidden ? 'carrying a forbidden member name (__proto__ or constructor.prototype)' : 'not valid JSON';
    throw new BatonError('MALFORMED_FRAME', `message is ${reason}`, { cause });
  }
}
