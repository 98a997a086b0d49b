/**
 * SHA-256 as lowercase hex (receipt digests, SPEC TYP-4): `node:crypto` when running in Node (about three
 * times faster on envelope-sized inputs), `@noble/hashes` elsewhere. Both give the same bytes by definition.
 */
import type * as NodeCrypto from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex } from '../encoding/bytes.ts';

const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  ?.getBuiltinModule?.('node:crypto') as typeof NodeCrypto | undefined;

/** Lowercase hex SHA-256 of `bytes`. */
export const sha256Hex: (bytes: Uint8Array) => string = nodeCrypto === undefined
  ? (bytes) => toHex(sha256(bytes))
  // the one-shot `hash` (Node >= 21.7) skips the Hash object: about 2 µs instead of 2.5-5 on envelope-sized input
  : typeof nodeCrypto.hash === 'function'
    ? (bytes) => nodeCrypto.hash('sha256', bytes, 'hex')
    : (bytes) => nodeCrypto.createHash('sha256').update(bytes).digest('hex');
