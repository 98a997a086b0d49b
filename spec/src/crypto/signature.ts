/**
 * The default Ed25519 backend and the top-level `verifySignature` and `sign` functions (SPEC SIG-2, SIG-3).
 *
 * The default is the fastest backend available: libsodium (`sodium-native`, when installed), then
 * `node:crypto`, then noble (browsers). The environment variable `BATON_ED25519` (`libsodium`, `node:crypto`
 * or `noble`) picks one by name for the whole process, worker threads included; a name that is unknown or not
 * available here is ignored. Every backend gives the same verdicts (spec/vectors/signatures-strict.json).
 */
import type { Ed25519Backend } from './backend.ts';
import { nobleBackend } from './noble-backend.ts';
import { nodeBackend } from './node-backend.ts';
import { sodiumBackend } from './sodium-backend.ts';

/** Backends available in this runtime, fastest first. */
export const availableBackends: readonly Ed25519Backend[] = [sodiumBackend, nodeBackend, nobleBackend]
  .filter((b): b is Ed25519Backend => b !== undefined);

function chosenBackend(): Ed25519Backend {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const wanted = env?.BATON_ED25519;
  return availableBackends.find((b) => b.name === wanted) ?? availableBackends[0] ?? nobleBackend;
}

let defaultBackend: Ed25519Backend = chosenBackend();

/** The backend used by `sign`, `verifySignature` and the envelope functions. */
export function getDefaultBackend(): Ed25519Backend {
  return defaultBackend;
}

/** Replaces the default backend (for example to force `nobleBackend` in a test). Returns the previous one. */
export function setDefaultBackend(backend: Ed25519Backend): Ed25519Backend {
  const previous = defaultBackend;
  defaultBackend = backend;
  return previous;
}

/**
 * Strict Ed25519 verification (SPEC SIG-3): rejects S >= L, non-canonical R or public-key encodings, small-order
 * public keys, and anything failing the cofactorless equation. Never throws.
 *
 * @param publicKey 32-byte encoded point
 * @param message the exact signed bytes
 * @param signature 64 bytes (R || S)
 */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return defaultBackend.verify(publicKey, message, signature);
}

/** RFC 8032 Ed25519 signature of `message` with a 32-byte seed. */
export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return defaultBackend.sign(secretKey, message);
}
