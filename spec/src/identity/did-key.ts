/**
 * did:key identifiers for Ed25519 keys (SPEC ID-1, ID-2): `did:key:z` + base58btc(0xed 0x01 || key).
 */
import { base58 } from '@scure/base';
import { BatonError } from '../errors/baton-error.ts';
import { isAcceptablePublicKey } from '../crypto/backend.ts';
import { LruCache } from '../util/lru-cache.ts';

const DID_PREFIX = 'did:key:z';
const ED25519_MULTICODEC = [0xed, 0x01] as const;

/** The did:key of a 32-byte Ed25519 public key (SPEC ID-1). */
export function publicKeyToDid(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new BatonError('INVALID_IDENTITY', 'an Ed25519 public key is 32 bytes');
  const bytes = new Uint8Array(34);
  bytes.set(ED25519_MULTICODEC, 0);
  bytes.set(publicKey, 2);
  return DID_PREFIX + base58.encode(bytes);
}

/** Decoded keys kept (least recently used evicted). */
const decoded = new LruCache<string, Uint8Array>(4_096);

/**
 * The 32-byte public key named by a did:key (SPEC ID-1, ID-2). Results are cached.
 *
 * @throws BatonError `INVALID_IDENTITY` when the text is not a did:key of a canonical, non-small-order
 *   Ed25519 point.
 */
export function didToPublicKey(did: string): Uint8Array {
  const hit = decoded.get(did);
  if (hit !== undefined) return hit;
  if (typeof did !== 'string' || !did.startsWith(DID_PREFIX) || did.length > 128) {
    throw new BatonError('INVALID_IDENTITY', 'not a did:key identifier');
  }
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(did.slice(DID_PREFIX.length));
  } catch (cause) {
    throw new BatonError('INVALID_IDENTITY', 'did:key is not valid base58btc', { cause });
  }
  if (bytes.length !== 34 || bytes[0] !== ED25519_MULTICODEC[0] || bytes[1] !== ED25519_MULTICODEC[1]) {
    throw new BatonError('INVALID_IDENTITY', 'did:key is not an Ed25519 key (multicodec 0xed01, 32 bytes)');
  }
  const publicKey = bytes.slice(2);
  if (!isAcceptablePublicKey(publicKey)) {
    throw new BatonError('INVALID_IDENTITY', 'did:key names a non-canonical or small-order point');
  }
  decoded.set(did, publicKey);
  return publicKey;
}

/** True when `did` is a valid did:key for Ed25519 (SPEC ID-2). */
export function isValidDid(did: string): boolean {
  try {
    didToPublicKey(did);
    return true;
  } catch {
    return false;
  }
}
