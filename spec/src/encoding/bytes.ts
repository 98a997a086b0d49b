/**
 * Byte encodings used on the wire (SPEC ENC-2): base64url without padding for keys, signatures and challenges,
 * lowercase hex for digests, UTF-8 for text. Portable (Node and browsers).
 */
import { base64urlnopad, hex } from '@scure/base';
import { BatonError } from '../errors/baton-error.ts';

const utf8Encoder = new TextEncoder();

/** base64url (RFC 4648 section 5) without padding. */
export function base64urlEncode(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/**
 * Decodes base64url without padding.
 * @throws BatonError `INVALID_FRAME` when the text is not canonical unpadded base64url.
 */
export function base64urlDecode(text: string): Uint8Array {
  try {
    return base64urlnopad.decode(text);
  } catch (cause) {
    throw new BatonError('INVALID_FRAME', 'value is not unpadded base64url', { cause });
  }
}

/** Lowercase hexadecimal. */
export function toHex(bytes: Uint8Array): string {
  return hex.encode(bytes);
}

/** Decodes hexadecimal (either case). @throws BatonError `INVALID_FRAME` on bad input. */
export function fromHex(text: string): Uint8Array {
  try {
    return hex.decode(text.toLowerCase());
  } catch (cause) {
    throw new BatonError('INVALID_FRAME', 'value is not hexadecimal', { cause });
  }
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Concatenates byte strings. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
