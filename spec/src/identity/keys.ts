/**
 * Agent key pairs: generation, derivation from a seed, and the JSON key-file format used by the CLI
 * (`{ "did", "public_key", "secret_key" }`, base64url). Secret keys are 32-byte seeds (SPEC ID-4).
 */
import { BatonError } from '../errors/baton-error.ts';
import { base64urlDecode, base64urlEncode } from '../encoding/bytes.ts';
import { getDefaultBackend } from '../crypto/signature.ts';
import { publicKeyToDid } from './did-key.ts';

/** An Ed25519 identity: 32-byte public key, 32-byte secret seed, and its did:key. */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
  readonly did: string;
}

/** A key pair from a 32-byte seed. @throws BatonError `INVALID_IDENTITY` when the seed is not 32 bytes. */
export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  if (secretKey.length !== 32) throw new BatonError('INVALID_IDENTITY', 'an Ed25519 secret key (seed) is 32 bytes');
  const publicKey = getDefaultBackend().getPublicKey(secretKey);
  return { publicKey, secretKey: Uint8Array.from(secretKey), did: publicKeyToDid(publicKey) };
}

/** A fresh key pair from the platform's cryptographically secure random source. */
export function generateKeyPair(): KeyPair {
  return keyPairFromSecret(globalThis.crypto.getRandomValues(new Uint8Array(32)));
}

/** Serializes a key pair as the JSON key-file format (contains the secret: store it with mode 0600). */
export function encodeKeyFile(keyPair: KeyPair): string {
  return `${JSON.stringify({ did: keyPair.did, public_key: base64urlEncode(keyPair.publicKey), secret_key: base64urlEncode(keyPair.secretKey) }, null, 2)}\n`;
}

/**
 * Reads the JSON key-file format and checks that the stored did and public key match the secret.
 * @throws BatonError `INVALID_IDENTITY` when the file is malformed or inconsistent.
 */
export function decodeKeyFile(text: string): KeyPair {
  let parsed: { did?: unknown; secret_key?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (cause) {
    throw new BatonError('INVALID_IDENTITY', 'key file is not JSON', { cause });
  }
  if (typeof parsed.secret_key !== 'string') throw new BatonError('INVALID_IDENTITY', 'key file has no secret_key');
  let seed: Uint8Array;
  try {
    seed = base64urlDecode(parsed.secret_key);
  } catch (cause) {
    throw new BatonError('INVALID_IDENTITY', 'key file secret_key is not base64url', { cause });
  }
  const keyPair = keyPairFromSecret(seed);
  if (parsed.did !== undefined && parsed.did !== keyPair.did) {
    throw new BatonError('INVALID_IDENTITY', 'key file did does not match its secret key');
  }
  return keyPair;
}
