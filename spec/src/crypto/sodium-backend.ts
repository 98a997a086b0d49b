/**
 * The libsodium Ed25519 backend, through the optional native package `sodium-native`: about twice as fast as
 * OpenSSL (`node:crypto`) at signing and verifying on x86-64, and it needs no per-key OpenSSL object. Node only
 * and only where `sodium-native` is installed (an optional dependency with prebuilt binaries): it is loaded with
 * `createRequire` at run time, so importing this file in a browser, or where the package is missing or fails to
 * load, yields `undefined` and callers fall back to `node:crypto`.
 *
 * Verification applies the shared strict prechecks (SPEC SIG-3 (a)-(e), (g)) and then libsodium's
 * `crypto_sign_verify_detached`, which checks the cofactorless equation (f) (and repeats some of the
 * prechecks: S < L, canonical non-small-order key and R).
 */
import type * as NodeModule from 'node:module';
import { strictPrecheck, type Ed25519Backend } from './backend.ts';
import { LruCache } from '../util/lru-cache.ts';

/** The part of `sodium-native` this backend uses (byte arrays in and out; lengths are checked by libsodium). */
interface Sodium {
  crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void;
  crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

/** Expanded secret keys kept per process (seed -> 64-byte libsodium secret key; deriving one costs a signature). */
const MAX_CACHED_SECRET_KEYS = 64;

function loadSodium(): Sodium | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:module') as typeof NodeModule | undefined;
  if (mod === undefined) return undefined;
  try {
    const sodium = mod.createRequire(import.meta.url)('sodium-native') as Sodium;
    return typeof sodium.crypto_sign_verify_detached === 'function' ? sodium : undefined;
  } catch {
    return undefined;
  }
}

function createSodiumBackend(sodium: Sodium): Ed25519Backend {
  const secretKeys = new LruCache<string, { publicKey: Uint8Array; secretKey: Uint8Array }>(MAX_CACHED_SECRET_KEYS);
  const expand = (seed: Uint8Array) => {
    if (seed.length !== 32) throw new TypeError('secret key must be 32 bytes');
    return secretKeys.getOrSet(String.fromCharCode(...seed), () => {
      const publicKey = new Uint8Array(32);
      const secretKey = new Uint8Array(64);
      sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
      return { publicKey, secretKey };
    });
  };
  return {
    name: 'libsodium',
    getPublicKey: (secretKey) => expand(secretKey).publicKey.slice(),
    sign(secretKey, message) {
      const signature = new Uint8Array(64);
      sodium.crypto_sign_detached(signature, message, expand(secretKey).secretKey);
      return signature;
    },
    verify(publicKey, message, signature) {
      if (publicKey.length !== 32 || !strictPrecheck(publicKey, signature)) return false;
      try {
        return sodium.crypto_sign_verify_detached(signature, message, publicKey);
      } catch {
        return false;
      }
    },
  };
}

const sodium = loadSodium();

/** The libsodium backend, or `undefined` outside Node or where `sodium-native` is not installed. */
export const sodiumBackend: Ed25519Backend | undefined = sodium === undefined ? undefined : createSodiumBackend(sodium);
