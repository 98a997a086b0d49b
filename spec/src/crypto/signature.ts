/**
 * The default Ed25519 backend (node:crypto in Node, noble elsewhere) and the top-level `verifySignature` and
 * `sign` functions (SPEC SIG-2, SIG-3).
 */
import type { Ed25519Backend } from './backend.ts';
import { nobleBackend } from './noble-backend.ts';
import { nodeBackend } from './node-backend.ts';

let defaultBackend: Ed25519Backend = nodeBackend ?? nobleBackend;

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
