/**
 * Byte encodings used on the wire (SPEC ENC-2): base64url without padding for keys, signatures and challenges,
 * lowercase hex for digests, UTF-8 for text. Portable (Node and browsers).
 */
import { base64urlnopad, hex } from '@scure/base';
import { BatonError } from '../errors/baton-error.ts';

const utf8Encoder = new TextEncoder();

/** The part of Node's `Buffer` used here (absent in browsers). */
interface NodeBufferApi {
  byteLength(text: string, encoding: 'utf8'): number;
  allocUnsafe(size: number): Uint8Array & { write(text: string, offset: number, encoding: 'utf8'): number };
}

// Node's Buffer encodes UTF-8 several times faster than TextEncoder on envelope-sized text (0.5 vs 3.6 µs for
// 400 characters, Node 24); the result is handed out as a plain Uint8Array view so callers never see a Buffer.
const nodeBuffer = (globalThis as { Buffer?: NodeBufferApi }).Buffer;

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

const EMPTY = new Uint8Array(0);

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return prefixedUtf8(EMPTY, text);
}

/**
 * `prefix` followed by the UTF-8 bytes of `text`, in one allocation (signing inputs: a domain prefix, then JCS
 * text; SPEC SIG-1). The result may be a view into a shared pool: use its `byteOffset`/`length`, not `.buffer`.
 */
export function prefixedUtf8(prefix: Uint8Array, text: string): Uint8Array {
  if (nodeBuffer === undefined) return prefix.length === 0 ? utf8Encoder.encode(text) : concatBytes(prefix, utf8Encoder.encode(text));
  const out = nodeBuffer.allocUnsafe(prefix.length + nodeBuffer.byteLength(text, 'utf8'));
  out.set(prefix, 0);
  out.write(text, prefix.length, 'utf8');
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
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
